"""Tests of the counter-based randomness: stability, purity, validation, statistics."""

from __future__ import annotations

import functools
import math
import random

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brinkmanship.engine.rng import (
    MASK64,
    mix64,
    seeded_site,
    site_key,
    triangular,
    uniform,
)

REALISTIC_SITES = [
    "event:shootdown",
    "event:blockade_incident",
    "event:u2_overflight",
    "event:accidental_launch",
    "msg:first_letter:latency",
    "msg:second_letter:latency",
    "msg:first_letter:misread",
    "msg:back_channel:latency",
    "decision:usa:escalate",
    "decision:ussr:escalate",
    "decision:usa:concede",
    "decision:ussr:concede",
    "a",
    "b",
    "",
]

seeds = st.integers(min_value=0, max_value=2**63 - 1)
counters = st.integers(min_value=0, max_value=MASK64)
small_counters = st.integers(min_value=0, max_value=10_000)
sites = st.sampled_from(REALISTIC_SITES) | st.text(max_size=20) | counters


@functools.cache
def draws(seed: int, tick: int, site: str, n: int) -> npt.NDArray[np.float64]:
    """The draws of runs 0 .. n-1 at one tick and site."""
    return np.array([uniform(seed, run, tick, site) for run in range(n)])


def _corr(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    return float(np.corrcoef(x, y)[0, 1])


# --------------------------------------------------------------------------- stability


def test_site_key_is_stable_blake2b() -> None:
    # Computed once with hashlib.blake2b(digest_size=8), little-endian. If this fails, someone
    # changed the site hash (e.g. to the per-process salted hash()) and every recorded run moves.
    assert site_key("event:shootdown") == 11417109294325631108


def test_uniform_golden_values() -> None:
    # Pin the whole derivation chain: changing it silently changes every simulation result.
    assert uniform(12345, 7, 3, "event:shootdown") == float.fromhex("0x1.211d8508408d2p-1")
    assert uniform(0, 0, 0, "msg:first_letter:latency") == float.fromhex("0x1.c538f12787b86p-2")


def test_mix64_is_splitmix64_finaliser() -> None:
    # First output of the reference SplitMix64 generator seeded with 0.
    assert mix64(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF
    assert mix64(MASK64 + 5) == mix64(4)  # input is masked to 64 bits


def test_site_keys_distinct() -> None:
    keys = {site_key(s) for s in REALISTIC_SITES}
    assert len(keys) == len(REALISTIC_SITES)
    assert site_key("a") != site_key("b")


def test_triangular_degenerate_cases() -> None:
    assert triangular(0.3, 2.0, 2.0, 2.0) == 2.0
    assert triangular(0.0, 1.0, 1.0, 3.0) == 1.0
    assert triangular(0.0, 1.0, 3.0, 3.0) == 1.0
    assert triangular(0.25, 0.0, 0.0, 1.0) == 1.0 - math.sqrt(0.75)  # mode == low
    assert triangular(0.25, 0.0, 1.0, 1.0) == 0.5  # mode == high: sqrt(0.25)
    assert triangular(0.5, 0.0, 0.5, 1.0) == 0.5


# --------------------------------------------------------------------------- purity


@given(seeds, st.lists(st.tuples(small_counters, small_counters, sites), min_size=1, max_size=30))
def test_draws_are_pure_and_order_free(seed: int, coords: list[tuple[int, int, str | int]]) -> None:
    first = [uniform(seed, r, t, s) for r, t, s in coords]
    order = list(range(len(coords)))
    random.Random(seed).shuffle(order)
    shuffled = {i: uniform(seed, *coords[i]) for i in order}
    assert [shuffled[i] for i in range(len(coords))] == first


@given(seeds, small_counters, small_counters)
def test_site_draws_unaffected_by_other_sites(seed: int, run: int, tick: int) -> None:
    before = uniform(seed, run, tick, "a")
    site_key.cache_clear()
    for site in REALISTIC_SITES:
        uniform(seed, run, tick, site)
    uniform(seed, run, tick, "a brand new site")
    assert uniform(seed, run, tick, "a") == before
    assert uniform(seed, run, tick, site_key("a")) == before


def test_no_trivial_collisions() -> None:
    for seed in (0, 1, 2**63 - 1):
        assert uniform(seed, 1, 0, "a") != uniform(seed, 0, 1, "a")
        grid = [uniform(seed, run, tick, "a") for tick in range(200) for run in range(200)]
        assert len(set(grid)) == len(grid)
    seeds_row = [uniform(s, 0, 0, "a") for s in range(1000)]
    assert len(set(seeds_row)) == len(seeds_row)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("seed", [-1, 2**63, 2**64, -(2**70)])
def test_bad_seeds_raise(seed: int) -> None:
    with pytest.raises(ValueError, match="seed"):
        uniform(seed, 0, 0, "a")
    with pytest.raises(ValueError, match="seed"):
        seeded_site(seed, "a")


def test_largest_seed_is_accepted() -> None:
    assert 0.0 <= uniform(2**63 - 1, 0, 0, "a") < 1.0


def test_bad_counters_raise() -> None:
    with pytest.raises(ValueError, match="run"):
        uniform(1, -1, 0, "a")
    with pytest.raises(ValueError, match="tick"):
        uniform(1, 0, -1, "a")
    with pytest.raises(ValueError, match="tick"):
        uniform(1, 0, 2**64, "a")
    assert 0.0 <= uniform(1, 2**64 - 1, 2**64 - 1, "a") < 1.0
    with pytest.raises(ValueError, match="site key"):
        uniform(1, 0, 0, -5)


def test_bad_triangle_raises() -> None:
    with pytest.raises(ValueError, match="low <= mode <= high"):
        triangular(0.5, 1.0, 0.0, 2.0)


# --------------------------------------------------------------------------- statistics

N = 200_000


@pytest.mark.parametrize("seed", [0, 1, 20260101, 2**63 - 1])
def test_uniform_statistics(seed: int) -> None:
    u = draws(seed, 7, "event:shootdown", N)
    assert np.all((u >= 0.0) & (u < 1.0))
    assert abs(float(u.mean()) - 0.5) < 0.005
    counts = np.bincount((u * 20).astype(np.int64), minlength=20)
    expected = N / 20
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 43.82  # chi-square, 19 degrees of freedom, p = 0.001
    assert abs(_corr(u[:-1], u[1:])) < 0.01  # consecutive runs
    assert abs(_corr(u, draws(seed, 8, "event:shootdown", N))) < 0.01  # ticks
    assert abs(_corr(u, draws(seed, 7, "event:blockade_incident", N))) < 0.01  # sites
    other_seed = seed + 1 if seed < 2**63 - 1 else 0
    assert abs(_corr(u, draws(other_seed, 7, "event:shootdown", N))) < 0.01  # seeds


def test_tick_stream_statistics() -> None:
    # One run over many ticks (the reference engine's access pattern) is uniform too.
    u = np.array([uniform(5, 0, tick, "msg:first_letter:latency") for tick in range(N)])
    assert abs(float(u.mean()) - 0.5) < 0.005
    counts = np.bincount((u * 20).astype(np.int64), minlength=20)
    assert float(((counts - N / 20) ** 2 / (N / 20)).sum()) < 43.82
    assert abs(_corr(u[:-1], u[1:])) < 0.01


def test_low_bits_are_uniform() -> None:
    # The 53-bit mantissa's lowest bits must be balanced too (a weak mixer fails this).
    bits = (draws(3, 0, "a", N) * 2.0**53).astype(np.uint64)
    for bit in range(4):
        frac = float(((bits >> np.uint64(bit)) & np.uint64(1)).mean())
        assert abs(frac - 0.5) < 4 * math.sqrt(0.25 / N)


@pytest.mark.parametrize("p", [0.001, 0.05, 0.3, 0.5, 0.97])
def test_hazard_frequency(p: float) -> None:
    # An event with per-tick probability p fires when the draw is below p.
    hits = draws(11, 2, "event:accidental_launch", N) < p
    sigma = math.sqrt(p * (1 - p) / N)
    assert abs(float(hits.mean()) - p) < 4 * sigma


@pytest.mark.parametrize(
    ("low", "mode", "high"), [(0.0, 0.3, 1.0), (2.0, 2.0, 10.0), (-5.0, 4.0, 4.0), (1.0, 6.0, 8.0)]
)
def test_triangular_statistics(low: float, mode: float, high: float) -> None:
    u = draws(13, 1, "msg:second_letter:latency", N)
    x = np.array([triangular(float(v), low, mode, high) for v in u])
    assert float(x.min()) >= low
    assert float(x.max()) <= high
    var = (low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18
    assert abs(float(x.mean()) - (low + mode + high) / 3) < 5 * math.sqrt(var / N)
    # The mode's side receives (mode - low) / (high - low) of the mass.
    left = float((x < mode).mean())
    share = (mode - low) / (high - low)
    assert abs(left - share) < 4 * math.sqrt(max(share * (1 - share), 1e-12) / N) + 1e-9
