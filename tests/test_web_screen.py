"""The game screen's parts agree with the player's view: a letter's arrival is shown in the
outbox only where the event list shows it (a private letter's sender is not told), and
counsel stands beside the decision, never in the event log."""

from __future__ import annotations

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.game import Game
from brinkmanship.web.screen import game_screen, short_time
from historical_path import historical_us_views


def _outbox_against_events(action: str, public: bool) -> None:
    """The President's policy sends ``action``; at each of his decisions until it has
    arrived, the outbox says it arrived only when the event list shows the arrival; a
    public message is seen arriving, a private letter never (its sender is not told)."""
    game, view = next((g, v) for g, v, a in historical_us_views(4) if a == action)
    letter = next(c for c in view.choices if c.id == action)
    game.choose(letter.id, at_tick=view.tick)
    arrived_seen = False
    while not game.finished:
        view = game.view()
        screen = game_screen(game.scenario, view, game.record)
        sent = next(x for x in screen.outbox if x.label == letter.label)
        arrivals = [e for e in view.events if e.kind == "delivery" and e.id == letter.id]
        assert sent.arrived == (short_time(arrivals[0].time) if arrivals else "")
        arrived_seen = arrived_seen or bool(arrivals)
        if any(e.kind == "delivery" and e.id == letter.id for e in game.events):
            break
        game.choose(WAIT, at_tick=view.tick)
    assert any(e.kind == "delivery" and e.id == letter.id for e in game.events)
    assert arrived_seen == public


def test_the_outbox_says_a_letter_arrived_only_when_the_side_saw_it_arrive() -> None:
    # the letter handed to Dobrynin when the President's policy hands it over (22 October):
    # cabled, hours on the way; the address is public and reaches every side
    _outbox_against_events("us_rusk_dobrynin", public=False)
    _outbox_against_events("us_address", public=True)


def test_counsel_is_beside_the_decision_not_in_the_event_log() -> None:
    game = Game.new("cuba-1962", "us", seed=4)
    counselled = 0
    for _ in range(40):
        view = game.view()
        screen = game_screen(game.scenario, view, game.record)
        logged = [e.kind for e in (*screen.recent, *screen.earlier)]
        assert "counsel" not in logged
        counselled += sum(e.kind == "counsel" for e in view.events)
        if game.finished:
            break
        # A body's counsel is recorded when it acts: act whenever there is counsel.
        acts = [c.id for c in view.choices if c.id != WAIT]
        game.choose(acts[0] if acts and view.counsel else WAIT, at_tick=view.tick)
    assert counselled > 0  # there was counsel to keep out of the log
