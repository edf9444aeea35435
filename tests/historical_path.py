"""The documented US path of cuba-1962 as a game: a player who takes, at each decision, what
the President's historical policy takes (a helper for the tests of counsel and play)."""

from __future__ import annotations

from collections.abc import Iterator

from brinkmanship.play.game import Game
from brinkmanship.play.view import GameView
from brinkmanship.policies.rules import data_policy


def historical_us_views(seed: int = 0) -> Iterator[tuple[Game, GameView, str]]:
    """Each decision of the game with seed ``seed``: the game (before the choice), the
    player's view and the action the historical policy takes; the action is taken once the
    caller asks for the next."""
    game = Game.new("cuba-1962", "us", seed=seed)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    while not game.finished:
        assert game.request is not None
        action = policy.decide(game.request.observation, game.request.legal).action
        yield game, game.view(), action
        game.choose(action)


def offering(side: str, action: str, seed: int = 0) -> Game:
    """A game played by the side's historical policy until ``action`` is on its menu (a
    letter is offered only once what it answers or assumes holds)."""
    game = Game.new("cuba-1962", side, seed=seed)
    policy = data_policy(game.scenario.actors[side].policies["historical"])
    while action not in {c.id for c in game.view().choices}:
        assert game.request is not None and not game.finished
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
    return game
