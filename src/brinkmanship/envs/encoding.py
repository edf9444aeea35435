"""One actor's observation as typed arrays: its visible state, a summary of its inbox, the
clock, and the mask over its fixed action space ``(wait, *actions)``."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from brinkmanship.engine.observation import WAIT, LegalActions, Observation
from brinkmanship.engine.reference import ReferenceEngine

LETTER_KINDS: tuple[str, ...] = ("offer", "demand", "accept", "reject", "statement")
"""Inbox codes: 0 = not received, 1 + the index here = received, perceived as this kind."""

EnvObs = dict[str, np.ndarray[Any, Any]]


class ActorEncoding:
    """The observation space of one actor and the encoder into it."""

    def __init__(self, engine: ReferenceEngine, actor: str) -> None:
        sc = engine.sc
        self.actor = actor
        self.variables = tuple(v.name for v in engine.visible[actor])
        """The visible state variables, in the order of the ``state`` vector."""
        self.letters = tuple(
            a.id
            for a in sc.actions.values()
            if a.message is not None
            and (a.message.to == actor or sc.channels[a.message.channel].public)
        )
        """The messages this actor can receive, in the order of the ``inbox`` vector."""
        self.actions: tuple[str, ...] = engine.space[actor]
        """The action space: index 0 is ``wait``, then the actor's actions."""
        assert self.actions[0] == WAIT
        lows = np.array([v.lo for v in engine.visible[actor]], dtype=np.float32)
        highs = np.array([v.hi for v in engine.visible[actor]], dtype=np.float32)
        self.space = spaces.Dict(
            {
                "state": spaces.Box(lows, highs, dtype=np.float32),
                "inbox": spaces.MultiDiscrete(
                    np.full(len(self.letters), 1 + len(LETTER_KINDS), dtype=np.int64)
                ),
                "clock": spaces.Box(0.0, float(sc.horizon_ticks), shape=(1,), dtype=np.float32),
                "action_mask": spaces.Box(0, 1, shape=(len(self.actions),), dtype=np.int8),
            }
        )
        self._letter_index = {letter: i for i, letter in enumerate(self.letters)}

    def wait_only(self) -> np.ndarray[Any, Any]:
        """The mask of an actor that is not due to decide: only ``wait``."""
        mask = np.zeros(len(self.actions), dtype=np.int8)
        mask[0] = 1
        return mask

    def mask(self, legal: LegalActions | None) -> np.ndarray[Any, Any]:
        """1 where the action is legal now, 0 elsewhere (``wait`` only when not deciding)."""
        if legal is None:
            return self.wait_only()
        return np.array(legal.mask, dtype=np.int8)

    def encode(self, obs: Observation, legal: LegalActions | None) -> EnvObs:
        """The arrays for ``obs``; ``legal`` is None when the actor is not due to decide."""
        inbox = np.zeros(len(self.letters), dtype=np.int64)
        for letter in obs.inbox:
            inbox[self._letter_index[letter.id]] = 1 + LETTER_KINDS.index(letter.kind)
        return {
            "state": np.array([obs.values[v] for v in self.variables], dtype=np.float32),
            "inbox": inbox,
            "clock": np.array([obs.tick], dtype=np.float32),
            "action_mask": self.mask(legal),
        }
