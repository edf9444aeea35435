"""A member's ``attends``: absent members give no counsel, are not asked to consent and do
not vote; members with no view give no counsel line; both engines agree."""

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


def standoff_with(patch: dict[str, dict[str, Any]]) -> CompiledScenario:
    """The standoff with some members of its bodies given ``attends`` conditions."""
    doc = yaml.safe_load(STANDOFF.read_text())
    for actor, members in patch.items():
        for member, attends in members.items():
            doc["actors"][actor]["members"][member]["attends"] = attends
    return build(load_yaml(yaml.safe_dump(doc, sort_keys=False), "standoff-patched.yaml"))


def events(sc: CompiledScenario, runs: int, seed: int = 11) -> list[tuple[str, str, str, str]]:
    out = []
    specs = policy_set(sc).specs
    for run in range(runs):
        result = ReferenceEngine(sc).run(seed, run, policy_set(sc, specs).make(), dict(specs))
        out += [(e.actor, e.kind, e.id, e.text) for e in result.events]
    return out


def test_an_absent_member_neither_counsels_nor_consents() -> None:
    """The commissar never attends: no counsel line of his, never named as refusing, and
    with three consents needed from two present every proposal falls through."""
    sc = standoff_with({"patrol": {"commissar": "False"}})
    log = events(sc, 30)
    consents = [text for actor, kind, _, text in log if kind == "consent" and actor == "patrol"]
    assert consents, "no proposal needed consent"
    assert all("too few attend" in t or "refused by First Officer." in t for t in consents)
    assert all("of 2 consent" in t and "Commissar" not in t for t in consents)
    assert not any(kind == "counsel" and ident == "commissar" for _, kind, ident, _ in log)
    assert_engines_agree(sc, runs=30, seed=11)


def test_an_absent_member_does_not_vote() -> None:
    """With the northern and island delegations away, the south's condemnation carries."""
    present = events(standoff_with({}), 20, seed=5)
    absent_sc = standoff_with({"council": {"north": "tension < 0", "islands": "tension < 0"}})
    absent = events(absent_sc, 20, seed=5)
    acts = {ident for actor, kind, ident, _ in absent if actor == "council" and kind == "action"}
    assert acts == {"condemn"}
    assert {i for a, k, i, _ in present if a == "council" and k == "action"} == {"mediate"}
    assert not any(kind == "counsel" and ident == "north" for _, kind, ident, _ in absent)
    assert_engines_agree(absent_sc, runs=20, seed=5)


def test_members_with_no_view_give_no_counsel_line() -> None:
    log = events(standoff_with({}), 10)
    assert not any("sees no reason" in text for *_, text in log)
    counsel = [text for _, kind, _, text in log if kind == "counsel"]
    assert counsel and all(" — " in text for text in counsel)


def test_the_chair_always_attends() -> None:
    with pytest.raises(ScenarioError, match="attends every decision"):
        standoff_with({"west": {"premier": "shots > 0"}})


def test_attends_reads_only_what_the_body_sees() -> None:
    with pytest.raises(ScenarioError, match="not visible to 'west'"):
        standoff_with({"west": {"defence": "crew_stress > 0.5"}})
