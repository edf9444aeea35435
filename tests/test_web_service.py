"""The server's games in memory: a live game is stepped from where it stands, not replayed;
a copy that is out of date (another server process moved the game, or it was evicted) is
rebuilt from the database by the game core's replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import StaleChoiceError
from brinkmanship.play.game import Game, GameRecord
from brinkmanship.web.problems import UnknownGameError
from brinkmanship.web.service import GameService
from brinkmanship.web.store import GameStore


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each call of the game core's replay, by the number of moves replayed."""
    calls: list[int] = []
    original = Game.from_record  # bound to Game: no subclass replays here

    def counted(cls: type[Game], record: GameRecord, moves: int | None = None) -> Game:
        game = original(record, moves)
        calls.append(len(game.record.moves))
        return game

    monkeypatch.setattr(Game, "from_record", classmethod(counted))
    return calls


def a_choice(view_choices: list[str]) -> str:
    return next(c for c in view_choices if c != WAIT)


def test_a_live_game_is_stepped_not_replayed(tmp_path: Path, replays: list[int]) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    game_id, token, _ = games.create("standoff", "west", seed=1)
    for _ in range(3):
        view = games.view(game_id)
        games.choose(game_id, token, a_choice([c.id for c in view.choices]), view.tick)
    assert replays == []
    assert len(games.record(game_id).moves) == 3


def test_the_view_is_built_once_per_decision(tmp_path: Path) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    game_id, token, _ = games.create("standoff", "west", seed=1)
    first = games.view(game_id)
    assert games.view(game_id) is first
    after = games.choose(game_id, token, WAIT, first.tick)
    assert after is not first and after.moves == 1
    assert games.view(game_id) is after


def test_moves_saved_by_another_server_are_seen_by_replay(
    tmp_path: Path, replays: list[int]
) -> None:
    path = tmp_path / "g.sqlite3"
    one, two = GameService(GameStore(path)), GameService(GameStore(path))
    game_id, token, _ = one.create("standoff", "west", seed=2)
    seen_by_two = two.view(game_id)  # two replays the new game (no moves yet)
    assert replays == [0]
    view = one.view(game_id)
    moved = one.choose(game_id, token, a_choice([c.id for c in view.choices]), view.tick)
    # Two's copy is one move behind: it is rebuilt, and shows what one answered.
    now = two.view(game_id)
    assert replays == [0, 1]
    assert now.model_dump() == moved.model_dump() != seen_by_two.model_dump()
    # Two can play on from there; one then notices and catches up.
    after = two.choose(game_id, token, WAIT, now.tick)
    assert one.view(game_id).model_dump() == after.model_dump()
    assert replays == [0, 1, 2]


def test_a_game_evicted_from_memory_is_rebuilt_the_same(tmp_path: Path, replays: list[int]) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"), cache_size=1)
    first, token, _ = games.create("standoff", "west", seed=4)
    view = games.choose(first, token, WAIT, games.view(first).tick)
    games.create("standoff", "east", seed=5)  # pushes the first game out
    assert replays == []
    assert games.view(first).model_dump() == view.model_dump()
    assert replays == [1]


def test_a_move_on_an_out_of_date_copy_is_stale_and_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite3"
    one, two = GameService(GameStore(path)), GameService(GameStore(path))
    game_id, token, game = one.create("standoff", "west", seed=2)
    tick = game.view().tick
    two.view(game_id)
    one.choose(game_id, token, WAIT, tick)
    # Two's copy is out of date, so it rebuilds before acting: the old tick is stale now.
    with pytest.raises(StaleChoiceError):
        two.choose(game_id, token, WAIT, tick)
    assert len(two.record(game_id).moves) == 1


def test_an_unknown_game_is_refused(tmp_path: Path) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    with pytest.raises(UnknownGameError):
        games.view("nosuchgame")
