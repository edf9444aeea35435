"""Every side the 1983 scenarios offer a person is a game: on several seeds, played by its
own documented policy or by a player who only waits, against the documented, waiting and
hawkish opponents, it meets at least one decision that offers more than waiting, and its
opening briefing says more than the scenario's title."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.game import WAIT_FOR_NEWS, Game
from brinkmanship.play.view import DELIVERY
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.web.screen import playable_sides

SCENARIOS = ("able-archer-1983", "petrov-1983")
SEEDS = range(4)
OPPONENTS = (None, "passive", "hawk")  # documented, waiting, hawkish
WAITING = frozenset({WAIT, WAIT_FOR_NEWS})


def cases() -> Iterator[tuple[str, str]]:
    for name in SCENARIOS:
        for side in playable_sides(load_scenario(name)):
            yield name, side.value


def real_menus(game: Game, side: str, *, own_policy: bool) -> int:
    """Play the game to its end; the number of decisions that offered more than waiting."""
    policy = data_policy(game.scenario.actors[side].policies["historical"])
    menus = 0
    while not game.finished:
        view = game.view()
        if {c.id for c in view.choices} - WAITING:
            menus += 1
        choice = WAIT_FOR_NEWS
        if own_policy and game.request is not None:
            choice = policy.decide(game.request.observation, game.request.legal).action
        game.choose(choice)
    return menus


@pytest.mark.parametrize(("name", "side"), list(cases()))
def test_every_offered_side_meets_a_real_decision(name: str, side: str) -> None:
    for seed in SEEDS:
        for opponent in OPPONENTS:
            for own_policy in (True, False):
                game = Game.new(name, side, seed=seed, opponent=opponent)
                menus = real_menus(game, side, own_policy=own_policy)
                assert menus >= 1, (name, side, seed, opponent, own_policy)


@pytest.mark.parametrize(("name", "side"), list(cases()))
def test_every_offered_side_has_a_briefing_beyond_the_title(name: str, side: str) -> None:
    game = Game.new(name, side, seed=0)
    title = game.scenario.title
    told = [e.text for e in game.view().briefing if e.text.strip() != title]
    assert told, (name, side)
    assert sum(len(t) for t in told) > 200, (name, side, told)


def test_the_leadership_is_not_offered_in_petrov_1983() -> None:
    """Nothing shows the alarm reached the leadership: the duty officer holds the night's
    decisions, and only he is offered (docs/petrov-1983.md)."""
    offered = [o.value for o in playable_sides(load_scenario("petrov-1983"))]
    assert offered == ["duty"]


@pytest.mark.parametrize(("name", "side"), list(cases()))
def test_a_side_learns_a_message_once_when_it_arrives(name: str, side: str) -> None:
    """Not as an action it sees when the sender acts, then again as a letter on arrival
    (the British saw Gordievsky's report twice, Washington the British warning)."""
    sc = load_scenario(name)
    to_side = {a.id for a in sc.actions.values() if a.message and a.message.to == side}
    for seed in SEEDS:
        game = Game.new(name, side, seed=seed)
        early: set[str] = set()
        while not game.finished:
            early |= {e.id for e in game.view().events if e.kind != DELIVERY} & to_side
            game.choose(WAIT_FOR_NEWS)
        assert not early, (seed, early)


@pytest.mark.parametrize("side", ["su", "duty", "command", "general_staff"])
def test_petrovs_later_account_is_no_sides_briefing(side: str) -> None:
    """'By his own later account' is the historian's remark, kept in the record only."""
    game = Game.new("petrov-1983", side, seed=0)
    assert not [e.text for e in game.view().briefing if "later account" in e.text], side
