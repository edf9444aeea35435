"""Counterfactuals against the baseline on the same random draws (common random numbers)."""

from __future__ import annotations

from dataclasses import dataclass

from brinkmanship.analysis.montecarlo import RunSummary
from brinkmanship.analysis.stats import paired_difference, unpaired_difference
from brinkmanship.scenario.compiled import CompiledScenario


@dataclass(frozen=True)
class Difference:
    """The change in one outcome's probability under an intervention."""

    outcome: str
    cls: str
    p_baseline: float
    p_treated: float
    diff: float
    ci_low: float
    ci_high: float
    unpaired_half_width: float
    """What the interval's half-width would be from two independent samples of this size."""


def compare(
    sc: CompiledScenario, baseline: list[RunSummary], treated: list[RunSummary]
) -> list[Difference]:
    """Per-outcome paired differences; both lists hold the same run indices."""
    if [r.run for r in baseline] != [r.run for r in treated]:
        raise ValueError("paired comparison needs the same runs in both samples")
    n = len(baseline)
    out = []
    for outcome in sc.outcomes.values():
        base = [r.outcome == outcome.id for r in baseline]
        alt = [r.outcome == outcome.id for r in treated]
        diff, low, high = paired_difference(alt, base)
        _, ulow, uhigh = unpaired_difference(sum(alt), n, sum(base), n)
        out.append(
            Difference(
                outcome=outcome.id,
                cls=outcome.cls.value,
                p_baseline=sum(base) / n,
                p_treated=sum(alt) / n,
                diff=diff,
                ci_low=low,
                ci_high=high,
                unpaired_half_width=(uhigh - ulow) / 2,
            )
        )
    return out
