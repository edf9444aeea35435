"""Gymnasium ids, one per built-in scenario, made from its id: ``my-crisis-1999`` is
``brinkmanship/MyCrisis1999-v0``. ``gymnasium.make(ID)`` after ``import brinkmanship.envs``,
or ``gymnasium.make("brinkmanship.envs:" + ID)`` without the import (Gymnasium imports the
module named before the colon). The learner is the scenario's first actor with a decision
point unless ``actor=`` says otherwise."""

from __future__ import annotations

import gymnasium as gym

from brinkmanship.scenario.loader import builtin_names

ENTRY_POINT = "brinkmanship.envs.single:BrinkEnv"
NAMESPACE = "brinkmanship"
VERSION = 0


def gym_id(scenario: str) -> str:
    """The Gymnasium id of a scenario id: each hyphen-separated part capitalised, joined."""
    name = "".join(part[:1].upper() + part[1:] for part in scenario.split("-"))
    return f"{NAMESPACE}/{name}-v{VERSION}"


GYM_ENVS: dict[str, dict[str, object]] = {
    gym_id(name): {"scenario": name} for name in builtin_names()
}
"""Each registered id with the keyword arguments it makes its env with."""


def register_envs() -> None:
    """Register the ids (idempotent)."""
    for env_id, kwargs in GYM_ENVS.items():
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=ENTRY_POINT, kwargs=kwargs)
