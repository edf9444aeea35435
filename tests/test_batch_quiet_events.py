"""The batch kernel passes over unscheduled events whose condition it last found false
while nothing they read has changed (kernel ``_begin_tick``). Here every way such an event
can be switched on or off again between two looks is played on both engines, run for run:
by the clock, by a scheduled event earlier in the same tick, by an unscheduled event earlier
in the same tick, by an action's delayed effect, by a delivered message, and by a choice
(rules and script steps also reject on cached conditions, ``_first_rule``)."""

from __future__ import annotations

from typing import Any

import pytest

from batch_compare import assert_identical
from scenario_strategies import load_document

PUBLIC = {"visibility": "public"}


def event(text: str, effects: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {"text": text, "effects": effects, **PUBLIC, **rest}


DOC: dict[str, Any] = {
    "id": "quiet",
    "title": "Long quiet stretches with hazards that switch on and off",
    "clock": {
        "start": "2030-01-01T00:00",
        "tick": "1h",
        "horizon": "2030-01-06T00:00",
        "timezone": "UTC",
    },
    "parameters": {"p_arm": {"value": 0.3, "range": [0.1, 0.6]}},
    "state": {
        "armed": {"type": "bool", "initial": False, **PUBLIC},
        "late": {"type": "bool", "initial": False, **PUBLIC},
        "heard": {"type": "bool", "initial": False, **PUBLIC},
        "level": {"type": "float", "initial": 0.0, **PUBLIC},
        "count": {"type": "int", "initial": 0, "min": 0, "max": 1000, **PUBLIC},
    },
    "channels": {"wire": {"users": ["a", "b"], "latency": {"uniform": ["3h", "9h"]}}},
    "actions": {
        "arm": {
            "actor": "a",
            "label": "Arm",
            "effects": {"armed": "True"},
            "delay": {"uniform": ["2h", "7h"]},
            "when": "not armed",
            "once": True,
            "escalation": 2,
            **PUBLIC,
        },
        "disarm": {
            "actor": "a",
            "label": "Disarm",
            "effects": {"armed": "False", "level": "0"},
            "when": "armed and count >= 4",
            "escalation": -2,
            **PUBLIC,
        },
        "warn": {
            "actor": "b",
            "label": "Warn",
            "effects": {},
            "once": True,
            "escalation": 1,
            **PUBLIC,
            "message": {
                "channel": "wire",
                "to": "a",
                "kind": "statement",
                "on_deliver": {"heard": "True"},
            },
        },
    },
    "events": {
        # switched on by the delayed effect of a choice, off again by another choice
        "spark": event("Spark", {"count": "count + 1"}, hazard="p_arm", when="armed", once=False),
        # a scheduled event that switches on an unscheduled one later in the same tick
        "raise": event("Raise", {"level": "level + 1"}, at="2030-01-02T10:00"),
        "flare": event("Flare", {"count": "count + 2"}, hazard=0.4, when="level >= 1", once=False),
        # switched on by the clock, then switching on the next one in the same tick
        "dusk": event("Dusk", {"late": "True"}, when="hours >= 40"),
        "glow": event(
            "Glow", {"level": "level + 0.5"}, hazard=0.5, when="late and level < 4", once=False
        ),
        # switched on by a delivered message; a hazard whose probability changes too
        "echo": event(
            "Echo",
            {"count": "count + 1"},
            hazard="0.1 * count",
            when="heard and count < 40",
            once=False,
        ),
        # never true: looked at once, then passed over
        "never": event("Never", {"count": "0"}, hazard=1.0, when="count < 0"),
    },
    "actors": {
        "a": {
            "name": "Actor a",
            "policies": {
                "plan": {
                    "script": [
                        {
                            "at": "2030-01-01T20:00",
                            "until": "2030-01-03T00:00",
                            "do": "arm",
                            "when": "level < 1",
                            "why": "arm first",
                        }
                    ],
                    "rules": [
                        {"do": "disarm", "when": "count >= 6", "p": 0.5, "why": "too hot"},
                        {"do": "arm", "when": "hours >= 30 and not armed", "why": "arm late"},
                    ],
                }
            },
        },
        "b": {
            "name": "Actor b",
            "policies": {
                "talk": {
                    "script": [],
                    "rules": [{"do": "warn", "when": "count >= 2", "why": "warn"}],
                }
            },
        },
    },
    "decisions": {
        "a-watch": {"actor": "a", "every": "7h", "react_to": ["spark", "flare"]},
        "b-watch": {"actor": "b", "every": "11h", "react_to": ["glow"]},
    },
    "outcomes": {
        "hot": {"class": "unresolved", "when": "count >= 45", "utility": {"a": -1, "b": -1}},
        "calm": {"class": "unresolved", "default": True, "utility": {"a": 1, "b": 1}},
    },
    "metrics": {"escalation": "count + level"},
}


@pytest.mark.parametrize("seed", [0, 7])
def test_events_switched_on_and_off_between_looks_agree(seed: int) -> None:
    sc = load_document(DOC, "quiet.yaml")
    assert_identical(sc, {}, seed, range(40))
