"""The scenarios a server may play: built-in ones only (a web client must never make the
server read its files), compiled once per set of interventions by the game core's cache.

Games are the game core's own: :meth:`Game.new` and :meth:`Game.from_record` (the one
replay), on the same cached compiled scenarios as the terminal game.
"""

from __future__ import annotations

from collections.abc import Sequence

from brinkmanship.errors import BrinkError
from brinkmanship.play.game import Game, GameRecord
from brinkmanship.play.scenarios import builtins, game_scenario
from brinkmanship.scenario.compiled import CompiledScenario


class Scenarios:
    """The built-in scenarios, by name."""

    def __init__(self) -> None:
        self.names = tuple(sorted(builtins()))

    def get(self, scenario: str, interventions: Sequence[str] = ()) -> CompiledScenario:
        """The compiled scenario; BrinkError for an unknown one or a bad intervention."""
        if scenario not in self.names:
            raise BrinkError(
                f"unknown scenario {scenario!r}; valid scenarios: {', '.join(self.names)}"
            )
        return game_scenario(scenario, interventions)

    def new_game(
        self,
        scenario: str,
        side: str,
        *,
        opponent: str | None,
        seed: int,
        interventions: Sequence[str] = (),
    ) -> Game:
        """A new game of a built-in scenario, at the player's first decision."""
        self.get(scenario, interventions)
        return Game.new(scenario, side, opponent=opponent, seed=seed, interventions=interventions)

    def replay(self, record: GameRecord, moves: int | None = None) -> Game:
        """The saved game rebuilt by the game core's replay (with ``moves``, after only its
        first ``moves`` moves); ReplayError if it no longer replays."""
        return Game.from_record(record, moves=moves)
