"""The AEC form: PettingZoo's ``parallel_to_aec`` conversion, with this project's errors
for a closed environment, a missing reset, an episode that is over, and a bad action
(refused at the step that gives it, not when the tick resolves)."""

from __future__ import annotations

from typing import Any

from pettingzoo.utils.conversions import parallel_to_aec_wrapper

from brinkmanship.envs.encoding import EnvObs
from brinkmanship.envs.errors import EnvStateError, InvalidActionError
from brinkmanship.envs.parallel import BrinkParallelEnv


class BrinkAECEnv(parallel_to_aec_wrapper):  # type: ignore[misc]  # pettingzoo ships no types
    """Agents act in turn (in actor order); the tick resolves once the last has acted."""

    def __init__(self, parallel: BrinkParallelEnv) -> None:
        super().__init__(parallel)
        self.parallel = parallel
        self.agents: list[str] = []
        self._reset_once = False

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        super().reset(seed=seed, options=options)
        self._reset_once = True

    def observe(self, agent: str) -> EnvObs:
        self._check()
        observation: EnvObs = super().observe(agent)
        return observation

    def last(self, observe: bool = True) -> tuple[EnvObs | None, float, bool, bool, dict[str, Any]]:
        self._check()
        out: tuple[EnvObs | None, float, bool, bool, dict[str, Any]] = super().last(observe)
        return out

    def step(self, action: Any) -> None:
        """``action`` for ``agent_selection``: checked now, so a masked or malformed one
        raises here and leaves the turn with the same agent; ``None`` once it is done."""
        self._check()
        if not self.agents:
            raise EnvStateError("the episode is over; call reset() to start another")
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            if action is not None:
                raise InvalidActionError(
                    f"{agent!r} is done (its episode ended); step(None) for it, as PettingZoo's "
                    f"AEC loop does, not {action!r}"
                )
        else:
            self.parallel.check_action(agent, action)
        super().step(action)

    def _check(self) -> None:
        if self.parallel.closed:
            raise EnvStateError("the environment is closed; make a new one")
        if not self._reset_once:
            raise EnvStateError("no episode yet: call reset() first")
