"""The pace and the plain text of a game: waiting for news, fixed choice numbers, counsel
linked to the menu, endings explained, and screens free of ids and ISO times."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.debrief import build_debrief, debrief_markdown, timeline
from brinkmanship.play.game import WAIT_FOR_NEWS, Game
from brinkmanship.play.menus import build_menu
from brinkmanship.play.terminal import TerminalGame, render_debrief
from brinkmanship.play.view import GameView
from brinkmanship.policies.rules import data_policy

PACE_LIMIT = 28
"""Decisions a player needs to follow the documented US path to the settlement (measured:
28 on seed 0 with waits for news, against 63 with single waits). The documented path has 15
choices of its own, and the player waits for Moscow's moves in between."""

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def documented(seed: int) -> tuple[list[str], dict[str, int]]:
    """The historical policy's choices for the US, in order, and the tick of each."""
    game = Game.new("cuba-1962", "us", seed=seed)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    order: list[str] = []
    due: dict[str, int] = {}
    while not game.finished:
        assert game.request is not None
        action = policy.decide(game.request.observation, game.request.legal).action
        if action != WAIT:
            order.append(action)
            due.setdefault(action, game.tick)
        game.choose(action)
    return order, due


def human_moves(game: Game, seed: int) -> Iterator[str]:
    """A player who knows the documented choices and their order: each is taken when it is
    legal and either its documented time has come or an adviser recommends it; otherwise
    the player waits for news."""
    order, due = documented(seed)
    while not game.finished:
        view = game.view()
        legal = {c.id for c in view.choices}
        advised = {c.action for c in view.counsel if not c.abstains}
        nxt = order[0] if order else None
        if nxt is not None and nxt in legal and (nxt in advised or view.tick >= due[nxt]):
            order.pop(0)
            yield nxt
        else:
            yield WAIT_FOR_NEWS


def test_the_documented_us_path_takes_few_decisions() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    decisions = 0
    for action in human_moves(game, 0):
        decisions += 1
        game.choose(action)
    assert game.outcome is not None and game.outcome.id == "settlement"
    assert decisions <= PACE_LIMIT
    assert len(game.record.moves) > 2 * decisions, "the record holds every single wait"


def test_waiting_for_news_stops_where_something_is_new_and_replays() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    game.choose("us_convene_excomm")
    start = game.tick
    game.choose(WAIT_FOR_NEWS)
    view = game.view()
    assert view.tick > start + 1 and view.news, "it skipped quiet decisions and says why"
    assert {m.action for m in game.record.moves[1:]} == {WAIT}
    again = Game.from_record(game.record)
    assert again.tick == game.tick and again.view().choices == view.choices


def test_what_changed_is_listed_against_the_previous_decision() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    before = {i.name: i.value for i in game.view().state}
    for _ in range(4):
        game.choose(WAIT_FOR_NEWS)
    view = game.view()
    now = {i.name: i.value for i in view.state}
    assert view.changes, "some estimates move within days"
    for change in view.changes:
        assert change.before != change.after and change.name in now
    assert not view.briefing or all(e.tick == 0 for e in view.briefing)
    assert before != now


def test_choice_numbers_stay_fixed_and_counsel_points_at_them() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    numbers: dict[str, int] = {}
    linked = 0
    while not game.finished:
        view = game.view()
        mine = {c.id: c.number for c in view.choices}
        assert len(set(mine.values())) == len(mine), "one number per choice"
        for action, number in mine.items():
            assert numbers.setdefault(action, number) == number, f"{action} changed number"
        for advice in view.counsel:
            if advice.action in mine and not advice.abstains:
                assert advice.number == mine[advice.action]
                linked += 1
                letter = next(c for c in view.choices if c.id == advice.action)
                assert bool(advice.where) == (letter.letter is not None and not letter.effects)
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
    assert linked > 20


def test_an_ending_names_its_cause_and_the_score_scale() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    for action in human_moves(game, 0):
        game.choose(action)
    outcome = game.view().outcome
    assert outcome is not None and outcome.cause
    assert outcome.worst is not None and outcome.best is not None
    assert outcome.utility is not None and outcome.worst <= outcome.utility <= outcome.best
    assert {u.actor for u in outcome.utilities} >= {"us", "su"}


def test_a_war_ending_shows_the_rule_that_decided_it() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    while not game.finished:
        legal = {c.id for c in game.view().choices}
        pick = next(
            (a for a in ("us_choose_airstrike", "us_execute_chosen_strike") if a in legal), None
        )
        game.choose(pick or WAIT_FOR_NEWS)
    outcome = game.view().outcome
    assert outcome is not None
    rule = game.scenario.outcomes[outcome.id].when
    reads = rule is not None and any(n in game.scenario.parameters for n in rule.expression.names)
    assert bool(outcome.rule) == reads
    assert outcome.cause or outcome.rule


# ------------------------------------------------------------------ the screens


def lines_for(view: GameView, action: str) -> list[str]:
    """The keys a player types for ``action``."""
    if action == WAIT:
        return [""]
    menu = build_menu(view.choices)
    number = {c.id: c.number for c in view.choices}
    for k, kind in enumerate(menu.letters, start=1):
        for ch, channel in enumerate(kind.channels, start=1):
            if any(c.id == action for c in channel.letters):
                extra = [str(ch)] if len(kind.channels) > 1 else []
                return ["l", str(k), *extra, str(number[action])]
    return [str(number[action])]


class Typist:
    """Plays a game through the terminal UI, typing each move's keys when asked."""

    def __init__(self, game: Game, moves: Iterator[str]) -> None:
        self.game, self.moves = game, moves
        self.pending: list[str] = ["s", "b"]  # look at the full state and the briefing once

    def __call__(self) -> str:
        if not self.pending:
            if self.game.finished:
                return ""
            self.pending = lines_for(self.game.view(), next(self.moves))
        return self.pending.pop(0) + "\n"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Game, str, str]:
    """A whole game through the terminal, its screens' text and the Markdown debrief."""
    game = Game.new("cuba-1962", "us", seed=0)
    out = io.StringIO()
    console = Console(file=out, width=110, highlight=False, markup=False)
    path = tmp_path_factory.mktemp("debrief") / "debrief.md"
    TerminalGame(console, Typist(game, human_moves(game, 0)), None, echo=True, debrief=path).run(
        game
    )
    return game, out.getvalue(), path.read_text()


def test_no_screen_shows_an_iso_time_or_an_internal_id(played: tuple[Game, str, str]) -> None:
    game, screens, markdown = played
    assert game.finished and "The outcome" in screens and "Debrief" in screens
    sc = game.scenario
    ids = {*sc.actions, *sc.events, *sc.variables, *sc.outcomes, *sc.actors}
    distinctive = {i for i in ids if "_" in i}
    for text in (screens, markdown):
        assert not ISO.search(text), ISO.search(text)
        words = set(re.findall(r"[a-z][a-z0-9_]*", text))
        assert not words & distinctive, sorted(words & distinctive)[:5]
    assert "in reply to" not in screens or "in reply to us_" not in screens


def test_the_debrief_is_in_time_order_and_written_as_markdown(
    played: tuple[Game, str, str],
) -> None:
    game, _, markdown = played
    debrief = build_debrief(game)
    for day in debrief.days:
        ticks = [t for t, _, _ in timeline(day)]
        assert ticks == sorted(ticks)
    assert markdown == debrief_markdown(debrief)
    assert markdown.startswith("# Debrief") and "## Sources" in markdown
    assert "What caused it:" in markdown and "Score for your side:" in markdown


def test_the_debrief_names_the_interventions_by_label() -> None:
    chosen = ["no-arkhipov", "slow-letters"]
    game = Game.new("cuba-1962", "us", seed=0, interventions=chosen)
    debrief = build_debrief(game)
    labels = "; ".join(game.scenario.interventions[i].label for i in chosen)
    out = io.StringIO()
    Console(file=out, width=110, highlight=False, markup=False).print(render_debrief(debrief))
    markdown = debrief_markdown(debrief)
    assert f"Counterfactuals: {labels}." in out.getvalue()
    assert f"counterfactuals: {labels})" in markdown
    for text in (out.getvalue(), markdown):
        assert not any(i in text for i in chosen), text[:300]


def test_back_goes_one_step(tmp_path: Path) -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    out = io.StringIO()
    console = Console(file=out, width=110, highlight=False, markup=False)
    keys = iter(["l", "1", "0", "0", "q"])
    TerminalGame(console, lambda: next(keys) + "\n", None, echo=True).run(game)
    text = out.getvalue()
    # terms → back to the kinds (the one channel was chosen for us) → back to the choices
    assert text.count("Kind of letter") == 2 and text.count("Your choices") == 2
    assert game.record.moves == []
