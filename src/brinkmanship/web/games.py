"""A thin adapter over :class:`brinkmanship.play.game.Game` for a server: the same games,
built on compiled scenarios kept in memory.

``Game.new`` and ``Game.from_record`` compile the scenario each time (about a third of a
second for ``cuba-1962``); a server that creates and replays many games compiles each
(scenario, interventions) pair once. Compiled scenarios are immutable, so games share them.
The replay is the game core's own: the record's moves, chosen again in order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from brinkmanship import __version__
from brinkmanship.errors import BrinkError
from brinkmanship.play.game import Game, GameRecord, ReplayError, opponent_specs
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import builtin_names, load_scenario


class Scenarios:
    """Built-in scenarios, compiled once per set of interventions (never a file path: a
    web client must not make the server read its files)."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, tuple[str, ...]], CompiledScenario] = {}
        self._lock = threading.Lock()
        self.names = tuple(builtin_names())

    def get(self, scenario: str, interventions: Sequence[str] = ()) -> CompiledScenario:
        """The compiled scenario; BrinkError for an unknown one or a bad intervention."""
        if scenario not in self.names:
            raise BrinkError(
                f"unknown scenario {scenario!r}; valid scenarios: {', '.join(self.names)}"
            )
        key = (scenario, tuple(interventions))
        with self._lock:
            compiled = self._compiled.get(key)
        if compiled is None:
            compiled = load_scenario(scenario, list(interventions))
            with self._lock:
                self._compiled[key] = compiled
        return compiled

    def new_game(
        self,
        scenario: str,
        side: str,
        *,
        opponent: str | None,
        seed: int,
        interventions: Sequence[str] = (),
    ) -> Game:
        """What ``Game.new`` makes, on the cached scenario."""
        sc = self.get(scenario, interventions)
        record = GameRecord(
            scenario=scenario,
            interventions=list(interventions),
            side=side,
            opponents=opponent_specs(sc, side, opponent),
            seed=seed,
            moves=[],
            version=__version__,
        )
        return Game(record, sc)

    def replay(self, record: GameRecord, moves: int | None = None) -> Game:
        """What ``Game.from_record`` makes, on the cached scenario; with ``moves``, the game
        after only its first ``moves`` moves (for a replay). ReplayError if it fails."""
        try:
            game = Game(
                record.model_copy(update={"moves": []}),
                self.get(record.scenario, record.interventions),
            )
        except BrinkError as exc:
            raise ReplayError(f"the saved game cannot be set up again: {exc}") from None
        for number, move in enumerate(record.moves[:moves], start=1):
            try:
                game.choose(move.action, at_tick=move.tick)
            except BrinkError as exc:
                saved = f" (saved by version {record.version})" if record.version else ""
                raise ReplayError(
                    f"the saved game no longer replays{saved}: move {number} "
                    f"({move.action!r} at tick {move.tick}): {exc}"
                ) from None
        return game
