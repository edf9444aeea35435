"""The SQLite game store: event-sourced saves, moves appended in order, conflicts refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from brinkmanship.web.store import GameStore, MoveConflictError, StoreError, Summary
from brinkmanship.web.tokens import hash_token, new_token, token_matches

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
    game_id = store.create(hash_token("t"), HEADER, title="Standoff", summary=PLAYING)
    store.append(game_id, 0, [(3, "wait"), (15, "deploy_warships")], PLAYING)
    done = Summary(status="finished", outcome="Peace", clock="2031-06-02T06:00+00:00")
    store.append(game_id, 2, [(27, "send_offer")], done)
    row = GameStore(path).load(game_id)
    assert row is not None
    assert row.header == HEADER
    assert row.moves == ((3, "wait"), (15, "deploy_warships"), (27, "send_offer"))
    assert row.summary == done and row.title == "Standoff" and row.side == "west"


def test_a_move_out_of_turn_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    store = GameStore(tmp_path / "g.sqlite3")
    game_id = store.create(hash_token("t"), HEADER, title="S", summary=PLAYING)
    store.append(game_id, 0, [(3, "wait")], PLAYING)
    with pytest.raises(MoveConflictError):
        store.append(game_id, 0, [(3, "deploy_warships")], PLAYING)
    row = store.load(game_id)
    assert row is not None and row.moves == ((3, "wait"),)


def test_unknown_ids_and_the_game_list(tmp_path: Path) -> None:
    store = GameStore(tmp_path / "g.sqlite3")
    assert store.load("nope") is None
    ids = [store.create(hash_token(str(i)), HEADER, title="S", summary=PLAYING) for i in range(3)]
    assert len(set(ids)) == 3 and store.count() == 3
    store.append(ids[0], 0, [(1, "wait")], PLAYING)
    assert {r.id for r in store.recent(10)} == set(ids)
    assert len(store.recent(2)) == 2


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
