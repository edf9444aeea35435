"""Decision-makers on cuba-1962: the behaviour Allison's models and the doctrines must show."""

from __future__ import annotations

from collections import Counter

import pytest

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.testing import assert_engines_agree

NUCLEAR = {"tactical_nuclear_use", "general_nuclear_war"}


def runs(sc: CompiledScenario, n: int, **policies: str) -> list[RunResult]:
    engine = ReferenceEngine(sc)
    chosen = policy_set(sc, policies)
    return [engine.run(0, i, chosen.make()) for i in range(n)]


def decision_on_the_options(sc: CompiledScenario, result: RunResult, day: str) -> str:
    """The US choice among the options, asserted to fall on ``day`` (YYYY-MM-DD)."""
    choice = next(c for c in result.choices if c.actor == "us" and c.action.startswith("us_choose"))
    assert sc.iso(choice.tick).startswith(day), sc.iso(choice.tick)
    return choice.action


def decision_of_20_october(sc: CompiledScenario, result: RunResult) -> str:
    return decision_on_the_options(sc, result, "1962-10-20")


def test_political_excomm_chooses_the_quarantine_in_most_runs() -> None:
    sc = load_scenario("cuba-1962")
    choices = Counter(decision_of_20_october(sc, r) for r in runs(sc, 100, us="political"))
    # the choice is taken at the NSC of 20 October, without Acheson (F10): about 0.9
    assert choices["us_choose_quarantine"] >= 80, choices


def test_political_excomm_with_stronger_hawks_chooses_the_air_strike() -> None:
    sc = load_scenario("cuba-1962", params={"hawk_influence": 2.0})
    choices = Counter(decision_of_20_october(sc, r) for r in runs(sc, 100, us="political"))
    # Acheson is absent from the NSC of 20 October (F10): about 0.7 of runs, not all
    assert choices["us_choose_airstrike"] >= 60, choices


def test_political_excomm_argues_before_the_nsc_and_decides_there() -> None:
    """The options' action channel is the NSC of 20 October: on 16-19 October the members
    argue the options (McNamara and Taylor on the evening of 16 October, Acheson among them
    on 17 October, F9, F10) but Model III takes no choice there, even where the hawks carry
    the room (hawk_influence 3: the 17 October plurality is the air strike in nearly every
    run); it waits, saying who argued."""
    sc = load_scenario("cuba-1962", params={"hawk_influence": 3.0})
    acheson = 0
    for result in runs(sc, 20, us="political"):
        decision_of_20_october(sc, result)
        argued = {
            sc.iso(c.tick)[:10]: c.why
            for c in result.choices
            if c.actor == "us" and "action channel" in c.why
        }
        assert set(argued) == {"1962-10-16", "1962-10-17", "1962-10-18"}, argued
        assert argued["1962-10-16"].startswith("Robert McNamara, Maxwell Taylor argue"), argued
        acheson += "Dean Acheson" in argued["1962-10-17"]
    assert acheson >= 12, acheson  # he presses with probability p_adviser_firm, 0.85


def test_political_excomm_carries_its_choice_through_and_ends_the_crisis() -> None:
    """The members present at the 22-23 October meetings press the steps of the chosen
    course; where nobody presses (outside meetings, or with no view) the ExComm takes its
    standard course (the historical policy): after the quarantine it addresses the nation
    and proclaims it, after the air strike it carries it out; no run is left unresolved,
    most settle."""
    sc = load_scenario("cuba-1962")
    results = runs(sc, 60, us="political")
    for result in results:
        us = {c.action: c.why for c in result.choices if c.actor == "us"}
        if decision_of_20_october(sc, result) == "us_choose_quarantine":
            carried_out = ["us_address", "us_proclaim_quarantine"]
        else:
            carried_out = ["us_execute_chosen_strike"]
        for action in carried_out:
            assert us[action].startswith(("carried by", "no member presses for anything")), us
    outcomes = Counter(r.outcome.cls for r in results)
    assert outcomes["unresolved"] == 0, outcomes
    assert outcomes["settlement"] >= 30, outcomes


def test_rational_that_values_removing_the_missiles_escalates_more() -> None:
    sc = load_scenario("cuba-1962")
    goal = "10 if withdrawal_agreed or us_attacked else 0"

    def escalation(spec: str) -> list[int]:
        result = runs(sc, 1, us=spec)[0]
        return [
            sc.actions[c.action].escalation
            for c in result.choices
            if c.actor == "us" and c.action != "wait"
        ]

    default = escalation("rational:horizon=48,samples=2")
    driven = escalation(f"rational:horizon=48,samples=2,goal={goal}")
    assert max(driven, default=0) > max(default, default=0)
    assert sum(driven) > sum(default)


def test_hawk_and_dove_give_different_outcomes_on_paired_runs() -> None:
    sc = load_scenario("cuba-1962")
    hawks = [r.outcome.cls for r in runs(sc, 60, us="hawk", su="hawk")]
    doves = [r.outcome.cls for r in runs(sc, 60, us="dove", su="dove")]
    hawk_nuclear = sum(h in NUCLEAR for h in hawks)
    dove_nuclear = sum(d in NUCLEAR for d in doves)
    # paired on the same seed and run indices: runs where only the hawks go nuclear
    only_hawks = sum(h in NUCLEAR and d not in NUCLEAR for h, d in zip(hawks, doves, strict=True))
    assert hawk_nuclear > dove_nuclear
    assert only_hawks >= 20, (Counter(hawks), Counter(doves))


def test_organizational_navy_runs_the_quarantine_by_routine_with_slippage() -> None:
    sc = load_scenario("cuba-1962")
    results = runs(sc, 30, navy="organizational")
    navy = [c for r in results for c in r.choices if c.actor == "navy" and c.action != "wait"]
    for result in results:
        moves = [c.action for c in result.choices if c.actor == "navy" and c.action != "wait"]
        assert moves and moves[0] == "navy_quarantine_line"
    assert any("late" in c.why or "differently" in c.why for c in navy)
    assert {"navy_let_through", "navy_board"} <= {c.action for c in navy}


def test_organizational_us_runs_the_plans_on_their_timetable() -> None:
    """Model II for the US government: the NSC takes one of the two plans on the shelf, and
    the quarantine plan's address and proclamation keep their timetable; every run ends."""
    sc = load_scenario("cuba-1962")
    results = runs(sc, 40, us="organizational")
    chosen = Counter(decision_of_20_october(sc, r) for r in results)
    assert set(chosen) == {"us_choose_quarantine", "us_choose_airstrike"}, chosen
    for result in results:
        for c in result.choices:
            if c.actor == "us" and c.action in ("us_address", "us_proclaim_quarantine"):
                assert sc.iso(c.tick) >= "1962-10-22T19:00", (c.action, sc.iso(c.tick))
    classes = Counter(r.outcome.cls for r in results)
    assert classes["settlement"] >= 5 and classes["unresolved"] == 0, classes
    assert_engines_agree(sc, {"us": "organizational", "su": "organizational"}, seed=3, runs=8)


def test_organizational_su_writes_no_letters_and_the_crisis_ends_in_war() -> None:
    """Model II for the Soviet government: routines halt the ships and raise readiness, but
    the letters that settled the crisis were the Presidium's decisions, so no deal comes and
    the US strikes once the Joint Chiefs' deadline passes."""
    sc = load_scenario("cuba-1962")
    results = runs(sc, 20, su="organizational")
    su = {c.action for r in results for c in r.choices if c.actor == "su"}
    assert {"su_ships_halt", "su_raise_readiness"} <= su and "su_letter1" not in su, su
    classes = Counter(r.outcome.cls for r in results)
    assert classes["settlement"] == 0 and classes["unresolved"] == 0, classes


LADDER = {"us_theatre_nuclear", "us_hold_nuclear", "us_full_retaliation", "us_withhold_retaliation"}
"""The President's answers to the rungs of the nuclear ladder."""


@pytest.mark.parametrize("policy", ["hawk", "organizational"])
def test_the_president_answers_the_nuclear_ladder_under_hawk_and_model_ii(policy: str) -> None:
    """After the air strike, every run with nuclear use has the President answer it within
    the ladder's window (the hawk by climbing, Model II by its war plans), as the historical
    policy does; the window, which stands for a leader who never answers, does not end it."""
    sc = load_scenario("cuba-1962", ["airstrike"])
    window = sc.parameters["ladder_window_h"].value / sc.tick_hours
    nuclear = 0
    for result in runs(sc, 40, us=policy):
        reported = next((e.tick for e in result.events if e.id == "nuclear_reported"), None)
        if reported is None:
            continue
        nuclear += 1
        answers = [c.tick for c in result.choices if c.actor == "us" and c.action in LADDER]
        assert answers and answers[0] < reported + window, (result.run, answers, reported)
    assert nuclear >= 3


MOSCOW_LADDER = {"su_strategic_strike", "su_hold_strategic"}
"""Moscow's answers to US nuclear strikes on its forces in Cuba."""


def test_moscow_answers_us_nuclear_strikes_under_model_ii() -> None:
    """Under Model II for the Soviet government, after the air strike with local authority
    over the tactical weapons (so that nuclear use is common), every run where US
    nuclear weapons strike the forces in Cuba has Moscow's own answer within the ladder's
    window (the strategic forces' plan released, or held by the standing rule), as the
    historical policy has; the window, which stands for a leader who never answers, does
    not end it. Both answers occur."""
    params = {"p_tactical_local": 0.9, "p_us_theatre_reply": 0.9}
    sc = load_scenario("cuba-1962", ["airstrike", "local-authority"], params=params)
    window = sc.parameters["ladder_window_h"].value / sc.tick_hours
    answered: Counter[str] = Counter()
    for result in runs(sc, 30, su="organizational"):
        struck = next((c.tick for c in result.choices if c.action == "us_theatre_nuclear"), None)
        if struck is None:
            continue
        answers = [c for c in result.choices if c.actor == "su" and c.action in MOSCOW_LADDER]
        assert answers and answers[0].tick < struck + window, (result.run, struck, answers)
        answered[answers[0].action] += 1
    assert set(answered) == MOSCOW_LADDER and sum(answered.values()) >= 5, answered
    assert_engines_agree(sc, {"su": "organizational"}, seed=0, runs=6)
