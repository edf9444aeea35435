"""The SQLite game store: event-sourced saves, moves appended in order, conflicts refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from brinkmanship.web.store import GameStore, MoveConflictError, StoreError, Summary
from brinkmanship.web.tokens import (
    SEAT,
    WATCH,
    hash_token,
    new_token,
    strongest,
    token_matches,
    watch_token_of,
)

HEADER = {
    "scenario": "standoff",
    "interventions": [],
    "side": "west",
    "opponents": {"east": "historical"},
    "seed": 3,
    "version": "0",
}
PLAYING = Summary(status="playing", outcome="", clock="2031-06-01T06:00+00:00")


def test_a_saved_game_is_its_header_and_moves_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite3"
    store = GameStore(path)
    game_id = store.create({hash_token("t"): SEAT}, HEADER, title="Standoff", summary=PLAYING)
    store.append(
        game_id, 0, [(3, "wait", "", "player"), (15, "deploy_warships", "", "player")], PLAYING
    )
    done = Summary(status="finished", outcome="Peace", clock="2031-06-02T06:00+00:00")
    store.append(game_id, 2, [(27, "send_offer", "", "player")], done)
    row = GameStore(path).load(game_id)
    assert row is not None
    assert row.header == HEADER
    assert row.moves == (
        (3, "wait", "", "player"),
        (15, "deploy_warships", "", "player"),
        (27, "send_offer", "", "player"),
    )
    assert row.summary == done and row.title == "Standoff" and row.side == "west"


def test_a_move_out_of_turn_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    store = GameStore(tmp_path / "g.sqlite3")
    game_id = store.create({hash_token("t"): SEAT}, HEADER, title="S", summary=PLAYING)
    store.append(game_id, 0, [(3, "wait", "", "player")], PLAYING)
    with pytest.raises(MoveConflictError):
        store.append(game_id, 0, [(3, "deploy_warships", "", "player")], PLAYING)
    row = store.load(game_id)
    assert row is not None and row.moves == ((3, "wait", "", "player"),)


def test_unknown_ids_and_the_game_list(tmp_path: Path) -> None:
    store = GameStore(tmp_path / "g.sqlite3")
    assert store.load("nope") is None
    ids = [
        store.create({hash_token(str(i)): SEAT}, HEADER, title="S", summary=PLAYING)
        for i in range(3)
    ]
    assert len(set(ids)) == 3 and store.count() == 3
    store.append(ids[0], 0, [(1, "wait", "", "player")], PLAYING)
    hashes = [hash_token(str(i)) for i in range(3)]
    assert {g.row.id for g in store.granted(hashes, 10)} == set(ids)
    assert len(store.granted(hashes, 2)) == 2
    assert store.granted([hash_token("9")]) == [] and store.granted([]) == []


def test_grants_give_roles_and_a_store_of_the_first_version_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(FIRST_VERSION)
    store = GameStore(path)
    assert store.roles("g1", [hash_token("seat-token")]) == [(hash_token("seat-token"), SEAT)]
    assert store.roles("g1", [hash_token("other")]) == []
    assert store.roles("nope", [hash_token("seat-token")]) == []
    row = store.load("g1")
    assert row is not None and row.moves == ((3, "wait", "", "player"),) and row.header == HEADER
    store.grant(hash_token("watcher"), "g1", WATCH)
    assert [g.role for g in store.granted([hash_token("watcher")])] == [WATCH]
    both = store.granted([hash_token("watcher"), hash_token("seat-token")])
    assert [g.role for g in both] == [SEAT]
    assert GameStore(path).roles("g1", [hash_token("watcher")]) == [(hash_token("watcher"), WATCH)]


FIRST_VERSION = f"""
CREATE TABLE games (
    id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, header TEXT NOT NULL, scenario TEXT NOT NULL,
    title TEXT NOT NULL, side TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    status TEXT NOT NULL, outcome TEXT NOT NULL, clock TEXT NOT NULL
);
CREATE TABLE moves (
    game_id TEXT NOT NULL REFERENCES games(id), n INTEGER NOT NULL, tick INTEGER NOT NULL,
    action TEXT NOT NULL, made TEXT NOT NULL, PRIMARY KEY (game_id, n)
);
CREATE INDEX games_by_update ON games(updated);
INSERT INTO games VALUES ('g1', '{hash_token("seat-token")}', '{json.dumps(HEADER)}', 'standoff',
    'S', 'west', '2026-01-01', '2026-01-01', 'playing', '', '2031-06-01T06:00+00:00');
INSERT INTO moves VALUES ('g1', 0, 3, 'wait', '2026-01-01');
"""


def test_an_unusable_path_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot open the game database"):
        GameStore(blocker / "g.sqlite3")
    not_sqlite = tmp_path / "junk.sqlite3"
    not_sqlite.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the game database"):
        GameStore(not_sqlite)


def test_tokens_are_random_and_checked_by_hash() -> None:
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 40
    assert token_matches(a, hash_token(a))
    assert not token_matches(b, hash_token(a))
    assert hash_token(a) != a


def test_a_watch_token_is_derived_one_way_and_roles_rank() -> None:
    seat = new_token()
    watch = watch_token_of(seat)
    assert watch == watch_token_of(seat) != seat and len(watch) >= 40
    assert watch_token_of(new_token()) != watch
    assert strongest([WATCH, SEAT]) == SEAT and strongest([WATCH]) == WATCH
    assert strongest([]) is None
