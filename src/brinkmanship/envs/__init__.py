"""Reinforcement-learning environments over the reference engine.

- :func:`parallel_env` — a PettingZoo ``ParallelEnv`` (the learner's actors act together);
- :func:`env` — the PettingZoo AEC form of the same;
- :class:`BrinkEnv` — a Gymnasium single-agent env, registered for every built-in scenario
  under an id made from its own (``brinkmanship/Cuba1962-v0``; see ``registration``).

See ``docs/environments.md``.
"""

from __future__ import annotations

from typing import Any

from brinkmanship.envs.aec import BrinkAECEnv
from brinkmanship.envs.encoding import LETTER_KINDS, ActorEncoding
from brinkmanship.envs.errors import EnvStateError, InvalidActionError, MaskedActionError
from brinkmanship.envs.parallel import BrinkParallelEnv
from brinkmanship.envs.registration import GYM_ENVS, register_envs
from brinkmanship.envs.single import BrinkEnv
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenarios import DEFAULT


def parallel_env(scenario: str | CompiledScenario = DEFAULT, **options: Any) -> BrinkParallelEnv:
    """A PettingZoo ``ParallelEnv`` for ``scenario`` (options: see :class:`BrinkParallelEnv`)."""
    return BrinkParallelEnv(scenario, **options)


def env(scenario: str | CompiledScenario = DEFAULT, **options: Any) -> BrinkAECEnv:
    """The PettingZoo AEC form of :func:`parallel_env`."""
    return BrinkAECEnv(BrinkParallelEnv(scenario, **options))


register_envs()

__all__ = [
    "GYM_ENVS",
    "LETTER_KINDS",
    "ActorEncoding",
    "BrinkAECEnv",
    "BrinkEnv",
    "BrinkParallelEnv",
    "EnvStateError",
    "InvalidActionError",
    "MaskedActionError",
    "env",
    "parallel_env",
]
