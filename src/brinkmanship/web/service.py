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

A game with several human seats (a class's) takes each seat's choice from that seat's
token. The choice that completes a decision point is answered as soon as it is saved; the
game moves on (the other actors decide, the engine runs to the next decision point) right
after, in a background thread, and anything that reads the game first waits for that.
When the class has a timer, a decision point whose seats have not all chosen within it is
completed by their fallback policies, both when a request touches the game and by a
background sweeper (:meth:`GameService.start_timers`). A decision's time starts when the
previous one was completed, a moment saved with the move that completed it, so a
restarted server keeps every deadline. Every saved move bumps a change counter that live
pages listen to.

A server starting up rebuilds the open games played in the last day (most recent first,
for at most :data:`WARM_SECONDS`) before it answers, so that a class carries on after a
restart without every game being replayed by the requests of its first minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from brinkmanship.play.debrief import Debrief, build_debrief
from brinkmanship.play.game import Game, GameRecord, PlayerMove, SeatOrders
from brinkmanship.play.record import SavedOrders
from brinkmanship.play.view import GameView
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.web.games import Scenarios
from brinkmanship.web.problems import (
    GameOverError,
    MissingTokenError,
    NotOverError,
    ReadOnlyTokenError,
    RevokedTokenError,
    UnknownGameError,
    WrongTokenError,
)
from brinkmanship.web.store import (
    GameRow,
    GameStore,
    Listed,
    NewGameRow,
    Opened,
    SavedMove,
    Summary,
)
from brinkmanship.web.tokens import (
    ACTING,
    SEAT,
    TOKEN_PATTERN,
    WATCH,
    base_role,
    hash_token,
    new_token,
    seat_of,
    strongest,
    watch_token_of,
)

log = logging.getLogger(__name__)

CACHE_SIZE = 512
"""Games kept in memory; one evicted is rebuilt from the database by replay."""

SWEEP_SECONDS = 0.25
"""How often the timer sweeper looks for decisions whose time ran out."""

MAX_TOKENS = 100
"""The most tokens one request may present (a browser's cookies hold one per game)."""

WARM_SECONDS = 20.0
"""At start-up, open games are rebuilt for at most this long before the server answers."""
WARM_HOURS = 24
"""At start-up, the open games played within this many hours are rebuilt."""


@dataclass(frozen=True)
class Access:
    """What a request may do in a game: the strongest role its tokens grant there, and the
    token that grants it."""

    role: str
    token: str

    @property
    def acts(self) -> bool:
        """Whether this role makes the game's choices."""
        return base_role(self.role) in ACTING

    @property
    def seat(self) -> str | None:
        """The seat this role plays (empty: the game's one human side), or None."""
        return seat_of(self.role)


@dataclass
class GameLock:
    """A game's lock and the number of requests holding or awaiting it."""

    lock: threading.Lock
    users: int = 0


@dataclass
class Live:
    """A game in memory, with the number of its moves already saved, and (for a class's
    game) its class, its timer and when its current decision point began."""

    row: GameRow
    game: Game
    saved: int
    class_id: str | None = None
    timer: float | None = None
    """Seconds each seat has for a decision; None: no limit."""
    since: float = field(default_factory=time.monotonic)
    """When the current decision point began (monotonic clock)."""
    opened: int = 0
    """The number of moves made before the decision point ``since`` belongs to."""

    def deadline(self) -> float | None:
        """When the current decision's time runs out (monotonic clock), or None."""
        if self.timer is None or self.game.finished or not self.game.pending:
            return None
        return self.since + self.timer

    def resume(self, opened: Opened | None) -> None:
        """Take the start of the current decision point from the store (after a restart):
        a deadline saved for this decision point holds; any other starts now."""
        self.opened = self.game.decision_start
        if opened is not None and opened.moves == self.opened:
            self.since = time.monotonic() - max(0.0, time.time() - opened.began)
        else:
            self.since = time.monotonic()

    def opening(self) -> Opened | None:
        """The start of a decision point the game has just reached (to save with the moves
        that reached it: now), or None if it is still at the one ``since`` belongs to."""
        start = self.game.decision_start
        return None if start == self.opened else Opened(start, time.time())

    def open(self, opened: Opened) -> None:
        """Start the clock of the decision point ``opened`` (saved)."""
        self.opened = opened.moves
        self.since = time.monotonic() - max(0.0, time.time() - opened.began)


@dataclass(frozen=True)
class Turn:
    """Where a game stands for its seats: the decision's tick, the seats it waits for, the
    seats that have chosen, the seconds left (None: no timer) and the moves saved."""

    tick: int
    pending: tuple[str, ...]
    chosen: tuple[str, ...]
    seconds_left: float | None
    moves: int
    finished: bool

    def as_dict(self) -> dict[str, object]:
        """The turn as JSON-ready data."""
        return {
            "tick": self.tick,
            "pending": list(self.pending),
            "chosen": list(self.chosen),
            "seconds_left": self.seconds_left,
            "moves": self.moves,
            "finished": self.finished,
        }


def turn_of(live: Live) -> Turn:
    """The turn of a game in memory."""
    game, deadline = live.game, live.deadline()
    left = None if deadline is None else max(0.0, round(deadline - time.monotonic(), 1))
    chosen = tuple(s for s in game.seats if game.chosen(s) is not None)
    return Turn(game.tick, game.pending, chosen, left, live.saved, game.finished)


@dataclass(frozen=True)
class Snapshot:
    """A game as it stands, read under one hold of its lock (a consistent page)."""

    row: GameRow
    view: GameView
    record: GameRecord
    scenario: CompiledScenario
    access: Access
    seat: str
    turn: Turn
    class_id: str | None


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
    moves = [
        PlayerMove.model_validate({"tick": t, "action": a, "seat": s, "by": b})
        for t, a, s, b in row.moves
    ]
    return GameRecord.model_validate({**row.header, "moves": moves})


def orders_of(game: Game) -> dict[str, Any] | None:
    """The several orders (or the wait for news) given at a game's last decision, as the
    store saves them beside its moves; None after a single choice. In a game with several
    human seats: each seat's orders still to carry out and the report of its last ones."""
    if len(game.seats) > 1:
        seats = game.seat_orders()
        return None if seats is None else seats.model_dump(mode="json")
    orders = game.saved_orders()
    return None if orders is None else orders.saved()


def restore_orders(game: Game, orders: dict[str, Any]) -> None:
    """Give a game rebuilt by replay the orders saved by :func:`orders_of` (in a game with
    several human seats, those due now are carried out)."""
    if len(game.seats) > 1:
        game.restore_seat_orders(SeatOrders.model_validate(orders))
        return
    game.restore_orders(SavedOrders.model_validate(orders))


def saved(moves: Sequence[PlayerMove]) -> list[SavedMove]:
    """Moves as the store saves them."""
    return [(m.tick, m.action, m.seat, m.by) for m in moves]


class GameService:
    """Create, look at, play and replay saved games."""

    def __init__(self, store: GameStore, cache_size: int = CACHE_SIZE) -> None:
        self.store = store
        self.scenarios = Scenarios()
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Live] = OrderedDict()
        self._locks: dict[str, GameLock] = {}
        self._guard = threading.Lock()
        self._timers: dict[str, tuple[str, float | None]] = {}
        """Each class game's class and timer, as looked up once."""
        self._deadlines: dict[str, float] = {}
        """The class games with a running timer: when their decision's time runs out."""
        self.changes: dict[str, int] = {}
        """A counter per game and per class, bumped by every saved move (live pages)."""
        self._listeners: dict[str, set[Callable[[], None]]] = {}
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._settler = ThreadPoolExecutor(max_workers=1, thread_name_prefix="settle")
        """Moves games on after the answers to their choices, one at a time."""

    # ------------------------------------------------------------ plumbing

    def access(self, game_id: str, tokens: Iterable[str]) -> Access:
        """The strongest role ``tokens`` grant in a game: MissingTokenError if none was
        sent, RevokedTokenError if none grants one but one did until it was replaced,
        WrongTokenError if none grants one (whether or not the game exists)."""
        sent = list(tokens)
        if not sent:
            raise MissingTokenError()
        by_hash = {hash_token(t): t for t in usable(sent)}
        granted = self.store.roles(game_id, list(by_hash))
        role = strongest([r for _, r in granted])
        if role is None:
            if self.store.was_revoked(game_id, list(by_hash)):
                raise RevokedTokenError()
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
        rebuilt from the store by replay; moved on first if a choice left it unsettled."""
        saved = self.store.saved_moves(game_id)
        if saved is None:
            raise UnknownGameError(game_id)
        with self._guard:
            live = self._cache.get(game_id)
            if live is not None and live.saved == saved:
                self._cache.move_to_end(game_id)
            else:
                live = None
        if live is not None:
            self._settle(game_id, live)
            return live
        row = self.store.load(game_id)
        if row is None:
            raise UnknownGameError(game_id)
        game = self.scenarios.replay(record_of(row))
        class_id, timer = self._timer_of(game_id)
        live = Live(row=row, game=game, saved=len(row.moves), class_id=class_id, timer=timer)
        live.resume(row.opened)
        if row.orders is not None:
            restore_orders(game, row.orders)
            self._save(game_id, live)  # the orders the server stopped before carrying out
        if summary_of(game) != row.summary:  # the server stopped before it was rewritten
            self.store.summarize(game_id, summary_of(game))
        self._remember(game_id, live)
        self._schedule(game_id, live)
        return live

    def _settle(self, game_id: str, live: Live) -> None:
        """Move a game on after a choice that completed its decision point (call under its
        lock; nothing to do if no such choice is waiting)."""
        if not live.game.unsettled:
            return
        try:
            live.game.settle()
        except BaseException:
            self._forget(game_id)
            raise
        if len(live.game.record.moves) > live.saved:  # seats' orders carried out on the way
            self._save(game_id, live)
            return
        if live.game.finished:  # the list shows the game over at once
            self.store.summarize(game_id, summary_of(live.game))
        self._schedule(game_id, live)
        self._changed(game_id, live)

    def settle_soon(self, game_id: str) -> None:
        """Have the settler thread move a game on (if a choice left it waiting to)."""
        self._settler.submit(self._settle_now, game_id)

    def _settle_now(self, game_id: str) -> None:
        try:
            with self._locked(game_id):
                self._live(game_id)
        except UnknownGameError:
            pass
        except Exception:  # the next request for the game replays it and reports the error
            log.exception("game %s could not move on", game_id)

    def _timer_of(self, game_id: str) -> tuple[str | None, float | None]:
        """A game's class and the seconds its class gives each decision (None: none)."""
        known = self._timers.get(game_id)
        if known is not None:
            return known
        class_id = self.store.class_of(game_id)
        if class_id is None:
            return None, None
        found = self.store.load_class(class_id)
        raw = found.form.get("timer") if found is not None else None
        timer = float(raw) if isinstance(raw, int | float) and raw > 0 else None
        with self._guard:
            self._timers[game_id] = (class_id, timer)
        return class_id, timer

    def _schedule(self, game_id: str, live: Live) -> None:
        """Keep the sweeper's deadline of a game in step with its decision point."""
        deadline = live.deadline()
        with self._guard:
            if deadline is None:
                self._deadlines.pop(game_id, None)
            else:
                self._deadlines[game_id] = deadline

    def subscribe(self, key: str, wake: Callable[[], None]) -> Callable[[], None]:
        """Call ``wake`` (from a worker thread) whenever a move is saved in the game or the
        class ``key``; returns the function that stops it."""
        with self._guard:
            self._listeners.setdefault(key, set()).add(wake)

        def unsubscribe() -> None:
            with self._guard:
                listeners = self._listeners.get(key)
                if listeners is not None:
                    listeners.discard(wake)
                    if not listeners:
                        del self._listeners[key]

        return unsubscribe

    def _changed(self, game_id: str, live: Live) -> None:
        keys = [game_id] if live.class_id is None else [game_id, live.class_id]
        with self._guard:
            wake: list[Callable[[], None]] = []
            for key in keys:
                self.changes[key] = self.changes.get(key, 0) + 1
                wake.extend(self._listeners.get(key, ()))
        for call in wake:
            call()

    def _save(self, game_id: str, live: Live) -> None:
        """Save the moves made since the last save (call under the game's lock), with the
        start of the decision point they reached, if any. Live pages hear of them now, or,
        if the game has yet to move on, once it has."""
        moves = live.game.record.moves[live.saved :]
        if not moves:
            return
        opened = live.opening()
        try:
            self.store.append(
                game_id,
                live.saved,
                saved(moves),
                summary_of(live.game),
                opened,
                orders_of(live.game),
            )
        except BaseException:
            self._forget(game_id)
            raise
        live.saved += len(moves)
        if opened is not None:
            live.open(opened)
        self._schedule(game_id, live)
        if not live.game.unsettled:
            self._changed(game_id, live)

    def _expire(self, game_id: str, live: Live) -> None:
        """Let the fallback policies decide for the seats whose time ran out (call under
        the game's lock)."""
        deadline = live.deadline()
        while deadline is not None and time.monotonic() >= deadline:
            for seat in live.game.pending:
                live.game.time_out(seat)
            self._save(game_id, live)
            deadline = live.deadline()

    # ------------------------------------------------------------ timers

    def expire(self, game_id: str) -> None:
        """Apply a class game's timer now (the sweeper's step; harmless at any time)."""
        with self._locked(game_id):
            try:
                live = self._live(game_id)
            except UnknownGameError:
                with self._guard:
                    self._deadlines.pop(game_id, None)
                return
            self._expire(game_id, live)
            self._schedule(game_id, live)

    def sweep(self) -> None:
        """Apply every timer whose time has run out."""
        now = time.monotonic()
        with self._guard:
            due = [g for g, t in self._deadlines.items() if t <= now]
        for game_id in due:
            self.expire(game_id)

    def warm_up(self, seconds: float = WARM_SECONDS) -> int:
        """Rebuild the open games played within :data:`WARM_HOURS`, most recent first, up
        to the cache's size, for at most ``seconds``; how many were rebuilt."""
        since = datetime.now(timezone.utc) - timedelta(hours=WARM_HOURS)
        recent = self.store.recent_open_games(since.isoformat(timespec="seconds"), self.cache_size)
        stop = time.monotonic() + seconds
        done = 0
        for game_id in recent:
            if time.monotonic() >= stop:
                break
            try:
                with self._locked(game_id):
                    self._live(game_id)
            except Exception:  # a game that no longer replays says so when it is opened
                log.exception("game %s could not be rebuilt at start-up", game_id)
                continue
            done += 1
        return done

    def start_timers(self) -> None:
        """Start the background sweeper; the open games of every class are loaded so their
        timers run again after a restart."""
        if self._sweeper is not None:
            return
        with self._guard:
            for game_id in self.store.open_class_games():
                self._deadlines.setdefault(game_id, 0.0)
        self._stop.clear()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="timers", daemon=True)
        self._sweeper.start()

    def stop_timers(self) -> None:
        """Stop the background sweeper."""
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
            self._sweeper = None

    def _sweep_loop(self) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                self.sweep()
            except Exception:  # one bad game must not stop every other game's timer
                log.exception("the timer sweeper failed")

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

    def create_many(
        self,
        class_id: str,
        teacher_hash: str,
        form: dict[str, object],
        title: str,
        games: Sequence[tuple[NewGameRow, Game]],
        timer: float | None,
    ) -> None:
        """Save a class and its new games together, and keep the games warm."""
        self.store.create_class(class_id, teacher_hash, dict(form), title, [r for r, _ in games])
        for new, game in games:
            row = self.store.load(new.id)
            assert row is not None
            with self._guard:
                self._timers[new.id] = (class_id, timer)
            live = Live(row=row, game=game, saved=0, class_id=class_id, timer=timer)
            live.resume(row.opened)
            self._remember(new.id, live)
            self._schedule(new.id, live)

    def row(self, game_id: str, tokens: Iterable[str]) -> GameRow:
        """The saved game's header and list entry."""
        self.access(game_id, tokens)
        with self._locked(game_id):
            return self._live(game_id).row

    def view(self, game_id: str, tokens: Iterable[str]) -> GameView:
        """What the player sees now (a seat's token: that seat's view)."""
        access = self.access(game_id, tokens)
        with self._locked(game_id):
            live = self._live(game_id)
            self._expire(game_id, live)
            return live.game.view(access.seat or None)

    def snapshot(self, game_id: str, tokens: Iterable[str], seat: str | None = None) -> Snapshot:
        """The saved game's row, a seat's view, the record, the scenario, what the tokens
        grant and the turn, together. A token that plays a seat sees that seat; a watcher
        sees ``seat`` (by default the game's side)."""
        access = self.access(game_id, tokens)
        if access.role == SEAT:
            self._ensure_watch(game_id, access.token)
        with self._locked(game_id):
            live = self._live(game_id)
            self._expire(game_id, live)
            game = live.game
            seat = access.seat or (seat if access.seat is None else None) or game.record.side
            record = game.record.model_copy(deep=True)
            return Snapshot(
                row=live.row,
                view=game.view(seat),
                record=record,
                scenario=game.scenario,
                access=access,
                seat=seat,
                turn=turn_of(live),
                class_id=live.class_id,
            )

    def turn(self, game_id: str, tokens: Iterable[str]) -> Turn:
        """Where the game stands for its seats (what live pages show)."""
        self.access(game_id, tokens)
        return self.current_turn(game_id)

    def current_turn(self, game_id: str) -> Turn:
        """The turn, for a caller that has checked the request's tokens already (a live
        stream, once when it opens)."""
        with self._locked(game_id):
            live = self._live(game_id)
            self._expire(game_id, live)
            return turn_of(live)

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
        self,
        game_id: str,
        tokens: Iterable[str],
        action: str,
        at_tick: int | None,
        later: Callable[[Callable[[], None]], None] | None = None,
        then: Sequence[str] = (),
    ) -> GameView:
        """Make the choice of the seat the token plays (with ``then``, further orders: see
        :meth:`Game.carry_out`), save it, and return that seat's next view. A seat whose
        time has run out has been decided for: its choice is stale.

        In a game with several human seats the answer is the seat's view right after its
        choice (the game waits for the other seats, or is about to move on): a choice that
        completes the decision point is answered once saved, and the game moves on after
        the answer (the live stream's next change carries the new decision). ``later``
        runs the function that starts that once the answer is sent (by default: at once);
        whatever reads the game first moves it on in any case."""
        access = self.access(game_id, tokens)
        if not access.acts:
            raise ReadOnlyTokenError()
        with self._locked(game_id):
            live = self._live(game_id)
            self._expire(game_id, live)
            if live.game.finished:
                raise GameOverError()
            seat = access.seat or None
            defer = len(live.game.seats) > 1
            try:
                if then:
                    orders = [action, *then]
                    live.game.carry_out(orders, at_tick=at_tick, seat=seat, defer=defer)
                else:
                    live.game.choose(action, at_tick=at_tick, seat=seat, defer=defer)
            finally:
                self._save(game_id, live)  # orders carried out before a failure stay made
            view = live.game.view(seat)
            unsettled = live.game.unsettled
        if unsettled:
            (later or (lambda run: run()))(lambda: self.settle_soon(game_id))
        return view

    def debrief(self, game_id: str, tokens: Iterable[str]) -> Debrief:
        """The debrief of a finished game, for the seat the token plays (a watcher: the
        game's side)."""
        access = self.access(game_id, tokens)
        with self._locked(game_id):
            game = self._live(game_id).game
            if not game.finished:
                raise NotOverError()
            return build_debrief(game, access.seat or None)

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
