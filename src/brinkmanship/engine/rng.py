"""Counter-based randomness: every draw is a pure function of (seed, run, tick, site).

No generator state: the seed, a BLAKE2b key of the site name (stable across processes, unlike
``hash``), the tick and the run are folded in turn into a 64-bit state, each step followed by the
SplitMix64 finaliser; the top 53 bits give a float in [0, 1). The batch kernel draws the same
numbers from :func:`seeded_site` (its own copy of the last two steps, on uint64).
"""

from __future__ import annotations

import hashlib
import math
import operator
from functools import lru_cache
from typing import SupportsIndex

__all__ = [
    "MASK64",
    "SEED_LIMIT",
    "mix64",
    "seeded_site",
    "site_key",
    "triangular",
    "uniform",
    "uniform_between",
]

MASK64: int = (1 << 64) - 1
"""All 64-bit arithmetic here is modulo 2**64: results are masked with this."""

SEED_LIMIT: int = 1 << 63
"""Seeds are integers in [0, SEED_LIMIT)."""

# SplitMix64 finaliser (Stafford's "Mix13") multipliers.
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
# Odd Weyl increments: the golden ratio (for runs) and another irrational fraction (for ticks).
_RUN_GAMMA = 0x9E3779B97F4A7C15
_TICK_GAMMA = 0xD1B54A32D192ED03
# Folded into the seed first so that seed 0 does not start from the all-zero state.
_SEED_SALT = 0x243F6A8885A308D3
_TWO_M53 = 2.0**-53

# --------------------------------------------------------------------------- hashing


@lru_cache(maxsize=4096)
def site_key(site: str) -> int:
    """Return the stable 64-bit key of a draw-site name (BLAKE2b, 8 bytes, little-endian)."""
    if not isinstance(site, str):
        raise TypeError(f"a draw site must be a string, got {type(site).__name__}")
    return int.from_bytes(hashlib.blake2b(site.encode("utf-8"), digest_size=8).digest(), "little")


def mix64(x: int) -> int:
    """Apply the SplitMix64 finaliser to ``x`` masked to 64 bits (a bijection on 64-bit ints)."""
    x &= MASK64
    x = ((x ^ (x >> 30)) * _M1) & MASK64
    x = ((x ^ (x >> 27)) * _M2) & MASK64
    return x ^ (x >> 31)


# --------------------------------------------------------------------------- validation


def _check_seed(seed: SupportsIndex) -> int:
    value = operator.index(seed)
    if not 0 <= value < SEED_LIMIT:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {value}")
    return value


def _check_counter(name: str, value: SupportsIndex) -> int:
    number = operator.index(value)
    if not 0 <= number <= MASK64:
        raise ValueError(f"{name} must be an integer in [0, 2**64), got {number}")
    return number


def _resolve_site(site: str | int) -> int:
    if isinstance(site, str):
        return site_key(site)
    return _check_counter("site key", site)


@lru_cache(maxsize=4096)
def _base(seed: int, key: int) -> int:
    """The state after folding in the (validated) seed and site key."""
    return mix64(mix64(seed ^ _SEED_SALT) ^ key)


def seeded_site(seed: int, site: str | int) -> int:
    """The 64-bit state of ``site`` under ``seed``, before the tick and run are folded in
    (what a compiled kernel needs to draw ``uniform(seed, run, tick, site)`` itself)."""
    return _base(_check_seed(seed), _resolve_site(site))


def _tick_state(base: int, tick: int) -> int:
    return mix64(base + tick * _TICK_GAMMA)


# --------------------------------------------------------------------------- uniforms


def uniform(seed: int, run: int, tick: int, site: str | int) -> float:
    """Return the uniform draw in [0, 1) at (seed, run, tick, site); ``site`` may be a key."""
    base = _base(_check_seed(seed), _resolve_site(site))
    state = _tick_state(base, _check_counter("tick", tick))
    h = mix64(state + _check_counter("run", run) * _RUN_GAMMA)
    return (h >> 11) * _TWO_M53


# --------------------------------------------------------------------------- distributions
# Built only from exactly-rounded IEEE operations (+ - * / sqrt), so that the batch kernel,
# evaluating them in the same order, gives identical bits.


def uniform_between(u: float, low: float, high: float) -> float:
    """Map a uniform ``u`` in [0, 1) onto [low, high] as ``low + u * (high - low)``."""
    return low + u * (high - low)


def triangular(u: float, low: float, mode: float, high: float) -> float:
    """Inverse CDF of the triangular distribution on [low, high] peaking at ``mode``.

    The branch test ``u * width < mode - low`` avoids a division, so ``low == high``,
    ``mode == low`` and ``mode == high`` need no special case. The result is clamped to
    [low, high] against rounding.
    """
    if not low <= mode <= high:
        raise ValueError(f"triangular needs low <= mode <= high, got {low}, {mode}, {high}")
    width = high - low
    if u * width < mode - low:
        x = low + math.sqrt(u * width * (mode - low))
    else:
        x = high - math.sqrt((1.0 - u) * width * (high - mode))
    # Explicit comparisons (not min/max) so that signed zeros match the batch kernel's.
    if x < low:
        return low
    if x > high:
        return high
    return x
