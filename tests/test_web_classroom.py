"""The classroom through FastAPI's test client: a class from one form, seats that act only
with their own token, several seats at one decision, a timer that lets the fallback decide
(and the record says so), the live stream, the teacher's dashboard and exports, and every
kind of bad input answered with a clear 4xx that leaves the games as they were."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlparse

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from brinkmanship.play.game import Game, GameRecord
from brinkmanship.scenario.loader import builtin_names, load_scenario
from brinkmanship.scenarios import CATALOG, DEFAULT
from brinkmanship.web import create_app
from brinkmanship.web.screen import playable_sides, short_time

Json = dict[str, Any]
SEATS = {"us": "student", "su": "student", "cuba": "student"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("class") / "games.sqlite3"
    with TestClient(create_app(db)) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def new_class(client: TestClient, **extra: Any) -> Json:
    body = {"scenario": "cuba-1962", "games": 2, "seats": SEATS, "timer": 0, **extra}
    r = client.post("/api/classes", json=body)
    assert r.status_code == 201, r.text
    data: Json = r.json()
    return data


def one_game(client: TestClient, **extra: Any) -> tuple[str, str, dict[str, str]]:
    """A new class of one game: its id, the teacher's token and each seat's token."""
    made = new_class(client, games=1, **extra)
    tokens = {s: token_of(link) for s, link in made["games"][0]["seats"].items()}
    return made["games"][0]["id"], made["teacher_token"], tokens


def turn(client: TestClient, game_id: str, token: str) -> Json:
    r = client.get(f"/api/games/{game_id}/turn", headers=auth(token))
    assert r.status_code == 200, r.text
    data: Json = r.json()
    return data


def choose(client: TestClient, game_id: str, token: str, action: str = "wait", **extra: Any) -> Any:
    return client.post(
        f"/api/games/{game_id}/choices", json={"action": action, **extra}, headers=auth(token)
    )


def test_a_class_has_a_seat_token_per_student_and_a_teacher_token(client: TestClient) -> None:
    made = new_class(client)
    assert len(made["games"]) == 2
    game = made["games"][0]
    tokens = {seat: token_of(link) for seat, link in game["seats"].items()}
    assert set(tokens) == set(SEATS)
    assert len(set(tokens.values())) == 3
    rec = client.get(f"/api/games/{game['id']}/record", headers=auth(made["teacher_token"]))
    assert rec.status_code == 200
    record = GameRecord.model_validate(rec.json())
    assert record.seats == ["us", "su", "cuba"]
    # each seat sees its own side
    for seat, token in tokens.items():
        r = client.get(f"/api/games/{game['id']}", headers=auth(token))
        assert r.status_code == 200 and r.json()["side"] == seat
    # a seat token opens only its own game
    other = made["games"][1]["id"]
    assert client.get(f"/api/games/{other}", headers=auth(tokens["us"])).status_code == 403


def test_seats_decide_together_and_the_tick_waits_for_all(client: TestClient) -> None:
    made = new_class(client, games=1)
    game = made["games"][0]
    gid = game["id"]
    tokens = {seat: token_of(link) for seat, link in game["seats"].items()}
    teacher = made["teacher_token"]
    for _ in range(300):
        now = turn(client, gid, teacher)
        if len(now["pending"]) >= 2:
            break
        for seat in now["pending"]:
            assert choose(client, gid, tokens[seat], at_tick=now["tick"]).status_code == 200
    assert len(now["pending"]) >= 2
    first = now["pending"][0]
    r = choose(client, gid, tokens[first], at_tick=now["tick"])
    assert r.status_code == 200 and r.json()["choices"] == []
    after = turn(client, gid, teacher)
    assert after["tick"] == now["tick"] and first in after["chosen"]
    # twice (a replayed request): refused, nothing changes
    again = choose(client, gid, tokens[first], at_tick=now["tick"])
    assert again.status_code == 409 and "already chosen" in again.json()["detail"]
    # the teacher watches only
    assert choose(client, gid, teacher).status_code == 403
    # no token at all
    assert client.post(f"/api/games/{gid}/choices", json={"action": "wait"}).status_code == 401
    assert turn(client, gid, teacher)["moves"] == after["moves"]
    for seat in after["pending"]:
        assert choose(client, gid, tokens[seat], at_tick=now["tick"]).status_code == 200
    assert turn(client, gid, teacher)["tick"] > now["tick"]


def test_the_last_choice_is_answered_once_saved_and_the_game_moves_on_after(
    client: TestClient,
) -> None:
    gid, teacher, tokens = one_game(client)
    start = turn(client, gid, teacher)
    events: list[Json] = []
    with client.stream("GET", f"/api/games/{gid}/events", headers=auth(teacher)) as r:
        lines = (json.loads(x[5:]) for x in r.iter_lines() if x.startswith("data:"))
        events.append(next(lines))
        *others, last = start["pending"]
        for seat in others:
            assert choose(client, gid, tokens[seat], at_tick=start["tick"]).status_code == 200
            events.append(next(lines))
        answer = choose(client, gid, tokens[last], at_tick=start["tick"])
        # saved and answered at the decision it answers: nothing left to choose there
        assert answer.status_code == 200
        assert answer.json()["tick"] == start["tick"] and answer.json()["choices"] == []
        assert answer.json()["moves"] == 1
        # the live stream's next event is the game moved on, to its next decision
        events.append(next(lines))
    waiting = [start["pending"][i:] for i in range(len(others) + 1)]
    assert [e["pending"] for e in events[:-1]] == waiting
    moved = events[-1]
    assert moved["tick"] > start["tick"]
    assert moved["moves"] == start["moves"] + len(start["pending"])
    assert moved["pending"] or moved["finished"]
    assert turn(client, gid, teacher) == moved
    record = client.get(f"/api/games/{gid}/record", headers=auth(teacher)).json()
    assert [m["seat"] for m in record["moves"]] == start["pending"]
    # a second answer to the decision that has passed is stale, and changes nothing
    assert choose(client, gid, tokens[last], at_tick=start["tick"]).status_code == 409
    assert turn(client, gid, teacher) == moved


def test_a_seat_whose_time_runs_out_is_decided_by_its_fallback(client: TestClient) -> None:
    made = new_class(client, games=1, timer=1)
    gid = made["games"][0]["id"]
    tokens = {s: token_of(link) for s, link in made["games"][0]["seats"].items()}
    start = turn(client, gid, made["teacher_token"])
    assert start["seconds_left"] is not None and start["seconds_left"] <= 1
    waited = start["pending"][0]
    time.sleep(1.6)  # the sweeper decides for every seat that has not chosen
    later = turn(client, gid, made["teacher_token"])
    assert later["moves"] > start["moves"]
    record = GameRecord.model_validate(
        client.get(f"/api/games/{gid}/record", headers=auth(made["teacher_token"])).json()
    )
    assert any(m.by == "fallback" and m.seat == waited for m in record.moves)
    # after its time, the seat's own choice for that decision is stale
    late = choose(client, gid, tokens[waited], at_tick=start["tick"])
    assert late.status_code == 409
    # the record replays exactly
    again = Game.from_record(record)
    assert again.record == record


def test_the_live_stream_tells_of_a_move(client: TestClient) -> None:
    made = new_class(client, games=1)
    gid = made["games"][0]["id"]
    tokens = {s: token_of(link) for s, link in made["games"][0]["seats"].items()}
    start = turn(client, gid, made["teacher_token"])
    seat = start["pending"][0]
    events: list[str] = []
    with client.stream("GET", f"/api/games/{gid}/events", headers=auth(tokens["us"])) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = r.iter_lines()
        for line in lines:
            if line.startswith("data:"):
                events.append(line)
                break
        assert choose(client, gid, tokens[seat], at_tick=start["tick"]).status_code == 200
        for line in lines:
            if line.startswith("data:"):
                events.append(line)
                break
    assert len(events) == 2 and events[0] != events[1]
    assert client.get(f"/api/games/{gid}/events").status_code == 401


def test_the_dashboard_and_the_exports(client: TestClient) -> None:
    made = new_class(client, games=2, seats={"us": "student", "su": "passive"})
    cid, teacher = made["id"], made["teacher_token"]
    gid = made["games"][0]["id"]
    token = token_of(made["games"][0]["seats"]["us"])
    assert choose(client, gid, token).status_code == 200
    d = client.get(f"/api/classes/{cid}", headers=auth(teacher))
    assert d.status_code == 200, d.text
    data = d.json()
    assert [g["id"] for g in data["games"]] == [g["id"] for g in made["games"]]
    assert data["model_runs"] > 0 and data["outcomes"]
    assert abs(sum(o["model_p"] or 0 for o in data["outcomes"]) - 1) < 1e-6
    assert data["documented"]
    assert data["games"][0]["invites"]["us"] == made["games"][0]["seats"]["us"]
    assert client.get(f"/api/classes/{cid}", headers=auth(token)).status_code == 403
    assert client.get(f"/api/classes/{cid}").status_code == 401

    p = client.get(f"/api/classes/{cid}/records.parquet", headers=auth(teacher))
    assert p.status_code == 200
    table = pq.read_table(io.BytesIO(p.content))
    assert table.num_rows == 1
    assert table.column("seat").to_pylist() == ["us"]
    assert table.column("by").to_pylist() == ["player"]
    c = client.get(f"/api/classes/{cid}/records.csv", headers=auth(teacher))
    assert c.status_code == 200 and len(c.text.splitlines()) == 2

    page = client.get(f"/classes/{cid}?token={teacher}", follow_redirects=True)
    assert page.status_code == 200 and "Outcomes: the class beside the model" in page.text
    assert client.get("/classes/new").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"games": 0}, "games"),
        ({"timer": -5}, "timer"),
        ({"seats": {"nobody": "student"}}, "seats.nobody"),
        ({"seats": {"us": "no-such-policy"}}, "seats.us"),
        ({"seats": {"us": "student", "su": "rational"}}, "seats.su"),  # too costly on the web
        ({"seats": {"us": "student", "su": "llm"}}, "seats.su"),  # not configured
        ({"seats": {"us": "passive"}}, "seats"),
        ({"scenario": "no-such-scenario"}, "scenario"),
        ({"games": 2.5}, "games"),  # malformed as well as impossible: still by its field
        ({"timer": "soon"}, "timer"),
    ],
)
def test_impossible_forms_are_refused_field_by_field(
    client: TestClient, change: Json, field: str
) -> None:
    body = {"scenario": "cuba-1962", "games": 2, "seats": SEATS, "timer": 10, **change}
    store = cast(FastAPI, client.app).state.games.store
    games = store.count()
    r = client.post("/api/classes", json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"]
    assert store.count() == games


def test_several_impossible_values_are_named_together(client: TestClient) -> None:
    body = {"scenario": "cuba-1962", "games": 0, "seats": {"us": "nope"}, "timer": -1}
    r = client.post("/api/classes", json=body)
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"games", "timer", "seats.us"}


def test_the_store_keeps_seats_of_old_databases(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.sqlite3"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE moves (game_id TEXT NOT NULL, n INTEGER NOT NULL, tick INTEGER NOT NULL,"
        " action TEXT NOT NULL, made TEXT NOT NULL, PRIMARY KEY (game_id, n));"
    )
    con.close()
    with TestClient(create_app(db)) as c:
        made = new_class(c, games=1)
    assert made["games"]


def test_a_restart_keeps_each_decisions_deadline(tmp_path: Path) -> None:
    db = tmp_path / "games.sqlite3"
    timer = 3
    with TestClient(create_app(db)) as first:
        made = new_class(first, games=1, timer=timer)
        gid, teacher = made["games"][0]["id"], made["teacher_token"]
        tokens = {s: token_of(link) for s, link in made["games"][0]["seats"].items()}
        opening = turn(first, gid, teacher)
        for seat in opening["pending"]:  # on to the second decision
            assert choose(first, gid, tokens[seat], at_tick=opening["tick"]).status_code == 200
        began = time.monotonic()
        start = turn(first, gid, teacher)
        assert start["tick"] > opening["tick"] and start["pending"]
    time.sleep(1.2)  # the server is down in the middle of the decision's time
    with TestClient(create_app(db)) as second:  # restarted on the same database
        now = turn(second, gid, teacher)
        assert now["tick"] == start["tick"] and now["moves"] == start["moves"] > 0
        assert now["seconds_left"] is not None
        assert now["seconds_left"] <= timer - 1.2 + 0.1  # not the full time again
        while time.monotonic() < began + timer + 0.6:  # the original deadline and a sweep
            time.sleep(0.1)
        # long before a full timer from the restart would end, the fallbacks have decided
        after = turn(second, gid, teacher)
        record = second.get(f"/api/games/{gid}/record", headers=auth(teacher)).json()
    assert after["tick"] > start["tick"]
    decided = [m for m in record["moves"] if m["tick"] == start["tick"]]
    assert {m["seat"] for m in decided} == set(start["pending"])
    assert all(m["by"] == "fallback" for m in decided)


def test_a_teacher_replaces_a_seats_link_and_the_old_one_is_refused(client: TestClient) -> None:
    made = new_class(client, games=2)
    cid, teacher = made["id"], made["teacher_token"]
    game = made["games"][0]
    gid = game["id"]
    old = token_of(game["seats"]["su"])
    url = f"/api/classes/{cid}/games/{gid}/seats/su/link"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=auth(old)).status_code == 403  # only the teacher
    r = client.post(url, headers=auth(teacher))
    assert r.status_code == 200, r.text
    link = r.json()["invite"]
    new = token_of(link)
    assert new != old and r.json()["seat"] == "su"
    # the old token: one clear 403 for reading, choosing and the game's page
    start = turn(client, gid, teacher)
    refused = [
        client.get(f"/api/games/{gid}", headers=auth(old)),
        choose(client, gid, old, at_tick=start["tick"]),
        client.get(f"/api/games/{gid}/events", headers=auth(old)),
    ]
    for answer in refused:
        assert answer.status_code == 403
        assert "replaced by the class's teacher" in answer.json()["detail"]
    page = client.get(f"/games/{gid}?token={old}", follow_redirects=False)
    assert page.status_code == 403 and "replaced by the class" in page.text
    assert turn(client, gid, teacher) == start  # nothing changed
    # the new link plays the seat; the teacher's page shows it; nothing else changed
    assert client.get(f"/api/games/{gid}", headers=auth(new)).json()["side"] == "su"
    board = client.get(f"/api/classes/{cid}", headers=auth(teacher)).json()
    assert board["games"][0]["invites"] == {**game["seats"], "su": link}
    assert board["games"][1]["invites"] == made["games"][1]["seats"]
    # replaced again: the second link revokes the first
    again = token_of(client.post(url, headers=auth(teacher)).json()["invite"])
    assert len({old, new, again}) == 3
    assert client.get(f"/api/games/{gid}", headers=auth(new)).status_code == 403
    assert client.get(f"/api/games/{gid}", headers=auth(again)).status_code == 200
    # a seat no student plays, a game of another class: refused, nothing replaced
    other = new_class(client, games=1, seats={"us": "student", "su": "passive"})
    base = f"/api/classes/{other['id']}/games/{other['games'][0]['id']}/seats"
    bad = client.post(f"{base}/su/link", headers=auth(other["teacher_token"]))
    assert bad.status_code == 422 and "not a student's seat" in bad.json()["detail"]
    foreign = f"/api/classes/{other['id']}/games/{gid}/seats/us/link"
    assert client.post(foreign, headers=auth(other["teacher_token"])).status_code == 404
    assert client.get(f"/api/games/{gid}", headers=auth(again)).status_code == 200


def test_the_dashboard_names_the_sides_and_keeps_the_documented_path_in_time_order(
    client: TestClient,
) -> None:
    """Invite links and the seats waited for under the sides' names (not ``us``, ``su``);
    the documented path in time order, whatever the order of the scenario's timeline."""
    made = new_class(client, games=1, seats={"us": "student", "su": "student"})
    page = client.get(f"/classes/{made['id']}?token={made['teacher_token']}", follow_redirects=True)
    sc = load_scenario("cuba-1962")
    cell = re.search(r'class="game-status">.*?</td>\s*<td>(.*?)</td>', page.text, re.DOTALL)
    assert cell is not None
    names = {a.name for a in sc.actors.values()}
    waiting = unescape(cell.group(1)).split(", ")
    assert waiting and all(name in names for name in waiting), waiting
    for seat in ("us", "su"):
        assert f">{seat} <input" not in page.text and f"New link for {seat} " not in page.text
    board = client.get(f"/api/classes/{made['id']}", headers=auth(made["teacher_token"])).json()
    ticks = {(e.date, e.clock, e.text): e.tick for e in sc.timeline}
    order = [ticks[(e["date"], e["clock"], e["text"])] for e in board["documented"]]
    assert len(order) > 10 and order == sorted(order)


def test_a_seat_page_names_the_sides_played_by_people(client: TestClient) -> None:
    """A student's page says who plays and whom it waits for by name (the live update
    maps the seats it is sent to the same names)."""
    made = new_class(client, games=1, seats={"us": "student", "su": "student"})
    page = client.get(made["games"][0]["seats"]["su"], follow_redirects=True)
    assert page.status_code == 200, page.text
    sc = load_scenario("cuba-1962")
    us, su = sc.actors["us"].name, sc.actors["su"].name
    shown = unescape(re.sub(r"<[^>]+>", "", page.text))
    assert f"Sides played by people: {us}, {su}." in shown
    pending = re.search(r'<strong id="pending" data-names="([^"]*)">(.*?)</strong>', page.text)
    assert pending is not None and unescape(pending.group(2)) == us
    assert json.loads(unescape(pending.group(1))) == {"us": us, "su": su}


def test_the_class_form_starts_from_the_flagship_scenario(client: TestClient) -> None:
    """The form lists the scenarios in the catalog's order, which lists every built-in
    scenario, the flagship first (alphabetically, Able Archer came first)."""
    page = client.get("/classes/new").text
    select = re.search(r'<select id="class-scenario"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select is not None
    listed = re.findall(r'<option value="([^"]+)"', select.group(1))
    assert listed == list(CATALOG) and sorted(CATALOG) == builtin_names()
    assert listed[0] == DEFAULT and "selected" not in select.group(1)  # the first is taken


def test_the_class_form_seats_students_on_the_sides_a_person_plays(client: TestClient) -> None:
    """By default a student takes each side the scenario says a person plays, and every
    other deciding actor (the UN in the Cuban crisis, a body of officers) its policy."""
    page = client.get("/classes/new").text
    seated: dict[str, set[str]] = {}
    for name in builtin_names():
        sc = load_scenario(name)
        students = seated[name] = set()
        for actor in sc.actors:
            select = re.search(
                rf'<select id="seat-{name}-{actor}"[^>]*>(.*?)</select>', page, re.DOTALL
            )
            assert select is not None, (name, actor)
            picked = re.findall(r'<option value="([^"]+)" selected>', select.group(1))
            assert len(picked) == 1, (name, actor)
            if picked[0] == "student":
                students.add(actor)
            else:
                assert picked[0] == sc.actors[actor].default_policy, (name, actor)
        assert students == {o.value for o in playable_sides(sc)}, name
    assert seated["cuba-1962"] == {"us", "su", "cuba"}  # the UN was a student's before


# ------------------------------------------------------- several orders of a class seat


def until_asked(client: TestClient, gid: str, tokens: dict[str, str], seat: str) -> Json:
    """The other seats wait at each of their decisions until ``seat`` is asked again."""
    for _ in range(200):
        now = turn(client, gid, tokens[seat])
        if seat in now["pending"] or now["finished"]:
            return now
        for other in now["pending"]:
            assert choose(client, gid, tokens[other], at_tick=now["tick"]).status_code == 200
    raise AssertionError(f"{seat} was never asked again")


def test_a_seat_gives_several_orders_and_waits_for_news_with_its_own_token(
    client: TestClient,
) -> None:
    gid, teacher, tokens = one_game(client)
    start = turn(client, gid, teacher)
    assert start["pending"] == ["us"]
    offered = client.get(f"/api/games/{gid}", headers=auth(tokens["us"])).json()["choices"]
    assert "wait.news" in [c["id"] for c in offered], "a class seat may wait for news"
    page = client.get(f"/games/{gid}?token={tokens['us']}").text
    assert "Then (optional): further orders" in page, "the seat's page offers further orders"
    orders = {"at_tick": start["tick"], "then": ["us_choose_quarantine", "wait.news"]}
    # only the seat's own token gives its orders: the teacher watches, another seat has
    # nothing to choose now; neither changes the game
    assert choose(client, gid, teacher, "us_convene_excomm", **orders).status_code == 403
    refused = choose(client, gid, tokens["su"], "us_convene_excomm", **orders)
    assert refused.status_code == 409 and "su has nothing to choose" in refused.json()["detail"]
    assert turn(client, gid, teacher) == start
    r = choose(client, gid, tokens["us"], "us_convene_excomm", **orders)
    assert r.status_code == 200, r.text
    assert r.json()["choices"] == [] and r.json()["moves"] == 1
    # at the next decision the seat's second order is its choice; the other seat decides
    second = turn(client, gid, teacher)
    assert second["tick"] > start["tick"] and second["chosen"] == ["us"]
    assert second["pending"] == ["su"]
    # bad orders of that seat: one 4xx each, the game unchanged
    for action, then in (("wait.news", ["wait"]), ("us_convene_excomm", []), ("wait", ["x"])):
        bad = choose(client, gid, tokens["su"], action, then=then, at_tick=second["tick"])
        assert bad.status_code == 422 and bad.json()["detail"], bad.text
    assert turn(client, gid, teacher) == second
    r = choose(client, gid, tokens["su"], "wait.news", at_tick=second["tick"])
    assert r.status_code == 200, r.text
    twice = choose(client, gid, tokens["su"], "wait.news", at_tick=second["tick"])
    assert twice.status_code == 409
    now = until_asked(client, gid, tokens, "us")
    record = client.get(f"/api/games/{gid}/record", headers=auth(teacher)).json()
    mine = [m["action"] for m in record["moves"] if m["seat"] == "us"]
    assert mine[:2] == ["us_convene_excomm", "us_choose_quarantine"], mine
    assert set(mine[2:]) <= {"wait"}
    assert {m["action"] for m in record["moves"] if m["seat"] == "su"} == {"wait"}
    view = client.get(f"/api/games/{gid}", headers=auth(tokens["us"])).json()
    assert view["tick"] == now["tick"] and view["news"], "the wait stopped on news"
    planned = [o["id"] for o in view["plan"]["orders"]]
    assert planned == ["us_convene_excomm", "us_choose_quarantine", "wait.news"]


@pytest.mark.parametrize("then", [["us_choose_quarantine"], ["wait.news"]])
def test_after_a_seat_s_orders_its_screen_shows_everything_since_it_gave_them(
    client: TestClient, then: list[str]
) -> None:
    """As the terminal's report does: the events from the first order on are new (the
    page lists them since the last decision) and the news is told from that decision,
    whether the orders ran out or a wait for news ended."""
    gid, teacher, tokens = one_game(client, seats={"us": "student", "su": "student"})
    start = turn(client, gid, teacher)
    first = choose(client, gid, tokens["us"], "us_convene_excomm", then=then, **start_at(start))
    assert first.status_code == 200, first.text
    until_asked(client, gid, tokens, "us")
    record = client.get(f"/api/games/{gid}/record", headers=auth(teacher)).json()
    mine = [m for m in record["moves"] if m["seat"] == "us"]
    assert len(mine) >= 2, "the orders ran over several decisions"
    view = client.get(f"/api/games/{gid}", headers=auth(tokens["us"])).json()
    assert view["plan"] is not None
    new = [e for e in view["events"] if e["new"]]
    assert new and new[0]["tick"] == start["tick"] < mine[-1]["tick"], [e["time"] for e in new]
    assert any(e["id"] == "us_convene_excomm" for e in new)  # the first order's own event
    page = seat_page(client, gid, tokens["us"])
    since = page[page.index("Since your last decision") :]
    assert short_time(new[0]["time"]) in since.split("Earlier events", 1)[0]


def test_orders_left_when_the_game_ends_are_reported_on_the_end_page(
    client: TestClient,
) -> None:
    """A seat's orders still to carry out when the game ends (here at the horizon of the
    test scenario, seed 25, one side waiting for news, the other ordering waits) are named
    on its end page as not carried out; a wait for news waited until the end."""
    seats = {"west": "student", "east": "student", "council": "mediate"}
    made = client.post(
        "/api/classes", json={"scenario": "standoff", "games": 1, "seats": seats, "seed": 25}
    )
    assert made.status_code == 201, made.text
    game = made.json()["games"][0]
    gid, tokens = game["id"], {s: token_of(link) for s, link in game["seats"].items()}
    for _ in range(100):
        now = turn(client, gid, tokens["west"])
        if now["finished"]:
            break
        for seat in now["pending"]:
            orders = {"then": ["wait", "wait"]} if seat == "east" else {}
            action = "wait" if seat == "east" else "wait.news"
            assert (
                choose(client, gid, tokens[seat], action, **orders, **start_at(now)).status_code
                == 200
            )
    assert turn(client, gid, tokens["west"])["finished"]
    east = client.get(f"/api/games/{gid}", headers=auth(tokens["east"])).json()
    left = [o for o in east["plan"]["orders"] if o["time"] is None]
    assert left and east["plan"]["stopped"] == "the game ended"
    page = seat_page(client, gid, tokens["east"])
    waits = "a wait" if len(left) == 1 else f"{len(left)} waits"  # waits counted in words
    assert "The end:" in page and f"Stopped: the game ended. Not carried out: {waits}." in page
    assert "Wait; Wait" not in page
    west = seat_page(client, gid, tokens["west"])
    assert "Your orders: waited until something happened." in west
    assert "Not carried out" not in west


def start_at(turn: Json) -> dict[str, int]:
    return {"at_tick": turn["tick"]}


def seat_page(client: TestClient, game_id: str, token: str) -> str:
    """The text of a seat's page as shown (tags dropped, entities decoded, spaces
    collapsed), opened by its link in a browser that holds no other token."""
    client.cookies.clear()
    html = client.get(f"/games/{game_id}?token={token}").text
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_class_with_one_student_plays_the_other_sides_by_the_form_s_policies(
    client: TestClient,
) -> None:
    seats = {"us": "student", "su": "hawk", "cuba": "dove"}
    made = new_class(client, games=1, seats=seats)
    game = made["games"][0]
    assert list(game["seats"]) == ["us"]
    r = client.get(f"/api/games/{game['id']}/record", headers=auth(made["teacher_token"]))
    opponents = GameRecord.model_validate(r.json()).opponents
    assert opponents["su"] == "hawk" and opponents["cuba"] == "dove"


def test_the_dashboard_says_what_each_number_is(client: TestClient) -> None:
    """The model's shares say of how many runs, with the interval in percent under each and
    a legend naming who played the students' sides in the model; the timer column says what
    it counts; the form names the computer players in words."""
    made = new_class(client, games=1, seats={"us": "student", "su": "student"}, timer=60)
    page = client.get(f"/classes/{made['id']}?token={made['teacher_token']}", follow_redirects=True)
    shown = unescape(re.sub(r"<[^>]+>", "", page.text))
    assert "1 games" not in shown and "1 game" in shown
    board = client.get(f"/api/classes/{made['id']}", headers=auth(made["teacher_token"])).json()
    runs = board["model_runs"]
    assert board["model_students"] == {"us": "historical", "su": "historical"}
    assert f"Model: share of {runs} runs" in shown
    assert re.search(r"\d+\.\d%\d+\.\d–\d+\.\d%", shown)  # the share, then its interval
    sc = load_scenario("cuba-1962")
    for seat in ("us", "su"):
        assert f"{sc.actors[seat].name}: the computer, as in history" in shown
    assert "95% interval" in shown and "Timer ran out: how many times" in shown
    assert re.search(r'class="fallbacks">0 times<', page.text)
    form = unescape(client.get("/classes/new").text)
    assert "one student for each side marked “A student”" in form  # how many students
    assert "Policy:" not in form and ">The computer, as in history<" in form
    assert ">The computer: hawk, climbs the escalation ladder one rung at a time<" in form


def test_the_export_reads_plainly_in_a_spreadsheet(client: TestClient) -> None:
    """The columns a teacher reads come first, named plainly: the side and the choice in
    words, who decided, the game's time and the time saved as a spreadsheet reads a time
    (no ISO ``T``, no offset); the ids a program joins on come last."""
    made = new_class(client, games=1, seats={"us": "student", "su": "passive"})
    gid, token = made["games"][0]["id"], token_of(made["games"][0]["seats"]["us"])
    view = client.get(f"/api/games/{gid}", headers=auth(token)).json()
    action = next(c for c in view["choices"] if c["id"] != "wait")
    assert choose(client, gid, token, action["id"], at_tick=view["tick"]).status_code == 200
    teacher = auth(made["teacher_token"])
    text = client.get(f"/api/classes/{made['id']}/records.csv", headers=teacher).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:8] == [
        "game",
        "move",
        "side",
        "choice",
        "decided_by",
        "game_time",
        "saved_at_utc",
        "game_outcome",
    ]
    assert list(rows[0])[-2:] == ["game_id", "class_id"]
    sc = load_scenario("cuba-1962")
    assert rows[0]["side"] == sc.actors["us"].name and rows[0]["choice"] == action["label"]
    assert rows[0]["decided_by"] == "the student"
    when = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
    assert when.fullmatch(rows[0]["game_time"]) and when.fullmatch(rows[0]["saved_at_utc"])
    assert rows[0]["game_time"].startswith("1962-10-")
    p = client.get(f"/api/classes/{made['id']}/records.parquet", headers=teacher)
    table = pq.read_table(io.BytesIO(p.content))
    saved, played = table.schema.field("saved_at_utc").type, table.schema.field("game_time").type
    assert pa.types.is_timestamp(saved) and saved.tz == "UTC"
    assert pa.types.is_timestamp(played) and played.tz is None


def test_a_class_without_a_timer_has_no_timer_column(client: TestClient) -> None:
    """No time limit: nothing to count of timers running out."""
    made = new_class(client, games=1, seats={"us": "student"}, timer=0)
    page = client.get(f"/classes/{made['id']}?token={made['teacher_token']}", follow_redirects=True)
    assert "no time limit" in page.text and "Timer ran out" not in page.text
    timed = new_class(client, games=1, seats={"us": "student"}, timer=60)
    page = client.get(
        f"/classes/{timed['id']}?token={timed['teacher_token']}", follow_redirects=True
    )
    assert "Timer ran out" in page.text and "60 seconds per decision" in page.text


def test_the_dashboard_s_heading_says_each_thing_once(client: TestClient) -> None:
    """A class named by default after its scenario and games does not repeat them under its
    name; a class with a name of its own says them there."""
    title = load_scenario("cuba-1962").title
    made = new_class(client, games=2, seats={"us": "student"})
    page = client.get(f"/classes/{made['id']}?token={made['teacher_token']}", follow_redirects=True)
    heading = unescape(re.sub(r"<[^>]+>", " ", page.text.split("<h1>", 1)[1].split("</h1>")[0]))
    assert heading.count(title) == 1 and heading.count("2 games") == 1, heading
    named = new_class(client, games=2, seats={"us": "student"}, title="Period 4")
    page = client.get(
        f"/classes/{named['id']}?token={named['teacher_token']}", follow_redirects=True
    )
    heading = unescape(re.sub(r"<[^>]+>", " ", page.text.split("<h1>", 1)[1].split("</h1>")[0]))
    assert "Period 4" in heading and title in heading and "2 games" in heading
