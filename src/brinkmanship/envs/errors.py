"""Errors an environment raises for misuse: each is one clear message (a ``BrinkError``)."""

from __future__ import annotations

from brinkmanship.errors import BrinkError, IllegalChoiceError


class EnvStateError(BrinkError):
    """The environment cannot do that now: it is closed, not reset, or its episode is over."""


class InvalidActionError(BrinkError):
    """An action that is not an index of the agent's action space (wrong type, out of range,
    or given for an agent that is not playing)."""


class MaskedActionError(IllegalChoiceError):
    """An action the observation's ``action_mask`` forbids."""
