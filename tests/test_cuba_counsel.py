"""cuba-1962's counsel at the decision points where the ExComm or the Presidium was silent
before (issue 17 item 3, issue 19 item 6): each has counsel from the members in the room,
sourced or carried on from a documented stance (MODEL), or is documented here as having
none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console

from brinkmanship.engine.observation import WAIT, Choice, Counsel, LegalActions, Observation
from brinkmanship.engine.policy import Policy, as_choice
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.play.game import Game
from brinkmanship.play.terminal import render_view
from brinkmanship.play.view import NO_VIEW, GameView
from brinkmanship.policies.registry import policy_set
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.loader import load_scenario
from historical_path import historical_us_views

DOVES = {"mcnamara", "rfk", "rusk", "sorensen"}
"""Section C's quarantine backers among the members at the ExComm from 22 October."""
HAWKS = {"bundy", "mccone", "dillon", "taylor"}
"""Section C's air-strike backers among them (Taylor for a strike, wary of invasion)."""


@dataclass(frozen=True)
class Heard:
    """A side's decision, the counsel given at it and what the side saw."""

    time: str
    action: str
    counsel: tuple[Counsel, ...]
    legal: frozenset[str]
    values: Mapping[str, float]

    def backing(self, action: str | None = None) -> set[str]:
        wanted = action or self.action
        return {c.member for c in self.counsel if not c.abstains and c.action == wanted}


class Listener:
    """A side's historical policy, noting the counsel at each of its decisions."""

    def __init__(self, inner: Policy, heard: list[Heard]) -> None:
        self.inner, self.heard = inner, heard
        self.name = "historical"

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        choice = as_choice(self.inner.decide(observation, legal))
        self.heard.append(
            Heard(
                observation.iso,
                choice.action,
                observation.counsel,
                frozenset(legal.ids),
                observation.values,
            )
        )
        return choice


def heard(
    interventions: Sequence[str],
    runs: range,
    params: Mapping[str, float] | None = None,
    side: str = "us",
) -> list[Heard]:
    sc = load_scenario("cuba-1962", list(interventions), params)
    policies = policy_set(sc)
    out: list[Heard] = []
    for run in runs:
        made = policies.make()
        made[side] = Listener(made[side], out)
        ReferenceEngine(sc).run(0, run, made, dict(policies.specs))
    return out


def at(choices: list[Heard], *actions: str) -> list[Heard]:
    """The decisions that took one of ``actions``."""
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
        # and each says why: one reason, the same for every member without a view
        assert all(c.why for c in h.counsel), h
        assert len({c.why for c in h.counsel if c.abstains}) == 1, h


def test_moscow_counsels_where_a_line_is_on_record() -> None:
    """Gromyko's own call on the President, and his line there, the weapons are defensive
    (fact sheet A, 18 Oct), carried to Khrushchev's answer of 23 October (F11; MODEL)."""
    choices = heard([], range(2), side="su")
    for action in ("su_gromyko_defensive", "su_letter_23"):
        for h in at(choices, action):
            assert h.backing() == {"gromyko"}, h


def test_moscow_has_no_view_where_the_record_gives_none() -> None:
    """Documented as having none: the record gives Khrushchev's letters of 24, 26 and 27
    October, his acceptance of U Thant's appeal (F11) and the ships halted at the line (R15),
    no member's view of them (Mikoyan's and Gromyko's counsel on the R-14 ships is itself a
    model judgement, not carried further), and Fomin acted on his own (F4)."""
    choices = heard([], range(2), side="su")
    silent = ("su_letter_24", "su_accept_thant", "su_letter1", "su_letter2", "su_ships_halt")
    for h in at(choices, *silent, "su_fomin_feeler"):
        assert not h.backing(), h
        assert all(c.why for c in h.counsel if c.abstains), h


def screen(view: GameView) -> str:
    """The terminal's screen for ``view`` at 80 columns."""
    console = Console(width=80, record=True)
    console.print(render_view(view))
    return console.export_text()


def test_a_nuclear_rung_says_once_why_nobody_advises() -> None:
    """Without Arkhipov (seed 0) a torpedo is fired and the President must answer; no
    adviser's view on answering nuclear use is on record, and the screen says so once, on one
    line of 80 columns, instead of naming eight silent advisers."""
    game = Game.new("cuba-1962", "us", seed=0, interventions=["no-arkhipov"])
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    view = game.view()
    while not any(c.id == "us_hold_nuclear" for c in view.choices):
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
        view = game.view()
    assert {c.member for c in view.counsel} == DOVES | HAWKS
    assert all(c.abstains and c.why for c in view.counsel), view.counsel
    (silence,) = view.silent
    assert silence.everyone and silence.reason == view.counsel[0].why
    text = screen(view)
    assert text.count(NO_VIEW) == 1
    assert any(f"{NO_VIEW} — {silence.reason}" in line for line in text.splitlines())
    assert not any(c.name in text for c in view.counsel)


def test_each_silent_adviser_on_the_documented_path_has_a_reason() -> None:
    """On the documented US path every adviser with no view says why (on screen, after
    "No view — "), and those silent for one reason share one line."""
    for _, view, _ in historical_us_views():
        silent = [c for c in view.counsel if c.abstains]
        assert all(c.why for c in silent), (view.time, silent)
        assert len(view.silent) == len({c.why for c in silent}), view.time


def test_counsel_links_to_the_menu() -> None:
    """In a game, the new counsel points at the number of the choice it recommends."""
    linked: set[str] = set()
    for _, view, _ in historical_us_views():
        numbers = {c.id: c.number for c in view.choices}
        for advice in view.counsel:
            if not advice.abstains and advice.action != WAIT:
                assert advice.number == numbers[advice.action], advice
                linked.add(advice.action)
    assert {"us_letter_23", "us_un_photographs"} <= linked


class DecidesStrikeThenWaits:
    """Kennedy convenes the ExComm, decides on the air strike at its evening meeting of 16
    October and then waits, noting the counsel at each later decision."""

    name = "decides-strike-then-waits"

    def __init__(self, heard: list[Heard]) -> None:
        self.heard = heard

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        wanted = ("us_convene_excomm", "us_choose_airstrike")
        action = next(
            (a for a in wanted if a in legal.ids and observation.iso >= "1962-10-16T18"), WAIT
        )
        if action == WAIT and "us_convene_excomm" in legal.ids:
            action = "us_convene_excomm"
        self.heard.append(
            Heard(
                observation.iso,
                action,
                observation.counsel,
                frozenset(legal.ids),
                observation.values,
            )
        )
        return Choice(action)


def test_a_decided_strike_s_backers_counsel_launching_it() -> None:
    """After Kennedy decides on the strike, the next decision at which the ExComm sits has its
    section-C backers counselling the launch (it had no one before 22 October, and a President
    who waited reached 20 November unresolved)."""
    sc = load_scenario("cuba-1962")
    out: list[Heard] = []
    made = policy_set(sc).make()
    made["us"] = DecidesStrikeThenWaits(out)
    ReferenceEngine(sc).run(0, 0, made, {})
    decided = next(i for i, h in enumerate(out) if h.action == "us_choose_airstrike")
    after = next(h for h in out[decided + 1 :] if h.values["meeting"] != 0)
    assert "us_execute_chosen_strike" in after.legal
    assert after.backing("us_execute_chosen_strike") & HAWKS, (after.time, after.counsel)


def test_a_recommended_act_that_opens_with_a_name_keeps_its_capital() -> None:
    """The record's counsel line joins a member's name and the act's label: a label that
    opens with a name keeps it ("Andrei Gromyko recommends: Gromyko assures Kennedy"), one
    that opens with a verb reads inside the sentence ("recommends: choose the quarantine")."""
    sc = load_scenario("cuba-1962")
    policies = policy_set(sc)
    result = ReferenceEngine(sc).run(0, 0, policies.make(), dict(policies.specs))
    said = [e.text.split(" recommends: ", 1)[1] for e in result.events if e.kind == "counsel"]
    assert any(s.startswith("Gromyko assures Kennedy") for s in said)
    assert any(s.startswith("choose the quarantine") for s in said)
    assert not any(s.startswith(("gromyko", "Choose")) for s in said)
