"""cuba-1962's counsel at the US decision points where the ExComm was silent before (issue 17
item 3, issue 19 item 6): each has counsel from the members in the room, sourced or carried
on from a documented stance (MODEL), or is documented here as having none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from brinkmanship.engine.observation import WAIT, Choice, Counsel, LegalActions, Observation
from brinkmanship.engine.policy import Policy, as_choice
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.play.game import Game
from brinkmanship.policies.registry import policy_set
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.loader import load_scenario

DOVES = {"mcnamara", "rfk", "rusk", "sorensen"}
"""Section C's quarantine backers among the members at the ExComm from 22 October."""
HAWKS = {"bundy", "mccone", "dillon", "taylor"}
"""Section C's air-strike backers among them (Taylor for a strike, wary of invasion)."""


@dataclass(frozen=True)
class Heard:
    """A US choice that is not a wait, and the counsel given at it."""

    time: str
    action: str
    counsel: tuple[Counsel, ...]
    legal: frozenset[str]

    def backing(self, action: str | None = None) -> set[str]:
        wanted = action or self.action
        return {c.member for c in self.counsel if not c.abstains and c.action == wanted}


class Listener:
    """The US historical policy, noting the counsel at each of its choices."""

    def __init__(self, inner: Policy, heard: list[Heard]) -> None:
        self.inner, self.heard = inner, heard
        self.name = "historical"

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        choice = as_choice(self.inner.decide(observation, legal))
        if choice.action != WAIT:
            self.heard.append(
                Heard(observation.iso, choice.action, observation.counsel, frozenset(legal.ids))
            )
        return choice


def heard(
    interventions: Sequence[str], runs: range, params: Mapping[str, float] | None = None
) -> list[Heard]:
    sc = load_scenario("cuba-1962", list(interventions), params)
    policies = policy_set(sc)
    out: list[Heard] = []
    for run in runs:
        made = policies.make()
        made["us"] = Listener(made["us"], out)
        ReferenceEngine(sc).run(0, run, made, dict(policies.specs))
    return out


def at(choices: list[Heard], *actions: str) -> list[Heard]:
    found = [h for h in choices if h.action in actions]
    assert found, f"no run took {actions}"
    return found


def test_after_a_strike_the_excomm_meets_at_once() -> None:
    """The strike of 22 October falls in a scheduled meeting; the decisions after it were
    taken with nobody in the room. Now the ExComm stays in session (MODEL; R22, R27): every
    member of 22-23 October counsels the address that tells what was done, and at the
    invasion order Taylor counsels waiting, wary of invasion (section C; R9, R42)."""
    choices = heard(["airstrike"], range(3))
    for h in at(choices, "us_address_strike"):
        assert h.backing() == DOVES | HAWKS, h
    invaded = heard(["invasion"], range(3))
    for h in at(invaded, "us_order_invasion"):
        assert {c.member for c in h.counsel} == DOVES | HAWKS, h
        assert "taylor" in h.backing(WAIT), h
        assert any("wary of invasion" in c.why for c in h.counsel if c.member == "taylor")


def test_the_documented_path_is_counselled() -> None:
    """Kennedy's telegram of 23 October, cleared by Bundy and drafted in Rusk's department (L1,
    L3), and the photographs shown at the UN (R16), counselled by the quarantine's backers
    and by the DCI whose analysts read them (MODEL)."""
    choices = heard([], range(2))
    for h in at(choices, "us_letter_23"):
        assert h.backing() == DOVES | {"bundy"}, h
    for h in at(choices, "us_un_photographs"):
        assert h.backing() == DOVES | {"mccone"}, h


def test_a_second_plane_lost_divides_the_excomm_as_section_c() -> None:
    """After a second shoot-down the air strike's backers counsel striking the air-defence
    sites; none of the quarantine's backers does, and those whose earlier counsel (a letter
    to answer) does not come first counsel holding off, as after Anderson's loss (MODEL)."""
    choices = heard([], range(40), {"p_further_shootdown": 0.02})
    for h in at(choices, "us_strike_sam_sites", "us_hold_fire_again"):
        if "us_strike_sam_sites" in h.legal:  # not once a deal is made
            assert h.backing("us_strike_sam_sites") == HAWKS, h
        holding = h.backing("us_hold_fire_again") | h.backing("us_hold_fire")
        assert holding and holding <= DOVES, h


def test_the_nuclear_rungs_have_no_view_from_the_room() -> None:
    """Documented as having none: the fact sheet gives no member's view on answering nuclear
    use, so at the rungs of the ladder the members in session (every one of 22 October) have
    no view on it, and none is invented."""
    params = {"p_tactical_local": 0.9, "p_us_theatre_reply": 0.9}
    choices = heard(["invasion", "local-authority"], range(6), params)
    rungs = ("us_theatre_nuclear", "us_hold_nuclear")
    for h in at(choices, *rungs):
        assert {c.member for c in h.counsel} == DOVES | HAWKS, h
        assert not any(h.backing(rung) for rung in rungs), h


def test_counsel_links_to_the_menu() -> None:
    """In a game, the new counsel points at the number of the choice it recommends."""
    game = Game.new("cuba-1962", "us", seed=0)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    linked: set[str] = set()
    while not game.finished:
        assert game.request is not None
        action = policy.decide(game.request.observation, game.request.legal).action
        view = game.view()
        numbers = {c.id: c.number for c in view.choices}
        for advice in view.counsel:
            if not advice.abstains and advice.action != WAIT:
                assert advice.number == numbers[advice.action], advice
                linked.add(advice.action)
        game.choose(action)
    assert {"us_letter_23", "us_un_photographs"} <= linked
