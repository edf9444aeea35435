"""The web game's JSON API and pages, through FastAPI's test client: playing a game to its
debrief, and every kind of bad input answered with a clear 4xx that leaves the game as it
was."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from brinkmanship.play.debrief import SKIPPED_KINDS
from brinkmanship.play.game import Game, GameRecord
from brinkmanship.play.view import GameView
from brinkmanship.scenario.loader import builtin_names, load_scenario
from brinkmanship.scenario.schema import OutcomeClass
from brinkmanship.web import create_app
from brinkmanship.web.maps import scenario_map
from brinkmanship.web.pages import templates
from brinkmanship.web.screen import game_screen, outcome_kind, short_time
from brinkmanship.web.service import GameService
from brinkmanship.web.tokens import new_game_id, new_token
from brinkmanship.wording import ASSUMPTION_NAME, ASSUMPTION_TITLE

Json = dict[str, Any]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web") / "games.sqlite3"


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


def service_of(client: TestClient) -> GameService:
    """The game service behind the test client's app."""
    games = cast(FastAPI, client.app).state.games
    assert isinstance(games, GameService)
    return games


def new_game(client: TestClient, side: str = "su", **extra: Any) -> tuple[str, str]:
    r = client.post("/api/games", json={"scenario": "cuba-1962", "side": side, **extra})
    assert r.status_code == 201, r.text
    body = r.json()
    return body["id"], body["token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def view(client: TestClient, game_id: str, token: str) -> Json:
    r = client.get(f"/api/games/{game_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    data: Json = r.json()
    return data


def record(client: TestClient, game_id: str, token: str) -> Json:
    r = client.get(f"/api/games/{game_id}/record", headers=auth(token))
    assert r.status_code == 200, r.text
    data: Json = r.json()
    return data


def first_action(v: Json) -> str:
    """The first choice that is not ``wait``."""
    action: str = next(c["id"] for c in v["choices"] if c["id"] != "wait")
    return action


def play_to_end(client: TestClient, game_id: str, token: str) -> Json:
    v = view(client, game_id, token)
    for _ in range(200):
        if v["finished"]:
            return v
        r = client.post(
            f"/api/games/{game_id}/choices",
            json={"action": first_action(v), "at_tick": v["tick"]},
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        v = r.json()
    raise AssertionError("the game did not end")


# ------------------------------------------------------------------ playing


def test_create_gives_distinct_secret_ids_and_tokens_and_stores_only_a_hash(
    client: TestClient, db: Path
) -> None:
    (id1, token1), (id2, token2) = new_game(client), new_game(client)
    assert id1 != id2 and token1 != token2
    assert len(id1) >= 20 and len(token1) >= 40
    with sqlite3.connect(db) as con:
        dumped = "\n".join(con.iterdump())
    assert id1 in dumped
    assert token1 not in dumped and token2 not in dumped


def test_view_holds_choices_and_only_what_the_side_may_see(client: TestClient) -> None:
    game_id, token = new_game(client, side="us")
    v = view(client, game_id, token)
    names = {item["name"] for item in v["state"]}
    assert "mrbm_est" in names
    assert not {"mrbm_ready", "tactical_warheads", "soviet_troops"} & names
    assert v["choices"][0]["id"] == "wait" and len(v["choices"]) > 1
    assert v["side"] == "us" and not v["finished"]


def test_a_full_game_ends_with_an_outcome_and_a_debrief(client: TestClient) -> None:
    game_id, token = new_game(client)
    early = client.get(f"/api/games/{game_id}/debrief", headers=auth(token))
    assert early.status_code == 409 and "not over" in early.json()["detail"]
    end = play_to_end(client, game_id, token)
    assert end["finished"] and end["outcome"]["label"] and end["choices"] == []
    debrief = client.get(f"/api/games/{game_id}/debrief", headers=auth(token)).json()
    assert debrief["outcome"]["id"] == end["outcome"]["id"]
    assert debrief["days"] and debrief["side"] == "su"
    assert any(day["yours"] for day in debrief["days"])


def test_the_web_game_is_the_game_core_replayed(client: TestClient) -> None:
    game_id, token = new_game(client, seed=11)
    for _ in range(3):
        v = view(client, game_id, token)
        client.post(
            f"/api/games/{game_id}/choices",
            json={"action": first_action(v), "at_tick": v["tick"]},
            headers=auth(token),
        )
    rec = GameRecord.model_validate(record(client, game_id, token))
    assert len(rec.moves) == 3 and rec.seed == 11
    assert Game.from_record(rec).view().model_dump(mode="json") == view(client, game_id, token)


def convene_then_wait(client: TestClient, game_id: str, token: str) -> Any:
    """Two orders at the US side's first decision: convene the ExComm, then wait for news."""
    v = view(client, game_id, token)
    return client.post(
        f"/api/games/{game_id}/choices",
        json={"action": "us_convene_excomm", "then": ["wait.news"], "at_tick": v["tick"]},
        headers=auth(token),
    )


@pytest.mark.parametrize("side", ["us", "su"])
def test_an_alert_level_the_player_s_own_order_set_is_not_news(
    client: TestClient, side: str
) -> None:
    """The first order that sets an alert level (the US air strike sets DEFCON 3, Moscow
    raises its readiness): the next view's news does not name that level."""
    sc = load_scenario("cuba-1962")
    gauges = {g.name: g.label for g in sc.presentation.gauges}
    game_id, token = new_game(client, side)
    v = view(client, game_id, token)
    for _ in range(60):
        acts = [c["id"] for c in v["choices"] if c["id"] not in ("wait", "wait.news")]
        movers = [a for a in acts if {e.var for e in sc.actions[a].effects} & set(gauges)]
        r = client.post(
            f"/api/games/{game_id}/choices",
            json={"action": (movers or acts or ["wait"])[0], "at_tick": v["tick"]},
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        v = r.json()
        if movers:
            break
    else:
        raise AssertionError("no order set an alert level")
    mine = [gauges[e.var] for e in sc.actions[movers[0]].effects if e.var in gauges]
    assert mine and not [n for n in v["news"] if any(n.startswith(f"{x}:") for x in mine)]


def test_several_orders_at_one_decision(client: TestClient, browser: TestClient) -> None:
    game_id, token = new_game(client, side="us")
    open_link(browser, game_id, token)
    form = visible(browser.get(f"/games/{game_id}").text)
    assert "Then (optional): further orders" in form and "Order 2" in form
    r = convene_then_wait(client, game_id, token)
    assert r.status_code == 200, r.text
    after = r.json()
    assert [o["id"] for o in after["plan"]["orders"]] == ["us_convene_excomm", "wait.news"]
    assert after["news"], "the wait after the order stopped on something new"
    moves = [m["action"] for m in record(client, game_id, token)["moves"]]
    assert moves[0] == "us_convene_excomm" and set(moves[1:]) == {"wait"} and len(moves) >= 2
    page = visible(browser.get(f"/games/{game_id}").text)
    assert "Your orders: Convene the ExComm (16 Oct, noon); then waited until" in page
    # the events listed are those since the orders were given, the first order's included
    since = " ".join(page[page.index("Since your last decision") :].split())
    convened = next(e for e in after["events"] if e["id"] == "us_convene_excomm")
    assert convened["new"] and convened["tick"] < moves_ticks(client, game_id, token)[-1]
    assert f"{short_time(convened['time'])} {convened['text']}" in since.split("Earlier")[0]


def moves_ticks(client: TestClient, game_id: str, token: str) -> list[int]:
    return [m["tick"] for m in record(client, game_id, token)["moves"]]


def test_the_silent_advisers_are_one_line_with_their_reason(
    client: TestClient, browser: TestClient
) -> None:
    """At the first decision no adviser's view is on record: the page says so once, for
    everyone present, with the reason, and names nobody ten times over."""
    game_id, token = new_game(client, side="us")
    open_link(browser, game_id, token)
    v = view(client, game_id, token)
    silent = [c for c in v["counsel"] if c["abstains"]]
    assert len(silent) > 2, "some advisers have no view at the first decision"
    (reason,) = {c["why"] for c in silent}
    assert reason and v["silent"] == [
        {"names": [c["name"] for c in silent], "reason": reason, "everyone": True}
    ]
    page = " ".join(visible(browser.get(f"/games/{game_id}").text).split())
    assert page.count("No view") == 1 and f"Your advisers No view — {reason}" in page
    assert not any(c["name"] in page for c in silent)


def test_advisers_of_one_mind_are_one_line(client: TestClient, browser: TestClient) -> None:
    """Advisers who recommend the same choice for the same reason are named on one line
    with it, as on the terminal (view.advised), not once each."""
    game_id, token = new_game(client, side="us")
    open_link(browser, game_id, token)
    v = convene_then_wait(client, game_id, token).json()
    orders = ["us_choose_quarantine", "wait.news"]
    while not shared(v):
        assert v["tick"] < 160, "on 22 October advisers share a reason"
        r = client.post(
            f"/api/games/{game_id}/choices",
            json={"action": orders[0], "then": orders[1:], "at_tick": v["tick"]},
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        v, orders = r.json(), ["wait.news"]
    speaking = [c for c in v["counsel"] if not c["abstains"]]
    page = " ".join(visible(browser.get(f"/games/{game_id}").text).split())
    for c in speaking:
        assert page.count(c["why"]) == 1 and page.count(c["name"]) == 1, c
    assert len(v["advised"]) == len({(c["action"], c["why"]) for c in speaking})


def shared(v: Json) -> bool:
    """Whether two advisers or more recommend the same choice for the same reason."""
    speaking = [(c["action"], c["why"]) for c in v["counsel"] if not c["abstains"]]
    return len(set(speaking)) < len(speaking)


def test_the_report_of_several_orders_survives_a_restart(db: Path) -> None:
    with TestClient(create_app(db)) as first:
        game_id, token = new_game(first, side="us")
        r = convene_then_wait(first, game_id, token)
        assert r.status_code == 200, r.text
        before = view(first, game_id, token)
        assert [o["id"] for o in before["plan"]["orders"]] == ["us_convene_excomm", "wait.news"]
    with TestClient(create_app(db)) as second:
        assert view(second, game_id, token) == before
        r = second.post(
            f"/api/games/{game_id}/choices",
            json={"action": first_action(before), "at_tick": before["tick"]},
            headers=auth(token),
        )
        assert r.status_code == 200 and r.json()["plan"] is None
    with TestClient(create_app(db)) as third:
        after = view(third, game_id, token)
        assert after["plan"] is None, "a single choice since: no report"
        r = third.post(
            f"/api/games/{game_id}/choices",
            json={"action": "wait.news", "at_tick": after["tick"]},
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        waited = view(third, game_id, token)
        assert waited["moves"] > after["moves"] + 1, "the wait for news waited several times"
    with TestClient(create_app(db)) as fourth:
        assert view(fourth, game_id, token) == waited


def test_a_game_is_rebuilt_from_the_database_by_a_new_server(db: Path) -> None:
    with TestClient(create_app(db)) as first:
        game_id, token = new_game(first)
        v = view(first, game_id, token)
        first.post(
            f"/api/games/{game_id}/choices",
            json={"action": first_action(v), "at_tick": v["tick"]},
            headers=auth(token),
        )
        before = view(first, game_id, token)
    with TestClient(create_app(db)) as second:
        assert view(second, game_id, token) == before
        r = second.post(
            f"/api/games/{game_id}/choices",
            json={"action": first_action(before), "at_tick": before["tick"]},
            headers=auth(token),
        )
        assert r.status_code == 200 and r.json()["moves"] == 2


def test_a_watch_token_reads_but_never_chooses(client: TestClient) -> None:
    r = client.post("/api/games", json={"scenario": "cuba-1962", "side": "us"})
    created = r.json()
    game_id, watch = created["id"], created["watch_token"]
    assert created["watch_link"] == f"/games/{game_id}?token={watch}"
    assert created["play_link"] == f"/games/{game_id}?token={created['token']}"
    v = view(client, game_id, watch)
    assert record(client, game_id, watch)["side"] == "us"
    code, detail = choose_raw(client, game_id, watch, json={"action": "wait", "at_tick": v["tick"]})
    assert code == 403 and "only watches" in detail
    assert view(client, game_id, watch) == v


def test_the_list_holds_only_the_games_the_token_opens(client: TestClient) -> None:
    mine, token = new_game(client)
    theirs, _ = new_game(client)
    assert client.get("/api/games").json() == []  # no token: no list
    listed = client.get("/api/games", headers=auth(token)).json()
    assert [(g["id"], g["role"]) for g in listed] == [(mine, "seat")]
    assert theirs not in str(listed)


def test_a_choice_by_cookie_needs_the_pages_header(client: TestClient) -> None:
    game_id, token = new_game(client)
    browser = TestClient(client.app)
    browser.get(f"/games/{game_id}?token={token}")
    assert [g["id"] for g in browser.get("/api/games").json()] == [game_id]
    v = browser.get(f"/api/games/{game_id}").json()  # reading accepts the cookie
    move = {"action": "wait", "at_tick": v["tick"]}
    forged = browser.post(f"/api/games/{game_id}/choices", json=move)
    assert forged.status_code == 401
    made = browser.post(f"/api/games/{game_id}/choices", json=move, headers={"X-Brink-Page": "1"})
    assert made.status_code == 200 and made.json()["moves"] == 1


# ------------------------------------------------------------------ bad input


@pytest.fixture
def game(client: TestClient) -> tuple[str, str]:
    return new_game(client)


def choose_raw(
    client: TestClient, game_id: str, token: str | None, **kwargs: Any
) -> tuple[int, str]:
    headers = auth(token) if token else {}
    headers.update(kwargs.pop("headers", {}))
    r = client.post(f"/api/games/{game_id}/choices", headers=headers, **kwargs)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "Traceback" not in detail
    return r.status_code, detail


JSON_TYPE = {"Content-Type": "application/json"}
WAIT = {"json": {"action": "wait"}}
BAD_CHOICES: list[tuple[str, dict[str, Any], bool, int, str]] = [
    ("no token", WAIT, False, 401, "token"),
    ("wrong token", {**WAIT, "headers": {"Authorization": "Bearer x"}}, False, 403, "token"),
    ("illegal action", {"json": {"action": "us_convene_excomm"}}, True, 422, "not a legal"),
    ("unknown action", {"json": {"action": "launch_everything"}}, True, 422, "not a legal"),
    ("stale tick", {"json": {"action": "wait", "at_tick": 0}}, True, 409, "tick"),
    ("unknown field", {"json": {"action": "wait", "extra": 1}}, True, 422, "body.extra"),
    ("wrong type", {"json": {"action": 3}}, True, 422, "body.action"),
    ("missing action", {"json": {}}, True, 422, "body.action"),
    ("markup action", {"json": {"action": "<script>"}}, True, 422, "body.action"),
    ("negative tick", {"json": {"action": "wait", "at_tick": -1}}, True, 422, "body.at_tick"),
    ("malformed json", {"content": b"{", "headers": JSON_TYPE}, True, 422, "not valid JSON"),
    ("huge body", {"content": b" " * 100_000, "headers": JSON_TYPE}, True, 413, "limit"),
    ("news not last", {"json": {"action": "wait.news", "then": ["wait"]}}, True, 422, "last"),
    ("illegal order", {"json": {"action": "wait", "then": ["us_hold_fire"]}}, True, 422, "legal"),
    ("many orders", {"json": {"action": "wait", "then": ["wait"] * 6}}, True, 422, "body.then"),
]


@pytest.mark.parametrize(
    ("request_kwargs", "with_token", "status", "words"),
    [case[1:] for case in BAD_CHOICES],
    ids=[case[0] for case in BAD_CHOICES],
)
def test_a_bad_choice_is_refused_clearly_and_changes_nothing(
    client: TestClient,
    game: tuple[str, str],
    request_kwargs: dict[str, Any],
    with_token: bool,
    status: int,
    words: str,
) -> None:
    game_id, token = game
    before, saved = view(client, game_id, token), record(client, game_id, token)
    code, detail = choose_raw(client, game_id, token if with_token else None, **request_kwargs)
    assert (code, words in detail) == (status, True), detail
    assert view(client, game_id, token) == before
    assert record(client, game_id, token) == saved


def test_an_unknown_game_is_refused_like_a_game_the_token_does_not_open(
    client: TestClient,
) -> None:
    _, token = new_game(client)
    other, _ = new_game(client)
    for path in ("/api/games/no-such-game", "/api/games/no-such-game/debrief"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=auth(token)).status_code == 403
    code, detail = choose_raw(client, "no-such-game", token, json={"action": "wait"})
    assert code == 403 and "no token sent opens a game with this id" in detail
    code, _ = choose_raw(client, other, token, json={"action": "wait"})
    assert code == 403


def test_requests_for_random_ids_leave_no_state_in_the_server(client: TestClient) -> None:
    """Through HTTP, API and pages (tests/test_web_service.py makes 10,000 such requests)."""
    games = service_of(client)
    _, token = new_game(client)
    before = games.held_state()
    for i in range(500):
        unknown = new_game_id()
        headers = auth(token) if i % 2 else {}
        match i % 4:
            case 0:
                r = client.get(f"/api/games/{unknown}", headers=headers)
            case 1:
                r = client.post(
                    f"/api/games/{unknown}/choices", json={"action": "wait"}, headers=headers
                )
            case 2:
                r = client.get(f"/games/{unknown}/replay", headers=headers)
            case _:
                r = client.get(f"/games/{unknown}?token={new_token()}", follow_redirects=False)
        assert r.status_code in (401, 403), r.text
    assert games.held_state() == before


def test_a_finished_game_refuses_choices(client: TestClient) -> None:
    game_id, token = new_game(client, side="cuba")
    end = play_to_end(client, game_id, token)
    code, detail = choose_raw(client, game_id, token, json={"action": "wait"})
    assert code == 409 and "over" in detail
    assert view(client, game_id, token) == end


US = {"scenario": "cuba-1962", "side": "us"}
BAD_GAMES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown scenario", {**US, "scenario": "nowhere"}, "unknown scenario"),
    ("a path", {**US, "scenario": "/etc/passwd"}, "body.scenario"),
    ("unknown side", {**US, "side": "france"}, "unknown side"),
    ("unknown opponent", {**US, "opponent": "genius"}, "opponents offered: random, passive"),
    ("costly opponent", {**US, "opponent": "rational"}, "not offered here (it simulates"),
    ("unconfigured llm", {**US, "opponent": "llm"}, "no language model configured"),
    ("opponent parameters", {**US, "opponent": "rational:samples=9999"}, "body.opponent"),
    ("unknown intervention", {**US, "interventions": ["nope"]}, "nope"),
    ("negative seed", {**US, "seed": -1}, "body.seed"),
    ("huge seed", {**US, "seed": 2**60}, "body.seed"),
    ("unknown field", {**US, "color": "red"}, "body.color"),
]


def test_the_form_and_the_api_offer_one_list_of_opponents(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    offered = [o["name"] for o in client.get("/api/opponents").json()]
    assert "hawk" in offered and "rational" not in offered and "llm" not in offered
    form = client.get("/new").text
    select = form[form.index('<select id="opponent"') :]
    select = select[: select.index("</select>")]
    assert re.findall(r'<option value="([a-z-]*)">', select) == ["", *offered]
    monkeypatch.setenv("BRINK_LLM_MODEL", "some-model")
    monkeypatch.setenv("BRINK_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    with TestClient(create_app(tmp_path / "llm.sqlite3")) as configured:
        names = [o["name"] for o in configured.get("/api/opponents").json()]
        assert names == [*offered, "llm"]
        assert 'value="llm"' in configured.get("/new").text


@pytest.mark.parametrize(
    ("body", "words"), [c[1:] for c in BAD_GAMES], ids=[c[0] for c in BAD_GAMES]
)
def test_a_bad_new_game_is_422_and_saves_nothing(
    client: TestClient, body: Json, words: str
) -> None:
    games = service_of(client)
    count = games.store.count()
    r = client.post("/api/games", json=body)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]
    assert games.store.count() == count


def test_an_internal_error_answers_500_without_a_trace(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: GameService, game_id: str, tokens: list[str]) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(GameService, "view", broken)
    with TestClient(create_app(db), raise_server_exceptions=False) as c:
        r = c.get("/api/games/anything", headers=auth("x" * 43))
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "internal error" in r.json()["detail"]


# ------------------------------------------------------------------ pages


def test_openapi_describes_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/games"])
    assert "post" in paths["/api/games/{game_id}/choices"]
    assert "get" in paths["/api/games/{game_id}"]
    assert "get" in paths["/api/games/{game_id}/debrief"]
    assert not any(p.startswith("/games") for p in paths)


@pytest.fixture
def browser(client: TestClient) -> TestClient:
    """A browser of its own (its own cookies) on the module's server."""
    return TestClient(client.app)


def open_link(browser: TestClient, game_id: str, token: str, path: str = "") -> None:
    """Open a game's link once, as a browser given it would: the token goes into a cookie."""
    r = browser.get(f"/games/{game_id}{path}?token={token}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/games/{game_id}{path}"
    assert "httponly" in r.headers["set-cookie"].lower()


def test_pages_render_with_security_headers(client: TestClient, browser: TestClient) -> None:
    game_id, token = new_game(client)
    open_link(browser, game_id, token)
    for path in ("/", "/new", f"/games/{game_id}", f"/games/{game_id}/replay"):
        r = browser.get(path)
        assert r.status_code == 200, path
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in r.text  # only the external script file
    assert game_id in browser.get("/").text


def test_api_answers_refusals_and_docs_carry_the_security_headers(
    client: TestClient,
) -> None:
    answers = [
        client.get("/api/games"),
        client.get("/api/games/nosuchgame"),
        client.post("/api/games", content=b"x" * 20_000, headers={"content-type": "text/plain"}),
        client.get("/api/docs"),
    ]
    assert [r.status_code for r in answers] == [200, 401, 413, 200]
    for r in answers:
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_api_docs_are_ours_and_load_nothing_from_elsewhere(client: TestClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    html = docs.text
    loaded = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert loaded and all(url.startswith(("/", "#")) and not url.startswith("//") for url in loaded)
    assert "swagger" not in html.lower() and "cdn" not in html.lower()
    for path in client.get("/openapi.json").json()["paths"]:
        assert f"<code>GET {path}</code>" in html or f"<code>POST {path}</code>" in html
    assert 'id="schema-NewGame"' in html and "The random seed." in html
    assert 'href="#schema-GameView"' in html


def test_the_replay_steps_through_the_saved_choices_read_only(
    client: TestClient, browser: TestClient
) -> None:
    game_id, token = new_game(client)
    end = play_to_end(client, game_id, token)
    total = end["moves"]
    open_link(browser, game_id, token, "/replay")
    first = browser.get(f"/games/{game_id}/replay?step=0").text
    assert f"decision 1 of {total}" in first and "disabled" in first
    assert 'id="choose"' not in first
    last = browser.get(f"/games/{game_id}/replay?step={total}").text
    assert end["outcome"]["label"] in last
    bad = browser.get(f"/games/{game_id}/replay?step=many")
    assert bad.status_code == 422 and "query.step" in bad.text


def test_the_end_screen_and_debrief_pages(client: TestClient, browser: TestClient) -> None:
    game_id, token = new_game(client)
    end = play_to_end(client, game_id, token)
    open_link(browser, game_id, token)
    page = browser.get(f"/games/{game_id}").text
    assert end["outcome"]["label"] in page and f"/games/{game_id}/debrief" in page
    debrief = browser.get(f"/games/{game_id}/debrief").text
    assert "Day by day" in debrief and "What really happened" in debrief
    # Both name the ending's cause and put the score on the scenario's scale, beside
    # every side's score, as the terminal does.
    outcome = end["outcome"]
    for text in (visible(page), visible(debrief)):
        assert outcome["cause"] and f"What caused it: {outcome['cause']}" in text
        assert f"from {outcome['worst']:g}, its worst outcome for your side" in text
        assert "Every side's score under this outcome: " in text
    # the side's score stated once, as the outcome's lines state it ("-3"), not also "-3.0"
    assert "your side's score" not in visible(page)
    assert f"Score for your side: {outcome['utility']:g} " in visible(page)


def test_the_end_page_names_the_kind_of_ending_in_words_not_its_class_id(
    client: TestClient, browser: TestClient
) -> None:
    game_id, token = new_game(client)
    end = play_to_end(client, game_id, token)
    open_link(browser, game_id, token)
    text = " ".join(visible(browser.get(f"/games/{game_id}").text).split())
    cls = end["outcome"]["cls"]
    assert f"· {outcome_kind(cls)} " in text
    assert f"· {cls.replace('_', ' ')} " not in text  # as the page said before
    # every class the scenario language knows has its words
    assert all("_" not in outcome_kind(known.value) for known in OutcomeClass)


def visible(html: str) -> str:
    """The text of a page as shown (tags dropped, entities decoded)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_interventions_are_picked_and_named_by_label_never_by_id(
    client: TestClient, browser: TestClient
) -> None:
    form = client.get("/new").text
    shown = visible(form)
    for name in builtin_names():
        for i in load_scenario(name).interventions.values():
            box = f'id="iv-{name}-{i.id}"'
            assert box in form and f'aria-describedby="iv-{name}-{i.id}-help"' in form
            label = form[form.index(f'<label for="iv-{name}-{i.id}">') :]
            assert unescape(label[: label.index("</label>")]).endswith(f"{i.label}</strong>")
            help_text = form[form.index(f'<p id="iv-{name}-{i.id}-help" class="help">') :]
            assert unescape(help_text[: help_text.index("</p>")]).endswith(i.description.strip())
            assert "-" not in i.id or i.id not in shown, i.id
    chosen = load_scenario("cuba-1962").interventions
    game_id, token = new_game(client, interventions=["no-arkhipov", "slow-letters"])
    play_to_end(client, game_id, token)
    open_link(browser, game_id, token)
    debrief = visible(browser.get(f"/games/{game_id}/debrief").text)
    labels = f"{chosen['no-arkhipov'].label}; {chosen['slow-letters'].label}"
    assert f"counterfactuals: {labels}" in debrief
    assert "no-arkhipov" not in debrief and "slow-letters" not in debrief


def test_a_game_page_without_its_token_is_an_error_page(
    client: TestClient, browser: TestClient
) -> None:
    game_id, _ = new_game(client)
    for path in (f"/games/{game_id}", "/games/no-such-game", f"/games/{game_id}/debrief"):
        r = browser.get(path)
        assert r.status_code == 401 and "text/html" in r.headers["content-type"]
        assert "open the game&#39;s link" in r.text
    r = browser.get(f"/games/{game_id}?token={'x' * 43}")
    assert r.status_code == 403 and "set-cookie" not in r.headers


def test_text_in_pages_is_escaped(client: TestClient) -> None:
    game_id, token = new_game(client, side="us")
    games = service_of(client)
    v = games.view(game_id, [token])
    evil = "<script>alert(1)</script>"
    letter = {
        "id": "x",
        "sender": "su",
        "sender_name": evil,
        "channel": "letter",
        "channel_label": evil,
        "public": False,
        "kind": "offer",
        "give": [],
        "get": [],
        "text": evil,
        "sent": v.time,
        "arrived": v.time,
    }
    tampered = GameView.model_validate({**v.model_dump(), "inbox": [letter]})
    rec = games.record(game_id, [token])
    screen = game_screen(games.scenarios.get("cuba-1962"), tampered, rec)
    html = templates.get_template("game.html").render(
        game_id=game_id, row=games.row(game_id, [token]), v=tampered, s=screen,
        map=scenario_map(games.scenarios.get("cuba-1962"), tampered), replay=False,
        acts=True, links={},
    )  # fmt: skip
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_briefing_is_marked_as_such_not_stamped_with_the_start_time(
    client: TestClient, browser: TestClient
) -> None:
    """The opening briefing's paragraphs (the Bay of Pigs, the Jupiters…) are not events of
    the game's first morning: the event list marks them "Briefing", without a clock time."""
    game_id, token = new_game(client, side="us")
    view = client.get(f"/api/games/{game_id}", headers={"Authorization": f"Bearer {token}"})
    briefing = view.json()["briefing"]
    assert briefing
    open_link(browser, game_id, token)
    page = visible(browser.get(f"/games/{game_id}").text)
    assert short_time(briefing[0]["time"]) not in page
    shown = [e["text"][:40] for e in briefing if e["kind"] not in SKIPPED_KINDS]
    assert len(shown) > 3
    for text in shown:
        assert re.search(r"Briefing\s+" + re.escape(text), page), text


def test_the_debrief_ends_each_sentence_with_one_full_stop(
    client: TestClient, browser: TestClient
) -> None:
    """ "In your game: 16 Oct, 9 a.m." — not "9 a.m.." (a time in p.m. ends the sentence)."""
    game_id, token = new_game(client, side="us")
    play_to_end(client, game_id, token)
    open_link(browser, game_id, token)
    debrief = visible(browser.get(f"/games/{game_id}/debrief").text)
    assert re.search(r"In your game: [^.]+ [ap]\.m\.(?!\.)", debrief)
    assert not re.search(r"[ap]\.m\.\.", debrief)


def test_the_api_docs_say_what_a_text_s_sources_are(client: TestClient) -> None:
    """Every ``sources`` of ids (an event's, the outcome's, the debrief's entries) says what
    its ids are, the scenario's own assumptions included, on the page served offline."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    described = {
        name: schema["properties"]["sources"].get("description", "")
        for name, schema in schemas.items()
        if schema.get("properties", {}).get("sources", {}).get("items") == {"type": "string"}
    }
    assert {"EventView", "OutcomeView", "PathEntry", "HistoryEntry"} <= set(described)
    assert all(f'"{ASSUMPTION_NAME}"' in d and "bibliography" in d for d in described.values())
    assert "title" in schemas["Debrief"]["properties"]["sources"].get("description", "")
    html = unescape(client.get("/docs").text)  # the address FastAPI apps use leads there
    section = html.split('id="schema-EventView"', 1)[1].split("</section>", 1)[0]
    assert f'"{ASSUMPTION_NAME}": {ASSUMPTION_TITLE}' in section
