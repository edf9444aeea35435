"""The Caribbean map shows only what the player's side may see."""

from __future__ import annotations

import pytest

from brinkmanship.play.game import Game
from brinkmanship.web.caribbean import WIDTH, caribbean_map, draw


def kinds(state: dict[str, float | int | bool]) -> list[str]:
    return [m.kind for m in draw(state).markers]


@pytest.fixture(scope="module")
def us_game() -> Game:
    return Game.new("cuba-1962", "us")


@pytest.fixture(scope="module")
def su_game() -> Game:
    return Game.new("cuba-1962", "su")


def test_each_side_sees_its_own_count_of_launchers(us_game: Game, su_game: Game) -> None:
    us_map, su_map = caribbean_map(us_game.view()), caribbean_map(su_game.view())
    assert us_map is not None and su_map is not None
    us_sites = [m.label for m in us_map.markers if m.kind == "site"]
    su_sites = [m.label for m in su_map.markers if m.kind == "site"]
    assert len(us_sites) == 1 and "believed operational" in us_sites[0]
    assert len(su_sites) == 1 and "believed" not in su_sites[0]


def test_the_quarantine_line_and_ships_follow_the_state() -> None:
    calm = draw({"quarantine": False, "ships_en_route": 0})
    assert calm.quarantine is None and calm.markers == ()
    tense = draw({"quarantine": True, "ships_en_route": 5, "ships_turned_back": 2})
    assert tense.quarantine is not None and tense.quarantine.startswith("M")
    assert kinds({"ships_en_route": 5, "ships_turned_back": 2}).count("ship") == 5
    assert kinds({"ships_en_route": 5, "ships_turned_back": 2}).count("ship-back") == 2
    assert any("Quarantine line" in line for line in tense.description)


def test_submarines_appear_only_once_detected() -> None:
    assert not [k for k in kinds({"navy_hunting": False, "b59_surfaced": False}) if "sub" in k]
    assert "sub" in kinds({"navy_hunting": True})
    assert kinds({"b59_surfaced": True, "subs_surfaced": 2}).count("sub-surfaced") == 3


def test_markers_lie_on_the_map() -> None:
    m = draw({"mrbm_est": 4, "shootdowns": 1, "us_attacked": True, "ships_en_route": 30})
    assert all(0 <= mk.x <= WIDTH and 0 <= mk.y <= m.height for mk in m.markers)
    assert len([mk for mk in m.markers if mk.kind == "ship"]) == 12  # icons are capped


def test_other_scenarios_have_no_map() -> None:
    assert caribbean_map(Game.new("standoff", "west").view()) is None
