"""The numbers of a report: the baseline's outcomes and escalation fan, each comparison
arm's paired differences, and the sweep's tornado.

Every arm runs the same run indices (common random numbers). All chunks of all arms go to
one pool of processes, so the processes start once (Ctrl-C stops them at once); the results
do not depend on the number of processes or on the chunk size.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult

import numpy as np

from brinkmanship.analysis.compare import Difference, compare
from brinkmanship.analysis.jobs import arm
from brinkmanship.analysis.montecarlo import RunSummary, Summary, run_chunk, summarize
from brinkmanship.analysis.workers import worker_init
from brinkmanship.report.escalation import Fan, Series, fan, tracked_chunk
from brinkmanship.report.plan import Plan
from brinkmanship.report.progress import Track
from brinkmanship.report.tornado import Curve, Tornado, response_curves, tornado


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows."""

    summary: Summary
    decided: dict[str, list[int]]
    """Per outcome class, the tick each baseline run in it was decided (run order)."""
    fan: Fan | None
    comparisons: dict[str, list[Difference]]
    tornado: Tornado | None
    curves: list[Curve]
    """The sweep's response curves (none without a sweep)."""


def chunk_size(runs: int, workers: int) -> int:
    """Chunks small enough to keep every process busy."""
    return max(1, min(256, -(-runs // (4 * workers))))


BASELINE = ""
"""The key of the baseline's own runs among the plain (untracked) ones."""


def collect(plan: Plan, track: Track, workers: int | None = None) -> ReportData:
    """Run the baseline (escalation index tracked) and every comparison arm; read the sweep.

    The tracked runs (the fan) use the reference engine, which plays them step by step; the
    outcomes and comparisons use ``plan.engine``: on the batch engine the baseline is run
    once more there (the same runs, far faster than the tracked ones)."""
    runs = plan.request.runs
    n = max(1, workers or os.cpu_count() or 1)
    chunk = chunk_size(runs, n)
    bounds = [(s, min(s + chunk, runs)) for s in range(0, runs, chunk)]
    base = plan.job
    arms = {name: arm(base, plan.request.policies, name) for name in plan.arms}
    separate = plan.engine != "reference"
    if separate:
        arms = {BASELINE: base, **arms}
        run_chunk(base, 0, 1)  # loads (and compiles) the batch engine once, before forking
    base_bar = track(
        f"{plan.sc.id}: {'escalation (reference engine)' if separate else 'baseline'}", runs
    )
    arm_bars = {name: track(name or f"{plan.sc.id}: baseline", runs) for name in arms}
    baseline: list[RunSummary] = []
    series: list[Series] = []
    treated: dict[str, list[RunSummary]] = {name: [] for name in arms}
    if n == 1 or len(bounds) * (1 + len(arms)) == 1:
        for s, e in bounds:
            summaries, values = tracked_chunk(base, s, e)
            baseline += summaries
            series.append(values)
            base_bar(e - s)
        for name, job in arms.items():
            for s, e in bounds:
                treated[name] += run_chunk(job, s, e)
                arm_bars[name](e - s)
    else:
        # Workers ignore Ctrl-C; leaving the block on an interrupt terminates them at once.
        with multiprocessing.Pool(n, initializer=worker_init) as pool:
            tracked = [pool.apply_async(tracked_chunk, (base, s, e)) for s, e in bounds]
            plain: dict[str, list[AsyncResult[list[RunSummary]]]] = {
                name: [pool.apply_async(run_chunk, (job, s, e)) for s, e in bounds]
                for name, job in arms.items()
            }
            for pending in tracked:
                summaries, values = pending.get()
                baseline += summaries
                series.append(values)
                base_bar(len(summaries))
            for name, results in plain.items():
                for result in results:
                    part = result.get()
                    treated[name] += part
                    arm_bars[name](len(part))
    tracked_runs = baseline
    if separate:
        baseline = treated.pop(BASELINE)
        del arms[BASELINE]
    return ReportData(
        summary=summarize(plan.sc, baseline),
        decided=decided_ticks(plan, baseline),
        fan=fan(np.concatenate(series, axis=0), tracked_runs),
        comparisons={name: compare(plan.sc, baseline, treated[name]) for name in arms},
        tornado=None if plan.sweep is None else tornado(plan.sweep, plan.targets),
        curves=[] if plan.sweep is None else response_curves(plan.sweep, plan.targets),
    )


def decided_ticks(plan: Plan, runs: list[RunSummary]) -> dict[str, list[int]]:
    """Per outcome class (in the scenario's order), the tick each run was decided."""
    classes = {o.id: o.cls.value for o in plan.sc.outcomes.values()}
    out: dict[str, list[int]] = {c: [] for c in dict.fromkeys(classes.values())}
    for r in runs:
        out[classes[r.outcome]].append(r.tick if r.decided is None else r.decided)
    return out
