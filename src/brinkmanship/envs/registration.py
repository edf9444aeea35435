"""Gymnasium ids: ``gymnasium.make("brinkmanship/Cuba1962-v0")`` after ``import
brinkmanship.envs``, or ``gymnasium.make("brinkmanship.envs:brinkmanship/Cuba1962-v0")``
without the import (Gymnasium imports the module named before the colon)."""

from __future__ import annotations

import gymnasium as gym

ENTRY_POINT = "brinkmanship.envs.single:BrinkEnv"
GYM_ENVS: dict[str, dict[str, object]] = {
    "brinkmanship/Cuba1962-v0": {"scenario": "cuba-1962", "actor": "us"},
    "brinkmanship/Standoff-v0": {"scenario": "standoff", "actor": "west"},
}


def register_envs() -> None:
    """Register the ids (idempotent)."""
    for env_id, kwargs in GYM_ENVS.items():
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=ENTRY_POINT, kwargs=kwargs)
