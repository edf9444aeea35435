"""The games a server holds: saved in the store, rebuilt by replay, kept warm in memory.

Live games stay in an in-process LRU cache keyed by game id, so a choice steps the engine
from where the game stands instead of replaying it from the start. Each use checks the
cached copy against the number of moves saved in the store (one index lookup): a game
another server process moved on, or one evicted or never seen (after a restart), is
rebuilt by the game core's replay.

Every operation on one game runs under that game's lock, so two requests for the same
game never interleave; a choice is committed to the database before it is answered. A
game that fails any check (unknown id, wrong token, stale or illegal choice) is left
exactly as it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from brinkmanship.play.debrief import Debrief, build_debrief
from brinkmanship.play.game import Game, GameRecord, PlayerMove
from brinkmanship.play.view import GameView
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.web.games import Scenarios
from brinkmanship.web.problems import (
    GameOverError,
    MissingTokenError,
    NotOverError,
    UnknownGameError,
    WrongTokenError,
)
from brinkmanship.web.store import GameRow, GameStore, Summary
from brinkmanship.web.tokens import hash_token, new_token, token_matches

CACHE_SIZE = 512
"""Games kept in memory; one evicted is rebuilt from the database by replay."""


@dataclass
class Live:
    """A game in memory, with the number of its moves already saved."""

    row: GameRow
    game: Game
    saved: int


@dataclass(frozen=True)
class Snapshot:
    """A game as it stands, read under one hold of its lock (a consistent page)."""

    row: GameRow
    view: GameView
    record: GameRecord
    scenario: CompiledScenario


@dataclass(frozen=True)
class Replay:
    """A saved game as it stood before its move number ``step``, read-only."""

    game: Game
    record: GameRecord
    step: int
    total: int


def summary_of(game: Game) -> Summary:
    """The game list's entry for a game: status, outcome, game clock."""
    outcome = game.outcome
    return Summary(
        status="finished" if outcome is not None else "playing",
        outcome=outcome.label if outcome is not None else "",
        clock=game.scenario.iso(game.tick),
    )


def record_of(row: GameRow) -> GameRecord:
    """The event-sourced record of a saved game."""
    moves = [PlayerMove(tick=t, action=a) for t, a in row.moves]
    return GameRecord.model_validate({**row.header, "moves": moves})


class GameService:
    """Create, look at, play and replay saved games."""

    def __init__(self, store: GameStore, cache_size: int = CACHE_SIZE) -> None:
        self.store = store
        self.scenarios = Scenarios()
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Live] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _locked(self, game_id: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(game_id, threading.Lock())
        with lock:
            yield

    def _live(self, game_id: str) -> Live:
        """The game in memory (call under its lock) if it holds every saved move, else
        rebuilt from the store by replay."""
        saved = self.store.saved_moves(game_id)
        if saved is None:
            raise UnknownGameError(game_id)
        with self._guard:
            live = self._cache.get(game_id)
            if live is not None and live.saved == saved:
                self._cache.move_to_end(game_id)
                return live
        row = self.store.load(game_id)
        if row is None:
            raise UnknownGameError(game_id)
        game = self.scenarios.replay(record_of(row))
        live = Live(row=row, game=game, saved=len(row.moves))
        self._remember(game_id, live)
        return live

    def _remember(self, game_id: str, live: Live) -> None:
        with self._guard:
            self._cache[game_id] = live
            self._cache.move_to_end(game_id)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)  # its lock stays: it may be held now

    def _forget(self, game_id: str) -> None:
        with self._guard:
            self._cache.pop(game_id, None)

    # ------------------------------------------------------------ the API

    def create(
        self,
        scenario: str,
        side: str,
        *,
        opponent: str | None = None,
        seed: int = 0,
        interventions: Sequence[str] = (),
    ) -> tuple[str, str, Game]:
        """A new saved game: its id, its secret player token (returned once, stored only
        as a hash) and the game at the player's first decision."""
        game = self.scenarios.new_game(
            scenario, side, opponent=opponent, seed=seed, interventions=interventions
        )
        token = new_token()
        header = game.record.model_dump(exclude={"moves"})
        game_id = self.store.create(
            hash_token(token), header, title=game.scenario.title, summary=summary_of(game)
        )
        row = self.store.load(game_id)
        assert row is not None
        self._remember(game_id, Live(row=row, game=game, saved=0))
        return game_id, token, game

    def row(self, game_id: str) -> GameRow:
        """The saved game's header and list entry."""
        with self._locked(game_id):
            return self._live(game_id).row

    def view(self, game_id: str) -> GameView:
        """What the player sees now."""
        with self._locked(game_id):
            return self._live(game_id).game.view()

    def snapshot(self, game_id: str) -> Snapshot:
        """The saved game's row, the player's view, the record and the scenario, together."""
        with self._locked(game_id):
            live = self._live(game_id)
            game = live.game
            record = game.record.model_copy(deep=True)
            return Snapshot(row=live.row, view=game.view(), record=record, scenario=game.scenario)

    def record(self, game_id: str) -> GameRecord:
        """The game's inputs: everything that reproduces it."""
        with self._locked(game_id):
            return self._live(game_id).game.record.model_copy(deep=True)

    def choose(self, game_id: str, token: str | None, action: str, at_tick: int | None) -> GameView:
        """Make the player's choice, save it, and return the next view."""
        with self._locked(game_id):
            live = self._live(game_id)
            if not token:
                raise MissingTokenError()
            if not token_matches(token, live.row.token_hash):
                raise WrongTokenError()
            if live.game.finished:
                raise GameOverError()
            live.game.choose(action, at_tick=at_tick)
            moves = live.game.record.moves[live.saved :]
            try:
                self.store.append(
                    game_id,
                    live.saved,
                    [(m.tick, m.action) for m in moves],
                    summary_of(live.game),
                )
            except BaseException:
                self._forget(game_id)
                raise
            live.saved += len(moves)
            return live.game.view()

    def debrief(self, game_id: str) -> Debrief:
        """The debrief of a finished game."""
        with self._locked(game_id):
            game = self._live(game_id).game
            if not game.finished:
                raise NotOverError()
            return build_debrief(game)

    def replay(self, game_id: str, step: int) -> Replay:
        """The game as it stood before its move number ``step`` (0-based; the number of
        moves or more means the end), rebuilt by replay outside the game's lock."""
        with self._locked(game_id):
            record = self._live(game_id).game.record.model_copy(deep=True)
        total = len(record.moves)
        step = max(0, min(step, total))
        return Replay(self.scenarios.replay(record, moves=step), record, step, total)

    def recent(self, limit: int = 50, offset: int = 0) -> list[GameRow]:
        """The games most recently played."""
        return self.store.recent(limit, offset)
