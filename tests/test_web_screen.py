"""The game screen's parts agree with the player's view: a letter's arrival shown in the
event list is shown in the outbox too, and counsel stands beside the decision, never in
the event log."""

from __future__ import annotations

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.game import Game
from brinkmanship.web.screen import game_screen, short_time
from historical_path import historical_us_views


def test_the_outbox_says_a_letter_arrived_once_the_side_saw_it_arrive() -> None:
    # the letter handed to Dobrynin when the President's policy hands it over (22 October):
    # cabled, hours on the way, with decisions of the President's in between
    game, view = next((g, v) for g, v, a in historical_us_views(4) if a == "us_rusk_dobrynin")
    letter = next(c for c in view.choices if c.id == "us_rusk_dobrynin")
    game.choose(letter.id, at_tick=view.tick)
    unknown_seen = arrived_seen = False
    while not game.finished and not arrived_seen:
        view = game.view()
        screen = game_screen(game.scenario, view, game.record)
        (sent,) = screen.outbox
        arrivals = [e for e in view.events if e.kind == "delivery" and e.id == letter.id]
        if arrivals:
            assert sent.arrived == short_time(arrivals[0].time)
            arrived_seen = True
        else:
            assert sent.arrived == ""
            unknown_seen = True
        game.choose(WAIT, at_tick=view.tick)
    assert unknown_seen and arrived_seen


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
