"""The paired interval of `brink compare` (Newcombe's hybrid score interval) covers the true
difference, also where the normal approximation collapses to a point (equal counts)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brinkmanship.analysis.compare import Arms, compare_many
from brinkmanship.analysis.montecarlo import Job
from brinkmanship.analysis.stats import paired_difference, paired_difference_counts
from brinkmanship.scenario.loader import load_scenario

COIN = str(Path(__file__).parent / "data" / "coin.yaml")


def p_heads(p: float) -> float:
    """The coin scenario's closed form: one hazard p per tick over 4 ticks."""
    return 1 - (1 - p) ** 4


def covered(both: int, up: int, down: int, n: int, truth: float) -> bool:
    _, low, high = paired_difference_counts(both, up, down, n)
    return low <= truth <= high


@given(
    both=st.integers(0, 60),
    up=st.integers(0, 60),
    down=st.integers(0, 60),
    extra=st.integers(0, 60),
)
def test_the_interval_holds_the_estimate_inside_minus_one_to_one(
    both: int, up: int, down: int, extra: int
) -> None:
    n = both + up + down + extra
    if n == 0:
        return
    diff, low, high = paired_difference_counts(both, up, down, n)
    assert -1.0 <= low <= diff <= high <= 1.0
    assert high > low  # never a point, not even when up == down == 0


def test_equal_counts_give_an_honest_interval() -> None:
    """With no discordant pair the normal approximation says '+0.000 … +0.000'; the
    interval here still has the width that n runs allow."""
    diff, low, high = paired_difference_counts(30, 0, 0, 100)
    assert diff == 0.0 and low < -0.01 and high > 0.01
    _, low_more, high_more = paired_difference_counts(300, 0, 0, 1000)
    assert high_more - low_more < high - low  # more runs, narrower


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=300))
def test_the_counts_give_the_per_run_result(pairs: list[tuple[bool, bool]]) -> None:
    """`brink compare` streams counts; they give what the list of runs gives."""
    treated = [t for t, _ in pairs]
    baseline = [b for _, b in pairs]
    both = sum(t and b for t, b in pairs)
    up = sum(t and not b for t, b in pairs)
    down = sum(b and not t for t, b in pairs)
    assert paired_difference(treated, baseline) == paired_difference_counts(
        both, up, down, len(pairs)
    )
    assert paired_difference(treated, baseline)[0] == (up - down) / len(pairs)


@pytest.mark.parametrize(
    ("p_both", "p_up", "p_down"),
    [(0.05, 0.0, 0.0), (0.3, 0.01, 0.0), (0.1, 0.02, 0.02), (0.4, 0.1, 0.05), (0.0, 0.03, 0.0)],
)
def test_coverage_is_near_nominal(p_both: float, p_up: float, p_down: float) -> None:
    """2,000 simulated comparisons of 200 paired runs for tables with a known difference,
    including rare and absent discordance (where a Wald interval covers far too seldom)."""
    rng = random.Random(7)
    n, reps, truth = 200, 2000, p_up - p_down
    hits = 0
    for _ in range(reps):
        cells = [0, 0, 0]
        for _ in range(n):
            u = rng.random()
            if u < p_both:
                cells[0] += 1
            elif u < p_both + p_up:
                cells[1] += 1
            elif u < p_both + p_up + p_down:
                cells[2] += 1
        hits += covered(cells[0], cells[1], cells[2], n, truth)
    assert hits / reps >= 0.93


def test_coverage_on_the_closed_form_scenario() -> None:
    """Paired arms of the coin scenario differ only in p; the true difference has a closed
    form. Over 100 seeds of 300 paired runs the interval covers it about 95% of the time."""
    sc = load_scenario(COIN)
    low_p, high_p = 0.1, 0.12
    truth = p_heads(high_p) - p_heads(low_p)
    seeds, hits = 100, 0
    for seed in range(seeds):
        arms = Arms(
            Job(COIN, seed, params=(("p", low_p),)), (Job(COIN, seed, params=(("p", high_p),)),)
        )
        _, (pairing,) = compare_many(arms, 300, workers=1)
        (heads, _) = pairing.differences(sc)
        hits += heads.ci_low <= truth <= heads.ci_high
    assert hits >= 88  # 95% nominal; 88 of 100 is three standard errors below it
