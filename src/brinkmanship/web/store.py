"""Saved games in SQLite, event-sourced: a game is its inputs (a header: scenario,
interventions, side, opponents, seed, version) and the player's moves in order. The state
is never stored; it is rebuilt by replaying the moves. Each move is committed in its own
transaction before the server answers, so a game survives a restart or a ``kill -9``.

A small summary (status, outcome, game clock) is kept beside each game for the game list;
it is a projection of the replay, rewritten in the same transaction as each move.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from brinkmanship.errors import BrinkError
from brinkmanship.web.tokens import new_game_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL,
    header      TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    title       TEXT NOT NULL,
    side        TEXT NOT NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    status      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    clock       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS moves (
    game_id TEXT NOT NULL REFERENCES games(id),
    n       INTEGER NOT NULL,
    tick    INTEGER NOT NULL,
    action  TEXT NOT NULL,
    made    TEXT NOT NULL,
    PRIMARY KEY (game_id, n)
);
CREATE INDEX IF NOT EXISTS games_by_update ON games(updated);
"""


class StoreError(BrinkError):
    """The database could not be opened or is not a game store."""


class MoveConflictError(BrinkError):
    """Another request saved a move first; the caller's copy of the game is out of date."""


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
    token_hash: str
    header: dict[str, Any]
    moves: tuple[tuple[int, str], ...]
    scenario: str
    title: str
    side: str
    created: str
    updated: str
    summary: Summary


COLUMNS = "id, token_hash, header, scenario, title, side, created, updated, status, outcome, clock"


def _game_row(r: Any, moves: tuple[tuple[int, str], ...]) -> GameRow:
    return GameRow(
        id=r[0],
        token_hash=r[1],
        header=json.loads(r[2]),
        moves=moves,
        scenario=r[3],
        title=r[4],
        side=r[5],
        created=r[6],
        updated=r[7],
        summary=Summary(status=r[8], outcome=r[9], clock=r[10]),
    )


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
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the game database {path}: {exc}") from None

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
        token_hash: str,
        header: dict[str, Any],
        *,
        title: str,
        summary: Summary,
        moves: Sequence[tuple[int, str]] = (),
    ) -> str:
        """Save a new game and its moves so far; return its new, random id."""
        now = _now()
        with self._transaction() as db:
            game_id = new_game_id()
            while db.execute("SELECT 1 FROM games WHERE id = ?", (game_id,)).fetchone():
                game_id = new_game_id()  # pragma: no cover - 128 random bits
            db.execute(
                "INSERT INTO games VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    game_id,
                    token_hash,
                    json.dumps(header, sort_keys=True),
                    str(header["scenario"]),
                    title,
                    str(header["side"]),
                    now,
                    now,
                    summary.status,
                    summary.outcome,
                    summary.clock,
                ),
            )
            self._insert_moves(db, game_id, 0, moves, now)
        return game_id

    def append(
        self,
        game_id: str,
        first: int,
        moves: Sequence[tuple[int, str]],
        summary: Summary,
    ) -> None:
        """Save ``moves`` as moves number ``first``, ``first + 1``, … of a game, with its new
        summary, in one transaction. Raise MoveConflictError if the game does not have
        exactly ``first`` moves saved (someone else moved first): nothing is written then."""
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
                "UPDATE games SET updated = ?, status = ?, outcome = ?, clock = ? WHERE id = ?",
                (now, summary.status, summary.outcome, summary.clock, game_id),
            )

    @staticmethod
    def _insert_moves(
        db: sqlite3.Connection,
        game_id: str,
        first: int,
        moves: Sequence[tuple[int, str]],
        now: str,
    ) -> None:
        db.executemany(
            "INSERT INTO moves VALUES (?, ?, ?, ?, ?)",
            [(game_id, first + i, tick, action, now) for i, (tick, action) in enumerate(moves)],
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
                "SELECT tick, action FROM moves WHERE game_id = ? ORDER BY n", (game_id,)
            ).fetchall()
        return _game_row(row, tuple((int(t), str(a)) for t, a in moves))

    def saved_moves(self, game_id: str) -> int | None:
        """How many moves of a game are saved (an index lookup), or None if there is no
        game with this id: a server checks its copy of a game against it."""
        with self._connect() as db:
            found = db.execute(
                "SELECT (SELECT count(*) FROM moves WHERE game_id = ?) FROM games WHERE id = ?",
                (game_id, game_id),
            ).fetchone()
        return None if found is None else int(found[0])

    def recent(self, limit: int = 50, offset: int = 0) -> list[GameRow]:
        """The games most recently played, newest first (headers only, no moves)."""
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM games ORDER BY updated DESC, id LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [_game_row(r, ()) for r in rows]

    def count(self) -> int:
        """How many games are saved."""
        with self._connect() as db:
            (n,) = db.execute("SELECT count(*) FROM games").fetchone()
        return int(n)
