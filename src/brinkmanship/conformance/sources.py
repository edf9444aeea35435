"""Every element cites sources that resolve in the scenario's bibliography, every parameter
has the range its sources support and says what it is, and every record of a run (the
replay, one run under each intervention) cites sources that resolve."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from brinkmanship.conformance.known_errors import known_errors
from brinkmanship.conformance.subject import Subject, run_name
from brinkmanship.scenario.compiled import CompiledScenario


class Cited(Protocol):
    @property
    def sources(self) -> tuple[str, ...]: ...


def cited(sc: CompiledScenario) -> Iterator[tuple[str, Sequence[str]]]:
    """(what, its sources) for every element of the scenario that states a fact."""
    groups: dict[str, Mapping[str, Cited]] = {
        "actors": sc.actors,
        "variables": sc.variables,
        "parameters": sc.parameters,
        "terms": sc.terms,
        "channels": sc.channels,
        "actions": sc.actions,
        "events": sc.events,
        "outcomes": sc.outcomes,
        "interventions": sc.interventions,
    }
    for group, items in groups.items():
        for key, item in items.items():
            yield f"{group}.{key}", item.sources
    for i, entry in enumerate(sc.timeline):
        yield f"timeline[{i}] ({entry.text})", entry.sources


def check_sources(subject: Subject) -> list[str]:
    sc = subject.scenario
    known = set(sc.bibliography)
    failures = []
    errors = [(f"known_errors.{k}", e.sources) for k, e in known_errors(subject.doc).items()]
    for what, sources in [*cited(sc), *errors]:
        if not sources:
            failures.append(f"{what} cites no source")
        elif unknown := [s for s in sources if s not in known]:
            failures.append(f"{what} cites {', '.join(unknown)}, not in the bibliography")
    for name, param in sc.parameters.items():
        if param.range is None:
            failures.append(f"parameters.{name} has no range")
        if not param.description:
            failures.append(f"parameters.{name} has no description")
    for intervention, result in subject.runs.items():
        for event in result.events:
            if not event.sources:
                failures.append(f"{run_name(intervention)}: {event.kind} {event.id} cites nothing")
            elif unknown := [s for s in event.sources if s not in known]:
                failures.append(
                    f"{run_name(intervention)}: {event.kind} {event.id} cites "
                    f"{', '.join(unknown)}, not in the bibliography"
                )
    return failures
