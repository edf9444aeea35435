"""The record of one run: ordered events, choices, and the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NARRATOR = "world"


@dataclass(frozen=True)
class TrajectoryEvent:
    """One entry of a trajectory. ``visible_to`` says which actors could observe it
    (``"*"`` for all); the trajectory itself is the narrator's full record."""

    tick: int
    time: str
    actor: str
    kind: str
    id: str
    text: str
    sources: tuple[str, ...]
    visible_to: frozenset[str] = field(default=frozenset({"*"}), compare=False)
    told: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """Pairs (actor, text): what an actor is told instead of ``text``, the record's."""

    def to_json(self) -> dict[str, Any]:
        """The contract's keys: time, actor, kind, id, text, sources."""
        return {
            "time": self.time,
            "actor": self.actor,
            "kind": self.kind,
            "id": self.id,
            "text": self.text,
            "sources": list(self.sources),
        }

    def seen_by(self, actor: str) -> bool:
        return "*" in self.visible_to or actor in self.visible_to

    def text_for(self, actor: str) -> str:
        """The text as ``actor`` sees it: what it is told, else the record's text."""
        for who, text in self.told:
            if who == actor:
                return text
        return self.text


@dataclass(frozen=True)
class ChoiceRecord:
    """A decision taken: who, when, what (``wait`` included), and why."""

    tick: int
    actor: str
    action: str
    why: str = ""


@dataclass(frozen=True)
class OutcomeResult:
    """How the run ended."""

    id: str
    cls: str
    label: str
    tick: int
    time: str
    text: str
    sources: tuple[str, ...]
    utilities: Mapping[str, float]
    decided_tick: int | None = None
    """For an outcome that waited (``pending``): the tick its condition first held; the
    run ended at ``tick``. None for an outcome that ended the run when it was decided."""
    decided_time: str | None = None
    mechanism: str | None = None
    """The scenario's mechanism that produced this outcome (found on the state at the tick
    it was decided); None where the scenario names no mechanisms."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time": self.time,
            "actor": NARRATOR,
            "kind": "outcome",
            "id": self.id,
            "class": self.cls,
            "text": self.text or self.label,
            "sources": list(self.sources),
            "utilities": dict(self.utilities),
        }
        if self.decided_time is not None:
            out["decided"] = self.decided_time
        if self.mechanism is not None:
            out["mechanism"] = self.mechanism
        return out


@dataclass(frozen=True)
class RunResult:
    """A finished run and the inputs that reproduce it."""

    scenario: str
    seed: int
    run: int
    interventions: tuple[str, ...]
    policies: Mapping[str, str]
    events: tuple[TrajectoryEvent, ...]
    choices: tuple[ChoiceRecord, ...]
    outcome: OutcomeResult
    version: str = ""
    peak_escalation: float | None = None
