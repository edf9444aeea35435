"""Many runs of one configuration, in chunks over processes, and their summary.

Each run is a pure function of (scenario, interventions, parameters, policies, seed, run
index), so the result does not depend on the number of processes or the chunk size.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

from brinkmanship.analysis.stats import quartiles, wilson
from brinkmanship.engine.batch import tables as batch_tables
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.policies.registry import PolicySet, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario


@dataclass(frozen=True)
class Job:
    """One configuration to run many times; plain data, so it travels to other processes."""

    scenario: str
    seed: int
    interventions: tuple[str, ...] = ()
    policies: tuple[tuple[str, str], ...] = ()
    params: tuple[tuple[str, float], ...] = ()
    engine: str = "auto"
    """``reference``, ``batch``, or ``auto`` (batch when every policy allows it)."""

    def load(self) -> tuple[CompiledScenario, PolicySet]:
        return _load(self.scenario, self.interventions, self.policies, self.params)

    def resolved_engine(self) -> str:
        """The engine these runs use; a batch request the policies cannot meet is an error."""
        sc, policies = self.load()
        if self.engine not in ENGINES:
            raise UnknownNameError("engine", self.engine, list(ENGINES))
        if self.engine == "reference":
            return "reference"
        why = batch_tables.supports(sc, policies.specs)
        if why is None:
            return "batch"
        if self.engine == "batch":
            raise BrinkError(f"--engine batch: {why}; use --engine reference (or auto)")
        return "reference"


ENGINES = ("auto", "reference", "batch")


@lru_cache(maxsize=16)
def _load(
    scenario: str,
    interventions: tuple[str, ...],
    policies: tuple[tuple[str, str], ...],
    params: tuple[tuple[str, float], ...],
) -> tuple[CompiledScenario, PolicySet]:
    sc = load_scenario(scenario, interventions, dict(params))
    return sc, policy_set(sc, dict(policies))


@lru_cache(maxsize=16)
def _batch_engine(job: Job) -> BatchEngine:
    sc, policies = job.load()
    return BatchEngine(sc, policies.specs)


@dataclass(frozen=True)
class RunSummary:
    """What analysis keeps of one run."""

    run: int
    outcome: str
    tick: int
    peak_escalation: float | None


def run_chunk(job: Job, start: int, stop: int) -> list[RunSummary]:
    """Runs ``start .. stop-1`` of the job (on its engine: the results are the same)."""
    if job.resolved_engine() == "batch":
        batch = _batch_engine(job)
        res = batch.run(job.seed, start, stop)
        names = batch.outcomes
        peaks = [None if math.isnan(p) else p for p in res.peak.tolist()]
        return [
            RunSummary(start + i, names[o], t, peak)
            for i, (o, t, peak) in enumerate(
                zip(res.outcome.tolist(), res.tick.tolist(), peaks, strict=True)
            )
        ]
    sc, policies = job.load()
    engine = ReferenceEngine(sc)
    out = []
    for run in range(start, stop):
        result = engine.run(job.seed, run, policies.make())
        out.append(RunSummary(run, result.outcome.id, result.outcome.tick, result.peak_escalation))
    return out


def run_many(
    job: Job,
    runs: int,
    workers: int | None = None,
    chunk: int = 256,
    on_progress: Callable[[int], None] | None = None,
) -> list[RunSummary]:
    """Runs ``0 .. runs-1``, in chunks over ``workers`` processes (default: all cores)."""
    if runs < 1:
        raise BrinkError(f"--runs must be at least 1, got {runs}")
    if job.resolved_engine() == "batch":  # fails here, clearly, before any process starts
        _batch_engine(job).run(job.seed, 0, 1)  # compiles (once per machine) before forking
    workers = max(1, min(workers or os.cpu_count() or 1, -(-runs // chunk)))
    bounds = [(s, min(s + chunk, runs)) for s in range(0, runs, chunk)]
    results: list[RunSummary] = []
    if workers == 1:
        for start, stop in bounds:
            results += run_chunk(job, start, stop)
            if on_progress:
                on_progress(stop - start)
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_chunk, job, s, e) for s, e in bounds]
        for future in futures:
            part = future.result()
            results += part
            if on_progress:
                on_progress(len(part))
    return sorted(results, key=lambda r: r.run)


@dataclass(frozen=True)
class OutcomeStats:
    """One outcome's share of the runs, with its interval and timing."""

    id: str
    cls: str
    count: int
    p: float
    ci_low: float
    ci_high: float
    hours: tuple[float, float, float] | None = None
    peak: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Summary:
    """Outcome probabilities (95% Wilson intervals), resolution times, peak escalation."""

    runs: int
    outcomes: Mapping[str, OutcomeStats] = field(default_factory=dict)


def summarize(sc: CompiledScenario, results: list[RunSummary]) -> Summary:
    """Summarise runs outcome by outcome, in scenario order (every outcome listed)."""
    n = len(results)
    stats = {}
    for outcome in sc.outcomes.values():
        mine = [r for r in results if r.outcome == outcome.id]
        low, high = wilson(len(mine), n)
        hours = quartiles([r.tick * sc.tick_hours for r in mine]) if mine else None
        peaks = [r.peak_escalation for r in mine if r.peak_escalation is not None]
        stats[outcome.id] = OutcomeStats(
            id=outcome.id,
            cls=outcome.cls.value,
            count=len(mine),
            p=len(mine) / n,
            ci_low=low,
            ci_high=high,
            hours=hours,
            peak=quartiles(peaks) if peaks else None,
        )
    return Summary(n, stats)
