"""Without a log the batch kernel skips the counsel of a leader's body (only the log reads
it, kernel ``_requests``) unless working it out may fail: a division, or a checked value
(a probability that can be NaN, a weight that can be NaN or infinite). A probability or
weight written as a single parameter or bounded name cannot fail, so its body's counsel is
skipped; here one that can fails, without a log as with one and on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from batch_compare import assert_identical
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.observation import Counsel, LegalActions, Observation
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import EvaluationError
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from scenario_strategies import load_document

PUBLIC = {"visibility": "public"}


def body_document(p: str, weight: str) -> dict[str, Any]:
    """A leader's body whose adviser recommends with chance ``p`` and weight ``weight``;
    ``big`` (a float without bounds) becomes infinite at 10:00."""
    return {
        "id": "counsel",
        "title": "An adviser whose counsel may fail",
        "clock": {
            "start": "2030-01-01T00:00",
            "tick": "1h",
            "horizon": "2030-01-02T00:00",
            "timezone": "UTC",
        },
        "parameters": {"p_firm": {"value": 0.5, "range": [0.0, 1.0]}},
        "state": {
            "big": {"type": "float", "initial": 1e300, **PUBLIC},
            "done": {"type": "bool", "initial": False, **PUBLIC},
        },
        "actions": {
            "act": {
                "actor": "a",
                "label": "Act",
                "effects": {"done": "True"},
                "when": "not done",
                **PUBLIC,
            },
        },
        "events": {
            "boil": {
                "text": "Boil",
                "effects": {"big": "big * 1e300"},
                "at": "2030-01-01T10:00",
                **PUBLIC,
            },
        },
        "actors": {
            "a": {
                "name": "A body",
                "members": {
                    "chief": {"name": "Chief"},
                    "aide": {
                        "name": "Aide",
                        "weight": weight,
                        "stance": [{"when": "not done", "do": "act", "p": p, "why": "act"}],
                    },
                },
                "rule": {"kind": "leader", "leader": "chief"},
                "policies": {"wait": {"script": [], "rules": []}},
            },
        },
        "decisions": {"a-meets": {"actor": "a", "every": "3h"}},
        "outcomes": {
            "calm": {"class": "unresolved", "default": True, "utility": {"a": 1}},
        },
    }


def unlogged_error(sc: CompiledScenario, seed: int, runs: int) -> str | None:
    """The error the batch engine raises on runs without a log, if any."""
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc).specs))
    try:
        engine.run(seed, 0, runs)
    except EvaluationError as error:
        return str(error)
    return None


def reference_error(sc: CompiledScenario, seed: int, runs: int) -> str | None:
    engine = ReferenceEngine(sc)
    for run in range(runs):
        try:
            engine.run(seed, run, policy_set(sc).make())
        except EvaluationError as error:
            return str(error)
    return None


def counsel_may_fail(sc: CompiledScenario) -> bool:
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc).specs))
    return bool(engine.tables.counsel_may_fail[0])


@pytest.mark.parametrize(
    ("p", "weight", "error"),
    [
        ("big * 0", "1", "probability 'big * 0' is NaN"),  # inf * 0 after 10:00
        ("p_firm", "big", "weight 'big' is NaN or infinite"),  # a name that can be inf
        ("p_firm", "big * 0 + 1", "weight 'big * 0 + 1' is NaN or infinite"),
    ],
)
def test_counsel_that_can_fail_fails_without_a_log(p: str, weight: str, error: str) -> None:
    sc = load_document(body_document(p, weight), "counsel.yaml")
    found = unlogged_error(sc, 3, 4)
    assert found is not None and error in found
    assert found == reference_error(sc, 3, 4)
    assert_identical(sc, {}, 3, range(4))
    assert counsel_may_fail(sc)


def test_counsel_that_cannot_fail_is_skipped_and_agrees() -> None:
    """A probability that is one parameter and a literal weight cannot fail: no counsel is
    worked out without a log, and the runs are those of the reference engine."""
    sc = load_document(body_document("p_firm", "2"), "counsel.yaml")
    assert not counsel_may_fail(sc)
    assert unlogged_error(sc, 3, 8) is None
    assert reference_error(sc, 3, 8) is None
    assert_identical(sc, {}, 3, range(8))


def quiet_document(rule: str) -> dict[str, Any]:
    """A body under Allison's Model III whose adviser presses ``act`` (which counts) until
    06:00 and from then has no view, for a reason; ``rule`` is the body's rule kind."""
    doc = body_document("1", "1")
    doc["state"]["count"] = {"type": "int", "initial": 0, "min": 0, "max": 99, **PUBLIC}
    doc["actions"]["act"] = {"actor": "a", "label": "Act", "effects": {"count": "count + 1"}}
    doc["actors"]["a"]["members"]["aide"]["stance"] = [
        {"when": "hours >= 6", "do": "no_view", "why": "nothing he said is on record"},
        {"do": "act", "why": "act"},
    ]
    chair = {"kind": "leader", "leader": "chief"}
    doc["actors"]["a"]["rule"] = chair if rule == "leader" else {"kind": rule}
    return doc


class Listener:
    """The body's Model III policy, keeping the counsel it heard."""

    def __init__(self, inner: Any, heard: list[Counsel]) -> None:
        self.inner, self.heard, self.name = inner, heard, "political"

    def decide(self, observation: Observation, legal: LegalActions) -> Any:
        self.heard.extend(observation.counsel)
        return self.inner.decide(observation, legal)


@pytest.mark.parametrize("rule", ["leader", "vote"])
def test_no_view_is_the_same_on_both_engines_with_its_reason(rule: str) -> None:
    """Before 06:00 the adviser's counsel carries the body (Model III, or his vote); after,
    his ``no_view`` rule comes first and he presses for nothing, though ``act`` stays his
    next rule: on both engines the body stops acting then, and the reference engine's
    counsel gives his reason. An engine reading ``no_view`` as an action the member cannot
    take now (skipping it) would have him press ``act`` all day."""
    sc = load_document(quiet_document(rule), "quiet.yaml")
    specs = {"a": "political"}
    assert_identical(sc, specs, 3, range(3))
    policies = policy_set(sc, specs)
    made = policies.make()
    heard: list[Counsel] = []
    made["a"] = Listener(made["a"], heard)
    result = ReferenceEngine(sc).run(3, 0, made, dict(policies.specs))
    acted = [ch.tick for ch in result.choices if ch.action == "act"]
    assert acted == [0, 3], acted  # the body meets every 3 hours
    assert [(c.abstains, c.why) for c in heard] == [(False, "act")] * 2 + [
        (True, "nothing he said is on record")
    ] * (len(heard) - 2)
