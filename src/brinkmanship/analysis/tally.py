"""What Monte Carlo keeps of many runs: bounded, mergeable counts, and the summary drawn
from them.

A :class:`Tally` counts runs by (outcome, end tick) and by (outcome, peak escalation).
Ticks are bounded by the horizon and peaks take few distinct values, so its size does not
grow with the number of runs, tallies of chunks merge by addition in any order, and the
quartiles drawn from them are exactly those of the full list of runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from brinkmanship.analysis.stats import counted_quartiles, wilson
from brinkmanship.scenario.compiled import CompiledScenario


@dataclass(frozen=True)
class RunSummary:
    """What analysis keeps of one run."""

    run: int
    outcome: str
    tick: int
    peak_escalation: float | None


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

    def share(self) -> dict[str, object]:
        """Class, count, p and the 95% interval, as the JSON reports give them."""
        return {
            "class": self.cls,
            "count": self.count,
            "p": self.p,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


@dataclass(frozen=True)
class Summary:
    """Outcome probabilities (95% Wilson intervals), resolution times, peak escalation."""

    runs: int
    outcomes: Mapping[str, OutcomeStats] = field(default_factory=dict)


@dataclass
class Tally:
    """Runs counted by (outcome, end tick) and, where a run has one, by (outcome, peak)."""

    runs: int = 0
    ticks: Counter[tuple[str, int]] = field(default_factory=Counter)
    peaks: Counter[tuple[str, float]] = field(default_factory=Counter)

    @classmethod
    def of(cls, results: Iterable[RunSummary]) -> Tally:
        """The tally of some runs."""
        tally = cls()
        for r in results:
            tally.add(r.outcome, r.tick, r.peak_escalation)
        return tally

    def add(self, outcome: str, tick: int, peak: float | None) -> None:
        """Count one run (a NaN peak counts as none)."""
        self.runs += 1
        self.ticks[outcome, tick] += 1
        if peak is not None and peak == peak:
            self.peaks[outcome, peak] += 1

    def merge(self, other: Tally) -> Tally:
        """Add another tally's runs to this one (in place); returns ``self``."""
        self.runs += other.runs
        self.ticks.update(other.ticks)
        self.peaks.update(other.peaks)
        return self

    def count(self, outcome: str) -> int:
        """The number of runs that ended in ``outcome``."""
        return sum(c for (o, _), c in self.ticks.items() if o == outcome)

    def summary(self, sc: CompiledScenario) -> Summary:
        """Outcome by outcome, in scenario order (every outcome listed)."""
        n = self.runs
        if n < 1:
            raise ValueError("a summary needs at least one run")
        stats = {}
        for outcome in sc.outcomes.values():
            ticks = {t: c for (o, t), c in self.ticks.items() if o == outcome.id}
            peaks = {v: c for (o, v), c in self.peaks.items() if o == outcome.id}
            count = sum(ticks.values())
            low, high = wilson(count, n)
            stats[outcome.id] = OutcomeStats(
                id=outcome.id,
                cls=outcome.cls.value,
                count=count,
                p=count / n,
                ci_low=low,
                ci_high=high,
                hours=_hours(ticks, sc.tick_hours) if count else None,
                peak=counted_quartiles(peaks) if peaks else None,
            )
        return Summary(n, stats)


def _hours(ticks: Mapping[int, int], tick_hours: float) -> tuple[float, float, float]:
    # Hours rise with ticks, so the order statistics are those of the ticks, converted.
    return counted_quartiles({t * tick_hours: c for t, c in ticks.items()})


def summarize(sc: CompiledScenario, results: Iterable[RunSummary]) -> Summary:
    """Summarise runs outcome by outcome, in scenario order (every outcome listed)."""
    return Tally.of(results).summary(sc)
