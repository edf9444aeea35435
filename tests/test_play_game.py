"""The game core: new, choose, replay, bad choices, what the player may see, the debrief."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from brinkmanship.engine.observation import WAIT
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import IllegalChoiceError, StaleChoiceError, UnknownNameError
from brinkmanship.play.debrief import build_debrief
from brinkmanship.play.game import WAIT_FOR_NEWS, Game, GameRecord, PlayerMove, ReplayError
from brinkmanship.play.scenarios import game_scenario
from brinkmanship.play.view import GameView
from brinkmanship.policies.registry import policy_set
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.compiled import can_see
from historical_path import historical_us_views

Brain = Callable[[Game], str]


def play(game: Game, brain: Brain, limit: int = 400) -> Game:
    for _ in range(limit):
        if game.finished:
            return game
        game.choose(brain(game))
    raise AssertionError("the game did not end")


def historical_brain(game: Game) -> Brain:
    """The player follows the side's own historical policy (a test stand-in for a human)."""
    policy = data_policy(game.scenario.actors[game.record.side].policies["historical"])

    def brain(g: Game) -> str:
        assert g.request is not None
        return policy.decide(g.request.observation, g.request.legal).action

    return brain


def first_of(*preferred: str) -> Brain:
    """Choose the first legal action of ``preferred``, else wait."""

    def brain(g: Game) -> str:
        assert g.request is not None
        return next((a for a in preferred if a in g.request.legal), WAIT)

    return brain


def test_new_game_stops_at_the_players_first_real_choice() -> None:
    game = Game.new("cuba-1962", "us")
    assert game.request is not None and game.request.actor == "us"
    assert len(game.request.legal) > 1
    view = game.view()
    assert view.time == game.scenario.iso(game.tick)
    assert view.choices[0].id == WAIT and view.choices[-1].id == WAIT_FOR_NEWS
    assert len(view.choices) == len(game.request.legal) + 1
    assert {c.id for c in view.choices} == set(game.request.legal.ids) | {WAIT_FOR_NEWS}
    assert [view.choices[0].number, view.choices[-1].number] == [1, 2]
    assert not view.finished and view.outcome is None
    # the side is the player's; every other actor has a policy spec
    assert set(game.record.opponents) == set(game.scenario.actors) - {"us"}
    assert game.policy_specs["us"] == "player"


def test_player_following_history_gives_the_engines_historical_run() -> None:
    game = Game.new("cuba-1962", "us", seed=3)
    play(game, historical_brain(game))
    sc = game.scenario
    policies = policy_set(sc)
    reference = ReferenceEngine(sc).run(3, 0, policies.make(), dict(policies.specs))
    assert game.outcome == reference.outcome
    # the same trajectory; only the reasons differ (a player gives none, a policy does)
    key = [(e.tick, e.actor, e.kind, e.id) for e in game.events]
    assert key == [(e.tick, e.actor, e.kind, e.id) for e in reference.events]


def test_replay_rebuilds_the_same_game() -> None:
    game = Game.new("cuba-1962", "us", seed=11)
    brain = first_of("us_convene_excomm", "us_choose_blockade", "us_address_blockade")
    for _ in range(30):
        game.choose(brain(game))
    copy = Game.from_record(GameRecord.model_validate_json(game.record.model_dump_json()))
    assert copy.view() == game.view()
    assert copy.events == game.events
    play(game, brain)
    play(copy, brain)
    assert copy.outcome == game.outcome and copy.record == game.record


def test_same_record_same_game_and_the_seed_matters() -> None:
    brain = first_of("us_choose_airstrike", "us_execute_chosen_strike", "us_order_invasion")
    runs = [play(Game.new("cuba-1962", "us", seed=s), brain) for s in (5, 5, 6, 7, 8)]
    assert runs[0].events == runs[1].events and runs[0].record == runs[1].record
    texts = {json.dumps([e.to_json() for e in g.events]) for g in runs[1:]}
    assert len(texts) > 1, "different seeds should give different games"


def test_illegal_and_stale_choices_change_nothing() -> None:
    game = Game.new("cuba-1962", "us", seed=1)
    game.choose("wait")
    before_view, before_record = game.view(), game.record.model_copy(deep=True)
    before_events = game.events
    with pytest.raises(IllegalChoiceError, match="not a legal choice"):
        game.choose("su_letter1")  # the other side's action
    with pytest.raises(IllegalChoiceError):
        game.choose("no_such_action")
    with pytest.raises(StaleChoiceError, match="tick"):
        game.choose("wait", at_tick=game.tick - 1)
    assert game.view() == before_view
    assert game.record == before_record
    assert game.events == before_events
    game.choose("wait", at_tick=game.tick)  # the right tick is accepted
    assert len(game.record.moves) == len(before_record.moves) + 1


def test_a_finished_game_accepts_no_choice() -> None:
    game = play(Game.new("cuba-1962", "cuba"), first_of("cuba_letter"))
    assert game.finished and game.request is None and game.outcome is not None
    with pytest.raises(IllegalChoiceError, match="over"):
        game.choose("wait")
    assert game.view().finished and game.view().choices == []


@pytest.mark.parametrize("side", ["us", "su", "cuba"])
def test_the_view_holds_only_what_the_side_may_see(side: str) -> None:
    game = Game.new("cuba-1962", side, seed=2)
    play(game, historical_brain(game))
    sc = game.scenario
    hidden = [v for v in sc.variables.values() if not can_see(v.visible_to, side)]
    assert hidden, "the scenario hides something from every side"
    # stop one decision before the end so that counsel and choices are present too
    game = Game.new("cuba-1962", side, seed=2)
    brain = historical_brain(game)
    views: list[GameView] = []
    while not game.finished:
        views.append(game.view())
        game.choose(brain(game))
    views.append(game.view())
    for view in views:
        dump = view.model_dump_json()
        names = {s.name for s in view.state}
        assert names == {v.name for v in sc.variables.values() if can_see(v.visible_to, side)}
        for var in hidden:
            assert var.label not in dump
        seen_ids = {(e.tick, e.id, e.kind) for e in game.events if e.seen_by(side)}
        assert {(e.tick, e.id, e.kind) for e in view.events} <= seen_ids
        for letter in view.inbox:
            message = sc.actions[letter.id].message
            assert message is not None
            assert message.to == side or letter.public
    unseen = [e for e in game.events if not e.seen_by(side)]
    assert unseen and all(
        (e.tick, e.id, e.kind) not in {(v.tick, v.id, v.kind) for v in views[-1].events}
        for e in unseen
    )


def test_each_side_sees_its_own_secrets() -> None:
    us = Game.new("cuba-1962", "us").view()
    su = Game.new("cuba-1962", "su").view()
    assert "tactical_warheads" in {s.name for s in su.state}
    assert "tactical_warheads" not in {s.name for s in us.state}
    assert "mrbm_est" in {s.name for s in us.state}
    assert {a.name for a in us.alerts} >= {"defcon_us", "defcon_sac"}


def test_counsel_letters_and_choices_are_described() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    view = game.view()
    # the first ExComm meeting: Acheson and Stevenson are not in the room (F10)
    members = {m.id for m in game.scenario.actors["us"].members} - {"jfk", "acheson", "stevenson"}
    assert {c.member for c in view.counsel} == members
    assert all(c.name and c.action_label for c in view.counsel)
    # the convening: the fact sheet gives no member's view at the first meeting
    assert all(c.abstains and c.action_label == "No view" for c in view.counsel)
    brain = historical_brain(game)
    while not any(letter.id == "su_letter1" for letter in game.view().inbox):
        game.choose(brain(game))
    view = game.view()
    assert any(not c.abstains and c.action_label != "No view" for c in view.counsel)
    letter = next(x for x in view.inbox if x.id == "su_letter1")
    assert letter.sender == "su" and letter.sent < letter.arrived
    assert letter.kind in ("offer", "statement")  # as perceived: it may be misread
    assert [t.id for t in letter.give] == ["withdraw_missiles"]
    replies = [c for c in view.choices if c.id == "us_reply_letter1"]
    if replies:
        spec = replies[0].letter
        assert spec is not None and spec.kind == "offer" and spec.public
        assert {t.id for t in spec.give} == {"no_invasion_pledge", "lift_quarantine"}
    assert GameView.model_validate_json(view.model_dump_json()) == view


ARGUED = {
    "us_choose_quarantine": {"mcnamara", "rfk", "rusk", "stevenson", "sorensen"},
    "us_choose_airstrike": {"bundy", "mccone", "taylor", "dillon", "acheson"},
}
"""Who argued for what at the ExComm of 17-19 October (fact sheet C, F9, F10)."""


def test_the_excomm_argues_the_options_before_the_nsc() -> None:
    """At the ExComm's decisions of 17 and 18 October every member present speaks for the
    option the fact sheet gives him, linked to its choice number; Bundy floats doing nothing
    on 18 October (F9); Acheson is in the room (F10)."""
    advised: dict[str, set[tuple[str, str]]] = {}
    for seed in range(4):
        game = Game.new("cuba-1962", "us", seed=seed)
        game.choose("us_convene_excomm")
        while game.scenario.iso(game.tick) < "1962-10-20":
            view = game.view()
            numbers = {c.id: c.number for c in view.choices}
            for advice in view.counsel:
                if not advice.abstains:
                    assert advice.number == numbers[advice.action], advice
                    day = game.scenario.iso(game.tick)[:10]
                    advised.setdefault(advice.member, set()).add((day, advice.action))
            game.choose(WAIT)
    for action, members in ARGUED.items():
        for member in members - {"bundy"}:
            assert {a for _, a in advised[member]} == {action}, (member, advised.get(member))
    assert advised["bundy"] == {
        ("1962-10-17", "us_choose_airstrike"),
        ("1962-10-18", "us_accept_missiles"),
    }


def test_the_evening_meeting_of_16_october_hears_the_dated_views() -> None:
    """The sheet dates two views to the 6:30 p.m. meeting of 16 October (F9, F12; C33):
    McNamara's "not at all" and the Joint Chiefs' "substantially", carried by their
    Chairman. Each is counsel for the option its holder backed (section C); every other
    member present has no view, shown as none and never as waiting; Acheson and Stevenson
    are not in the room (F10)."""
    game = Game.new("cuba-1962", "us", seed=0)
    game.choose("us_convene_excomm")
    while game.scenario.iso(game.tick) < "1962-10-16T18":
        game.choose(WAIT)
    assert game.scenario.iso(game.tick).startswith("1962-10-16T19"), game.scenario.iso(game.tick)
    view = game.view()
    numbers = {c.id: c.number for c in view.choices}
    present = {m.id for m in game.scenario.actors["us"].members} - {"jfk", "acheson", "stevenson"}
    assert {c.member for c in view.counsel} == present
    spoke = {c.member: c for c in view.counsel if not c.abstains}
    assert {m: c.action for m, c in spoke.items()} == {
        "mcnamara": "us_choose_quarantine",
        "taylor": "us_choose_airstrike",
    }
    assert "'not at all'" in spoke["mcnamara"].why
    assert "'substantially'" in spoke["taylor"].why
    assert all(c.number == numbers[c.action] for c in spoke.values())
    silent = [c for c in view.counsel if c.abstains]
    assert silent and all(c.action_label == "No view" for c in silent)
    sources = {m.id: m.sources for m in game.scenario.actors["us"].members}
    assert "C33" in sources["mcnamara"] and "C33" in sources["taylor"]


LATER_DECISIONS = (
    "us_decline_thant",
    "us_letter_25",
    "us_scali_reply",
    "us_draft_reply",
    "us_reply_letter1",
)
"""The ExComm's documented decisions from 24 October: U Thant's appeal, Khrushchev's letter
of 24 October, Fomin's approach, and Khrushchev's letters of 26 and 27 October."""


def test_the_excomm_counsels_at_its_decisions_from_24_october() -> None:
    """At each documented US decision from 24 October at least one member present counsels
    the choice taken, linked to its choice number; once the second letter is heard the
    members present counsel answering the first rather than the public Turkey trade (on 27
    October Kennedy was nearly alone in leaning toward it: fact sheet C) by a majority of
    those who speak, and nobody counsels the trade."""
    for seed in range(2):
        counselled: set[str] = set()
        for game, view, action in historical_us_views(seed):
            assert game.request is not None
            numbers = {c.id: c.number for c in view.choices}
            spoke = [c for c in view.counsel if not c.abstains]
            assert all(c.number == numbers[c.action] for c in spoke if c.action != WAIT)
            assert all(c.action != "us_accept_letter2" for c in spoke)
            if action in LATER_DECISIONS:
                assert any(c.action == action for c in spoke), (seed, view.time, action)
                counselled.add(action)
            if game.request.observation.values["letter2_received"] and "us_reply_letter1" in {
                c.id for c in view.choices
            }:
                no_trade = [c for c in spoke if c.action == "us_reply_letter1"]
                assert 2 * len(no_trade) > len(spoke), (seed, view.time, spoke)
                assert all("nearly alone" in c.why for c in no_trade if c.member != "rusk")
        assert counselled == set(LATER_DECISIONS), seed


def test_moscow_hears_the_night_session_and_malinovsky() -> None:
    """The Soviet body's documented counsel (F7; C5, C6, C28): after a US strike the other
    Presidium members counsel repelling it with the Cubans, without nuclear weapons; once US
    troops land, Malinovsky counsels withholding nuclear authority, as he advised."""
    sc = game_scenario("cuba-1962", ["invasion"])
    specs = policy_set(sc).specs
    heard: dict[str, set[str]] = {}
    for run in range(6):
        result = ReferenceEngine(sc).run(0, run, policy_set(sc, specs).make(), dict(specs))
        for e in result.events:
            if e.kind == "counsel" and e.actor == "su":
                heard.setdefault(e.id, set()).add(e.text)
    assert any("repel the attack with the Cubans" in t for t in heard["presidium"])
    assert heard["malinovsky"] and all(
        "withhold nuclear authority" in t and "historically his advice" in t
        for t in heard["malinovsky"]
    )


def test_opponent_plays_the_other_principal_actors() -> None:
    game = Game.new("cuba-1962", "us", opponent="hawk:threshold=0.9")
    assert game.record.opponents["su"] == "hawk:threshold=0.9"
    assert game.record.opponents["cuba"] == "hawk:threshold=0.9"
    assert game.record.opponents["jcs"] == "historical"  # the player's own command
    assert game.record.opponents["b59"] == "historical"  # the other side's command
    with pytest.raises(UnknownNameError, match="policy"):
        Game.new("cuba-1962", "us", opponent="nonsense")
    with pytest.raises(UnknownNameError, match="side"):
        Game.new("cuba-1962", "ussr")


def test_a_record_that_no_longer_replays_is_refused() -> None:
    game = Game.new("cuba-1962", "us")
    record = game.record.model_copy(deep=True)
    record.moves = [PlayerMove(tick=game.tick, action="su_letter1")]
    with pytest.raises(ReplayError, match="move 1"):
        Game.from_record(record)
    record.moves = [PlayerMove(tick=game.tick + 1, action="wait")]
    with pytest.raises(ReplayError, match="tick"):
        Game.from_record(record)
    broken = game.record.model_copy(update={"opponents": {"su": "historical"}})
    with pytest.raises(ReplayError, match="missing"):
        Game.from_record(broken)
    with pytest.raises(ReplayError, match="intervention"):
        Game.from_record(game.record.model_copy(update={"interventions": ["no-such"]}))


def test_debrief_of_the_historical_path() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    play(game, historical_brain(game))
    debrief = build_debrief(game)
    assert debrief.outcome is not None and debrief.outcome.id == debrief.historical_replay.id
    verdicts = {c.action: c.verdict for c in debrief.comparison}
    assert verdicts["us_choose_quarantine"] == "as in history"
    assert verdicts["us_address"] == "as in history"
    assert [d.date for d in debrief.days] == sorted(d.date for d in debrief.days)
    assert debrief.days[0].label == "Tuesday 16 October 1962"
    history = [h for d in debrief.days for h in d.history]
    assert len(history) == len(game.scenario.timeline)
    assert all(h.sources for h in history)
    cited = {s for h in history for s in h.sources}
    assert cited <= {s.id for s in debrief.sources}
    assert all(s.title for s in debrief.sources)
    json.loads(debrief.model_dump_json())


def test_debrief_of_a_departure_from_history() -> None:
    brain = first_of("us_convene_excomm", "us_choose_airstrike", "us_execute_chosen_strike")
    game = play(Game.new("cuba-1962", "us", seed=0), brain)
    debrief = build_debrief(game)
    verdicts = {c.action: c.verdict for c in debrief.comparison}
    assert verdicts["us_choose_quarantine"] == "not taken"
    assert verdicts["us_choose_airstrike"] == "not in history"
    assert debrief.outcome is not None and debrief.outcome.id != "settlement"
    mine = [p for d in debrief.days for p in d.yours]
    assert {p.id for p in mine} >= {"us_choose_airstrike"}
    assert any(h.in_game is None for d in debrief.days for h in d.history)


def test_new_events_are_those_since_the_previous_screen() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    first = game.view()
    assert first.events and all(e.new for e in first.events)
    assert first.last_move_tick is None and first.last_move_time is None
    tick = game.tick
    game.choose("us_convene_excomm")
    view = game.view()
    assert view.last_move_tick == tick and view.last_move_time == game.scenario.iso(tick)
    new = [e for e in view.events if e.new]
    assert [e.id for e in new if e.kind == "action"][:1] == ["us_convene_excomm"]
    assert len(view.events) - len(new) == len(first.events)


def test_compiled_scenarios_are_shared_until_the_file_changes(tmp_path: Path) -> None:
    assert game_scenario("standoff", []) is game_scenario("standoff", ())
    text = resources.files("brinkmanship.scenarios").joinpath("standoff.yaml").read_text()
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    first = game_scenario(str(path), [])
    assert game_scenario(str(path), []) is first
    path.write_text(text.replace("title: The Calder Strait standoff", "title: Edited standoff"))
    assert game_scenario(str(path), []).title.startswith("Edited")


def test_a_public_statement_is_not_in_the_senders_own_inbox() -> None:
    def delivered_to_east(game: Game) -> bool:
        assert game.request is not None
        return any(letter.id == "east_threat" for letter in game.request.observation.inbox)

    game = Game.new("standoff", "east", seed=3)
    sent = False
    for _ in range(60):
        assert not game.finished and game.request is not None
        if sent and delivered_to_east(game):
            break
        if not sent and "east_threat" in game.request.legal:
            game.choose("east_threat")
            sent = True
        else:
            game.choose(WAIT)
    # The engine delivers a public statement to everyone, the sender included...
    assert sent and delivered_to_east(game)
    # ...but the player's inbox shows only what the side received from others.
    inbox = game.view().inbox
    assert inbox == [letter for letter in inbox if letter.sender != "east"]
    assert "east_threat" not in [letter.id for letter in inbox]
