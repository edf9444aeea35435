"""Interval estimates for outcome probabilities and paired differences."""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    diffs = [float(a) - float(b) for a, b in zip(treated, baseline, strict=True)]
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1) if n > 1 else 0.0
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

    def at(q: float) -> float:
        pos = q * (len(ordered) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)

    return at(0.25), at(0.5), at(0.75)
