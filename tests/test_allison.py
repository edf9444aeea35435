"""Allison's three models as policies, on the test scenario."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from brinkmanship.engine.observation import WAIT, Choice, Counsel, LegalActions, Observation
from brinkmanship.engine.policy import as_choice
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.errors import BrinkError
from brinkmanship.policies.allison import Political
from brinkmanship.policies.registry import policy_set, resolve
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

STANDOFF = Path(__file__).resolve().parents[1] / "src/brinkmanship/scenarios/standoff.yaml"


def play(sc: CompiledScenario, seed: int, run: int, **policies: str) -> RunResult:
    chosen = policy_set(sc, policies)
    return ReferenceEngine(sc).run(seed, run, chosen.make(), dict(chosen.specs))


def first_move(result: RunResult, actor: str) -> str:
    return next(c.action for c in result.choices if c.actor == actor and c.action != "wait")


def test_political_follows_influence() -> None:
    """The cabinet's hawk and dove disagree; raising the hawk's influence flips the choice."""
    doves = load_scenario("standoff", params={"hawk_influence": 0.5})
    hawks = load_scenario("standoff", params={"hawk_influence": 2.0})
    for run in range(5):
        assert first_move(play(doves, 1, run, west="political"), "west") == "send_offer"
        assert first_move(play(hawks, 1, run, west="political"), "west") == "deploy_warships"


class Recorder:
    """West's default policy, keeping what West was shown at each decision."""

    name = "recorder"

    def __init__(self, sc: CompiledScenario) -> None:
        self.inner = policy_set(sc).make()["west"]
        self.seen: list[tuple[Observation, LegalActions]] = []

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        self.seen.append((observation, legal))
        return as_choice(self.inner.decide(observation, legal))


def west_decisions(sc: CompiledScenario) -> list[tuple[Observation, LegalActions]]:
    policies = policy_set(sc).make()
    recorder = Recorder(sc)
    policies["west"] = recorder
    ReferenceEngine(sc).run(2, 0, policies)
    return recorder.seen


def test_political_leaves_out_members_with_no_view(standoff: CompiledScenario) -> None:
    """An abstaining member weighs nothing, however heavy; one whose rule says wait counts."""
    obs, legal = next((o, lg) for o, lg in west_decisions(standoff) if len(lg) > 1)
    offer = legal.ids[1]
    dove = Counsel("foreign", "Foreign Minister", offer, "talk", 1.0)
    silent = Counsel("defence", "Defence Minister", WAIT, "", 5.0, True)
    patient = Counsel("defence", "Defence Minister", WAIT, "hold on", 5.0)
    political = Political(standoff, "west")
    chosen = political.decide(replace(obs, counsel=(silent, dove)), legal)
    assert chosen == Choice(offer, "carried by Foreign Minister (influence 1 of 1)")
    chosen = political.decide(replace(obs, counsel=(patient, dove)), legal)
    assert chosen == Choice(WAIT, "carried by Defence Minister (influence 5 of 6)")


def test_political_with_no_view_follows_the_default_policy(standoff: CompiledScenario) -> None:
    """When every member abstains (or none counsels), the cabinet does what its default
    policy ('firm') does on the same observation, and says so."""
    decisions = west_decisions(standoff)
    silent = Counsel("defence", "Defence Minister", WAIT, "", 1.0, True)
    acted = 0
    for counsel in [(silent,), ()]:
        political = Political(standoff, "west")
        firm = data_policy(standoff.actors["west"].policies["firm"])
        for obs, legal in decisions:
            expected = firm.decide(obs, legal)
            chosen = political.decide(replace(obs, counsel=counsel), legal)
            assert chosen.action == expected.action
            assert chosen.why.startswith("no member presses for anything: the standard course")
            assert expected.why in chosen.why
            acted += chosen.action != WAIT
    assert acted >= 6  # the script's warships, blockade and offer, twice


def test_political_needs_a_body(standoff: CompiledScenario) -> None:
    with pytest.raises(BrinkError, match="needs a body with members, and 'east' is not one"):
        resolve(standoff, "east", "political")


def test_organizational_routines_inertia_and_slippage(standoff: CompiledScenario) -> None:
    whys: list[str] = []
    for run in range(30):
        result = play(standoff, 4, run, west="organizational")
        whys += [c.why for c in result.choices if c.actor == "west"]
        west = [c.action for c in result.choices if c.actor == "west" and c.action != "wait"]
        assert west and west[0] in ("deploy_warships", "declare_blockade", "raise_alert")
    assert any("standing plan" in w for w in whys)
    assert any("delayed" in w or "carried out differently" in w for w in whys)


def test_organizational_needs_a_repertoire(standoff: CompiledScenario) -> None:
    with pytest.raises(BrinkError, match="needs a repertoire of routines for 'east'"):
        resolve(standoff, "east", "organizational")


@pytest.mark.parametrize("spec", ["political", "organizational", "rational:horizon=12,samples=3"])
def test_models_are_deterministic(standoff: CompiledScenario, spec: str) -> None:
    a = play(standoff, 8, 2, west=spec)
    b = play(standoff, 8, 2, west=spec)
    assert a.choices == b.choices and a.events == b.events


def test_rational_with_a_goal_of_force_escalates_more(standoff: CompiledScenario) -> None:
    """Valuing shots fired above everything makes the rational actor more escalatory."""

    def mean_escalation(spec: str) -> float:
        scores = []
        for run in range(4):
            result = play(standoff, 3, run, west=spec)
            scores += [
                standoff.actions[c.action].escalation
                for c in result.choices
                if c.actor == "west" and c.action != "wait"
            ]
        return sum(scores) / len(scores)

    default = mean_escalation("rational:horizon=24,samples=4")
    warlike = mean_escalation("rational:horizon=24,samples=4,goal=shots")
    assert warlike > default + 1


def test_rational_never_reads_hidden_state(tmp_path: Path) -> None:
    """Two worlds that differ only in a variable hidden from West (East's launchers) get
    the same choices from a rational West until the reconnaissance reveals them."""
    text = STANDOFF.read_text(encoding="utf-8")
    marker = "launchers: {type: int, initial: 2,"
    assert marker in text
    path = tmp_path / "more-launchers.yaml"
    path.write_text(text.replace(marker, "launchers: {type: int, initial: 9,"), encoding="utf-8")
    few = load_scenario("standoff")
    many = load_scenario(str(path))
    a = play(few, 5, 0, west="rational:horizon=12,samples=3")
    b = play(many, 5, 0, west="rational:horizon=12,samples=3")
    reveal = next(e.tick for e in a.events if e.id == "reconnaissance")
    before_a = [c for c in a.choices if c.actor == "west" and c.tick < reveal]
    before_b = [c for c in b.choices if c.actor == "west" and c.tick < reveal]
    assert before_a and before_a == before_b


def test_bad_rational_goal(standoff: CompiledScenario) -> None:
    with pytest.raises(BrinkError, match="goal"):
        resolve(standoff, "west", "rational:goal=shots +")
