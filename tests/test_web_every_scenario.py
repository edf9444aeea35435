"""Every built-in scenario plays in the browser's pages, for every side, to the debrief:
the screen shows the scenario's own gauges and map (from its presentation), or none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from brinkmanship.scenario.loader import builtin_names, load_scenario
from brinkmanship.web import create_app
from brinkmanship.web.screen import playable_sides

Json = dict[str, Any]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db: Path = tmp_path_factory.mktemp("web") / "games.sqlite3"
    with TestClient(create_app(db)) as c:
        yield c


def play_to_end(client: TestClient, game_id: str, token: str, v: Json) -> Json:
    """Take the first choice that is not ``wait`` (escalation ends a game soonest)."""
    for _ in range(400):
        if v["finished"]:
            return v
        action = next((c["id"] for c in v["choices"] if c["id"] != "wait"), "wait")
        r = client.post(
            f"/api/games/{game_id}/choices",
            json={"action": action, "at_tick": v["tick"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        v = r.json()
    raise AssertionError("the game did not end")


@pytest.mark.parametrize("name", builtin_names())
def test_every_side_plays_to_the_debrief(client: TestClient, name: str) -> None:
    sc = load_scenario(name)
    for side in playable_sides(sc):
        r = client.post("/api/games", json={"scenario": name, "side": side.value})
        assert r.status_code == 201, r.text
        game_id, token = r.json()["id"], r.json()["token"]
        page = client.get(f"/games/{game_id}?token={token}")  # keeps the token as a cookie
        assert page.status_code == 200, (name, side.value)
        v = client.get(f"/api/games/{game_id}").json()
        for alert in v["alerts"]:
            assert f'aria-label="{escape(alert["label"])}: ' in page.text
        if sc.presentation.map is None:
            assert "On the map" not in page.text
        else:
            assert f"Map of {sc.presentation.map.title}" in page.text
        end = play_to_end(client, game_id, token, v)
        assert end["outcome"] is not None
        assert client.get(f"/games/{game_id}").status_code == 200
        debrief = client.get(f"/games/{game_id}/debrief")
        assert debrief.status_code == 200 and end["outcome"]["label"] in debrief.text
