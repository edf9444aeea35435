"""The games a server holds: saved in the store, rebuilt by replay, kept warm in memory.

Live games stay in an in-process LRU cache keyed by game id, so a choice steps the engine
from where the game stands instead of replaying it from the start. Each use checks the
cached copy against the number of moves saved in the store (one index lookup): a game
another server process moved on, or one evicted or never seen (after a restart), is
rebuilt by the game core's replay.

Every operation on a game first checks that the tokens sent grant a role in it (one
indexed lookup; ``tokens.py``): nothing else is done, and nothing is kept, for a request
without such a token, whatever the id. Then it runs under that game's lock, so two
requests for the same game never interleave; a lock lives only while requests hold it. A
choice is committed to the database before it is answered. A game that fails any check
(wrong token, stale or illegal choice) is left exactly as it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
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
    ReadOnlyTokenError,
    UnknownGameError,
    WrongTokenError,
)
from brinkmanship.web.store import GameRow, GameStore, Listed, Summary
from brinkmanship.web.tokens import (
    ACTING,
    SEAT,
    TOKEN_PATTERN,
    WATCH,
    hash_token,
    new_token,
    strongest,
    watch_token_of,
)

CACHE_SIZE = 512
"""Games kept in memory; one evicted is rebuilt from the database by replay."""

MAX_TOKENS = 100
"""The most tokens one request may present (a browser's cookies hold one per game)."""


@dataclass(frozen=True)
class Access:
    """What a request may do in a game: the strongest role its tokens grant there, and the
    token that grants it."""

    role: str
    token: str

    @property
    def acts(self) -> bool:
        """Whether this role makes the game's choices."""
        return self.role in ACTING


@dataclass
class GameLock:
    """A game's lock and the number of requests holding or awaiting it."""

    lock: threading.Lock
    users: int = 0


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
    access: Access


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
        self._locks: dict[str, GameLock] = {}
        self._guard = threading.Lock()

    # ------------------------------------------------------------ plumbing

    def access(self, game_id: str, tokens: Iterable[str]) -> Access:
        """The strongest role ``tokens`` grant in a game: MissingTokenError if none was
        sent, WrongTokenError if none grants one (whether or not the game exists)."""
        sent = list(tokens)
        if not sent:
            raise MissingTokenError()
        by_hash = {hash_token(t): t for t in usable(sent)}
        granted = self.store.roles(game_id, list(by_hash))
        role = strongest([r for _, r in granted])
        if role is None:
            raise WrongTokenError()
        token = next(by_hash[h] for h, r in granted if r == role)
        return Access(role, token)

    @contextmanager
    def _locked(self, game_id: str) -> Iterator[None]:
        """Hold the game's lock; it exists only while some request holds or awaits it."""
        with self._guard:
            held = self._locks.get(game_id)
            if held is None:
                held = self._locks[game_id] = GameLock(threading.Lock())
            held.users += 1
        try:
            with held.lock:
                yield
        finally:
            with self._guard:
                held.users -= 1
                if held.users == 0:
                    del self._locks[game_id]

    def held_state(self) -> tuple[int, int]:
        """How many games have a lock and how many are cached now (for tests)."""
        with self._guard:
            return len(self._locks), len(self._cache)

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
                self._cache.popitem(last=False)

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
        """A new saved game: its id, its secret seat token (returned once, stored only as a
        hash; its watch token is :func:`watch_token_of` it) and the game at the player's
        first decision."""
        game = self.scenarios.new_game(
            scenario, side, opponent=opponent, seed=seed, interventions=interventions
        )
        token = new_token()
        grants = {hash_token(token): SEAT, hash_token(watch_token_of(token)): WATCH}
        header = game.record.model_dump(exclude={"moves"})
        game_id = self.store.create(
            grants, header, title=game.scenario.title, summary=summary_of(game)
        )
        row = self.store.load(game_id)
        assert row is not None
        self._remember(game_id, Live(row=row, game=game, saved=0))
        return game_id, token, game

    def row(self, game_id: str, tokens: Iterable[str]) -> GameRow:
        """The saved game's header and list entry."""
        self.access(game_id, tokens)
        with self._locked(game_id):
            return self._live(game_id).row

    def view(self, game_id: str, tokens: Iterable[str]) -> GameView:
        """What the player sees now."""
        self.access(game_id, tokens)
        with self._locked(game_id):
            return self._live(game_id).game.view()

    def snapshot(self, game_id: str, tokens: Iterable[str]) -> Snapshot:
        """The saved game's row, the player's view, the record, the scenario and what the
        tokens grant, together."""
        access = self.access(game_id, tokens)
        if access.role == SEAT:
            self._ensure_watch(game_id, access.token)
        with self._locked(game_id):
            live = self._live(game_id)
            game = live.game
            record = game.record.model_copy(deep=True)
            return Snapshot(
                row=live.row,
                view=game.view(),
                record=record,
                scenario=game.scenario,
                access=access,
            )

    def _ensure_watch(self, game_id: str, seat_token: str) -> None:
        """Grant the watch token of a game saved before watch tokens existed."""
        watch_hash = hash_token(watch_token_of(seat_token))
        if not self.store.roles(game_id, [watch_hash]):
            self.store.grant(watch_hash, game_id, WATCH)

    def record(self, game_id: str, tokens: Iterable[str]) -> GameRecord:
        """The game's inputs: everything that reproduces it."""
        self.access(game_id, tokens)
        with self._locked(game_id):
            return self._live(game_id).game.record.model_copy(deep=True)

    def choose(
        self, game_id: str, tokens: Iterable[str], action: str, at_tick: int | None
    ) -> GameView:
        """Make the player's choice, save it, and return the next view."""
        if not self.access(game_id, tokens).acts:
            raise ReadOnlyTokenError()
        with self._locked(game_id):
            live = self._live(game_id)
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

    def debrief(self, game_id: str, tokens: Iterable[str]) -> Debrief:
        """The debrief of a finished game."""
        self.access(game_id, tokens)
        with self._locked(game_id):
            game = self._live(game_id).game
            if not game.finished:
                raise NotOverError()
            return build_debrief(game)

    def replay(self, game_id: str, tokens: Iterable[str], step: int) -> Replay:
        """The game as it stood before its move number ``step`` (0-based; the number of
        moves or more means the end), rebuilt by replay outside the game's lock."""
        self.access(game_id, tokens)
        with self._locked(game_id):
            record = self._live(game_id).game.record.model_copy(deep=True)
        total = len(record.moves)
        step = max(0, min(step, total))
        return Replay(self.scenarios.replay(record, moves=step), record, step, total)

    def listed(self, tokens: Iterable[str], limit: int = 50, offset: int = 0) -> list[Listed]:
        """The games ``tokens`` grant a role in, most recently played first: there is no
        list of every game."""
        return self.store.granted([hash_token(t) for t in usable(tokens)], limit, offset)


def usable(tokens: Iterable[str]) -> list[str]:
    """The distinct tokens sent that look like tokens, at most :data:`MAX_TOKENS`."""
    seen: dict[str, None] = {}
    for token in tokens:
        if len(seen) >= MAX_TOKENS:
            break
        if TOKEN_PATTERN.fullmatch(token):
            seen[token] = None
    return list(seen)
