"""A body's ``action_channels`` (Allison's action channels): Model III carries a channelled
action only at a decision where its channel is open; elsewhere counsel for it is argument.
Both engines agree; bad channels are refused with their place in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import ScenarioError
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import build
from brinkmanship.scenario.yamlsource import load_yaml
from brinkmanship.testing import assert_engines_agree

STANDOFF = Path(__file__).resolve().parents[1] / "src/brinkmanship/scenarios/standoff.yaml"
HAWKS = {"hawk_influence": 2.0}
"""West's hawk outweighs its dove: Model III deploys the warships first (test_allison)."""


def standoff_with(actor: str, channels: list[dict[str, Any]]) -> CompiledScenario:
    doc = yaml.safe_load(STANDOFF.read_text())
    doc["actors"][actor]["action_channels"] = channels
    doc["parameters"]["hawk_influence"]["value"] = HAWKS["hawk_influence"]
    return build(load_yaml(yaml.safe_dump(doc, sort_keys=False), "standoff-channels.yaml"))


def west_choices(sc: CompiledScenario, runs: int = 5) -> list[list[tuple[str, str]]]:
    chosen = policy_set(sc, {"west": "political"})
    out = []
    for run in range(runs):
        result = ReferenceEngine(sc).run(1, run, chosen.make(), dict(chosen.specs))
        out.append([(c.action, c.why) for c in result.choices if c.actor == "west"])
    return out


def first_move(choices: list[tuple[str, str]]) -> str:
    return next(action for action, _ in choices if action != "wait")


def test_an_open_channel_changes_nothing() -> None:
    always = standoff_with("west", [{"actions": ["deploy_warships"], "when": "True"}])
    assert all(first_move(c) == "deploy_warships" for c in west_choices(always))


def test_a_closed_channel_holds_the_choice_and_the_counsel_is_argument() -> None:
    """Warships never: the hawk's counsel for them does not carry, and the body says who
    argued; the dove's offer carries instead. The standard course (the default policy, here
    a script that sends the warships on day one) is held too: the body waits, and says why."""
    held = standoff_with("west", [{"actions": ["deploy_warships"], "when": "False"}])
    runs = west_choices(held)
    for choices in runs:
        assert not any(a == "deploy_warships" for a, _ in choices), choices
        assert any(a == "wait" and "decided only in its action channel" in w for a, w in choices)
        assert any(a == "send_offer" and w.startswith("carried by") for a, w in choices), choices
    argued = [w for choices in runs for _, w in choices if "action channel" in w]
    assert argued and all(w.startswith("Defence Minister argue") for w in argued), argued
    assert_engines_agree(held, {"west": "political"}, seed=1, runs=20)


@pytest.mark.parametrize("when", ["shots > 0", "tension > 3", "False"])
def test_both_engines_agree_under_every_policy_of_the_body(when: str) -> None:
    sc = standoff_with("west", [{"actions": ["deploy_warships", "strike"], "when": when}])
    for spec in ("political", "firm", "random"):
        assert_engines_agree(sc, {"west": spec}, seed=3, runs=15)


@pytest.mark.parametrize(
    ("actor", "channels", "message"),
    [
        ("east", [{"actions": ["reinforce"], "when": "True"}], "is not a body"),
        ("west", [{"actions": ["wait"], "when": "True"}], "open at every decision"),
        ("west", [{"actions": ["reinforce"], "when": "True"}], "belongs to .east."),
        (
            "west",
            [
                {"actions": ["strike"], "when": "True"},
                {"actions": ["strike"], "when": "shots > 0"},
            ],
            "already in action channel 0",
        ),
        ("west", [{"actions": ["strike"], "when": "crew_stress > 0.5"}], "not visible to 'west'"),
        ("west", [{"actions": ["strike"], "when": "shots + 1"}], "bool"),
    ],
)
def test_bad_channels_are_refused(actor: str, channels: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as error:
        standoff_with(actor, channels)
    assert "standoff-channels.yaml:" in str(error.value)
