"""What a newcomer met playing each side at the terminal: screens that name new choices by
number, letters named as their recipient knows them, a wait that does not stop on an
alert level, endings that name only the rule that decided them, and a paged debrief
without colour codes."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import ClassVar

import pytest
from rich.console import Console
from rich.pager import Pager

from brinkmanship.play import terminal
from brinkmanship.play.debrief import build_debrief, debrief_markdown, ended
from brinkmanship.play.game import WAIT_FOR_NEWS, Game
from brinkmanship.play.menus import build_menu
from brinkmanship.play.view import (
    LETTER_PLACE,
    EventView,
    GameView,
    StateItem,
    new_letters,
    plain_time,
    quantity_text,
)
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario import compiled as c
from brinkmanship.web.screen import game_screen


def test_new_choices_are_named_once_with_their_numbers_and_place() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    game.carry_out(["us_convene_excomm"])
    game.carry_out(["us_choose_quarantine", WAIT_FOR_NEWS])
    view = game.view()
    opened = [n for n in view.news if n.startswith("new choices: ")]
    assert len(opened) == 1, view.news
    for choice in view.choices:
        if choice.id == "us_rusk_dobrynin":  # a letter only: it sits under the letters
            assert f"[{choice.number}] {choice.label} ({LETTER_PLACE})" in opened[0]
        elif choice.id == "us_address":
            assert f"[{choice.number}] {choice.label}" in opened[0]
            assert f"{choice.label} ({LETTER_PLACE})" not in opened[0]


def test_a_wait_does_not_stop_on_the_alert_the_side_itself_raised() -> None:
    game = Game.new("cuba-1962", "su", seed=0)
    game.choose(WAIT_FOR_NEWS)
    # readiness is raised in answer to the US alert, so it waits for the address
    while not {"su_raise_readiness", "su_r14_home"} <= {c.id for c in game.view().choices}:
        game.choose(WAIT_FOR_NEWS)
    game.carry_out(["su_raise_readiness", "su_r14_home", WAIT_FOR_NEWS])
    view = game.view()
    assert view.plan is not None and not view.plan.stopped, view.plan
    assert all(o.time is not None for o in view.plan.orders)
    assert "su_r14_home" in {m.action for m in game.record.moves}


def test_letters_are_named_as_their_recipient_knows_them() -> None:
    game = Game.new("cuba-1962", "su", seed=0)
    while "su_letter_23" not in {c.id for c in game.view().choices}:
        game.choose(WAIT_FOR_NEWS)
    answer = next(c for c in game.view().choices if c.id == "su_letter_23")
    assert answer.letter is not None
    # not the sender's name for its own action ("Give Dobrynin the text of the address")
    assert answer.letter.reply_to_title == "President Kennedy's demand"
    us = Game.new("cuba-1962", "us", seed=0)
    policy = data_policy(us.scenario.actors["us"].policies["historical"])
    while not any(x.kind == "reject" for x in us.view().inbox):
        assert us.request is not None
        us.choose(policy.decide(us.request.observation, us.request.legal).action)
    refusal = next(x for x in us.view().inbox if x.kind == "reject")
    assert refusal.kind_name == "refusal"
    out = io.StringIO()
    Console(file=out, width=80).print(terminal.render_view(us.view()))
    assert "REFUSAL from Khrushchev" in out.getvalue() and "REJECT" not in out.getvalue()


def test_an_ending_names_a_parameter_only_where_it_decided_the_ending() -> None:
    """A deal after the air strike ends the war at once: the war's time window, also in
    the outcome's rule, did not decide it and is not named."""
    game = Game.new("cuba-1962", "us", seed=0)
    while not game.finished:
        legal = {c.id for c in game.view().choices}
        pick = next(
            (
                a
                for a in ("us_choose_airstrike", "us_execute_chosen_strike", "us_accept_under_fire")
                if a in legal
            ),
            WAIT_FOR_NEWS,
        )
        game.choose(pick)
    outcome = game.view().outcome
    assert outcome is not None and outcome.id == "air_strike_war"
    assert outcome.cause and outcome.rule == []
    assert "us_accept_under_fire" in {m.action for m in game.record.moves}
    assert outcome.decided is not None and "to see that it held" in ended(outcome)
    debrief = build_debrief(game)
    assert debrief.outcome is not None and debrief.outcome.rule == []
    replay = debrief_markdown(debrief).split("## The historical replay")[1].split("\n## ")[0]
    assert "to see that it held" in replay and "))" not in replay, replay


def test_one_of_a_unit_is_written_in_the_singular() -> None:
    def item(value: int, unit: str) -> StateItem:
        return StateItem(name="x", label="x", value=value, description="", unit=unit)

    assert quantity_text(item(1, "submarines")) == "1 submarine"
    assert quantity_text(item(2, "submarines")) == "2 submarines"
    assert quantity_text(item(1, "aircraft")) == "1 aircraft"


class Captured(Pager):
    shown: ClassVar[list[str]] = []

    def show(self, content: str) -> None:
        Captured.shown.append(content)


def test_the_paged_debrief_carries_no_colour_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    while not game.finished:
        game.choose(WAIT_FOR_NEWS)
    console = Console(file=io.StringIO(), width=80, force_terminal=True)
    monkeypatch.setattr("rich.console.SystemPager", Captured)
    terminal.TerminalGame(console, lambda: "", None).show_debrief(build_debrief(game))
    assert Captured.shown, "a long debrief goes through the pager on a terminal"
    assert "Debrief" in Captured.shown[-1] and "\x1b[" not in Captured.shown[-1]


def test_a_private_letter_is_seen_by_others_only_as_it_arrives() -> None:
    """The US never saw Castro's cable to Khrushchev, nor Khrushchev's first letter before
    its sections arrived (nor does Castro read the two leaders' letters)."""
    game = Game.new("cuba-1962", "us", seed=0)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    while not game.finished:
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
    seen = [(e.kind, e.id) for e in game.view().events]
    assert ("message", "cuba_letter") not in seen and ("delivery", "cuba_letter") not in seen
    assert ("message", "su_letter1") not in seen and ("delivery", "su_letter1") in seen
    sc = game.scenario
    for action in sc.actions.values():
        if action.message is not None and not sc.channels[action.message.channel].public:
            assert action.visible_to != c.ALL and "*" not in action.visible_to, action.id


def test_a_first_screen_does_not_speak_of_a_last_decision() -> None:
    """Castro's first decision comes ten days in: what happened until then is not 'since
    your last decision'."""
    game = Game.new("cuba-1962", "cuba", seed=0)
    out = io.StringIO()
    Console(file=out, width=80).print(terminal.render_view(game.view()))
    assert "What has happened" in out.getvalue()
    assert "Since your last decision" not in out.getvalue()


def test_the_excomm_meets_only_once_the_president_convenes_it() -> None:
    """The first screen comes before the player's choice: no text there says the ExComm
    has met, and a President who never convenes it never sees it meet."""
    game = Game.new("cuba-1962", "us", seed=0)
    first = [e.text for e in game.view().events]
    assert not any("ExComm" in text for text in first), first
    while not game.finished and game.view().time < "1962-10-25":
        game.choose(WAIT_FOR_NEWS)
    assert "us_convene_excomm" not in {m.action for m in game.record.moves}
    met = [e.text for e in game.view().events if e.kind == "event" and "ExComm" in e.text]
    assert not met, met


def test_gromyko_does_not_call_the_weapons_defensive_after_a_deal() -> None:
    sc = Game.new("cuba-1962", "su", seed=0).scenario
    premise = sc.actions["su_gromyko_defensive"].when
    values = {**{name: v.initial for name, v in sc.variables.items()}, "hours": 57.0}
    assert premise(values)
    assert not premise({**values, "withdrawal_agreed": 1.0})
    assert not premise({**values, "hours": 56.0}), "not before his call on the President"


def test_choosing_a_strike_and_launching_one_are_told_apart() -> None:
    sc = Game.new("cuba-1962", "us", seed=0).scenario
    chosen = [sc.actions[a].label for a in ("us_choose_airstrike", "us_choose_invasion")]
    launched = [sc.actions[a].label for a in ("us_order_airstrike", "us_execute_chosen_strike")]
    assert all(label.startswith("Decide on") and "later" in label for label in chosen), chosen
    assert all(label.startswith("Launch") for label in launched), launched


def depth(text: str) -> int:
    """How deep round brackets nest in a text."""
    level = deepest = 0
    for char in text:
        level += (char == "(") - (char == ")")
        deepest = max(deepest, level)
    return deepest


def test_a_documented_time_is_a_sentence_after_the_text_not_brackets_in_brackets() -> None:
    sc = Game.new("cuba-1962", "us", seed=0).scenario
    entry = next(e for e in sc.timeline if "(" in e.clock)
    note = sc.historically(entry.expect or "", entry.tick + 48)
    assert note is not None and "(" in note
    event = EventView(
        tick=0,
        time="",
        kind="action",
        actor="su",
        id="x",
        text="A reply (cabled).",
        sources=[],
        new=True,
        historically=note,
    )
    assert event.line() == f"A reply (cabled). H{note[1:]}."
    assert depth(event.line()) == 1
    assert "⚠" not in " ".join(e.clock for e in sc.timeline)


def test_reasons_and_public_deliveries_read_as_plain_sentences() -> None:
    """A policy's reason is a sentence of its own, not a bracket after the full stop; a
    public message reaches every side, and its delivery line says so."""
    game = Game.new("cuba-1962", "su", seed=0)
    policy = data_policy(game.scenario.actors["su"].policies["historical"])
    while not game.finished:
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
    texts = [e.text for e in game.events]
    assert not [t for t in texts if re.search(r"[.!?]\)?\s*\([a-z]|[.!?]\)\.", t)], texts
    assert any("Reason: " in t for t in texts)
    sc = game.scenario
    public = [
        e
        for e in game.view().events
        if e.kind == "delivery"
        and (m := sc.actions[e.id].message) is not None
        and sc.channels[m.channel].public
    ]
    assert public and all("reaches every side" in e.text for e in public), public[:2]
    assert not any(" receives " in e.text for e in public)


def test_the_inbox_shows_new_letters_with_old_ones_one_key_away() -> None:
    game = Game.new("cuba-1962", "su", seed=0)
    policy = data_policy(game.scenario.actors["su"].policies["historical"])
    view = game.view()
    while not (len(view.inbox) >= 2 and new_letters(view)[1]):
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
        view = game.view()
    fresh, earlier = new_letters(view)
    out = io.StringIO()
    Console(file=out, width=200).print(terminal.render_view(view))
    screen = out.getvalue()
    count = len(earlier)
    assert f"{count} earlier letter{'' if count == 1 else 's'}: i = all letters" in screen
    assert all(x.text[:40] not in screen for x in earlier), "an old letter is not repeated"
    assert all(f"from {x.sender_name}" in screen for x in fresh)
    out = io.StringIO()
    Console(file=out, width=200).print(terminal.render_inbox(view))
    assert all(f"from {x.sender_name}" in out.getvalue() for x in view.inbox)
    page = game_screen(game.scenario, view, game.record)
    assert page.earlier_letters and len(page.inbox) + len(page.earlier_letters) == len(
        [x for x in view.inbox if x.sender != view.side]
    )


def test_orders_do_not_stop_for_counsel_to_do_what_was_ordered() -> None:
    """Ordering the reconnaissance and then the proclamation: once the first is done the
    advisers recommend the second, which the player has already ordered; that is no news
    and the orders carry on (they used to stop there, costing a screen)."""
    game = Game.new("cuba-1962", "us", seed=0)
    game.carry_out(["us_convene_excomm", WAIT_FOR_NEWS])
    while game.view().time < "1962-10-20T17:00":
        game.choose(WAIT_FOR_NEWS)
    game.carry_out(["us_choose_quarantine", WAIT_FOR_NEWS])
    while "us_rusk_dobrynin" not in {x.action for x in game.view().counsel}:
        game.choose(WAIT_FOR_NEWS)
    game.carry_out(["us_rusk_dobrynin", "us_address", WAIT_FOR_NEWS])
    orders = ["us_low_level_recon", "us_proclaim_quarantine", WAIT_FOR_NEWS]
    assert set(orders[:2]) <= {x.id for x in game.view().choices}
    game.carry_out(orders)
    plan = game.view().plan
    assert plan is not None and not plan.stopped, plan
    assert {"us_low_level_recon", "us_proclaim_quarantine"} <= {m.action for m in game.record.moves}


@pytest.mark.parametrize("side", ["us", "su"])
def test_the_documented_choices_are_compared_in_time_order(side: str) -> None:
    """The table of the side's documented choices follows history's clock, whatever the
    order of the scenario's timeline (the proclamation of 23 October came after the
    answers of 25 October; a choice documented by its date alone is ordered by its date)."""
    comparison = build_debrief(Game.new("cuba-1962", side, seed=0)).comparison
    days = [datetime.fromisoformat(c.history_time).date() for c in comparison if c.history_time]
    timed = [datetime.fromisoformat(c.history_time) for c in comparison if c.history_time]
    timed = [t for t in timed if t.tzinfo is not None]
    assert len(days) > 5 and timed == sorted(timed) and days == sorted(days)


def test_a_letter_received_is_dated_against_its_sending() -> None:
    """Khrushchev receives Kennedy's letter of 22 October at 8 p.m., sent at 6 p.m. as in
    history: the record dates the sending, so no "historically 6 p.m." contradicts the
    arrival (it used to be set beside the arrival)."""
    game = Game.new("cuba-1962", "su", seed=0)
    letter = "us_rusk_dobrynin"
    while not any(e.id == letter for e in game.view().events):
        game.choose(WAIT_FOR_NEWS)
    arrival = next(e for e in game.view().events if e.id == letter)
    sent = next(e for e in game.events if e.id == letter and e.kind != "delivery")
    assert arrival.kind == "delivery" and arrival.tick > sent.tick
    assert game.scenario.historically(letter, sent.tick) is None
    assert arrival.historically is None, arrival.historically


def test_a_refusal_of_a_demand_is_not_offered_as_the_refusal_of_an_offer() -> None:
    """Khrushchev's answer to Kennedy's demand of 22 October sits under a kind of letter
    that names demands (it used to read "Refuse an offer")."""
    game = Game.new("cuba-1962", "su", seed=0)
    while "su_letter_23" not in {c.id for c in game.view().choices}:
        game.choose(WAIT_FOR_NEWS)
    menu = build_menu(game.view().choices)
    group = next(
        k for k in menu.letters for ch in k.channels for x in ch.letters if x.id == "su_letter_23"
    )
    assert "demand" in group.title.lower(), group.title


def test_another_sides_act_is_shown_without_its_policys_reason() -> None:
    """Castro sees Kennedy answer the first letter, not the rule that chose it ("Reason:
    the answer is ready"); the full record, and so the debrief, keeps the reasons."""
    game = Game.new("cuba-1962", "cuba", seed=0)
    while not game.finished:
        game.choose(WAIT_FOR_NEWS)
    others = [
        e for e in game.view().events if e.actor != "cuba" and e.kind in ("action", "message")
    ]
    assert others and not [e.text for e in others if " Reason: " in e.text]
    assert any(" Reason: " in e.text and e.seen_by("cuba") for e in game.events)


def test_a_long_side_name_is_shown_whole_at_80_columns() -> None:
    """Playing the British in Able Archer at 80 columns, the screen's title cut the side's
    name off ("… (Thatcher,─╮"): a name the title cannot hold whole opens the panel."""
    game = Game.new("able-archer-1983", "uk", seed=0)
    view = game.view()
    title = f"{plain_time(view.time, year=True)} — {view.side_name}"
    assert len(title) + 6 > 80, "a name too long for the title at 80 (corners, rules, spaces)"
    out = io.StringIO()
    Console(file=out, width=80).print(terminal.render_view(view))
    top = " ".join(out.getvalue().splitlines()[:2])
    assert view.side_name in top, top
    assert all(len(line) <= 80 for line in out.getvalue().splitlines())
    wide = io.StringIO()
    Console(file=wide, width=200).print(terminal.render_view(view))
    assert f"— {view.side_name} ─" in wide.getvalue().splitlines()[0], "in the title where it fits"


def test_the_keys_under_the_choices_are_never_cut_inside_one() -> None:
    """At 80 columns with letters in the inbox the keys ran to a second line as "… q =" /
    "quit (not saved)"."""
    game = Game.new("cuba-1962", "us", seed=0)
    while not game.view().inbox:
        game.choose(WAIT_FOR_NEWS)
    out = io.StringIO()
    console = Console(file=out, width=80, highlight=False)
    terminal.TerminalGame(console, lambda: "", None).run(game)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Enter waits"))
    keys = lines[start : start + 2]
    assert keys[1].startswith("q = quit"), keys
    assert not [line for line in lines if line.endswith(" =") or line.endswith("·")], keys
    assert terminal.key_lines(["a = one", "b = two"], 80) == "a = one · b = two"


def test_the_debrief_never_ends_a_sentence_twice() -> None:
    """Able Archer's replay ends at 11 p.m.: "… Wed 30 Nov 1983, 11 p.m.." was printed."""
    game = Game.new("able-archer-1983", "moscow", seed=0)
    while not game.finished:
        game.choose(WAIT_FOR_NEWS)
    debrief = build_debrief(game)
    assert "11 p.m." in debrief_markdown(debrief)
    out = io.StringIO()
    Console(file=out, width=80).print(terminal.render_debrief(debrief))
    for text in (debrief_markdown(debrief), out.getvalue()):
        assert not re.search(r"[ap]\.m\.\.", text), re.search(r".{40}[ap]\.m\.\.", text)


def one_mind(view: GameView) -> bool:
    """Whether two advisers or more recommend the same choice for the same reason."""
    speaking = [(c.action, c.why) for c in view.counsel if not c.abstains]
    return len(set(speaking)) < len(speaking)


def test_advisers_of_one_mind_share_one_line() -> None:
    """On 22 October at 7 a.m. eight rows gave '[10] Give Dobrynin the text of the address
    (under Write a letter…)' with three reasons in all (40 lines at 80 columns): advisers
    with the same choice and reason are one line, a lone adviser keeps his role."""
    game = Game.new("cuba-1962", "us", seed=0)
    game.choose("us_convene_excomm")
    game.carry_out(["us_choose_quarantine", WAIT_FOR_NEWS])
    while not one_mind(game.view()):
        game.choose(WAIT_FOR_NEWS)
    view = game.view()
    speaking = [c for c in view.counsel if not c.abstains]
    out = io.StringIO()
    Console(file=out, width=300).print(terminal.render_view(view))
    screen = out.getvalue()
    for member in speaking:
        assert screen.count(f"— {member.why} ") == 1, member.why
        assert screen.count(member.name) == 1, member.name
    assert len(view.advised) == len({(c.action, c.why) for c in speaking}) < len(speaking)
    assert sorted(n for a in view.advised for n in a.names) == sorted(c.name for c in speaking)
    assert all(bool(a.role) == (len(a.names) == 1) for a in view.advised)


def test_a_side_with_nothing_to_decide_is_told_so() -> None:
    """Playing Washington in Able Archer (seed 0) printed the outcome first, with no
    screen before it and no word why. Washington now decides; the Soviet leadership in
    petrov-1983 (not offered, but playable with --as) still decides only where an attack
    warning reaches it, which on seed 0 it does not."""
    game = Game.new("petrov-1983", "su", seed=0)
    assert game.finished and not game.record.moves, "every hour offered only waiting"
    out = io.StringIO()
    terminal.TerminalGame(Console(file=out, width=80), lambda: "", None).run(game)
    text = " ".join(out.getvalue().split())
    said = f"{game.view().side_name} had nothing to decide in this game"
    assert said in text and text.index(said) < text.index("The outcome"), text[:300]
