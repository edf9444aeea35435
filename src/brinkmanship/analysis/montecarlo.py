"""Many runs of one configuration, in chunks over processes, and their summary.

Each run is a pure function of (scenario, interventions, parameters, policies, seed, run
index), so the result does not depend on the number of processes or the chunk size.
:func:`tally_many` streams: each chunk is reduced to a bounded :class:`Tally` in its worker,
so memory does not grow with the number of runs; :func:`run_many` keeps one
:class:`RunSummary` per run (for small samples and tests).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import replace
from functools import lru_cache, partial
from typing import TypeVar

import numpy as np

from brinkmanship.analysis.chunks import Bounds, bounds, map_chunks
from brinkmanship.analysis.job import ENGINES, Job
from brinkmanship.analysis.tally import (
    MechanismStats,
    OutcomeStats,
    RunSummary,
    Summary,
    Tally,
    summarize,
)
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError
from brinkmanship.policies.registry import batch_forms


@lru_cache(maxsize=16)
def _batch_tables(job: Job) -> BatchEngine:
    """The batch engine of a job without parameter values (its scenario's declared ones)."""
    sc, policies = job.load()
    return BatchEngine(sc, batch_forms(sc, policies.specs))


@lru_cache(maxsize=16)
def _batch_engine(job: Job) -> BatchEngine:
    base = _batch_tables(replace(job, params=()))
    return base.with_parameters(job.load()[0]) if job.params else base


def run_chunk(job: Job, start: int, stop: int) -> list[RunSummary]:
    """Runs ``start .. stop-1`` of the job (on its engine: the results are the same)."""
    if job.resolved_engine() == "batch":
        batch = _batch_engine(job)
        res = batch.run(job.seed, start, stop)
        names = batch.outcomes
        mechanisms = (None, *batch.mechanisms)  # index -1: none
        peaks = [None if math.isnan(p) else p for p in res.peak.tolist()]
        columns = (res.outcome, res.tick, res.decided, res.mechanism)
        return [
            RunSummary(start + i, names[o], t, peak, d, mechanisms[m + 1])
            for i, (o, t, d, m, peak) in enumerate(
                zip(*(c.tolist() for c in columns), peaks, strict=True)
            )
        ]
    sc, policies = job.load()
    engine = ReferenceEngine(sc)
    out = []
    for run in range(start, stop):
        out.append(RunSummary.of_result(engine.run(job.seed, run, policies.make())))
    return out


def tally_chunk(job: Job, start: int, stop: int) -> Tally:
    """The tally of runs ``start .. stop-1`` (what a worker sends back: bounded in size);
    on the batch engine it is counted from the result arrays directly."""
    if job.resolved_engine() != "batch":
        return Tally.of(run_chunk(job, start, stop))
    batch = _batch_engine(job)
    res = batch.run(job.seed, start, stop)
    names = batch.outcomes
    outcomes = res.outcome.tolist()
    ticks = Counter(zip(outcomes, res.tick.tolist(), strict=True))
    decided = Counter(zip(outcomes, res.decided.tolist(), strict=True))
    has_peak = ~np.isnan(res.peak)
    peaks = Counter(zip(res.outcome[has_peak].tolist(), res.peak[has_peak].tolist(), strict=True))
    mechanisms = Counter(zip(outcomes, res.mechanism.tolist(), strict=True))
    return Tally(
        len(res.outcome),
        Counter({(names[o], t): c for (o, t), c in ticks.items()}),
        Counter({(names[o], p): c for (o, p), c in peaks.items()}),
        Counter({(names[o], t): c for (o, t), c in decided.items()}),
        Counter({(names[o], batch.mechanisms[m]): c for (o, m), c in mechanisms.items() if m >= 0}),
    )


T = TypeVar("T")


def prepare(job: Job) -> None:
    """Check the job's engine and, on the batch engine, compile (once per machine) before
    any process forks, so a bad request fails here, clearly."""
    if job.resolved_engine() == "batch":
        _batch_engine(job).run(job.seed, 0, 1)


def stream(
    jobs: Sequence[Job],
    runs: int,
    fn: Callable[[int, int], T],
    workers: int | None = None,
    chunk: int = 256,
) -> Generator[tuple[Bounds, T], None, None]:
    """``fn(start, stop)`` over the chunks of ``0 .. runs-1`` on ``workers`` processes
    (default: all cores), yielded in run order with a bounded number in flight; ``jobs``
    (those ``fn`` runs) are prepared first. Close it (or exhaust it) to stop the processes;
    Ctrl-C stops them at once."""
    if runs < 1:
        raise BrinkError(f"--runs must be at least 1, got {runs}")
    if chunk < 1:
        raise BrinkError(f"chunk size must be at least 1, got {chunk}")
    for job in jobs:
        prepare(job)
    parts = bounds(runs, chunk)
    n = max(1, min(workers or os.cpu_count() or 1, len(parts)))
    return map_chunks(fn, parts, n)


def tally_many(
    job: Job,
    runs: int,
    workers: int | None = None,
    chunk: int = 256,
    on_progress: Callable[[int], None] | None = None,
) -> Tally:
    """Runs ``0 .. runs-1`` and counts them, in memory that does not grow with ``runs``."""
    total = Tally()
    with closing(stream([job], runs, partial(tally_chunk, job), workers, chunk)) as parts:
        for (start, stop), part in parts:
            total.merge(part)
            if on_progress:
                on_progress(stop - start)
    return total


def run_many(
    job: Job,
    runs: int,
    workers: int | None = None,
    chunk: int = 256,
    on_progress: Callable[[int], None] | None = None,
) -> list[RunSummary]:
    """Runs ``0 .. runs-1`` and keeps each one's summary, in run order (memory grows with
    ``runs``: use :func:`tally_many` for large samples)."""
    results: list[RunSummary] = []
    with closing(stream([job], runs, partial(run_chunk, job), workers, chunk)) as parts:
        for (start, stop), part in parts:
            results += part
            if on_progress:
                on_progress(stop - start)
    return results


__all__ = [
    "ENGINES",
    "Job",
    "MechanismStats",
    "OutcomeStats",
    "RunSummary",
    "Summary",
    "Tally",
    "prepare",
    "run_chunk",
    "run_many",
    "stream",
    "summarize",
    "tally_chunk",
    "tally_many",
]
