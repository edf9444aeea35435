"""What an environment is made of: a compiled scenario, the actors the learner controls,
the policies of the others, and the reward and illegal-action settings. All checked once,
before any episode, so a bad option is one clear error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.policies.registry import PolicySet, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.scenarios import DEFAULT

IllegalActionMode = Literal["raise", "wait"]
ILLEGAL_ACTION_MODES: tuple[IllegalActionMode, ...] = ("raise", "wait")
MAX_SEED = 2**63
LEARNER = "learner"
"""The policy name recorded for an actor the learner controls."""


@dataclass(frozen=True)
class EnvConfig:
    """A validated environment configuration (shared by every episode)."""

    scenario: CompiledScenario
    engine: ReferenceEngine
    learners: tuple[str, ...]
    others: PolicySet
    """Policy specs and factories; only the entries of non-learners are used."""
    run: int
    escalation_penalty: float
    illegal_action: IllegalActionMode

    @property
    def policy_names(self) -> dict[str, str]:
        """The policy recorded per actor in a finished run."""
        return {a: LEARNER if a in self.learners else s for a, s in self.others.specs.items()}


def deciding_actors(sc: CompiledScenario) -> tuple[str, ...]:
    """Actors with at least one decision point, in scenario order."""
    deciding = {d.actor for d in sc.decisions}
    return tuple(a for a in sc.actors if a in deciding)


def _scenario(
    scenario: str | CompiledScenario,
    interventions: Sequence[str],
    params: Mapping[str, float] | None,
) -> CompiledScenario:
    if isinstance(scenario, CompiledScenario):
        if interventions or params:
            raise BrinkError(
                "interventions and params apply to a scenario name or file; "
                "this scenario is already compiled (pass them to load_scenario instead)"
            )
        return scenario
    if not isinstance(scenario, str):
        raise BrinkError(
            f"scenario must be a name, a file path or a CompiledScenario, not {scenario!r}"
        )
    if isinstance(interventions, str):
        raise BrinkError(f"interventions must be a list of names, not the string {interventions!r}")
    return load_scenario(scenario, tuple(interventions), params)


def _learners(sc: CompiledScenario, learners: Sequence[str] | None) -> tuple[str, ...]:
    deciding = deciding_actors(sc)
    if learners is None:
        if not deciding:
            raise BrinkError(f"scenario {sc.id!r} has no actor with a decision point")
        return deciding
    if isinstance(learners, str):
        learners = (learners,)
    if not learners:
        raise BrinkError("learners is empty: name at least one actor for the learner to control")
    for actor in learners:
        if actor not in sc.actors:
            raise UnknownNameError("actor", actor, list(sc.actors))
        if actor not in deciding:
            raise BrinkError(
                f"actor {actor!r} has no decision point in {sc.id!r}, so it never decides; "
                f"deciding actors: {', '.join(deciding)}"
            )
    if len(set(learners)) != len(learners):
        raise BrinkError(f"learners names an actor twice: {', '.join(learners)}")
    return tuple(a for a in sc.actors if a in learners)


def make_config(
    scenario: str | CompiledScenario = DEFAULT,
    *,
    learners: Sequence[str] | None = None,
    policies: Mapping[str, str] | None = None,
    interventions: Sequence[str] = (),
    params: Mapping[str, float] | None = None,
    run: int = 0,
    escalation_penalty: float = 0.0,
    illegal_action: IllegalActionMode = "raise",
) -> EnvConfig:
    """Load the scenario and check every option (see ``docs/environments.md``)."""
    sc = _scenario(scenario, interventions, params)
    chosen = _learners(sc, learners)
    policies = dict(policies or {})
    for actor, spec in policies.items():
        if actor not in sc.actors:
            raise UnknownNameError("actor", actor, list(sc.actors))
        if not isinstance(spec, str):
            raise BrinkError(f"policy for {actor!r} must be a spec like 'hawk:threshold=0.9'")
        if actor in chosen:
            raise BrinkError(
                f"actor {actor!r} is controlled by the learner, so it takes no policy; "
                "give policies only to the other actors"
            )
    run = check_run(run)
    if (
        isinstance(escalation_penalty, bool)
        or not isinstance(escalation_penalty, int | float)
        or not escalation_penalty >= 0
    ):
        raise BrinkError(f"escalation_penalty must be a number >= 0, got {escalation_penalty!r}")
    if escalation_penalty and sc.escalation is None:
        raise BrinkError(
            f"escalation_penalty needs an escalation metric, and scenario {sc.id!r} has none "
            "(metrics: escalation: ... in the scenario file)"
        )
    if illegal_action not in ILLEGAL_ACTION_MODES:
        raise BrinkError(
            f"illegal_action must be one of {', '.join(ILLEGAL_ACTION_MODES)}, "
            f"got {illegal_action!r}"
        )
    return EnvConfig(
        scenario=sc,
        engine=ReferenceEngine(sc),
        learners=chosen,
        others=policy_set(sc, policies),
        run=run,
        escalation_penalty=float(escalation_penalty),
        illegal_action=illegal_action,
    )


def _integer(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return None
    return int(value)


def check_seed(seed: object) -> int:
    """An engine seed: an integer in [0, 2**63)."""
    value = _integer(seed)
    if value is None or not 0 <= value < MAX_SEED:
        raise BrinkError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return value


def check_run(run: object) -> int:
    """A run index: an integer in [0, 2**63)."""
    value = _integer(run)
    if value is None or not 0 <= value < MAX_SEED:
        raise BrinkError(f"run must be an integer in [0, 2**63), got {run!r}")
    return value
