"""The policy an actor follows unless told otherwise: the scenario's ``default_policy``,
else its first data policy, else ``passive``."""

from __future__ import annotations

from brinkmanship.scenario.compiled import CompiledScenario, PolicyData


def default_policy(scenario: CompiledScenario, actor: str) -> str:
    """The name of the policy ``actor`` follows unless told otherwise."""
    a = scenario.actors[actor]
    if a.default_policy is not None:
        return a.default_policy
    if a.policies:
        return next(iter(a.policies))
    return "passive"


def default_data(scenario: CompiledScenario, actor: str) -> PolicyData | None:
    """The actor's default policy where that is scenario data (None: it waits). A body
    follows it where no member has a view (Model III's standard course), and the rational
    actor expects everyone to."""
    return scenario.actors[actor].policies.get(default_policy(scenario, actor))
