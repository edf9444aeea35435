"""One run of the Python API: its events, choices and outcome, as the command line's
``brink run`` tells it and as a table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from brinkmanship.api.frames import Frame
from brinkmanship.engine.trajectory import ChoiceRecord, OutcomeResult, RunResult, TrajectoryEvent
from brinkmanship.narrative import jsonl_lines, text_lines
from brinkmanship.policies.usage import Usage
from brinkmanship.scenario.compiled import CompiledScenario

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Trajectory"]


@dataclass(frozen=True, repr=False)
class Trajectory(Frame):
    """One run: its events in order, the choices taken and the outcome. The table has one
    row per event."""

    scenario: CompiledScenario
    result: RunResult
    usage: Mapping[str, Usage] = field(default_factory=dict)
    """What the policies that report usage spent (language-model calls); empty for most."""

    @property
    def events(self) -> tuple[TrajectoryEvent, ...]:
        return self.result.events

    @property
    def choices(self) -> tuple[ChoiceRecord, ...]:
        return self.result.choices

    @property
    def outcome(self) -> OutcomeResult:
        return self.result.outcome

    def text_lines(self) -> list[str]:
        """The dated narrative ``brink run`` prints, line by line."""
        return list(text_lines(self.scenario, self.result, self.usage))

    def text(self) -> str:
        """The dated narrative ``brink run`` prints."""
        return "\n".join(self.text_lines())

    def jsonl(self) -> list[str]:
        """The JSON lines ``brink run --format jsonl`` prints."""
        return list(jsonl_lines(self.result, self.usage))

    def title(self) -> str:
        r, o = self.result, self.outcome
        return (
            f"Trajectory: {r.scenario}, seed {r.seed}, run {r.run}, "
            f"interventions: {', '.join(r.interventions) or 'none'} — "
            f"{o.label} ({o.id}, {o.cls}) at {o.time}, {len(r.events)} events"
        )

    def to_arrow(self) -> pa.Table:
        import pyarrow as pa  # here, so that `brink run` does not import it

        events = self.result.events
        return pa.table(
            {
                "tick": pa.array([e.tick for e in events], pa.int32()),
                "time": pa.array([e.time for e in events], pa.string()),
                "actor": pa.array([e.actor for e in events], pa.string()),
                "kind": pa.array([e.kind for e in events], pa.string()),
                "id": pa.array([e.id for e in events], pa.string()),
                "text": pa.array([e.text for e in events], pa.string()),
                "sources": pa.array([list(e.sources) for e in events], pa.list_(pa.string())),
            }
        )
