"""A scenario's presentation drives the screens and changes no result: gauges count the
way it says, quantities carry its units, and a scenario without one plays without a map,
gauges or units."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.narrative import jsonl_lines
from brinkmanship.play.game import Game
from brinkmanship.play.terminal import render_view
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import BUILTIN_PACKAGE, builtin_names, load_scenario
from brinkmanship.web.screen import gauge


@pytest.fixture(scope="module")
def bare_standoff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``standoff`` without its presentation, as a file."""
    text = resources.files(BUILTIN_PACKAGE).joinpath("standoff.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    del doc["presentation"]
    path = tmp_path_factory.mktemp("bare") / "bare.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def screen_text(game: Game) -> str:
    console = Console(width=160, record=True, color_system=None)
    console.print(render_view(game.view()))
    return console.export_text()


def runs(sc: CompiledScenario, n: int) -> list[str]:
    policies = policy_set(sc, {})
    out = []
    for run in range(n):
        result = ReferenceEngine(sc).run(3, run, policies.make(), dict(policies.specs))
        out += list(jsonl_lines(result))
    return out


def test_the_presentation_changes_no_result(bare_standoff: Path) -> None:
    assert runs(load_scenario("standoff"), 10) == runs(load_scenario(str(bare_standoff)), 10)


def test_a_gauge_counts_the_way_the_presentation_says() -> None:
    view = Game.new("standoff", "west").view()
    (west,) = [a for a in view.alerts if a.name == "alert_west"]
    assert west.counts == "down"
    g = gauge(west)
    assert [s.label for s in g.segments] == ["5", "4", "3", "2", "1"]
    assert g.segments[0].danger == 0 and g.segments[-1].danger == 4
    assert g.danger == 0  # level 5: calm
    up = gauge(west.model_copy(update={"counts": "up"}))
    assert up.danger == 4 and up.segments[0].label == "1"


def test_the_gauges_are_those_the_side_can_see() -> None:
    assert [a.name for a in Game.new("standoff", "west").view().alerts] == ["alert_west"]
    assert [a.name for a in Game.new("standoff", "east").view().alerts] == [
        "alert_west",
        "alert_east",
    ]


def test_the_terminal_shows_gauges_and_quantities_with_units() -> None:
    text = screen_text(Game.new("cuba-1962", "su"))
    assert "DEFCON of US forces: 5 (danger at 1)" in text
    assert "Readiness of Soviet forces" in text and "(danger at 2)" in text
    assert "troops" in text and "warheads" in text
    assert "ExComm or NSC meeting in session" not in text  # not listed as a quantity


def test_without_a_presentation_every_number_is_a_quantity(bare_standoff: Path) -> None:
    game = Game.new(str(bare_standoff), "west")
    view = game.view()
    assert view.alerts == []
    numbers = [i.name for i in view.state if i.shown_as == "quantity"]
    assert "alert_west" in numbers and "tension" in numbers
    assert "(no alert levels)" in screen_text(game)


@pytest.mark.parametrize("name", builtin_names())
def test_every_gauge_and_quantity_is_a_bounded_or_plain_number(name: str) -> None:
    sc = load_scenario(name)
    for g in sc.presentation.gauges:
        var = sc.variables[g.name]
        assert var.hi - var.lo < 100, g.name
    for q in sc.presentation.quantities or ():
        assert sc.variables[q.name].type.value != "bool", q.name


@pytest.mark.parametrize("name", builtin_names())
def test_every_side_of_every_scenario_renders_in_the_terminal(name: str) -> None:
    sc = load_scenario(name)
    for side in (a.id for a in sc.actors.values() if a.holder == a.id):
        game = Game.new(name, side)
        text = screen_text(game)
        for alert in game.view().alerts:
            assert f"{alert.label}: " in text, (name, side, alert.name)
