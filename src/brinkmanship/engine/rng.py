"""Counter-based randomness: every draw is a pure function of (seed, run, tick, site).

No generator state: the seed, a BLAKE2b key of the site name (stable across processes, unlike
``hash``), the tick and the run are folded in turn into a 64-bit state, each step followed by the
SplitMix64 finaliser; the top 53 bits give a float in [0, 1). Scalar code (Python ints) and
``*_vec`` code (wrapping uint64 arrays, exactly-rounded float ops only) agree bit for bit.
"""

from __future__ import annotations

import hashlib
import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, SupportsIndex

import numpy as np
import numpy.typing as npt

__all__ = [
    "MASK64",
    "SEED_LIMIT",
    "Stream",
    "bernoulli",
    "bernoulli_vec",
    "mix64",
    "mix64_vec",
    "seeded_site",
    "site_key",
    "triangular",
    "triangular_vec",
    "uniform",
    "uniform_between",
    "uniform_between_vec",
    "uniform_vec",
]

MASK64: int = (1 << 64) - 1
"""All 64-bit arithmetic here is modulo 2**64: results are masked with this."""

SEED_LIMIT: int = 1 << 63
"""Seeds are integers in [0, SEED_LIMIT)."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
U64Array = npt.NDArray[np.uint64]

# SplitMix64 finaliser (Stafford's "Mix13") multipliers.
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
# Odd Weyl increments: the golden ratio (for runs) and another irrational fraction (for ticks).
_RUN_GAMMA = 0x9E3779B97F4A7C15
_TICK_GAMMA = 0xD1B54A32D192ED03
# Folded into the seed first so that seed 0 does not start from the all-zero state.
_SEED_SALT = 0x243F6A8885A308D3
_TWO_M53 = 2.0**-53
_CHUNK = 1 << 15  # elements per chunk of vectorised mixing (256 KiB of uint64)

_U_M1 = np.uint64(_M1)
_U_M2 = np.uint64(_M2)
_U_RUN_GAMMA = np.uint64(_RUN_GAMMA)
_U_TICK_GAMMA = np.uint64(_TICK_GAMMA)
_U_S11 = np.uint64(11)
_U_S27 = np.uint64(27)
_U_S30 = np.uint64(30)
_U_S31 = np.uint64(31)


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


def _mix64_inplace(h: U64Array, tmp: U64Array) -> None:
    """Apply the SplitMix64 finaliser to a uint64 array in place; ``tmp`` is scratch space."""
    np.right_shift(h, _U_S30, out=tmp)
    np.bitwise_xor(h, tmp, out=h)
    np.multiply(h, _U_M1, out=h)
    np.right_shift(h, _U_S27, out=tmp)
    np.bitwise_xor(h, tmp, out=h)
    np.multiply(h, _U_M2, out=h)
    np.right_shift(h, _U_S31, out=tmp)
    np.bitwise_xor(h, tmp, out=h)


def _mix_stage(
    counters: U64Array, gamma: np.uint64, offset: U64Array | np.uint64, out: npt.NDArray[Any]
) -> None:
    """Write ``mix64(counters * gamma + offset)`` (wrapping) into ``out``, elementwise.

    ``counters``, ``offset`` (unless scalar) and ``out`` share one shape; ``out`` is a fresh
    contiguous uint64 array, or float64 to receive the top 53 bits as a float in [0, 1). The work
    goes in cache-sized chunks, which is much faster than whole-array passes.
    """
    count = counters.size
    counters_flat = counters.reshape(-1)
    offset_flat = offset.reshape(-1) if isinstance(offset, np.ndarray) else None
    out_flat = out.reshape(-1)
    to_float = out.dtype == np.float64
    buffer = np.empty(min(count, _CHUNK), dtype=np.uint64)
    scratch = np.empty_like(buffer)
    with np.errstate(over="ignore"):
        for start in range(0, count, _CHUNK):
            stop = min(start + _CHUNK, count)
            h = buffer[: stop - start] if to_float else out_flat[start:stop]
            np.multiply(counters_flat[start:stop], gamma, out=h)
            np.add(h, offset if offset_flat is None else offset_flat[start:stop], out=h)
            _mix64_inplace(h, scratch[: stop - start])
            if to_float:
                np.right_shift(h, _U_S11, out=h)
                np.multiply(h, _TWO_M53, out=out_flat[start:stop])


def mix64_vec(x: npt.ArrayLike) -> U64Array:
    """Vectorised :func:`mix64` over an array of integers in [0, 2**64); returns a new array."""
    values = _as_counter_array("x", x)
    result: U64Array = np.empty(values.shape, dtype=np.uint64)
    _mix_stage(values, np.uint64(1), np.uint64(0), result)
    return result


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


def _as_counter_array(name: str, values: npt.ArrayLike) -> U64Array:
    """View integer input as uint64, rejecting non-integer dtypes and negative values."""
    arr = np.asarray(values)
    kind = arr.dtype.kind
    if arr.size == 0:  # e.g. np.asarray([]) is float64
        return arr.astype(np.uint64)
    if kind == "u":
        return arr.astype(np.uint64, copy=False)
    if kind == "i":
        if (low := int(arr.min())) < 0:
            raise ValueError(f"{name} must be >= 0, got a minimum of {low}")
        if arr.dtype.itemsize == 8:  # non-negative int64 has the same bits as uint64
            return arr.view(np.uint64)
        return arr.astype(np.uint64)
    if kind == "b":
        return arr.astype(np.uint64)
    raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")


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


def uniform_vec(
    seed: int, runs: npt.ArrayLike, tick: int | npt.ArrayLike, site: str | int
) -> FloatArray:
    """Vectorised :func:`uniform` over an integer array of runs (``tick`` may be an array too).

    The result has the broadcast shape of ``runs`` and ``tick`` and equals the scalar draws
    bit for bit.
    """
    base = _base(_check_seed(seed), _resolve_site(site))
    run_arr = _as_counter_array("runs", runs)
    if isinstance(tick, (int, np.integer)):
        tick = _check_counter("tick", tick)
    tick_arr = _as_counter_array("tick", tick)
    shape = np.broadcast_shapes(run_arr.shape, tick_arr.shape)
    if tick_arr.ndim == 0:
        state: U64Array | np.uint64 = np.uint64(_tick_state(base, int(tick_arr)))
    else:
        tick_state: U64Array = np.empty(tick_arr.shape, dtype=np.uint64)
        _mix_stage(tick_arr, _U_TICK_GAMMA, np.uint64(base), tick_state)
        state = np.broadcast_to(tick_state, shape)
    out: FloatArray = np.empty(shape, dtype=np.float64)
    _mix_stage(np.broadcast_to(run_arr, shape), _U_RUN_GAMMA, state, out)
    return out


def bernoulli(seed: int, run: int, tick: int, site: str | int, p: float) -> bool:
    """Return True with probability ``p`` (the draw ``u < p``; p <= 0 never, p >= 1 always)."""
    return uniform(seed, run, tick, site) < p


def bernoulli_vec(
    seed: int,
    runs: npt.ArrayLike,
    tick: int | npt.ArrayLike,
    site: str | int,
    p: float | npt.ArrayLike,
) -> BoolArray:
    """Vectorised :func:`bernoulli`; ``p`` may be a scalar or an array broadcastable to runs."""
    result: BoolArray = np.less(uniform_vec(seed, runs, tick, site), p)
    return result


@dataclass(frozen=True)
class Stream:
    """The draws of one run of one seed: a convenience wrapper around :func:`uniform`."""

    seed: int
    run: int

    def __post_init__(self) -> None:
        _check_seed(self.seed)
        _check_counter("run", self.run)

    def uniform(self, tick: int, site: str | int) -> float:
        """Return the uniform draw in [0, 1) of this run at ``tick`` and ``site``."""
        return uniform(self.seed, self.run, tick, site)

    def bernoulli(self, tick: int, site: str | int, p: float) -> bool:
        """Return True with probability ``p`` for this run at ``tick`` and ``site``."""
        return bernoulli(self.seed, self.run, tick, site, p)


# --------------------------------------------------------------------------- distributions
# Built only from exactly-rounded IEEE operations (+ - * / sqrt), evaluated in the same order
# in the scalar and vector versions, so that both give identical bits.


def uniform_between(u: float, low: float, high: float) -> float:
    """Map a uniform ``u`` in [0, 1) onto [low, high] as ``low + u * (high - low)``."""
    return low + u * (high - low)


def uniform_between_vec(
    u: FloatArray, low: float | FloatArray, high: float | FloatArray
) -> FloatArray:
    """Vectorised :func:`uniform_between`."""
    width = np.subtract(high, low, dtype=np.float64)
    result: FloatArray = np.add(low, np.multiply(u, width, dtype=np.float64), dtype=np.float64)
    return result


def _check_triangle(low: Any, mode: Any, high: Any) -> None:
    ok = np.logical_and(np.less_equal(low, mode), np.less_equal(mode, high))
    if not bool(np.all(ok)):
        raise ValueError(f"triangular needs low <= mode <= high, got {low}, {mode}, {high}")


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
    # Explicit comparisons (not min/max) so that signed zeros match the vector version.
    if x < low:
        return low
    if x > high:
        return high
    return x


def triangular_vec(
    u: FloatArray,
    low: float | FloatArray,
    mode: float | FloatArray,
    high: float | FloatArray,
) -> FloatArray:
    """Vectorised :func:`triangular` (parameters may be scalars or broadcastable arrays)."""
    _check_triangle(low, mode, high)
    u = np.asarray(u, dtype=np.float64)
    width = np.subtract(high, low, dtype=np.float64)
    rise = np.subtract(mode, low, dtype=np.float64)
    fall = np.subtract(high, mode, dtype=np.float64)
    left = np.add(low, np.sqrt(u * width * rise))
    right = np.subtract(high, np.sqrt((1.0 - u) * width * fall))
    x = np.where(u * width < rise, left, right)
    x = np.where(x < low, low, x)
    result: FloatArray = np.where(x > high, high, x).astype(np.float64, copy=False)
    return result
