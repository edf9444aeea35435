"""Mechanisms (``mechanisms:``): which mechanism produced a run's outcome, found on the state
at the tick the final outcome was decided, the first that applies in file order, else the
default. The same on both engines; a scenario that names none attributes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from batch_compare import assert_identical
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import OutcomeResult
from brinkmanship.errors import ScenarioError
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from scenario_strategies import load_document

MECHANISMS: dict[str, Any] = {
    "shot": {"label": "The shot", "classes": ["conventional_war"], "after": ["incident"]},
    "late": {"label": "A late telling", "outcomes": ["settled"], "when": "not told"},
    "told": {"label": "Told in time", "outcomes": ["settled"], "after": ["told"]},
    "other": {"label": "Other", "default": True},
}


def _doc(
    incident_at: str | None,
    told_at: str | None = "2030-01-01T05:00",
    mechanisms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A deal at 1:00 that waits until the forces are told at ``told_at`` (None: never); an
    incident at ``incident_at`` (if any) while they are not told."""
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
    doc: dict[str, Any] = {
        "id": "attributed",
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
            "after_deal": {"class": "conventional_war", "when": "incident", "utility": {"a": -5}},
            "settled": {"class": "settlement", "when": "deal", "pending": "not told"},
            "end": {"class": "unresolved", "default": True},
        },
    }
    for o in doc["outcomes"].values():
        o.setdefault("utility", {"a": 0})
        o["utility"].setdefault("b", 0)
    # those that name an event this document has
    doc["mechanisms"] = {
        mid: m
        for mid, m in (MECHANISMS if mechanisms is None else mechanisms).items()
        if all(ref in events for ref in m.get("after", ()))
    }
    return doc


def _ended(sc: CompiledScenario) -> OutcomeResult:
    result = ReferenceEngine(sc).run(0, 0, policy_set(sc, {}).make())
    batch = BatchEngine(sc, batch_forms(sc, policy_set(sc, {}).specs)).run(0, 0, 1)
    found = int(batch.mechanism[0])
    assert (None if found < 0 else list(sc.mechanisms)[found]) == result.outcome.mechanism
    assert_identical(sc, {}, 0, range(3))
    return result.outcome


def test_a_settlement_is_attributed_on_the_state_it_was_decided_in() -> None:
    """Decided at 1:00 while the forces were not yet told: 'late', although they were told
    (and 'told' would apply) by the time the run ended at 5:00."""
    outcome = _ended(load_document(_doc(None)))
    assert (outcome.id, outcome.tick, outcome.decided_tick) == ("settled", 5, 1)
    assert outcome.mechanism == "late"
    assert outcome.to_json()["mechanism"] == "late"


def test_an_outcome_that_replaces_a_waiting_one_is_attributed_when_it_is_decided() -> None:
    outcome = _ended(load_document(_doc("2030-01-01T03:00")))
    assert (outcome.id, outcome.tick, outcome.mechanism) == ("after_deal", 3, "shot")


def test_the_first_mechanism_that_applies_wins_and_the_default_takes_the_rest() -> None:
    # 'late' before 'told': both could apply only if told; here 'told' precedes it
    order = {k: MECHANISMS[k] for k in ("told", "late", "shot", "other")}
    doc = _doc(None, told_at="2030-01-01T00:00", mechanisms=order)
    outcome = _ended(load_document(doc))
    assert (outcome.id, outcome.decided_tick, outcome.mechanism) == ("settled", None, "told")
    # no mechanism applies to the outcome at the horizon: the default one
    doc = _doc(None, told_at=None)
    doc["events"]["deal"]["when"] = "False"
    outcome = _ended(load_document(doc))
    assert (outcome.id, outcome.mechanism) == ("end", "other")


def test_a_scenario_without_mechanisms_attributes_nothing() -> None:
    doc = _doc(None)
    del doc["mechanisms"]
    sc = load_document(doc)
    outcome = _ended(sc)
    assert outcome.mechanism is None and "mechanism" not in outcome.to_json()
    batch = BatchEngine(sc, batch_forms(sc, policy_set(sc, {}).specs)).run(0, 0, 2)
    assert batch.mechanism.tolist() == [-1, -1]


def test_an_action_counts_once_taken() -> None:
    doc = _doc(None, told_at=None)
    doc["actions"] = {"tell": {"actor": "a", "label": "Tell", "effects": {"told": "True"}}}
    doc["actors"]["a"]["policies"] = {
        "p": {"script": [{"at": "2030-01-01T04:00", "do": "tell"}], "rules": []}
    }
    doc["mechanisms"] = {
        "told": {"outcomes": ["settled"], "after": ["tell"]},
        "other": {"default": True},
    }
    doc["outcomes"]["settled"]["pending"] = "False"
    doc["events"]["deal"]["at"] = "2030-01-01T06:00"
    outcome = _ended(load_document(doc))
    assert (outcome.id, outcome.mechanism) == ("settled", "told")


@pytest.mark.parametrize(
    ("mechanisms", "message"),
    [
        ({"a": {"label": "A"}}, "exactly one mechanism must be 'default: true'"),
        (
            {"a": {"default": True}, "b": {"default": True}},
            "exactly one mechanism must be 'default: true'.*found 2: a, b",
        ),
        (
            {"a": {"default": True, "when": "deal"}},
            "the default mechanism applies where no other does; remove 'when'",
        ),
        (
            {"a": {"outcomes": ["nowhere"]}, "o": {"default": True}},
            "'nowhere' is not an outcome",
        ),
        (
            {"a": {"after": ["nothing"]}, "o": {"default": True}},
            "'nothing' is neither an event nor an action",
        ),
        ({"a": {"when": "1 + 1"}, "o": {"default": True}}, "mechanisms.a.when"),
        ({"a": {"classes": ["war"]}, "o": {"default": True}}, "mechanisms.a.classes"),
    ],
)
def test_bad_mechanisms_are_refused_with_their_place(
    mechanisms: dict[str, Any], message: str
) -> None:
    doc = _doc(None)
    doc["mechanisms"] = mechanisms
    with pytest.raises(ScenarioError, match=rf"^generated\.yaml:\d+:\d+: .*{message}") as err:
        load_document(doc)
    assert "\n" not in str(err.value)
