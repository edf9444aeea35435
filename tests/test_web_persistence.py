"""Saved games survive the server being killed (SIGKILL) between turns and mid-turn: a
choice that was answered is saved, and a restarted server rebuilds every game by replay."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from brinkmanship.engine.observation import WAIT
from brinkmanship.play.game import WAIT_FOR_NEWS, Game, GameRecord
from brinkmanship.web.local import LocalServer

Json = dict[str, Any]


def choose(base: str, game_id: str, token: str, v: Json) -> httpx.Response:
    action = next(c["id"] for c in v["choices"] if c["id"] != "wait")
    return httpx.post(
        f"{base}/api/games/{game_id}/choices",
        json={"action": action, "at_tick": v["tick"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def get(base: str, path: str, token: str) -> Json:
    r = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    data: Json = r.json()
    return data


def test_games_survive_kill_9_between_turns_and_mid_turn(tmp_path: Path) -> None:
    db = tmp_path / "games.sqlite3"
    server = LocalServer(db).start()
    try:
        created = httpx.post(
            f"{server.base}/api/games",
            json={"scenario": "cuba-1962", "side": "su", "seed": 5},
            timeout=30,
        ).json()
        game_id, token = created["id"], created["token"]
        v = created["view"]
        for _ in range(2):
            r = choose(server.base, game_id, token, v)
            assert r.status_code == 200
            v = r.json()

        # Killed between turns: the restarted server shows exactly the last answer.
        server.kill()
        server = LocalServer(db).start()
        assert get(server.base, f"/api/games/{game_id}", token) == v

        # Killed mid-turn: a choice in flight is either saved whole or not at all, and an
        # answered choice is always saved.
        answer: list[httpx.Response] = []

        def send() -> None:
            with contextlib.suppress(httpx.TransportError):
                answer.append(choose(server.base, game_id, token, v))

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.01)
        server.kill()
        sender.join()
        server = LocalServer(db).start()
        record = GameRecord.model_validate(get(server.base, f"/api/games/{game_id}/record", token))
        assert len(record.moves) in (2, 3)
        if answer and answer[0].status_code == 200:
            assert len(record.moves) == 3
        now = get(server.base, f"/api/games/{game_id}", token)
        assert now == Game.from_record(record).view().model_dump(mode="json")

        # The game goes on to its end after the crashes, and replays to the same outcome.
        while not now["finished"]:
            r = choose(server.base, game_id, token, now)
            assert r.status_code == 200, r.text
            now = r.json()
        final = GameRecord.model_validate(get(server.base, f"/api/games/{game_id}/record", token))
        replayed = Game.from_record(final)
        assert replayed.outcome is not None
        assert replayed.outcome.id == now["outcome"]["id"]
        assert get(server.base, f"/api/games/{game_id}/debrief", token)["finished"] is True
    finally:
        server.stop()


def test_a_class_choice_answered_before_its_game_moved_on_survives_kill_9(
    tmp_path: Path,
) -> None:
    db = tmp_path / "class.sqlite3"
    server = LocalServer(db).start()
    try:
        body = {
            "scenario": "cuba-1962",
            "games": 1,
            "seats": dict.fromkeys(("us", "su", "cuba"), "student"),
        }
        made = httpx.post(f"{server.base}/api/classes", json=body, timeout=30).json()
        game_id, teacher = made["games"][0]["id"], made["teacher_token"]
        tokens = {s: link.split("token=", 1)[1] for s, link in made["games"][0]["seats"].items()}
        turn = get(server.base, f"/api/games/{game_id}/turn", teacher)
        for seat in turn["pending"]:  # the last of these is answered before the game moves on
            v = get(server.base, f"/api/games/{game_id}", tokens[seat])
            assert choose(server.base, game_id, tokens[seat], v).status_code == 200
        server.kill()  # at once: the game may not have moved on yet
        server = LocalServer(db).start()
        record = GameRecord.model_validate(
            get(server.base, f"/api/games/{game_id}/record", teacher)
        )
        assert [m.seat for m in record.moves] == turn["pending"]
        replayed = Game.from_record(record)
        now = get(server.base, f"/api/games/{game_id}/turn", teacher)
        assert now["tick"] == replayed.tick > turn["tick"]
        assert now["pending"] == list(replayed.pending)
        for seat in replayed.seats:
            view = get(server.base, f"/api/games/{game_id}", tokens[seat])
            assert view == replayed.view(seat).model_dump(mode="json")
    finally:
        server.stop()


def test_a_class_seat_s_orders_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "class.sqlite3"
    server = LocalServer(db).start()
    orders = ["us_convene_excomm", "us_choose_quarantine", WAIT_FOR_NEWS]
    seats = ("us", "su", "cuba")

    def wait_until_us_is_asked(kill_after: int | None = None) -> Json:
        """The other seats wait until the us seat is asked again (killing the server
        after ``kill_after`` of their choices, if given)."""
        nonlocal server
        made = 0
        while True:
            now = get(server.base, f"/api/games/{game_id}/turn", teacher)
            if "us" in now["pending"] or now["finished"]:
                return now
            for seat in now["pending"]:
                v = get(server.base, f"/api/games/{game_id}", tokens[seat])
                r = httpx.post(
                    f"{server.base}/api/games/{game_id}/choices",
                    json={"action": "wait", "at_tick": v["tick"]},
                    headers={"Authorization": f"Bearer {tokens[seat]}"},
                    timeout=30,
                )
                assert r.status_code == 200, r.text
                made += 1
                if made == kill_after:
                    server.kill()
                    server = LocalServer(db).start()

    try:
        body = {"scenario": "cuba-1962", "games": 1, "seats": dict.fromkeys(seats, "student")}
        made = httpx.post(f"{server.base}/api/classes", json=body, timeout=30).json()
        game_id, teacher = made["games"][0]["id"], made["teacher_token"]
        tokens = {s: link.split("token=", 1)[1] for s, link in made["games"][0]["seats"].items()}
        start = get(server.base, f"/api/games/{game_id}/turn", teacher)
        r = httpx.post(
            f"{server.base}/api/games/{game_id}/choices",
            json={"action": orders[0], "then": orders[1:], "at_tick": start["tick"]},
            headers={"Authorization": f"Bearer {tokens['us']}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        server.kill()  # at once: the orders were acknowledged, the game may not have moved on
        server = LocalServer(db).start()
        wait_until_us_is_asked(kill_after=1)  # and killed again on the way
        record = GameRecord.model_validate(
            get(server.base, f"/api/games/{game_id}/record", teacher)
        )
        view = get(server.base, f"/api/games/{game_id}", tokens["us"])
    finally:
        server.stop()
    # the same orders in a game that never stopped
    game = Game.new("cuba-1962", "us", seats=["su", "cuba"])
    game.carry_out(orders, seat="us")
    while not game.finished and game.request_for("us") is None:
        for seat in game.pending:
            game.choose(WAIT, seat=seat)
    assert record.moves == game.record.moves
    assert view == game.view("us").model_dump(mode="json")
    assert [o["id"] for o in view["plan"]["orders"]] == orders
