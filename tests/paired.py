"""Paired comparisons for the scenarios' validity tests: the runs of each arm on the batch
engine with the same seed (common random numbers: run i of every arm draws alike), and the
z of the mean paired difference between two arms."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from brinkmanship.analysis.montecarlo import Job, run_chunk
from brinkmanship.analysis.tally import RunSummary

Arm = tuple[str, ...]
"""The interventions of an arm (none: the baseline)."""


@cache
def _runs(scenario: str, seed: int, n: int, interventions: Arm) -> tuple[RunSummary, ...]:
    job = Job(scenario, seed=seed, interventions=interventions, engine="batch")
    return tuple(run_chunk(job, 0, n))


@dataclass(frozen=True)
class Arms:
    """The arms of one scenario: ``n`` runs each from ``seed``, made once per arm."""

    scenario: str
    seed: int
    n: int

    def __call__(self, interventions: Arm) -> tuple[RunSummary, ...]:
        return _runs(self.scenario, self.seed, self.n, interventions)

    def paired_z(self, baseline: Arm, treated: Arm, value: Callable[[RunSummary], float]) -> float:
        """z of the mean paired difference treated - baseline of ``value`` over the runs."""
        return paired_z(self(baseline), self(treated), value)


def paired_z(
    baseline: Sequence[RunSummary],
    treated: Sequence[RunSummary],
    value: Callable[[RunSummary], float],
) -> float:
    """z of the mean paired difference treated - baseline of ``value`` over runs paired by index."""
    diffs = [value(t) - value(b) for b, t in zip(baseline, treated, strict=True)]
    n = len(diffs)
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    if var == 0:  # every pair moved alike (or none moved)
        return 0.0 if mean == 0 else math.copysign(math.inf, mean)
    return mean / math.sqrt(var / n)
