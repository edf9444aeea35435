"""Deliberation: an action's ``delay`` drawn when it is taken (uniform or triangular, each
value a duration or a parameter's hours), and the landing of its effects as an occurrence
that ``react_to`` answers. The same on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from batch_compare import assert_identical
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError, ScenarioError
from brinkmanship.policies.registry import batch_forms, policy_set
from scenario_strategies import load_document


def _doc(delay: Any, draft_h: float = 6.0) -> dict[str, Any]:
    """``a`` hears a letter at 1:00, drafts an answer (``delay``), and sends it as soon as
    the draft is ready: its only decisions are the letter's arrival and the draft's."""
    return {
        "id": "drafting",
        "title": "An answer drafted",
        "clock": {"start": "2030-01-01T00:00", "horizon": "2030-01-02T12:00", "timezone": "UTC"},
        "parameters": {"draft_h": {"value": draft_h, "range": [-5, 24]}},
        "state": {
            "letter": {"type": "bool", "initial": False},
            "ready": {"type": "bool", "initial": False},
            "sent": {"type": "bool", "initial": False},
        },
        "actors": {
            "a": {
                "name": "A",
                "policies": {
                    "p": {
                        "rules": [
                            {"when": "ready and not sent", "do": "send"},
                            {"when": "letter and not ready", "do": "draft"},
                        ]
                    }
                },
            },
            "b": {"name": "B"},
        },
        "actions": {
            "draft": {
                "actor": "a",
                "label": "Draft an answer",
                "delay": delay,
                "effects": {"ready": "True"},
                "visibility": ["a"],
                "once": True,
            },
            "send": {"actor": "a", "label": "Send it", "effects": {"sent": "True"}, "once": True},
        },
        "events": {
            "arrives": {"at": "2030-01-01T01:00", "text": "A letter.", "effects": {"letter": True}}
        },
        "decisions": {"d": {"actor": "a", "react_to": ["arrives", "draft"]}},
        "outcomes": {
            "answered": {"class": "settlement", "when": "sent", "utility": {"a": 1, "b": 1}},
            "end": {"class": "unresolved", "default": True, "utility": {"a": 0, "b": 0}},
        },
    }


def _sent_at(doc: dict[str, Any], runs: int) -> list[int]:
    sc = load_document(doc)
    engine = ReferenceEngine(sc)
    out = []
    for run in range(runs):
        result = engine.run(0, run, policy_set(sc, {}).make())
        out.append(next(c.tick for c in result.choices if c.action == "send"))
    return out


def test_a_drawn_delay_varies_from_run_to_run_within_its_range() -> None:
    sent = _sent_at(_doc({"triangular": ["2h", "5h", "10h"]}), 40)
    # drafted at 1:00; the draft lands 2-10 ticks later and is sent on the tick it lands
    assert all(3 <= t <= 11 for t in sent)
    assert len(set(sent)) >= 4
    assert_identical(load_document(_doc({"uniform": ["1h", "12h"]})), {}, 5, range(20))
    assert_identical(load_document(_doc({"triangular": ["2h", "5h", "10h"]})), {}, 0, range(20))


def test_the_landing_of_a_delay_asks_the_actor_to_decide() -> None:
    """Without the landing as an occurrence, ``a`` would never decide again after drafting."""
    assert _sent_at(_doc("3h"), 2) == [4, 4]


def test_a_delay_may_name_a_parameter_in_hours() -> None:
    assert _sent_at(_doc({"fixed": "draft_h"}, draft_h=7), 1) == [8]
    assert _sent_at(_doc({"uniform": ["draft_h", "draft_h"]}, draft_h=2), 1) == [3]


@pytest.mark.parametrize(
    ("delay", "draft_h", "message"),
    [
        ({"triangular": ["5h", "2h", "10h"]}, 6.0, "triangular values must be in increasing"),
        ("draft_h", -1.0, "parameter 'draft_h' is -1 hours"),
        ({"uniform": ["1h"]}, 6.0, "uniform"),
    ],
)
def test_a_bad_delay_is_refused(delay: Any, draft_h: float, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_document(_doc(delay, draft_h))


def test_a_parameter_set_at_run_time_moves_the_delay_on_both_engines() -> None:
    """``with_parameters`` (sweeps) changes a delay that names a parameter, as compiling
    the scenario with the value would."""
    base = load_document(_doc({"triangular": ["1h", "draft_h", "12h"]}, draft_h=7))
    moved = base.with_parameters({"draft_h": 1})
    assert (
        moved.actions["draft"].delay
        == load_document(_doc({"triangular": ["1h", "draft_h", "12h"]}, draft_h=1))
        .actions["draft"]
        .delay
    )
    forms = batch_forms(base, policy_set(base, {}).specs)
    batch = BatchEngine(base, forms).with_parameters(moved).run(0, 0, 20)
    engine = ReferenceEngine(moved)
    ends = [engine.run(0, run, policy_set(moved, {}).make()).outcome.tick for run in range(20)]
    assert batch.tick.tolist() == ends
    with pytest.raises(BrinkError, match="out of order"):
        base.with_parameters({"draft_h": 20})
