"""What Monte Carlo keeps of many runs: bounded, mergeable counts, and the summary drawn
from them.

A :class:`Tally` counts runs by (outcome, end tick), by (outcome, decided tick), by (outcome,
peak escalation) and by (outcome, mechanism). Ticks are bounded by the horizon, peaks take
few distinct values and mechanisms are few, so its size does not grow with the number of
runs, tallies of chunks merge by addition in any order, and the quartiles drawn from them
are exactly those of the full list of runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from brinkmanship.analysis.stats import counted_quartiles, wilson
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.schema import OutcomeClass


@dataclass(frozen=True)
class RunSummary:
    """What analysis keeps of one run."""

    run: int
    outcome: str
    tick: int
    peak_escalation: float | None
    decided: int | None = None
    """The tick the outcome was decided (None: ``tick``; earlier for an outcome that waited
    on ``pending``)."""
    mechanism: str | None = None
    """The mechanism that produced the outcome (None where the scenario names none)."""

    @classmethod
    def of_result(cls, result: RunResult) -> RunSummary:
        """What analysis keeps of a reference engine's run."""
        o = result.outcome
        decided = o.tick if o.decided_tick is None else o.decided_tick
        return cls(result.run, o.id, o.tick, result.peak_escalation, decided, o.mechanism)


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
    """Quartiles of the hour the run ended."""
    peak: tuple[float, float, float] | None = None
    decided_hours: tuple[float, float, float] | None = None
    """Quartiles of the hour the outcome was decided: the time to resolution (the end hour
    for an outcome that ended the run when decided; earlier for one that waited)."""

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
class MechanismStats:
    """The runs of one outcome class that one mechanism produced: their share of all runs
    with its 95% Wilson interval, and their share of the class."""

    cls: str
    mechanism: str
    label: str
    count: int
    p: float
    ci_low: float
    ci_high: float
    of_class: float

    def share(self) -> dict[str, object]:
        """As the JSON reports give it."""
        return {
            "label": self.label,
            "count": self.count,
            "p": self.p,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "of_class": self.of_class,
        }


@dataclass(frozen=True)
class Summary:
    """Outcome probabilities (95% Wilson intervals), resolution times, peak escalation, and
    outcome classes by mechanism."""

    runs: int
    outcomes: Mapping[str, OutcomeStats] = field(default_factory=dict)
    mechanisms: tuple[MechanismStats, ...] = ()
    """Class by class (in the order of the classes), mechanism by mechanism (in scenario
    order), those that produced any run; empty where the scenario names no mechanisms."""

    def by_mechanism(self) -> dict[str, dict[str, dict[str, object]]]:
        """The mechanism table as JSON: class -> mechanism -> share."""
        out: dict[str, dict[str, dict[str, object]]] = {}
        for m in self.mechanisms:
            out.setdefault(m.cls, {})[m.mechanism] = m.share()
        return out


@dataclass
class Tally:
    """Runs counted by (outcome, end tick), by (outcome, decided tick), where a run has one
    by (outcome, peak), and where the scenario names mechanisms by (outcome, mechanism)."""

    runs: int = 0
    ticks: Counter[tuple[str, int]] = field(default_factory=Counter)
    peaks: Counter[tuple[str, float]] = field(default_factory=Counter)
    decided: Counter[tuple[str, int]] = field(default_factory=Counter)
    mechanisms: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, results: Iterable[RunSummary]) -> Tally:
        """The tally of some runs."""
        tally = cls()
        for r in results:
            tally.add(r.outcome, r.tick, r.peak_escalation, r.decided, r.mechanism)
        return tally

    def add(
        self,
        outcome: str,
        tick: int,
        peak: float | None,
        decided: int | None = None,
        mechanism: str | None = None,
    ) -> None:
        """Count one run (a NaN peak counts as none; no decided tick: ``tick``)."""
        self.runs += 1
        self.ticks[outcome, tick] += 1
        self.decided[outcome, tick if decided is None else decided] += 1
        if peak is not None and peak == peak:
            self.peaks[outcome, peak] += 1
        if mechanism is not None:
            self.mechanisms[outcome, mechanism] += 1

    def merge(self, other: Tally) -> Tally:
        """Add another tally's runs to this one (in place); returns ``self``."""
        self.runs += other.runs
        self.ticks.update(other.ticks)
        self.peaks.update(other.peaks)
        self.decided.update(other.decided)
        self.mechanisms.update(other.mechanisms)
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
            decided = {t: c for (o, t), c in self.decided.items() if o == outcome.id}
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
                decided_hours=_hours(decided, sc.tick_hours) if decided else None,
            )
        return Summary(n, stats, self._by_mechanism(sc))

    def _by_mechanism(self, sc: CompiledScenario) -> tuple[MechanismStats, ...]:
        n = self.runs
        by_class: Counter[tuple[str, str]] = Counter()
        for (outcome, mechanism), c in self.mechanisms.items():
            by_class[sc.outcomes[outcome].cls.value, mechanism] += c
        in_class: Counter[str] = Counter()
        for (cls, _), c in by_class.items():
            in_class[cls] += c
        out = []
        for cls in OutcomeClass:
            for m in sc.mechanisms.values():
                count = by_class.get((cls.value, m.id), 0)
                if count:
                    low, high = wilson(count, n)
                    share = count / in_class[cls.value]
                    out.append(
                        MechanismStats(cls.value, m.id, m.label, count, count / n, low, high, share)
                    )
        return tuple(out)


def _hours(ticks: Mapping[int, int], tick_hours: float) -> tuple[float, float, float]:
    # Hours rise with ticks, so the order statistics are those of the ticks, converted.
    return counted_quartiles({t * tick_hours: c for t, c in ticks.items()})


def summarize(sc: CompiledScenario, results: Iterable[RunSummary]) -> Summary:
    """Summarise runs outcome by outcome, in scenario order (every outcome listed)."""
    return Tally.of(results).summary(sc)
