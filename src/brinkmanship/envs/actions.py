"""Turning an agent's action index into an engine choice, refusing what the mask forbids."""

from __future__ import annotations

from typing import Any

import numpy as np

from brinkmanship.engine.observation import WAIT, LegalActions
from brinkmanship.envs.config import IllegalActionMode
from brinkmanship.envs.encoding import ActorEncoding
from brinkmanship.envs.errors import InvalidActionError, MaskedActionError


def _index(action: Any) -> int | None:
    if isinstance(action, np.ndarray) and action.shape == ():
        action = action.item()
    if isinstance(action, bool) or not isinstance(action, int | np.integer):
        return None
    return int(action)


def choose(
    encoding: ActorEncoding,
    action: Any,
    legal: LegalActions | None,
    mode: IllegalActionMode,
    when: str,
) -> tuple[str, str | None]:
    """The action id for ``action`` (an index into the actor's action space) and, when a
    masked action was replaced by ``wait`` (``mode="wait"``), the id that was refused.

    ``legal`` is None when the actor is not due to decide: then only ``wait`` (0) is allowed.
    """
    actor, space = encoding.actor, encoding.actions
    index = _index(action)
    if index is None or not 0 <= index < len(space):
        raise InvalidActionError(
            f"action {action!r} for {actor!r} is not an index of its action space "
            f"Discrete({len(space)}) (0 = wait, 1..{len(space) - 1} = its actions)"
        )
    chosen = space[index]
    allowed = legal.ids if legal is not None else (WAIT,)
    if chosen in allowed:
        return chosen, None
    if mode == "wait":
        return WAIT, chosen
    why = "is not due to decide" if legal is None else "may not take it"
    options = ", ".join(f"{space.index(a)} ({a})" for a in allowed)
    raise MaskedActionError(
        f"action {index} ({chosen!r}) is masked: {actor!r} {why} at {when}; allowed now: {options}"
    )
