"""Interval estimates for outcome probabilities and paired differences."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
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
    """The difference of two indicators measured on the same runs (common random numbers),
    with Newcombe's interval (:func:`paired_difference_counts`)."""
    n = len(treated)
    if n != len(baseline) or n == 0:
        raise ValueError("paired samples must have the same, non-zero length")
    pairs = list(zip(treated, baseline, strict=True))
    both = sum(1 for a, b in pairs if a and b)
    up = sum(1 for a, b in pairs if a and not b)
    down = sum(1 for a, b in pairs if b and not a)
    return paired_difference_counts(both, up, down, n, z)


def paired_difference_counts(
    both: int, up: int, down: int, n: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference of two paired proportions and its interval, from counts: of ``n`` paired
    runs, ``both`` have the indicator in both arms, ``up`` only when treated and ``down``
    only at baseline.

    The interval is Newcombe's hybrid score interval for paired data (method 10 of
    Newcombe, Statistics in Medicine 17:2635, 1998): the two Wilson intervals combined with
    the correlation of the pairs. Unlike the normal approximation it does not shrink to a
    point when ``up == down == 0``, and it stays inside [-1, 1]."""
    if n <= 0 or min(both, up, down) < 0 or both + up + down > n:
        raise ValueError(f"bad paired counts: both={both}, up={up}, down={down}, n={n}")
    neither = n - both - up - down
    margins = (both + up) * (down + neither) * (both + down) * (up + neither)
    cross = both * neither - up * down
    # Newcombe's continuity correction of the correlation: a small positive one counts as 0.
    corrected = cross - n / 2 if cross > n / 2 else float(min(cross, 0))
    phi = 0.0 if margins == 0 else corrected / math.sqrt(margins)
    below, above = _square_and_add(both + up, n, both + down, n, phi, z)
    diff = (up - down) / n
    return diff, max(-1.0, diff - below), min(1.0, diff + above)


def unpaired_difference(
    count_a: int, n_a: int, count_b: int, n_b: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference of two independent proportions with Newcombe's hybrid score interval
    (method 10 of Newcombe, Statistics in Medicine 17:873, 1998)."""
    below, above = _square_and_add(count_a, n_a, count_b, n_b, 0.0, z)
    diff = count_a / n_a - count_b / n_b
    return diff, max(-1.0, diff - below), min(1.0, diff + above)


def _square_and_add(
    count_a: int, n_a: int, count_b: int, n_b: int, phi: float, z: float
) -> tuple[float, float]:
    """How far below and above ``p_a - p_b`` the interval reaches: the two Wilson
    intervals combined, given the correlation ``phi`` of the estimates (0 if independent)."""
    pa, pb = count_a / n_a, count_b / n_b
    la, ua = wilson(count_a, n_a, z)
    lb, ub = wilson(count_b, n_b, z)
    below = math.sqrt(max(0.0, (pa - la) ** 2 - 2 * phi * (pa - la) * (ub - pb) + (ub - pb) ** 2))
    above = math.sqrt(max(0.0, (ua - pa) ** 2 - 2 * phi * (ua - pa) * (pb - lb) + (pb - lb) ** 2))
    return below, above


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
