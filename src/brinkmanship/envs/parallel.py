"""The PettingZoo ``ParallelEnv``: the actors the learner controls act simultaneously at
each tick where at least one of them is due to decide."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from brinkmanship.engine.observation import WAIT, Observation
from brinkmanship.engine.state import DecisionRequest
from brinkmanship.engine.trajectory import ChoiceRecord, RunResult
from brinkmanship.envs.actions import choose
from brinkmanship.envs.config import (
    MAX_SEED,
    EnvConfig,
    IllegalActionMode,
    check_run,
    check_seed,
    make_config,
)
from brinkmanship.envs.encoding import ActorEncoding, EnvObs
from brinkmanship.envs.episode import Episode
from brinkmanship.envs.errors import EnvStateError, InvalidActionError
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenarios import DEFAULT

T = TypeVar("T")
RESET_OPTIONS = ("run",)
RENDER_MODES = ("ansi",)


def fresh_seed() -> int:
    """An engine seed from the operating system's entropy (for an unseeded first reset)."""
    return secrets.randbelow(MAX_SEED)


class Seeding:
    """Which (seed, run) the next episode plays: ``reset(seed=s)`` plays run ``run`` (the
    option, else the configured one) of seed ``s``; ``reset()`` the next run of the same
    seed; the first reset without a seed draws one from the operating system."""

    def __init__(self, run: int) -> None:
        self.default_run = run
        self.seed: int | None = None
        self.run = run

    def next(self, seed: int | None, options: Mapping[str, Any] | None) -> tuple[int, int]:
        run = _run_option(options)
        if seed is not None:
            self.seed = check_seed(seed)
            self.run = self.default_run if run is None else run
        elif self.seed is None:
            self.seed = fresh_seed()
            self.run = self.default_run if run is None else run
        else:
            self.run = self.run + 1 if run is None else run
        return self.seed, self.run


def _run_option(options: Mapping[str, Any] | None) -> int | None:
    if options is None:
        return None
    if not isinstance(options, Mapping):
        raise BrinkError(f"reset options must be a dict, got {options!r}")
    unknown = [k for k in options if k not in RESET_OPTIONS]
    if unknown:
        warnings.warn(
            f"reset options {', '.join(map(repr, unknown))} are not used by brinkmanship; "
            f"known: {', '.join(RESET_OPTIONS)}",
            stacklevel=3,
        )
    return None if options.get("run") is None else check_run(options["run"])


class BrinkParallelEnv(ParallelEnv):  # type: ignore[misc]  # pettingzoo ships no types
    """A scenario as a PettingZoo parallel environment (see ``docs/environments.md``)."""

    metadata: ClassVar[dict[str, Any]] = {
        "name": "brinkmanship_v0",
        "render_modes": list(RENDER_MODES),
    }

    def __init__(
        self,
        scenario: str | CompiledScenario = DEFAULT,
        *,
        learners: Sequence[str] | None = None,
        policies: Mapping[str, str] | None = None,
        interventions: Sequence[str] = (),
        params: Mapping[str, float] | None = None,
        run: int = 0,
        escalation_penalty: float = 0.0,
        illegal_action: IllegalActionMode = "raise",
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise BrinkError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.config: EnvConfig = make_config(
            scenario,
            learners=learners,
            policies=policies,
            interventions=interventions,
            params=params,
            run=run,
            escalation_penalty=escalation_penalty,
            illegal_action=illegal_action,
        )
        self.render_mode = render_mode
        self.possible_agents: list[str] = list(self.config.learners)
        self.agents: list[str] = []
        self.encodings = {a: ActorEncoding(self.config.engine, a) for a in self.possible_agents}
        self.observation_spaces: dict[str, spaces.Dict] = {
            a: e.space for a, e in self.encodings.items()
        }
        self.action_spaces: dict[str, spaces.Discrete] = {
            a: spaces.Discrete(len(e.actions)) for a, e in self.encodings.items()
        }
        variables = self.config.scenario.variables.values()
        self.state_space = spaces.Box(
            np.array([v.lo for v in variables], dtype=np.float32),
            np.array([v.hi for v in variables], dtype=np.float32),
            dtype=np.float32,
        )
        self.seeding = Seeding(self.config.run)
        self._episode: Episode | None = None
        self._failure: str | None = None
        """Why the current episode stopped mid-step (an error of a policy or the scenario)."""
        self._closed = False
        self._rendered = 0

    # ----------------------------------------------------------------- spaces

    def observation_space(self, agent: str) -> spaces.Dict:
        return self.observation_spaces[self._agent(agent)]

    def action_space(self, agent: str) -> spaces.Discrete:
        return self.action_spaces[self._agent(agent)]

    def action_ids(self, agent: str) -> tuple[str, ...]:
        """The action ids by index: ``wait`` at 0, then the actor's actions."""
        return self.encodings[self._agent(agent)].actions

    def _agent(self, agent: str) -> str:
        if agent not in self.encodings:
            raise UnknownNameError("agent", str(agent), self.possible_agents)
        return agent

    # --------------------------------------------------------------- episodes

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, EnvObs], dict[str, dict[str, Any]]]:
        """Start a run: ``seed`` is the engine's seed, ``options={"run": i}`` its run index."""
        self._check_open()
        engine_seed, run = self.seeding.next(seed, options)
        self._episode, self.agents = None, []
        self._episode = self._guarded(lambda: Episode(self.config, engine_seed, run))
        self._failure = None
        self._rendered = 0
        self.agents = list(self.possible_agents)
        return self._observations(), self._infos({})

    def step(
        self, actions: Mapping[str, Any]
    ) -> tuple[
        dict[str, EnvObs],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        """Every agent due to decide gives an action index; the others give 0 (``wait``) or
        nothing. A masked action raises :class:`MaskedActionError` (or, with
        ``illegal_action="wait"``, is replaced by ``wait`` and reported in the info)."""
        episode = self._live_episode()
        if not isinstance(actions, Mapping):
            raise InvalidActionError(f"actions must be a dict agent -> index, got {actions!r}")
        unknown = [a for a in actions if a not in self.agents]
        if unknown:
            raise InvalidActionError(
                f"actions for {', '.join(map(repr, unknown))}, which are not playing; "
                f"agents: {', '.join(self.agents)}"
            )
        due = episode.requests()
        when = self.config.scenario.iso(episode.state.tick)
        missing = [a for a in due if a not in actions]
        if missing:
            raise InvalidActionError(f"no action for {', '.join(missing)}, due to decide at {when}")
        choices: dict[str, str] = {}
        refused: dict[str, str] = {}
        for agent, action in actions.items():
            request = due.get(agent)
            chosen, refused_id = self._choose(agent, action, request, when)
            if request is not None:
                choices[agent] = chosen
            if refused_id is not None:
                refused[agent] = refused_id
        self._guarded(lambda: episode.act(choices))
        shaped = -self.config.escalation_penalty * episode.shaping()
        rewards = dict.fromkeys(self.agents, shaped)
        outcome = episode.outcome
        if outcome is not None:
            for agent in self.agents:
                rewards[agent] += outcome.utilities[self.config.scenario.actors[agent].holder]
        done = outcome is not None
        observations, infos = self._observations(), self._infos(refused)
        terminations = dict.fromkeys(self.agents, done)
        truncations = dict.fromkeys(self.agents, False)
        if done:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def check_action(self, agent: str, action: Any) -> None:
        """Raise now what :meth:`step` would raise for ``agent``'s ``action`` (the AEC form
        checks each action at the turn that gives it)."""
        episode = self._live_episode()
        if agent not in self.agents:
            raise InvalidActionError(f"{agent!r} is not playing; agents: {', '.join(self.agents)}")
        when = self.config.scenario.iso(episode.state.tick)
        self._choose(agent, action, episode.requests().get(agent), when)

    # ------------------------------------------------------------ inspection

    def decision(self, agent: str) -> DecisionRequest | None:
        """The engine's request for ``agent`` now (observation with counsel, legal actions),
        or None when it is not due to decide."""
        return self._current().requests().get(self._agent(agent))

    def observation(self, agent: str) -> Observation:
        """What ``agent`` sees now, as the engine's :class:`Observation` (texts included)."""
        return self._current().observe(self._agent(agent))

    def choices(self) -> tuple[ChoiceRecord, ...]:
        """Every choice taken so far in this episode (all actors, ``wait`` included)."""
        return tuple(self._current().state.choices)

    def state(self) -> np.ndarray[Any, Any]:
        """The true state: every variable, hidden ones included, in scenario order (for
        centralised critics; agents' observations never contain it)."""
        env = self._current().state.env
        return np.array([env[v] for v in self.config.scenario.variables], dtype=np.float32)

    def result(self) -> RunResult:
        """The finished run's record (events, choices, outcome), as ``brink run`` gives it."""
        episode = self._current()
        if not episode.finished:
            raise EnvStateError("the run is still going; result() needs a finished episode")
        return episode.result()

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: the trajectory's events since the last render."""
        self._check_open()
        if self.render_mode is None:
            warnings.warn("render() needs render_mode='ansi'", stacklevel=2)
            return None
        events = self._current().state.events
        text = "".join(f"{e.time}  {e.actor}: {e.text}\n" for e in events[self._rendered :])
        self._rendered = len(events)
        return text

    def close(self) -> None:
        """Release the run; any later call but ``close`` is an error."""
        self._closed = True
        self._episode = None
        self.agents = []

    @property
    def closed(self) -> bool:
        return self._closed

    # --------------------------------------------------------------- helpers

    def _check_open(self) -> None:
        if self._closed:
            raise EnvStateError("the environment is closed; make a new one")

    def _guarded(self, advance: Callable[[], T]) -> T:
        """Run the engine on; if a policy or the scenario raises on the way (an unreachable
        model endpoint, a division by zero), the run is left mid-tick, so the episode is
        ended: the error propagates, and every later call but ``reset`` says why."""
        try:
            return advance()
        except BaseException as err:
            self._failure = f"{type(err).__name__}: {err}"
            self.agents = []
            raise

    def _current(self) -> Episode:
        self._check_open()
        if self._failure is not None:
            raise EnvStateError(
                f"the episode stopped with an error ({self._failure}); call reset() to start "
                "another"
            )
        if self._episode is None:
            raise EnvStateError("no episode yet: call reset() first")
        return self._episode

    def _live_episode(self) -> Episode:
        episode = self._current()
        if not self.agents:
            outcome = episode.outcome
            assert outcome is not None
            raise EnvStateError(
                f"the episode is over ({outcome.label}, {outcome.time}); call reset() to "
                "start another"
            )
        return episode

    def _choose(
        self, agent: str, action: Any, request: DecisionRequest | None, when: str
    ) -> tuple[str, str | None]:
        legal = None if request is None else request.legal
        return choose(self.encodings[agent], action, legal, self.config.illegal_action, when)

    def _observations(self) -> dict[str, EnvObs]:
        episode = self._current()
        due = episode.requests()
        out = {}
        for agent in self.agents:
            request = due.get(agent)
            obs = episode.observe(agent) if request is None else request.observation
            legal = None if request is None else request.legal
            out[agent] = self.encodings[agent].encode(obs, legal)
        return out

    def _infos(self, refused: Mapping[str, str]) -> dict[str, dict[str, Any]]:
        episode = self._current()
        st, due = episode.state, episode.requests()
        outcome = episode.outcome
        infos: dict[str, dict[str, Any]] = {}
        for agent in self.agents:
            request = due.get(agent)
            info: dict[str, Any] = {
                "seed": st.seed,
                "run": st.run,
                "tick": st.tick,
                "time": self.config.scenario.iso(st.tick),
                "deciding": request is not None,
                "legal": (WAIT,) if request is None else request.legal.ids,
            }
            if self.config.scenario.escalation is not None:
                info["escalation"] = episode.escalation()
            if agent in refused:
                info["illegal_action"] = refused[agent]
            if outcome is not None:
                info["outcome"] = outcome.id
                info["outcome_class"] = outcome.cls
                info["utility"] = outcome.utilities[self.config.scenario.actors[agent].holder]
            infos[agent] = info
        return infos
