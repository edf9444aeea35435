"""Outcomes that wait (``pending``): decided when their condition first holds, ended when
``pending`` stops holding; an earlier outcome that holds meanwhile replaces them. The same
on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from batch_compare import assert_identical
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import OutcomeResult
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from scenario_strategies import load_document


def _doc(incident_at: str | None, told_at: str | None = "2030-01-01T05:00") -> dict[str, Any]:
    """A deal at 1:00; the forces are told at ``told_at`` (None: never); an incident at
    ``incident_at`` (if any) while they are not told."""
    events: dict[str, Any] = {
        "deal": {"at": "2030-01-01T01:00", "text": "A deal.", "effects": {"deal": True}},
    }
    if told_at is not None:
        events["told"] = {"at": told_at, "text": "Told.", "effects": {"told": True}}
    if incident_at is not None:
        events["incident"] = {
            "at": incident_at,
            "when": "not told",
            "text": "A shot.",
            "effects": {"incident": True},
        }
    return {
        "id": "waiting",
        "title": "A deal the forces hear of late",
        "clock": {"start": "2030-01-01T00:00", "horizon": "2030-01-01T10:00", "timezone": "UTC"},
        "state": {
            "deal": {"type": "bool", "initial": False},
            "told": {"type": "bool", "initial": False},
            "incident": {"type": "bool", "initial": False},
        },
        "actors": {"a": {"name": "A"}, "b": {"name": "B"}},
        "events": events,
        "decisions": {"d": {"actor": "a", "every": "1h"}},
        "outcomes": {
            "after_deal": {
                "class": "conventional_war",
                "when": "incident",
                "utility": {"a": -5, "b": -5},
            },
            "settled": {
                "class": "settlement",
                "when": "deal",
                "pending": "not told",
                "utility": {"a": 1, "b": 1},
            },
            "end": {"class": "unresolved", "default": True, "utility": {"a": 0, "b": 0}},
        },
    }


def _outcome(sc: CompiledScenario) -> OutcomeResult:
    return ReferenceEngine(sc).run(0, 0, policy_set(sc, {}).make()).outcome


def test_a_settlement_waits_until_the_forces_are_told() -> None:
    sc = load_document(_doc(None))
    outcome = _outcome(sc)
    assert (outcome.id, outcome.decided_tick, outcome.tick) == ("settled", 1, 5)
    assert outcome.to_json()["decided"] == sc.iso(1)
    batch = BatchEngine(sc, batch_forms(sc, policy_set(sc, {}).specs)).run(0, 0, 1)
    assert (int(batch.decided[0]), int(batch.tick[0])) == (1, 5)
    assert_identical(sc, {}, 0, range(3))


def test_an_incident_after_the_deal_replaces_it() -> None:
    sc = load_document(_doc("2030-01-01T03:00"))
    outcome = _outcome(sc)
    assert (outcome.id, outcome.decided_tick, outcome.tick) == ("after_deal", None, 3)
    assert "decided" not in outcome.to_json()
    assert_identical(sc, {}, 0, range(3))


def test_an_incident_after_the_forces_are_told_does_not() -> None:
    sc = load_document(_doc("2030-01-01T07:00"))
    assert (_outcome(sc).id, _outcome(sc).tick) == ("settled", 5)


@pytest.mark.parametrize("told_at", ["2030-01-01T01:00", "2030-01-01T00:00"])
def test_a_settlement_with_nothing_pending_ends_the_run_at_once(told_at: str) -> None:
    outcome = _outcome(load_document(_doc(None, told_at)))
    assert (outcome.id, outcome.decided_tick, outcome.tick) == ("settled", None, 1)


def test_a_waiting_outcome_ends_at_the_horizon() -> None:
    sc = load_document(_doc(None, None))
    outcome = _outcome(sc)
    assert (outcome.id, outcome.decided_tick, outcome.tick) == ("settled", 1, sc.horizon_ticks)
    assert_identical(sc, {}, 0, range(3))
