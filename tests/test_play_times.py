"""No screen names a time the run contradicts: a meeting in person is heard in the hour it
happens, a sender is not told when its private letter arrives, and the debrief gives a
documented choice's hour only where the record has one (issue 17)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError
from brinkmanship.play.debrief import build_debrief, debrief_markdown
from brinkmanship.play.game import WAIT_FOR_NEWS, Game
from brinkmanship.play.terminal import render_debrief
from brinkmanship.play.view import DELIVERY, plain_time
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.loader import BUILTIN_PACKAGE, builtin_names, load_scenario
from brinkmanship.web.screen import outbox, short_time

GROMYKO = "su_gromyko_defensive"
"""Gromyko's call on Kennedy: cuba-1962's message by meeting in person."""


def test_a_meeting_in_person_arrives_in_the_hour_it_happens() -> None:
    """Kennedy hears Gromyko in the room: the statement arrives at the hour it is made, the
    screen's event says no other hour, and Kennedy sees the meeting (it is not hidden)."""
    game = Game.new("cuba-1962", "us", seed=0)
    while not any(x.id == GROMYKO for x in game.view().inbox):
        assert not game.finished, "Gromyko never called on Kennedy"
        game.choose(WAIT_FOR_NEWS)
    view = game.view()
    letter = next(x for x in view.inbox if x.id == GROMYKO)
    assert letter.arrived == letter.sent
    seen = [e for e in view.events if e.id == GROMYKO]
    assert {e.kind for e in seen} == {"message", DELIVERY}
    assert {e.time for e in seen} == {letter.sent}
    assert all("sent" not in e.text for e in seen)
    assert all(e.seen_by("su") for e in game.events if e.id == GROMYKO)


def _deliveries_seen_by_their_senders(name: str) -> list[str]:
    sc = load_scenario(name)
    specs = policy_set(sc, {}).specs
    out = []
    for run in range(3):
        result = ReferenceEngine(sc).run(0, run, policy_set(sc, specs).make(), dict(specs))
        for e in result.events:
            action = sc.actions.get(e.id)
            if e.kind != DELIVERY or action is None or action.message is None:
                continue
            channel = sc.channels[action.message.channel]
            in_person = channel.latency.kind == "fixed" and not channel.latency.seconds[0]
            heard = channel.public or in_person or action.message.to == action.actor
            if not heard and e.seen_by(action.actor):
                out.append(f"{name} run {run}, {e.time}: {e.text}")
    return out


def test_a_sender_is_not_told_when_its_private_letter_arrives() -> None:
    """A private letter's arrival is seen by its recipient, not by its sender (who learns
    of it only from what follows), in every built-in scenario."""
    told = [line for name in builtin_names() for line in _deliveries_seen_by_their_senders(name)]
    assert not told, told[:3]


def test_no_us_screen_shows_the_soviet_receipt_of_a_us_letter() -> None:
    """Kennedy sends Khrushchev the text of the address through Dobrynin; it arrives, yet no
    US screen says when, and the web outbox says it is not known to have arrived."""
    game = Game.new("cuba-1962", "us", seed=0)
    letter = "us_rusk_dobrynin"
    game.carry_out(["us_convene_excomm", WAIT_FOR_NEWS])
    while game.view().time < "1962-10-20T17:00":
        game.choose(WAIT_FOR_NEWS)
    game.carry_out(["us_choose_quarantine", WAIT_FOR_NEWS])
    while (due := game.request) is None or letter not in due.legal:
        assert not game.finished
        game.choose(WAIT_FOR_NEWS)
    game.choose(letter)
    while not any(e.id == letter and e.kind == DELIVERY for e in game.events):
        assert not game.finished
        game.choose(WAIT_FOR_NEWS)
    game.choose(WAIT_FOR_NEWS)
    view = game.view()
    assert not [e.text for e in view.events if e.id == letter and e.kind == DELIVERY]
    sent = [x for x in outbox(game.scenario, game.record, view.events) if x.label]
    assert sent and all(x.arrived == "" for x in sent)


def test_the_debrief_gives_no_hour_where_the_record_has_none() -> None:
    """The proclamation of 23 October has a date and no hour on record: the table of
    documented choices shows the date alone (Markdown, terminal, web), and no hours apart."""
    debrief = build_debrief(Game.new("cuba-1962", "us", seed=0))
    row = next(c for c in debrief.comparison if c.action == "us_proclaim_quarantine")
    assert row.history_time == "1962-10-23"
    assert "| Sign the quarantine proclamation | Tue 23 Oct |" in debrief_markdown(debrief)
    console = Console(width=200, record=True)
    console.print(render_debrief(debrief))
    line = next(x for x in console.export_text().splitlines() if "quarantine proclamation" in x)
    assert "Tue 23 Oct" in line and "Tue 23 Oct," not in line
    assert short_time(row.history_time) == "23 Oct"
    assert plain_time("1962-10-23T10:00-04:00") == "Tue 23 Oct, 10 a.m."


@pytest.mark.parametrize("seats", [[], ["cuba"]])
def test_orders_given_in_the_evening_wait_for_the_morning(seats: list[str]) -> None:
    """Ordered together at 8 p.m., the note to Dobrynin is handed over at once, but the
    televised address waits for the President's next decision in the day (7 a.m. to 10 p.m.,
    the scenario's working hours): never between midnight and 6 a.m. The same with a second
    human seat (a class), where a seat's orders are queued."""
    game = Game.new("cuba-1962", "us", seats=seats, seed=0)
    game.carry_out(["us_convene_excomm", WAIT_FOR_NEWS], seat="us")
    while game.view("us").time < "1962-10-18T14:00":
        game.choose(WAIT_FOR_NEWS, seat="us")
    game.choose("us_choose_quarantine", seat="us")
    while not game.view("us").time.startswith("1962-10-18T20:00"):
        assert game.view("us").time < "1962-10-18T20:00"
        game.choose(WAIT_FOR_NEWS, seat="us")
    game.carry_out(["us_rusk_dobrynin", "us_address", WAIT_FOR_NEWS], seat="us")
    ticks = {m.action: m.tick for m in game.record.moves}
    assert game.scenario.time_of(ticks["us_rusk_dobrynin"]).hour == 20
    assert 7 <= game.scenario.time_of(ticks["us_address"]).hour < 22


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"nobody": [7, 22]}, "unknown actor 'nobody'"),
        ({"west": [22, 7]}, "0 <= from < to <= 24, not [22, 7]"),
    ],
)
def test_bad_working_hours_are_refused_in_one_line(
    tmp_path: Path, hours: dict[str, list[int]], message: str
) -> None:
    data = yaml.safe_load(resources.files(BUILTIN_PACKAGE).joinpath("standoff.yaml").read_text())
    data.setdefault("presentation", {})["working_hours"] = hours
    path = tmp_path / "standoff.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(BrinkError, match=re.escape(message)):
        load_scenario(str(path))
