"""Counterfactuals against the baseline on the same random draws (common random numbers).

The paired numbers need only how many runs ended in each (baseline outcome, treated
outcome): a :class:`Pairing` holds those counts, bounded by the square of the number of
outcomes whatever the number of runs, and chunks' pairings merge by addition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial

from brinkmanship.analysis.montecarlo import Job, RunSummary, Tally, run_chunk, stream
from brinkmanship.analysis.stats import paired_difference_counts, unpaired_difference
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


@dataclass
class Pairing:
    """Paired runs counted by (baseline outcome, treated outcome)."""

    runs: int = 0
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, baseline: Sequence[RunSummary], treated: Sequence[RunSummary]) -> Pairing:
        """The pairing of two samples holding the same run indices in the same order."""
        if [r.run for r in baseline] != [r.run for r in treated]:
            raise ValueError("paired comparison needs the same runs in both samples")
        pairs = zip(baseline, treated, strict=True)
        return cls(len(baseline), Counter((b.outcome, t.outcome) for b, t in pairs))

    def merge(self, other: Pairing) -> Pairing:
        """Add another pairing's runs to this one (in place); returns ``self``."""
        self.runs += other.runs
        self.pairs.update(other.pairs)
        return self

    def differences(self, sc: CompiledScenario) -> list[Difference]:
        """Per-outcome paired differences, in scenario order."""
        n = self.runs
        if n < 1:
            raise ValueError("a comparison needs at least one paired run")
        out = []
        for outcome in sc.outcomes.values():
            x = outcome.id
            base = sum(c for (b, _), c in self.pairs.items() if b == x)
            alt = sum(c for (_, t), c in self.pairs.items() if t == x)
            both = self.pairs[(x, x)]
            diff, low, high = paired_difference_counts(both, alt - both, base - both, n)
            _, ulow, uhigh = unpaired_difference(alt, n, base, n)
            out.append(
                Difference(
                    outcome=x,
                    cls=outcome.cls.value,
                    p_baseline=base / n,
                    p_treated=alt / n,
                    diff=diff,
                    ci_low=low,
                    ci_high=high,
                    unpaired_half_width=(uhigh - ulow) / 2,
                )
            )
        return out


def compare(
    sc: CompiledScenario, baseline: Sequence[RunSummary], treated: Sequence[RunSummary]
) -> list[Difference]:
    """Per-outcome paired differences; both lists hold the same run indices."""
    return Pairing.of(baseline, treated).differences(sc)


@dataclass(frozen=True)
class Arms:
    """A baseline and the arms compared with it (plain data, so it travels to processes)."""

    baseline: Job
    treated: tuple[Job, ...]


def paired_chunk(arms: Arms, start: int, stop: int) -> tuple[Tally, tuple[Pairing, ...]]:
    """Runs ``start .. stop-1`` of the baseline and of every arm: the baseline's tally and,
    per arm, its pairing with the baseline (bounded in size)."""
    base = run_chunk(arms.baseline, start, stop)
    return Tally.of(base), tuple(
        Pairing.of(base, run_chunk(job, start, stop)) for job in arms.treated
    )


def compare_many(
    arms: Arms,
    runs: int,
    workers: int | None = None,
    chunk: int = 256,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[Tally, tuple[Pairing, ...]]:
    """Runs ``0 .. runs-1`` in every arm, paired chunk by chunk, in memory that does not
    grow with ``runs``: the baseline's tally and each arm's pairing. ``on_progress``
    counts runs over all arms."""
    tally = Tally()
    pairings = tuple(Pairing() for _ in arms.treated)
    jobs = [arms.baseline, *arms.treated]
    with closing(stream(jobs, runs, partial(paired_chunk, arms), workers, chunk)) as parts:
        for (start, stop), (part, paired) in parts:
            tally.merge(part)
            for total, more in zip(pairings, paired, strict=True):
                total.merge(more)
            if on_progress:
                on_progress((stop - start) * len(jobs))
    return tally, pairings
