"""Interval estimates for outcome probabilities and paired differences."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion ``count / n``."""
    if n <= 0:
        raise ValueError("the Wilson interval needs at least one trial")
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


def paired_difference(
    treated: Sequence[bool], baseline: Sequence[bool], z: float = Z95
) -> tuple[float, float, float]:
    """Mean and normal-approximation interval of the per-run difference of two indicators
    measured on the same runs (common random numbers)."""
    n = len(treated)
    if n != len(baseline) or n == 0:
        raise ValueError("paired samples must have the same, non-zero length")
    up = sum(1 for a, b in zip(treated, baseline, strict=True) if a and not b)
    down = sum(1 for a, b in zip(treated, baseline, strict=True) if b and not a)
    return paired_difference_counts(up, down, n, z)


def paired_difference_counts(
    up: int, down: int, n: int, z: float = Z95
) -> tuple[float, float, float]:
    """:func:`paired_difference` from counts: of ``n`` paired runs, ``up`` have the
    indicator only when treated and ``down`` only at baseline. The sum of squared
    deviations is exact (then rounded once), so it does not depend on the order of runs."""
    if n <= 0 or up < 0 or down < 0 or up + down > n:
        raise ValueError(f"bad paired counts: up={up}, down={down}, n={n}")
    mean = (up - down) / n
    if n == 1:
        return mean, mean, mean
    squares = (
        up * Fraction((1.0 - mean) ** 2)
        + down * Fraction((-1.0 - mean) ** 2)
        + (n - up - down) * Fraction((0.0 - mean) ** 2)
    )
    var = float(squares) / (n - 1)
    half = z * math.sqrt(var / n)
    return mean, mean - half, mean + half


def unpaired_difference(
    count_a: int, n_a: int, count_b: int, n_b: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference of two independent proportions with its normal-approximation interval."""
    pa, pb = count_a / n_a, count_b / n_b
    half = z * math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    return pa - pb, pa - pb - half, pa - pb + half


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile (linear interpolation)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return _interpolated(lambda k: ordered[k], len(ordered))


def counted_quartiles(counts: Mapping[float, int]) -> tuple[float, float, float]:
    """:func:`quartiles` of a multiset given as value -> number of times (exactly the same
    numbers, in memory that grows with the distinct values, not with their number)."""
    ordered = sorted((v, c) for v, c in counts.items() if c > 0)
    if not ordered:
        raise ValueError("no values")
    ends = list(itertools.accumulate(c for _, c in ordered))

    def kth(k: int) -> float:
        return ordered[bisect.bisect_right(ends, k)][0]

    return _interpolated(kth, ends[-1])


def _interpolated(kth: Callable[[int], float], n: int) -> tuple[float, float, float]:
    def at(q: float) -> float:
        pos = q * (n - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, n - 1)
        return kth(lo) + (kth(hi) - kth(lo)) * (pos - lo)

    return at(0.25), at(0.5), at(0.75)
