"""cuba-1962's count of Soviet ships en route falls as ships stop, turn back, are let
through or are boarded: every ship is counted once, en route, turned back, or passed at the
line (an event of the run)."""

from __future__ import annotations

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.game import Game

HALT = "su_ships_halt"
PASSED = frozenset({"navy_let_through", "navy_board_bucharest", "navy_board"})
"""The actions by which a ship passes the line, let through or boarded."""


def ship_counts(game: Game) -> dict[str, int]:
    return {i.name: int(i.value) for i in game.view().state if i.name.startswith("ships_")}


def passed(game: Game) -> int:
    return len({e.id for e in game.view().events if e.id in PASSED})


def test_ships_leave_the_en_route_count_as_they_are_dealt_with() -> None:
    game = Game.new("cuba-1962", "su", seed=4)
    start = ship_counts(game)["ships_en_route"]
    seen = [start]
    while not game.finished:
        view = game.view()
        counts = ship_counts(game)
        # no ship counted twice or lost
        assert sum(counts.values()) + passed(game) == start, counts
        seen.append(counts["ships_en_route"])
        ids = {c.id for c in view.choices}
        game.choose(HALT if HALT in ids else WAIT, at_tick=view.tick)
    assert seen == sorted(seen, reverse=True)
    assert passed(game) == 2
    # Six stop at the line, about a dozen have turned back by 25 October, one is let
    # through and one boarded: the count falls by more than the first six.
    assert seen[-1] <= start - 6 - 2
