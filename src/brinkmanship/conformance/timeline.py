"""The historical replay shows the scenario's dated timeline at the precision its sources
give: each ``timeline`` entry that names the action or event it documents (``expect``)
sees it first happen within the entry's ``tolerance`` of its documented time."""

from __future__ import annotations

from brinkmanship.conformance.subject import Subject
from brinkmanship.engine.trajectory import TrajectoryEvent
from brinkmanship.scenario.timeutil import format_duration

KINDS = ("action", "message", "event")
"""The kinds of record an action or event of the timeline first shows as."""


def first(events: tuple[TrajectoryEvent, ...], ident: str) -> TrajectoryEvent | None:
    """The first record of action or event ``ident``."""
    return next((e for e in events if e.id == ident and e.kind in KINDS), None)


def check_timeline(subject: Subject) -> list[str]:
    sc, events = subject.scenario, subject.replay.events
    failures = []
    for entry in sc.timeline:
        if entry.expect is None:
            continue
        documented = f"documented {sc.iso(entry.tick)}"
        if entry.tolerance_ticks:
            documented += f" ± {format_duration(entry.tolerance_ticks * sc.tick)}"
        seen = first(events, entry.expect)
        if seen is None:
            failures.append(f"{entry.expect} ({entry.text}): {documented}, not in the replay")
        elif abs(seen.tick - entry.tick) > entry.tolerance_ticks:
            failures.append(
                f"{entry.expect} ({entry.text}): {documented}, in the replay at {seen.time}"
            )
    return failures
