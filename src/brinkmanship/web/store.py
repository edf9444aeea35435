"""Saved games in SQLite, event-sourced: a game is its inputs (a header: scenario,
interventions, side, opponents, seed, version) and the player's moves in order. The state
is never stored; it is rebuilt by replaying the moves. Each move is committed in its own
transaction before the server answers, so a game survives a restart or a ``kill -9``.

A small summary (status, outcome, game clock) is kept beside each game for the game list;
it is a projection of the replay, rewritten with each move (as the game stood when the
move was made) and once more when a game ends after its last move; a server rebuilding a
game puts right a summary it finds out of date.

Beside each game is when its current decision point began (wall clock) and how many moves
were made before it, saved in the same transaction as the move that completed the previous
decision: a restarted server keeps each class decision's deadline. So are, rewritten with
every move, the several orders (or the wait for news) given at the last decision: after how
many moves, and what became of them (the next screen shows it); the replay alone cannot
tell those moves from single choices.

A move is (tick, action, seat, by): the seat is empty in a game with one human side, and
``by`` says whether the player or the seat's fallback policy (after the seat's time ran
out) chose. A class (``classes``) is a set of games played at once, with its form and a
teacher token's hash; ``class_games`` lists its games in order.

Who may do what is a table of grants: a token's hash, a game and a role (``tokens.py``);
a token that was replaced (a class seat's link, renewed by the teacher) moves from the
grants to ``revoked``, so that it can be told apart from a token that never opened the
game.
A game is reached only through a grant, and a list of games is always the games some
tokens grant: there is no list of every game.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from brinkmanship.errors import BrinkError
from brinkmanship.web.tokens import new_game_id, strongest

SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    id          TEXT PRIMARY KEY,
    header      TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    title       TEXT NOT NULL,
    side        TEXT NOT NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    status      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    clock       TEXT NOT NULL,
    decision_moves INTEGER,
    decision_began REAL,
    orders      TEXT
);
CREATE TABLE IF NOT EXISTS moves (
    game_id TEXT NOT NULL REFERENCES games(id),
    n       INTEGER NOT NULL,
    tick    INTEGER NOT NULL,
    action  TEXT NOT NULL,
    made    TEXT NOT NULL,
    seat    TEXT NOT NULL DEFAULT '',
    by      TEXT NOT NULL DEFAULT 'player',
    PRIMARY KEY (game_id, n)
);
CREATE TABLE IF NOT EXISTS classes (
    id           TEXT PRIMARY KEY,
    teacher_hash TEXT NOT NULL,
    form         TEXT NOT NULL,
    title        TEXT NOT NULL,
    created      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS class_games (
    class_id TEXT NOT NULL REFERENCES classes(id),
    n        INTEGER NOT NULL,
    game_id  TEXT NOT NULL REFERENCES games(id),
    PRIMARY KEY (class_id, n)
);
CREATE INDEX IF NOT EXISTS class_games_by_game ON class_games(game_id);
CREATE INDEX IF NOT EXISTS games_by_update ON games(updated);
CREATE TABLE IF NOT EXISTS grants (
    token_hash TEXT NOT NULL,
    game_id    TEXT NOT NULL REFERENCES games(id),
    role       TEXT NOT NULL,
    PRIMARY KEY (token_hash, game_id)
);
CREATE INDEX IF NOT EXISTS grants_by_game ON grants(game_id);
CREATE TABLE IF NOT EXISTS revoked (
    token_hash TEXT PRIMARY KEY,
    game_id    TEXT NOT NULL REFERENCES games(id),
    role       TEXT NOT NULL,
    revoked    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revoked_by_game ON revoked(game_id);
"""

MIGRATE_SEAT_HASHES = (
    "INSERT OR IGNORE INTO grants (token_hash, game_id, role) "
    "SELECT token_hash, id, 'seat' FROM games",
    "ALTER TABLE games DROP COLUMN token_hash",
)
"""A store written before grants kept each game's player token hash in ``games``."""

MIGRATE_MOVE_SEATS = (
    "ALTER TABLE moves ADD COLUMN seat TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE moves ADD COLUMN by TEXT NOT NULL DEFAULT 'player'",
)
"""A store written before games had several seats kept a move's tick and action only."""

MIGRATE_DECISIONS = (
    "ALTER TABLE games ADD COLUMN decision_moves INTEGER",
    "ALTER TABLE games ADD COLUMN decision_began REAL",
)
"""A store written before decisions' deadlines were kept across a restart."""

MIGRATE_ORDERS = ("ALTER TABLE games ADD COLUMN orders TEXT",)
"""A store written before several orders' report was kept across a restart."""

SavedMove = tuple[int, str, str, str]
"""A saved move: tick, action, seat (empty: the game's one human side), by."""


class StoreError(BrinkError):
    """The database could not be opened or is not a game store."""


class MoveConflictError(BrinkError):
    """Another request saved a move first; the caller's copy of the game is out of date."""


@dataclass(frozen=True)
class Opened:
    """When a game's current decision point began: after how many moves, and when (seconds
    since the epoch, UTC)."""

    moves: int
    began: float


@dataclass(frozen=True)
class Summary:
    """What the game list shows about a game: a projection of its replay."""

    status: str
    outcome: str
    clock: str


@dataclass(frozen=True)
class GameRow:
    """A saved game as stored: its header, its moves and its list entry."""

    id: str
    header: dict[str, Any]
    moves: tuple[SavedMove, ...]
    scenario: str
    title: str
    side: str
    created: str
    updated: str
    summary: Summary
    opened: Opened | None = None
    """When its current decision point began, if known."""
    orders: dict[str, Any] | None = None
    """The several orders (or the wait for news) given at the last decision, if they were
    (JSON: after how many moves, and their report)."""


COLUMNS = (
    "id, header, scenario, title, side, created, updated, status, outcome, clock, "
    "decision_moves, decision_began, orders"
)


def _game_row(r: Any, moves: tuple[SavedMove, ...]) -> GameRow:
    return GameRow(
        id=r[0],
        header=json.loads(r[1]),
        moves=moves,
        scenario=r[2],
        title=r[3],
        side=r[4],
        created=r[5],
        updated=r[6],
        summary=Summary(status=r[7], outcome=r[8], clock=r[9]),
        opened=None if r[10] is None or r[11] is None else Opened(int(r[10]), float(r[11])),
        orders=None if r[12] is None else json.loads(r[12]),
    )


@dataclass(frozen=True)
class NewGameRow:
    """A game to save: its id, the roles its tokens grant (hash: role), header, title and
    list entry."""

    id: str
    grants: Mapping[str, str]
    header: dict[str, Any]
    title: str
    summary: Summary


@dataclass(frozen=True)
class ClassRow:
    """A saved class: its form (scenario, games, seats, timer), its teacher token's hash and
    its games in order."""

    id: str
    teacher_hash: str
    form: dict[str, Any]
    title: str
    created: str
    games: tuple[str, ...]


@dataclass(frozen=True)
class Listed:
    """A game in a list of the games some tokens grant, with the strongest role granted."""

    row: GameRow
    role: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class GameStore:
    """A SQLite file of saved games, shared by the server's worker threads: one connection,
    used by one thread at a time.

    The database is in WAL mode with ``synchronous=NORMAL``: a committed move survives the
    server process being killed at any moment (the kernel holds the write); only a crash
    of the whole machine can lose the last moves.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            if self._has_seat_hashes():
                with self._transaction() as db:
                    if self._has_seat_hashes():  # another server may have migrated it
                        for statement in MIGRATE_SEAT_HASHES:
                            db.execute(statement)
            if not self._has_move_seats():
                with self._transaction() as db:
                    if not self._has_move_seats():
                        for statement in MIGRATE_MOVE_SEATS:
                            db.execute(statement)
            if not self._has_decisions():
                with self._transaction() as db:
                    if not self._has_decisions():
                        for statement in MIGRATE_DECISIONS:
                            db.execute(statement)
            if not self._has_orders():
                with self._transaction() as db:
                    if not self._has_orders():
                        for statement in MIGRATE_ORDERS:
                            db.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the game database {path}: {exc}") from None

    def _has_move_seats(self) -> bool:
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(moves)")}
        return "seat" in columns

    def _has_decisions(self) -> bool:
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(games)")}
        return "decision_began" in columns

    def _has_orders(self) -> bool:
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(games)")}
        return "orders" in columns

    def _has_seat_hashes(self) -> bool:
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(games)")}
        return "token_hash" in columns

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def create(
        self,
        grants: Mapping[str, str],
        header: dict[str, Any],
        *,
        title: str,
        summary: Summary,
        moves: Sequence[SavedMove] = (),
    ) -> str:
        """Save a new game, the roles its tokens grant (token hash: role) and its moves so
        far; return its new, random id."""
        now = _now()
        with self._transaction() as db:
            game_id = new_game_id()
            while db.execute("SELECT 1 FROM games WHERE id = ?", (game_id,)).fetchone():
                game_id = new_game_id()  # pragma: no cover - 128 random bits
            new = NewGameRow(game_id, grants, header, title, summary)
            self._insert_game(db, new, now, opened=not moves)
            self._insert_moves(db, game_id, 0, moves, now)
        return game_id

    @staticmethod
    def _insert_game(
        db: sqlite3.Connection, game: NewGameRow, now: str, *, opened: bool = True
    ) -> None:
        """Insert a game; with ``opened``, its first decision point begins now."""
        header = game.header
        db.execute(
            f"INSERT INTO games ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                game.id,
                json.dumps(header, sort_keys=True),
                str(header["scenario"]),
                game.title,
                str(header["side"]),
                now,
                now,
                game.summary.status,
                game.summary.outcome,
                game.summary.clock,
                0 if opened else None,
                time.time() if opened else None,
                None,
            ),
        )
        db.executemany(
            "INSERT INTO grants (token_hash, game_id, role) VALUES (?, ?, ?)",
            [(h, game.id, role) for h, role in game.grants.items()],
        )

    def create_class(
        self,
        class_id: str,
        teacher_hash: str,
        form: dict[str, Any],
        title: str,
        games: Sequence[NewGameRow],
    ) -> None:
        """Save a class, its games (ids chosen by the caller) and their grants in one
        transaction."""
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO classes (id, teacher_hash, form, title, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (class_id, teacher_hash, json.dumps(form, sort_keys=True), title, now),
            )
            for n, game in enumerate(games):
                self._insert_game(db, game, now)
                db.execute(
                    "INSERT INTO class_games (class_id, n, game_id) VALUES (?, ?, ?)",
                    (class_id, n, game.id),
                )

    def load_class(self, class_id: str) -> ClassRow | None:
        """A saved class with its games' ids in order, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id, teacher_hash, form, title, created FROM classes WHERE id = ?",
                (class_id,),
            ).fetchone()
            if row is None:
                return None
            games = db.execute(
                "SELECT game_id FROM class_games WHERE class_id = ? ORDER BY n", (class_id,)
            ).fetchall()
        return ClassRow(
            id=row[0],
            teacher_hash=row[1],
            form=json.loads(row[2]),
            title=row[3],
            created=row[4],
            games=tuple(str(g) for (g,) in games),
        )

    def class_of(self, game_id: str) -> str | None:
        """The id of the class a game belongs to, or None."""
        with self._connect() as db:
            found = db.execute(
                "SELECT class_id FROM class_games WHERE game_id = ?", (game_id,)
            ).fetchone()
        return None if found is None else str(found[0])

    def recent_open_games(self, since: str, limit: int) -> list[str]:
        """The games not over that were played (or created) at ``since`` (ISO, UTC) or
        later, most recent first, at most ``limit``."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id FROM games WHERE status != 'finished' AND updated >= ? "
                "ORDER BY updated DESC, id LIMIT ?",
                (since, limit),
            ).fetchall()
        return [str(g) for (g,) in rows]

    def open_class_games(self) -> list[str]:
        """The games not over of every class with a timer (their timers run again after a
        restart)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT g.id FROM class_games c JOIN games g ON g.id = c.game_id "
                "JOIN classes k ON k.id = c.class_id "
                "WHERE g.status != 'finished' AND json_extract(k.form, '$.timer') > 0"
            ).fetchall()
        return [str(g) for (g,) in rows]

    def class_moves(self, class_id: str) -> list[tuple[Any, ...]]:
        """Every move of a class's games: game number, game id, move number, tick, seat,
        action, by, when it was saved (UTC), in order."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.n, m.game_id, m.n, m.tick, m.seat, m.action, m.by, m.made "
                "FROM class_games c JOIN moves m ON m.game_id = c.game_id "
                "WHERE c.class_id = ? ORDER BY c.n, m.n",
                (class_id,),
            ).fetchall()
        return [tuple(r) for r in rows]

    def grant(self, token_hash: str, game_id: str, role: str) -> None:
        """Let a token (by its hash) take ``role`` in a saved game (replacing its role there
        if it had one)."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO grants (token_hash, game_id, role) VALUES (?, ?, ?)",
                (token_hash, game_id, role),
            )

    def replace_grant(self, game_id: str, old_hash: str, new_hash: str, role: str) -> None:
        """Revoke a token's grant of ``role`` in a game and grant the role to another token,
        in one transaction."""
        with self._transaction() as db:
            db.execute(
                "DELETE FROM grants WHERE token_hash = ? AND game_id = ?", (old_hash, game_id)
            )
            db.execute(
                "INSERT OR REPLACE INTO revoked (token_hash, game_id, role, revoked) "
                "VALUES (?, ?, ?, ?)",
                (old_hash, game_id, role, _now()),
            )
            db.execute(
                "INSERT OR REPLACE INTO grants (token_hash, game_id, role) VALUES (?, ?, ?)",
                (new_hash, game_id, role),
            )

    def was_revoked(self, game_id: str, token_hashes: Sequence[str]) -> bool:
        """Whether any of the tokens (by their hashes) once opened the game and was revoked."""
        if not token_hashes:
            return False
        marks = ", ".join("?" * len(token_hashes))
        with self._connect() as db:
            found = db.execute(
                f"SELECT 1 FROM revoked WHERE game_id = ? AND token_hash IN ({marks}) LIMIT 1",
                (game_id, *token_hashes),
            ).fetchone()
        return found is not None

    def revocations(self, game_ids: Sequence[str]) -> dict[tuple[str, str], int]:
        """How many tokens were revoked for each (game, role) of the games given."""
        if not game_ids:
            return {}
        marks = ", ".join("?" * len(game_ids))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT game_id, role, count(*) FROM revoked WHERE game_id IN ({marks}) "
                "GROUP BY game_id, role",
                tuple(game_ids),
            ).fetchall()
        return {(str(g), str(r)): int(n) for g, r, n in rows}

    def roles(self, game_id: str, token_hashes: Sequence[str]) -> list[tuple[str, str]]:
        """The roles the tokens (by their hashes) grant in a game, as (hash, role); none for a
        game that does not exist. One indexed lookup: the check made before other work."""
        if not token_hashes:
            return []
        marks = ", ".join("?" * len(token_hashes))
        with self._connect() as db:
            found = db.execute(
                "SELECT token_hash, role FROM grants "
                f"WHERE game_id = ? AND token_hash IN ({marks})",
                (game_id, *token_hashes),
            ).fetchall()
        return [(str(h), str(r)) for h, r in found]

    def append(
        self,
        game_id: str,
        first: int,
        moves: Sequence[SavedMove],
        summary: Summary,
        opened: Opened | None = None,
        orders: dict[str, Any] | None = None,
    ) -> None:
        """Save ``moves`` as moves number ``first``, ``first + 1``, … of a game, with its new
        summary (and, if they began a new decision point, when: ``opened``) and, if they
        carried out several orders or a wait for news, those (``orders``), in one
        transaction. Raise MoveConflictError if the game does not have exactly ``first``
        moves saved (someone else moved first): nothing is written then."""
        now = _now()
        with self._transaction() as db:
            (count,) = db.execute(
                "SELECT count(*) FROM moves WHERE game_id = ?", (game_id,)
            ).fetchone()
            if count != first:
                raise MoveConflictError(
                    "the game moved on while this choice was being made; reload it"
                )
            self._insert_moves(db, game_id, first, moves, now)
            db.execute(
                "UPDATE games SET updated = ?, status = ?, outcome = ?, clock = ?, orders = ? "
                "WHERE id = ?",
                (
                    now,
                    summary.status,
                    summary.outcome,
                    summary.clock,
                    None if orders is None else json.dumps(orders, sort_keys=True),
                    game_id,
                ),
            )
            if opened is not None:
                db.execute(
                    "UPDATE games SET decision_moves = ?, decision_began = ? WHERE id = ?",
                    (opened.moves, opened.began, game_id),
                )

    def summarize(self, game_id: str, summary: Summary) -> None:
        """Rewrite a game's list entry (once it has moved on after its last saved move)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE games SET status = ?, outcome = ?, clock = ? WHERE id = ?",
                (summary.status, summary.outcome, summary.clock, game_id),
            )

    @staticmethod
    def _insert_moves(
        db: sqlite3.Connection,
        game_id: str,
        first: int,
        moves: Sequence[SavedMove],
        now: str,
    ) -> None:
        db.executemany(
            "INSERT INTO moves (game_id, n, tick, action, made, seat, by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (game_id, first + i, tick, action, now, seat, by)
                for i, (tick, action, seat, by) in enumerate(moves)
            ],
        )

    def load(self, game_id: str) -> GameRow | None:
        """A saved game, or None if there is no game with this id."""
        with self._connect() as db:
            row = db.execute(
                f"SELECT {COLUMNS} FROM games WHERE id = ?",
                (game_id,),
            ).fetchone()
            if row is None:
                return None
            moves = db.execute(
                "SELECT tick, action, seat, by FROM moves WHERE game_id = ? ORDER BY n",
                (game_id,),
            ).fetchall()
        return _game_row(row, tuple((int(t), str(a), str(s), str(b)) for t, a, s, b in moves))

    def saved_moves(self, game_id: str) -> int | None:
        """How many moves of a game are saved (an index lookup), or None if there is no
        game with this id: a server checks its copy of a game against it."""
        with self._connect() as db:
            found = db.execute(
                "SELECT (SELECT count(*) FROM moves WHERE game_id = ?) FROM games WHERE id = ?",
                (game_id, game_id),
            ).fetchone()
        return None if found is None else int(found[0])

    def granted(
        self, token_hashes: Sequence[str], limit: int = 50, offset: int = 0
    ) -> list[Listed]:
        """The games the tokens (by their hashes) grant a role in, most recently played
        first (headers only, no moves), each with every role granted there."""
        if not token_hashes:
            return []
        marks = ", ".join("?" * len(token_hashes))
        columns = ", ".join(f"g.{c.strip()}" for c in COLUMNS.split(","))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {columns}, group_concat(r.role) FROM games g "
                f"JOIN grants r ON r.game_id = g.id WHERE r.token_hash IN ({marks}) "
                "GROUP BY g.id ORDER BY g.updated DESC, g.id LIMIT ? OFFSET ?",
                (*token_hashes, limit, offset),
            ).fetchall()
        return [Listed(_game_row(r[:-1], ()), strongest(str(r[-1]).split(",")) or "") for r in rows]

    def count(self) -> int:
        """How many games are saved."""
        with self._connect() as db:
            (n,) = db.execute("SELECT count(*) FROM games").fetchone()
        return int(n)
