"""The Gymnasium single-agent form: one actor learns, the others follow their policies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from brinkmanship.engine.state import DecisionRequest
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.envs.config import MAX_SEED, IllegalActionMode, deciding_actors
from brinkmanship.envs.parallel import RENDER_MODES, BrinkParallelEnv
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.scenarios import DEFAULT


class BrinkEnv(gym.Env[dict[str, Any], Any]):
    """``actor`` (default: the scenario's first deciding actor) is the learner; every step is
    one of its decision points. Options as for :func:`brinkmanship.envs.parallel_env`."""

    metadata = {"render_modes": list(RENDER_MODES), "render_fps": 1}  # noqa: RUF012

    def __init__(
        self,
        scenario: str | CompiledScenario = DEFAULT,
        actor: str | None = None,
        *,
        policies: Mapping[str, str] | None = None,
        interventions: Sequence[str] = (),
        params: Mapping[str, float] | None = None,
        run: int = 0,
        escalation_penalty: float = 0.0,
        illegal_action: IllegalActionMode = "raise",
        render_mode: str | None = None,
    ) -> None:
        if actor is None:
            sc = scenario
            if not isinstance(sc, CompiledScenario):
                sc = load_scenario(str(sc), tuple(interventions), params)
                interventions, params = (), None
            actor = deciding_actors(sc)[0]
            scenario = sc
        self.parallel = BrinkParallelEnv(
            scenario,
            learners=[actor],
            policies=policies,
            interventions=interventions,
            params=params,
            run=run,
            escalation_penalty=escalation_penalty,
            illegal_action=illegal_action,
            render_mode=render_mode,
        )
        self.actor = actor
        self.render_mode = render_mode
        self.observation_space = self.parallel.observation_space(actor)
        self.action_space = self.parallel.action_space(actor)

    @property
    def action_ids(self) -> tuple[str, ...]:
        """The action ids by index: ``wait`` at 0, then the actor's actions."""
        return self.parallel.action_ids(self.actor)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """``seed`` is the engine's seed (``options={"run": i}`` its run index); without one,
        the next run of the same seed, or at first a seed drawn from ``np_random``."""
        super().reset(seed=seed)
        if seed is None and self.parallel.seeding.seed is None:
            seed = int(self.np_random.integers(0, MAX_SEED - 1))
        observations, infos = self.parallel.reset(seed=seed, options=options)
        return observations[self.actor], infos[self.actor]

    def step(self, action: Any) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        observations, rewards, terminations, truncations, infos = self.parallel.step(
            {self.actor: action}
        )
        a = self.actor
        return observations[a], float(rewards[a]), terminations[a], truncations[a], infos[a]

    def action_masks(self) -> np.ndarray[Any, Any]:
        """The current mask as booleans (the method sb3-contrib's ``MaskablePPO`` calls)."""
        request = self.parallel.decision(self.actor)
        encoding = self.parallel.encodings[self.actor]
        return encoding.mask(None if request is None else request.legal).astype(bool)

    def decision(self) -> DecisionRequest | None:
        """The engine's request now (observation with counsel, legal actions), if due."""
        return self.parallel.decision(self.actor)

    def result(self) -> RunResult:
        """The finished run's record."""
        return self.parallel.result()

    def render(self) -> str | None:
        return self.parallel.render()

    def close(self) -> None:
        self.parallel.close()
        super().close()
