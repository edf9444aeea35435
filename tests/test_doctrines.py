"""Built-in doctrines: legal, deterministic, and measurably different."""

from __future__ import annotations

from collections import Counter

import pytest

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError
from brinkmanship.policies.registry import policy_set, resolve
from brinkmanship.scenario.compiled import CompiledScenario


def outcomes(sc: CompiledScenario, west: str, runs: int, seed: int = 9) -> list[str]:
    engine = ReferenceEngine(sc)
    policies = policy_set(sc, {"west": west})
    return [engine.run(seed, i, policies.make()).outcome.cls for i in range(runs)]


def test_hawk_and_dove_differ_on_paired_runs(standoff: CompiledScenario) -> None:
    hawk = outcomes(standoff, "hawk", 80)
    dove = outcomes(standoff, "dove", 80)
    violent = {"conventional_war", "tactical_nuclear_use", "general_nuclear_war"}
    hawk_war = sum(o in violent for o in hawk)
    dove_war = sum(o in violent for o in dove)
    # Paired on the same seeds and run indices: the hawk fights in clearly more runs.
    discordant_hawk = sum(
        h in violent and d not in violent for h, d in zip(hawk, dove, strict=True)
    )
    discordant_dove = sum(
        d in violent and h not in violent for h, d in zip(hawk, dove, strict=True)
    )
    assert hawk_war > dove_war
    assert discordant_hawk - discordant_dove >= 10, (Counter(hawk), Counter(dove))


@pytest.mark.parametrize(
    "spec", ["hawk", "dove:threshold=1", "tit-for-tat:forgiveness=0.3", "random"]
)
def test_doctrines_are_deterministic(standoff: CompiledScenario, spec: str) -> None:
    engine = ReferenceEngine(standoff)
    policies = policy_set(standoff, {"west": spec, "east": spec})
    a = engine.run(3, 1, policies.make())
    b = engine.run(3, 1, policies.make())
    assert a.events == b.events and a.choices == b.choices


def test_dove_never_escalates(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    policies = policy_set(standoff, {"west": "dove:threshold=1"})
    for i in range(20):
        for choice in engine.run(1, i, policies.make()).choices:
            if choice.actor == "west" and choice.action != "wait":
                assert standoff.actions[choice.action].escalation <= 0


def test_tit_for_tat_answers_in_kind(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    policies = policy_set(standoff, {"west": "tit-for-tat", "east": "stubborn"})
    answered = 0
    for i in range(20):
        result = engine.run(2, i, policies.make())
        for choice in result.choices:
            if choice.actor == "west" and choice.action != "wait":
                assert "in kind" in choice.why
                sign = 1 if "escalation" in choice.why else -1
                assert standoff.actions[choice.action].escalation * sign > 0
                answered += 1
    assert answered > 0


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("hawk:threshold=1.5", "outside [0, 1]"),
        ("hawk:speed=2", "has no parameter 'speed'"),
        ("dove:ceiling=zero", "not a valid int"),
        ("hawk:threshold", "must look like key=value"),
    ],
)
def test_bad_parameters(standoff: CompiledScenario, spec: str, fragment: str) -> None:
    with pytest.raises(BrinkError, match=fragment.replace("[", r"\[")):
        resolve(standoff, "west", spec)
