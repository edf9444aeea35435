"""The server's games in memory: a live game is stepped from where it stands, not replayed;
a copy that is out of date (another server process moved the game, or it was evicted) is
rebuilt from the database by the game core's replay."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import StaleChoiceError
from brinkmanship.play.game import Game, GameRecord
from brinkmanship.web.problems import MissingTokenError, ReadOnlyTokenError, WrongTokenError
from brinkmanship.web.service import Access, GameService, summary_of
from brinkmanship.web.store import GameStore, NewGameRow
from brinkmanship.web.tokens import (
    SEAT,
    WATCH,
    hash_token,
    new_game_id,
    new_token,
    seat_role,
    watch_token_of,
)


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
        view = games.view(game_id, [token])
        games.choose(game_id, [token], a_choice([c.id for c in view.choices]), view.tick)
    assert replays == []
    assert len(games.record(game_id, [token]).moves) == 3


def test_the_view_is_built_once_per_decision(tmp_path: Path) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    game_id, token, _ = games.create("standoff", "west", seed=1)
    first = games.view(game_id, [token])
    assert games.view(game_id, [token]) is first
    after = games.choose(game_id, [token], WAIT, first.tick)
    assert after is not first and after.moves == 1
    assert games.view(game_id, [token]) is after


def test_moves_saved_by_another_server_are_seen_by_replay(
    tmp_path: Path, replays: list[int]
) -> None:
    path = tmp_path / "g.sqlite3"
    one, two = GameService(GameStore(path)), GameService(GameStore(path))
    game_id, token, _ = one.create("standoff", "west", seed=2)
    seen_by_two = two.view(game_id, [token])  # two replays the new game (no moves yet)
    assert replays == [0]
    view = one.view(game_id, [token])
    moved = one.choose(game_id, [token], a_choice([c.id for c in view.choices]), view.tick)
    # Two's copy is one move behind: it is rebuilt, and shows what one answered.
    now = two.view(game_id, [token])
    assert replays == [0, 1]
    assert now.model_dump() == moved.model_dump() != seen_by_two.model_dump()
    # Two can play on from there; one then notices and catches up.
    after = two.choose(game_id, [token], WAIT, now.tick)
    assert one.view(game_id, [token]).model_dump() == after.model_dump()
    assert replays == [0, 1, 2]


def test_a_game_evicted_from_memory_is_rebuilt_the_same(tmp_path: Path, replays: list[int]) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"), cache_size=1)
    first, token, _ = games.create("standoff", "west", seed=4)
    view = games.choose(first, [token], WAIT, games.view(first, [token]).tick)
    games.create("standoff", "east", seed=5)  # pushes the first game out
    assert replays == []
    assert games.view(first, [token]).model_dump() == view.model_dump()
    assert replays == [1]


def test_a_move_on_an_out_of_date_copy_is_stale_and_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite3"
    one, two = GameService(GameStore(path)), GameService(GameStore(path))
    game_id, token, game = one.create("standoff", "west", seed=2)
    tick = game.view().tick
    two.view(game_id, [token])
    one.choose(game_id, [token], WAIT, tick)
    # Two's copy is out of date, so it rebuilds before acting: the old tick is stale now.
    with pytest.raises(StaleChoiceError):
        two.choose(game_id, [token], WAIT, tick)
    assert len(two.record(game_id, [token]).moves) == 1


def test_a_game_opens_only_to_a_token_granting_a_role_in_it(tmp_path: Path) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    game_id, token, _ = games.create("standoff", "west", seed=1)
    other, other_token, _ = games.create("standoff", "east", seed=1)
    watch = watch_token_of(token)
    assert games.access(game_id, [token]) == Access(SEAT, token)
    assert games.access(game_id, [watch, token]).role == SEAT  # the strongest role wins
    assert games.access(game_id, [watch]) == Access(WATCH, watch)
    for tokens in ([other_token], [watch_token_of(other_token)], ["not a token"], ["x" * 43]):
        with pytest.raises(WrongTokenError):
            games.view(game_id, tokens)
    with pytest.raises(MissingTokenError):
        games.view(game_id, [])
    tick = games.view(game_id, [watch]).tick
    with pytest.raises(ReadOnlyTokenError):
        games.choose(game_id, [watch], WAIT, tick)
    assert len(games.record(game_id, [watch]).moves) == 0
    assert [g.row.id for g in games.listed([watch])] == [game_id]
    assert {(g.row.id, g.role) for g in games.listed([token, other_token, watch])} == {
        (game_id, SEAT),
        (other, SEAT),
    }
    assert games.listed([]) == [] and games.listed(["x" * 43]) == []


def test_requests_for_unknown_games_leave_no_state_behind(tmp_path: Path) -> None:
    """10,000 requests for random ids, with and without a token, through every operation:
    no lock, no cached game, no row is left, and memory does not grow with them."""
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    game_id, token, _ = games.create("standoff", "west", seed=1)
    games.view(game_id, [token])
    before = games.held_state()
    assert before == (0, 1)  # the lock went with the request; the game stays cached

    def hammer(n: int) -> None:
        for i in range(n):
            unknown = new_game_id()
            tokens = [] if i % 4 == 0 else [token if i % 4 == 1 else new_token()]
            with pytest.raises((MissingTokenError, WrongTokenError)):
                match i % 3:
                    case 0:
                        games.view(unknown, tokens)
                    case 1:
                        games.choose(unknown, tokens, WAIT, None)
                    case _:
                        games.replay(unknown, tokens, 0)

    hammer(1_000)  # warm every path up before measuring
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    hammer(10_000)
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert games.held_state() == before
    assert games.store.count() == 1
    assert end - start < 100_000, f"{end - start} bytes kept after 10,000 requests"


def test_a_lock_lives_only_while_requests_hold_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    game_id, token, _ = games.create("standoff", "west", seed=1)
    started, release = threading.Event(), threading.Event()
    original = games.store.saved_moves

    def slow(gid: str) -> int | None:
        started.set()
        release.wait(10)
        return original(gid)

    monkeypatch.setattr(games.store, "saved_moves", slow)
    worker = threading.Thread(target=games.view, args=(game_id, [token]))
    worker.start()
    assert started.wait(10)
    assert games.held_state()[0] == 1
    release.set()
    worker.join(10)
    assert games.held_state()[0] == 0


def test_an_unknown_game_is_refused(tmp_path: Path) -> None:
    games = GameService(GameStore(tmp_path / "g.sqlite3"))
    with pytest.raises(WrongTokenError):
        games.view("nosuchgame", [new_token()])


def test_a_starting_server_rebuilds_the_open_games_before_it_answers(
    tmp_path: Path, replays: list[int]
) -> None:
    path = tmp_path / "g.sqlite3"
    before = GameService(GameStore(path))
    opened = []
    for seed in range(3):
        game_id, token, game = before.create("standoff", "west", seed=seed)
        before.choose(game_id, [token], WAIT, game.tick)
        opened.append((game_id, token))
    after = GameService(GameStore(path))  # a restart: nothing in memory
    assert after.warm_up() == 3
    assert sorted(replays) == [1, 1, 1]
    for game_id, token in opened:
        assert after.view(game_id, [token]).moves == 1
    assert len(replays) == 3  # no request had to replay a game
    assert GameService(GameStore(path)).warm_up(seconds=0) == 0  # within its time only


def test_a_choice_saved_before_its_game_moved_on_is_moved_on_by_the_next_server(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.sqlite3"
    first = GameService(GameStore(path))
    game = Game.new("cuba-1962", "us", seats=["su", "cuba"], seed=1)
    teacher = new_token()
    seats = {s: new_token() for s in game.seats}
    grants = {hash_token(t): seat_role(s) for s, t in seats.items()}
    row = NewGameRow(
        new_game_id(),
        {**grants, hash_token(teacher): WATCH},
        game.record.model_dump(exclude={"moves"}),
        "t",
        summary_of(game),
    )
    first.create_many("class", hash_token(teacher), {}, "t", [(row, game)], None)
    tick, due = game.tick, game.pending
    never: list[Callable[[], None]] = []
    for seat in due:  # the last choice is answered, and its game never moves on here
        first.choose(row.id, [seats[seat]], WAIT, tick, later=never.append)
    assert len(never) == 1 and game.unsettled
    second = GameService(GameStore(path))  # the first server was killed
    replayed = Game.from_record(second.record(row.id, [teacher]))
    assert [m.seat for m in replayed.record.moves] == list(due)
    turn = second.current_turn(row.id)
    assert turn.tick == replayed.tick > tick and turn.pending == replayed.pending
    # the first server's copy, moved on when next read, agrees
    assert first.current_turn(row.id) == turn
