"""The map, drawn from a scenario's presentation, shows only what the player's side may see."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pytest
import yaml

from brinkmanship.play.game import Game
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import BUILTIN_PACKAGE, builtin_names, load_scenario
from brinkmanship.scenario.presentation import layer_env
from brinkmanship.web.maps import TONE_MEANING, MapModel, draw, scenario_map
from brinkmanship.web.pages import templates


@pytest.fixture(scope="module")
def cuba() -> CompiledScenario:
    return load_scenario("cuba-1962")


def drawn(sc: CompiledScenario, state: dict[str, float | int | bool]) -> MapModel:
    """The map for a viewer who sees exactly ``state``."""
    assert sc.presentation.map is not None
    env = layer_env(state, sc.parameter_env(), 0, 0.0)
    return draw(sc.presentation.map, env, frozenset(state))


def layers(sc: CompiledScenario, state: dict[str, float | int | bool]) -> list[str]:
    return [m.layer for m in drawn(sc, state).markers]


@pytest.fixture(scope="module")
def us_game() -> Game:
    return Game.new("cuba-1962", "us")


@pytest.fixture(scope="module")
def su_game() -> Game:
    return Game.new("cuba-1962", "su")


def test_each_side_sees_its_own_count_of_launchers(us_game: Game, su_game: Game) -> None:
    us_map = scenario_map(us_game.scenario, us_game.view())
    su_map = scenario_map(su_game.scenario, su_game.view())
    assert us_map is not None and su_map is not None
    us_sites = [m.label for m in us_map.markers if m.symbol == "site"]
    su_sites = [m.label for m in su_map.markers if m.symbol == "site"]
    assert len(us_sites) == 1 and "believed operational" in us_sites[0]
    assert len(su_sites) == 1 and "believed" not in su_sites[0]


def test_the_quarantine_line_and_ships_follow_the_state(cuba: CompiledScenario) -> None:
    calm = drawn(cuba, {"quarantine": False, "blockade_proclaimed": False, "ships_en_route": 0})
    assert calm.lines == () and calm.markers == ()
    state = {"quarantine": True, "blockade_proclaimed": False, "ships_en_route": 5}
    tense = drawn(cuba, {**state, "ships_turned_back": 2})
    assert [ln.tag for ln in tense.lines] == ["quarantine line"]
    assert tense.lines[0].path.startswith("M")
    assert [m.layer for m in tense.markers].count("ships_en_route") == 5
    assert [m.layer for m in tense.markers].count("ships_turned_back") == 2
    assert any("Quarantine line" in line for line in tense.description)
    blockade = drawn(cuba, {"quarantine": True, "blockade_proclaimed": True})
    assert [ln.tag for ln in blockade.lines] == ["blockade line"]


@pytest.mark.parametrize("count", [math.inf, -math.inf, math.nan, -3.0])
def test_a_count_that_is_not_a_small_whole_number_draws_within_bounds(
    cuba: CompiledScenario, count: float
) -> None:
    state = {"quarantine": True, "blockade_proclaimed": False, "ships_en_route": count}
    marks = drawn(cuba, state)
    ships = [m for m in marks.markers if m.layer == "ships_en_route"]
    if count == math.inf:
        assert 1 <= len(ships) <= 100, "as many as the layer draws at most"
    else:
        assert ships == []
    assert all(isinstance(line, str) for line in marks.description)


def test_submarines_appear_only_once_detected(cuba: CompiledScenario) -> None:
    hidden = layers(cuba, {"navy_hunting": False, "b59_surfaced": False, "subs_surfaced": 0})
    assert not [k for k in hidden if "sub" in k]
    assert "submarine_hunt" in layers(cuba, {"navy_hunting": True})
    surfaced = layers(cuba, {"b59_surfaced": True, "subs_surfaced": 2})
    assert surfaced.count("submarines_surfaced") == 3


def test_a_layer_needs_every_variable_it_reads(cuba: CompiledScenario) -> None:
    """Submarines surfaced read two variables: with one hidden, nothing is drawn."""
    assert "submarines_surfaced" not in layers(cuba, {"subs_surfaced": 2})
    surfaced = layers(cuba, {"subs_surfaced": 1, "b59_surfaced": True})
    assert surfaced.count("submarines_surfaced") == 2


def test_markers_lie_on_the_map(cuba: CompiledScenario) -> None:
    m = drawn(cuba, {"mrbm_est": 4, "shootdowns": 1, "us_attacked": True, "ships_en_route": 30})
    assert all(0 <= mk.x <= m.width and 0 <= mk.y <= m.height for mk in m.markers)
    assert len([mk for mk in m.markers if mk.layer == "ships_en_route"]) == 12  # capped
    assert "US aircraft shot down over Cuba: 1" in m.description


def test_the_legend_shows_each_drawn_layer_s_mark_and_what_its_colour_means(
    cuba: CompiledScenario,
) -> None:
    m = drawn(cuba, {"quarantine": True, "blockade_proclaimed": False, "ships_turned_back": 2})
    marks = [(k.symbol, k.tone) for k in m.legend]
    assert marks == [("line", "severe"), ("ship", "calm")]
    assert [k.text for k in m.legend] == list(m.description)
    assert m.colours == (("calm", TONE_MEANING["calm"]), ("severe", TONE_MEANING["severe"]))
    html = templates.get_template("map.html").render(map=m)
    assert html.count('class="key"') == len(m.legend) + 1 + len(m.colours)  # + places
    assert 'class="marker ship tone-calm" href="#sym-ship"' in html
    assert "The greatest danger" in html and "Low danger" not in html
    nothing = drawn(cuba, {"quarantine": False, "blockade_proclaimed": False})
    assert nothing.legend == () and nothing.colours == ()


@pytest.mark.parametrize("name", builtin_names())
def test_every_built_in_map_draws_for_every_side(name: str) -> None:
    sc = load_scenario(name)
    for side in (a.id for a in sc.actors.values() if a.holder == a.id):
        model = scenario_map(sc, Game.new(name, side).view())
        if sc.presentation.map is None:
            assert model is None
        else:
            assert model is not None and model.places and model.description, (name, side)


def test_a_scenario_without_a_presentation_has_no_map(tmp_path: Path) -> None:
    text = resources.files(BUILTIN_PACKAGE).joinpath("standoff.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    del doc["presentation"]
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    game = Game.new(str(path), "west")
    view = game.view()
    assert scenario_map(game.scenario, view) is None
    assert view.alerts == []
    assert all(item.shown_as in ("quantity", "fact") for item in view.state)
