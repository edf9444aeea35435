"""Each side's screens show only what that side could know: games played by policies for
every seat of the built-in crises, under several seeds and opponents, and every in-game
screen (the view, the terminal's text, the web API and the web page) searched for what
the scenario keeps from that seat. The debrief after the game may show everything (it is
history), and one test checks that it does.

What a seat must never see is derived from the scenario: the texts of events, actions
and state variables it cannot see, and the record's text of an entry it is ``told``
otherwise. A short hand table adds the words that mark another side's secrets, so a
secret written into a text the seat does see is caught too."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html import unescape

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from brinkmanship.engine.observation import WAIT
from brinkmanship.engine.policy import as_choice
from brinkmanship.play.debrief import build_debrief
from brinkmanship.play.game import Game
from brinkmanship.play.terminal import render_briefing, render_inbox, render_outcome, render_view
from brinkmanship.play.view import GameView
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.web import create_app
from brinkmanship.web.screen import playable_sides
from brinkmanship.wording import EPILOGUE

CRISES = ("cuba-1962", "petrov-1983", "able-archer-1983")

SOVIET_SECRETS = (
    *("Grechko", "Garbuz", "local order"),  # who ordered Anderson's U-2 shot down
    *("Arkhipov", "Maslennikov", "Savitsky"),  # the vote aboard B-59
    "KGB files",  # what came out later of Fomin's feeler
    "Khrushchev's first letter sent",  # before it arrives
)
MARKERS: dict[str, dict[str, tuple[str, ...]]] = {
    "cuba-1962": {
        "us": (*SOVIET_SECRETS, "41,900"),
        "cuba": (*SOVIET_SECRETS, "Joint Chiefs recommend"),
        "un": (*SOVIET_SECRETS, "Joint Chiefs recommend"),
        "su": (
            *("Arkhipov", "Maslennikov", "KGB files"),
            *("Joint Chiefs recommend", "casualties are estimated"),
            "takes it as a Soviet feeler",
        ),
    },
    "petrov-1983": {"su": ("Petrov said later", "Petrov later said")},
    "able-archer-1983": {
        "moscow": ("diary", "Perroots", "less nuclear play", "Nothing moves"),
        "uk": ("diary",),
    },
}
"""Per crisis and seat, words that mark what only another side knew."""

ANNOUNCED = re.compile(r"hidden from", re.IGNORECASE)
"""A secret does not announce itself to the side that holds it."""

SEEDS = (0, 1)
OPPONENTS = (None, "random")


@dataclass
class Seen:
    """Everything one seat's in-game screens showed, over several games."""

    entries: set[str] = field(default_factory=set)
    """Texts shown as one item: an event, a letter, a state label."""
    screens: list[str] = field(default_factory=list)
    """Whole screens, as text."""

    def add(self, view: GameView) -> None:
        self.entries.update(e.text for e in view.events)
        self.entries.update(x.text for x in view.inbox)
        self.entries.update(s.label for s in view.state)
        # the outcome of a finished game is its epilogue, told whole like the debrief
        self.screens.append(view.model_dump_json(exclude={"outcome"}))
        self.screens.append(terminal_text(view))


def seats(sc: c.CompiledScenario) -> list[str]:
    return [o.value for o in playable_sides(sc)]


def cases() -> Iterator[tuple[str, str]]:
    for name in CRISES:
        for seat in seats(load_scenario(name)):
            yield name, seat


def play(
    name: str, seat: str, policy: str, seed: int, opponent: str | None, seen: Seen | None = None
) -> Game:
    """A game with ``seat`` played by ``policy`` (a policy spec, or ``wait`` to wait
    always); each screen it showed (every decision's and the end screen) goes into ``seen``."""
    game = Game.new(name, seat, seed=seed, opponent=opponent)
    brain = policy_set(game.scenario, {seat: policy}).make()[seat] if policy != WAIT else None
    for _ in range(5000):
        if seen is not None:
            seen.add(game.view())
        if game.finished:
            return game
        request = game.request
        assert request is not None
        choice = brain.decide(request.observation, request.legal) if brain is not None else WAIT
        game.choose(as_choice(choice).action, at_tick=game.tick)
    raise AssertionError("the game did not end")


@cache
def seen_in_game(name: str, seat: str) -> Seen:
    """Every screen of ``seat``'s games: its data policies, a hawk and one that always
    waits, under several seeds, against the scenario's opponents and random ones."""
    seen = Seen()
    for policy in (*load_scenario(name).actors[seat].policies, "hawk", WAIT):
        for seed in SEEDS:
            for opponent in OPPONENTS:
                play(name, seat, policy, seed, opponent, seen)
    return seen


def terminal_text(view: GameView) -> str:
    console = Console(record=True, width=100, color_system=None)
    with console.capture():
        console.print(render_briefing(view))
        console.print(render_view(view, full_state=True))
        console.print(render_inbox(view))
    return console.export_text()


def must_not_see(sc: c.CompiledScenario, seat: str, *, labels: bool = True) -> set[str]:
    """Texts the scenario keeps from ``seat``: of what it cannot see, and the record's
    text of what it is told otherwise (less any text it may see by another way); with
    ``labels``, the labels of the state variables it cannot see too (short words that may
    stand inside a longer text it does see, so they are compared item by item)."""
    hidden: set[str] = set()
    allowed: set[str] = set()
    for event in sc.events.values():
        told = dict(event.told)
        if not c.can_see(event.visible_to, seat) or seat in told:
            hidden.add(event.text)
        else:
            allowed.add(event.text)
        allowed.update(told.values())
    for action in sc.actions.values():
        message = action.message
        logged = action.visible_to
        if message is not None and sc.channels[message.channel].public:
            logged = c.ALL
        told = dict(action.told)
        texts = {action.text} | ({message.text} if message is not None else set())
        if not c.can_see(logged, seat) or seat in told:
            hidden |= texts
        else:
            allowed |= texts
        if message is not None and (message.to == seat or c.can_see(logged, seat)):
            allowed.add(message.text)
            allowed.add(message.misread_text or "")
        allowed.update(told.values())
    for var in sc.variables.values() if labels else ():
        (allowed if c.can_see(var.visible_to, seat) else hidden).add(var.label)
    return {t for t in hidden - allowed if len(t) > 20}


@pytest.mark.parametrize(("name", "seat"), list(cases()))
def test_no_screen_shows_what_the_seat_could_not_know(name: str, seat: str) -> None:
    seen = seen_in_game(name, seat)
    kept = must_not_see(load_scenario(name), seat)
    shown = sorted(seen.entries & kept)
    assert not shown, f"{seat} sees in {name}: {shown[:3]}"
    screens = "\n".join(seen.screens)
    marks = [m for m in MARKERS.get(name, {}).get(seat, ()) if m in screens]
    assert not marks, f"{seat}'s screens in {name} show {marks}"
    assert not ANNOUNCED.search(screens), f"{seat}'s screens in {name}: {ANNOUNCED.pattern!r}"


def test_the_derived_secrets_are_real() -> None:
    """The table of what a seat may not see catches the leaks it was built for."""
    sc = load_scenario("cuba-1962")
    us = must_not_see(sc, "us")
    shoot_down = sc.actions["airdef_shoot_u2"]
    assert shoot_down.text in us and dict(shoot_down.told)["us"] not in us
    assert sc.variables["letter1_sent"].label in must_not_see(sc, "cuba")
    assert sc.events["b59_corner"].text in must_not_see(sc, "su")


def test_the_us_is_told_of_the_shoot_down_and_the_debrief_tells_it_all() -> None:
    """In the game the US learns that Anderson's U-2 was shot down, not who gave the order;
    the debrief, which is history, shows the whole record."""
    sc = load_scenario("cuba-1962")
    action = sc.actions["airdef_shoot_u2"]
    game = play("cuba-1962", "us", "historical", 0, None)
    assert any(e.id == action.id for e in game.events), "no shoot-down in this game"
    told = dict(action.told)["us"]
    assert told in seen_in_game("cuba-1962", "us").entries
    debrief = build_debrief(game).model_dump_json()
    assert "Grechko" in debrief and "Arkhipov" in debrief


def test_a_vote_inside_a_body_is_seen_by_that_body_alone() -> None:
    game = play("cuba-1962", "us", "historical", 0, None)
    votes = [e for e in game.events if e.kind == "consent"]
    assert votes, "no vote aboard B-59 in this game"
    assert all(e.visible_to == frozenset({e.actor}) for e in votes)


@pytest.mark.parametrize("name", CRISES)
def test_the_web_shows_each_seat_only_its_own(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The web API's view and the game page, move by move, for one game per seat."""
    sc = load_scenario(name)
    db = tmp_path_factory.mktemp("leaks") / "games.sqlite3"
    with TestClient(create_app(db)) as client:
        for seat in seats(sc):
            policy = next(iter(sc.actors[seat].policies), WAIT)
            moves = play(name, seat, policy, 0, None).record.moves
            r = client.post("/api/games", json={"scenario": name, "side": seat, "seed": 0})
            assert r.status_code == 201, r.text
            game_id, token = r.json()["id"], r.json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            assert client.get(f"/games/{game_id}?token={token}").status_code == 200
            screens = []
            for move in [None, *moves]:
                if move is not None:
                    body = {"action": move.action, "at_tick": move.tick}
                    made = client.post(f"/api/games/{game_id}/choices", json=body, headers=headers)
                    assert made.status_code == 200, made.text
                screens.append(client.get(f"/api/games/{game_id}", headers=headers).text)
                page = client.get(f"/games/{game_id}")
                assert page.status_code == 200
                screens.append(unescape(page.text))
            text = "\n".join(screens)
            kept = [t for t in must_not_see(sc, seat, labels=False) if t in text]
            assert not kept, f"{seat} sees on the web in {name}: {kept[:3]}"
            marks = [m for m in MARKERS.get(name, {}).get(seat, ()) if m in text]
            assert not marks, f"{seat}'s web screens in {name} show {marks}"


def test_the_end_says_its_epilogue_is_history(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The outcome's text may tell what the side never learned (the settlement's epilogue
    tells the US of the tactical warheads), so every end screen says above it that it is
    history, told after the game: the terminal's end panel, the web's end page, the API."""
    game = play("cuba-1962", "us", "historical", 0, None)
    outcome = game.view().outcome
    assert outcome is not None and "tactical nuclear weapons" in outcome.text
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(render_outcome(game.view()))
    panel = " ".join(out.getvalue().replace("│", " ").split())
    assert EPILOGUE in panel and panel.index(EPILOGUE) < panel.index(outcome.text[:40])
    db = tmp_path_factory.mktemp("epilogue") / "games.sqlite3"
    with TestClient(create_app(db)) as client:
        r = client.post("/api/games", json={"scenario": "cuba-1962", "side": "us", "seed": 0})
        game_id, token = r.json()["id"], r.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for move in game.record.moves:
            body = {"action": move.action, "at_tick": move.tick}
            made = client.post(f"/api/games/{game_id}/choices", json=body, headers=headers)
            assert made.status_code == 200, made.text
        api = client.get(f"/api/games/{game_id}", headers=headers).json()
        assert api["outcome"]["text"] == outcome.text
        assert api["outcome"]["epilogue"] == EPILOGUE
        page = " ".join(unescape(client.get(f"/games/{game_id}?token={token}").text).split())
        assert page.index(EPILOGUE) < page.index(outcome.text[:40])
