"""Runs that record the scenario's escalation index at the end of every tick, and the fan
(median and bands across runs) drawn from them.

The runs are the same as :func:`brinkmanship.analysis.montecarlo.run_chunk`'s (played by the
same tick driver, which shows the caller the state each tick ends in), so their outcomes
match ``brink mc`` run for run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from brinkmanship.analysis.montecarlo import Job, RunSummary
from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import RunState

Series = npt.NDArray[np.float64]
QUANTILES = (5.0, 25.0, 50.0, 75.0, 95.0)


def tracked_chunk(job: Job, start: int, stop: int) -> tuple[list[RunSummary], Series]:
    """Runs ``start .. stop-1``: their summaries, and a (runs × ticks) array of the escalation
    index at the end of each tick (a finished run keeps its last value to the horizon; the
    array has no columns when the scenario defines no index)."""
    sc, policies = job.load()
    engine = ReferenceEngine(sc)
    index = sc.escalation
    width = sc.horizon_ticks + 1 if index is not None else 0
    series = np.zeros((stop - start, width))
    summaries = []
    for row, run in enumerate(range(start, stop)):
        actors = policies.make()
        st = engine.start(job.seed, run)

        def record(st: RunState, row: int = row) -> None:
            if index is not None:
                series[row, st.tick :] = index(st.env)

        TickDriver(engine, st, after_tick=record).play(actors)
        result = engine.result(st, policies.specs)
        summaries.append(RunSummary.of_result(result))
    return summaries, series


@dataclass(frozen=True)
class Fan:
    """Per tick: the 5th, 25th, 50th, 75th and 95th percentiles of the index across runs,
    and the share of runs still undecided at the end of that tick."""

    ticks: list[int]
    bands: dict[str, list[float]]
    running: list[float]


def fan(series: Series, summaries: list[RunSummary]) -> Fan | None:
    """The fan of an escalation array (``None`` when the scenario has no index)."""
    if series.shape[1] == 0:
        return None
    values = np.percentile(series, QUANTILES, axis=0)
    ends = np.array([s.tick for s in summaries])
    ticks = np.arange(series.shape[1])
    running = (ends[None, :] > ticks[:, None]).mean(axis=1)
    return Fan(
        ticks=ticks.tolist(),
        bands={
            f"p{q:g}": [round(float(v), 4) for v in row]
            for q, row in zip(QUANTILES, values, strict=True)
        },
        running=[round(float(v), 4) for v in running],
    )
