"""The state a tick ends in, as 64-bit words and one 64-bit digest of them, the same on
both engines: the batch kernel logs them (``kernel._log_state``), and the differential
tests compare them tick by tick with the reference engine's, so a divergence that changes
no logged event is caught on the tick it begins.

The words, in this order: each variable's value (its IEEE 754 bits); for each action, the
tick its delayed effects land (-1: none pending), the tick its message arrives (-1: none
in transit) and whether that message is being misread (1 or 0); each stake holder's costs
(bits). The digest folds them in order with SplitMix64. Parameters and the clock are left
out (they follow from the scenario and the tick), and so is what the event log shows.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

from brinkmanship.engine import rng
from brinkmanship.engine.state import RunState
from brinkmanship.scenario.compiled import CompiledScenario

MASK64 = rng.MASK64
GAMMA = 0x9E3779B97F4A7C15
"""Added at every fold, so that a run of zero words does not leave the digest at zero."""


def holders(sc: CompiledScenario) -> tuple[str, ...]:
    """The stake holders: the actors' in actor order, then any other an outcome names."""
    out = list(dict.fromkeys(a.holder for a in sc.actors.values()))
    for outcome in sc.outcomes.values():
        out += [h for h in outcome.utility if h not in out]
    return tuple(out)


def float_word(value: float) -> int:
    """The bits of ``value`` as a 64-bit float."""
    word: int = struct.unpack("<Q", struct.pack("<d", value))[0]
    return word


def fold(h: int, word: int) -> int:
    """The digest ``h`` with one more word."""
    return rng.mix64((h ^ (word & MASK64)) + GAMMA)


def digest(words: Iterable[int]) -> int:
    """The digest of a state's words."""
    h = 0
    for word in words:
        h = fold(h, word)
    return h


@dataclass(frozen=True)
class Word:
    """What one word of the state is."""

    label: str
    is_float: bool = False

    def value(self, word: int) -> float | int:
        """The word as the number it stands for."""
        word &= MASK64
        if self.is_float:
            value: float = struct.unpack("<d", struct.pack("<Q", word))[0]
            return value
        return word - (1 << 64) if word >> 63 else word


def words_of(sc: CompiledScenario) -> tuple[Word, ...]:
    """What each word of ``sc``'s state is, in order."""
    out = [Word(f"variable {v!r}", is_float=True) for v in sc.variables]
    for a in sc.actions:
        out += [
            Word(f"tick the effects of {a!r} land"),
            Word(f"tick the message {a!r} arrives"),
            Word(f"whether the message {a!r} is misread"),
        ]
    out += [Word(f"costs of {h!r}", is_float=True) for h in holders(sc)]
    return tuple(out)


def state_words(sc: CompiledScenario, st: RunState) -> tuple[int, ...]:
    """The words of a reference-engine state, each as an unsigned 64-bit number."""
    out = [float_word(st.env[v]) for v in sc.variables]
    for a in sc.actions:
        transit = st.in_transit.get(a)
        out += [
            st.pending.get(a, -1) & MASK64,
            -1 & MASK64 if transit is None else transit.arrival_tick,
            int(transit is not None and transit.misread),
        ]
    out += [float_word(st.costs.get(h, 0.0)) for h in holders(sc)]
    return tuple(out)
