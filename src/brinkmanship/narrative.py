"""Render a run as a dated narrative or as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from brinkmanship.engine.reference import COUNSEL_VERB
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.policies.usage import Usage
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.timeutil import moment_text
from brinkmanship.wording import attributed, sentence

KIND_MARK = {
    "start": "▶",
    "action": "•",
    "effect": "↳",
    "event": "!",
    "message": "✉",
    "delivery": "✉",
    "deal": "★",
    "counsel": "…",
    "consent": "?",
}

DATED_KINDS = frozenset({"action", "message", "event"})
"""Kinds of record whose first occurrence is set beside its documented time, if any."""


def with_documented_time(text: str, historically: str | None) -> str:
    """A text followed by its documented time as a sentence of its own ("… Historically
    10 a.m. (5 p.m. in Moscow), 23 October 1962."), never in brackets around brackets."""
    if not historically:
        return text
    return f"{sentence(text)} {historically[:1].upper()}{historically[1:]}."


def usage_json(result: RunResult, actor: str, usage: Usage) -> dict[str, Any]:
    """An actor's usage as a line shaped like an event (kind ``usage``), as of the end."""
    return {
        "time": result.outcome.time,
        "actor": actor,
        "kind": "usage",
        "id": result.policies.get(actor, ""),
        "text": usage.summary(),
        "sources": [],
        "usage": usage.to_json(),
    }


def jsonl_lines(result: RunResult, usage: Mapping[str, Usage] | None = None) -> Iterator[str]:
    """One JSON object per event, then one ``usage`` line per actor whose policy reported
    usage (none for most policies); the last line is the outcome."""
    for event in result.events:
        yield json.dumps(event.to_json(), ensure_ascii=False)
    for actor, spent in (usage or {}).items():
        yield json.dumps(usage_json(result, actor, spent), ensure_ascii=False)
    yield json.dumps(result.outcome.to_json(), ensure_ascii=False)


def header_lines(scenario: CompiledScenario, result: RunResult) -> Iterator[str]:
    """What reproduces the run: scenario, seed, run, interventions, policies, version."""
    yield f"{scenario.title} ({scenario.id})"
    interventions = ", ".join(result.interventions) or "none"
    policies = ", ".join(f"{a}={p}" for a, p in result.policies.items())
    yield (
        f"seed {result.seed} · run {result.run} · interventions: {interventions} · "
        f"brinkmanship {result.version}"
    )
    yield f"policies: {policies}"


def text_lines(
    scenario: CompiledScenario, result: RunResult, usage: Mapping[str, Usage] | None = None
) -> Iterator[str]:
    """A readable narrative, grouped by day, each line with its time and sources; then
    what the policies that report usage spent."""
    yield from header_lines(scenario, result)
    day = ""
    dated: set[str] = set()
    for event in result.events:
        if event.kind == "counsel" and event.text.split(COUNSEL_VERB, 1)[-1].startswith(" wait"):
            continue  # advisers who see no reason to act: kept in the record, not the story
        when = datetime.fromisoformat(event.time)
        this_day = when.strftime("%A %d %B %Y")
        if this_day != day:
            day = this_day
            yield ""
            yield f"── {day} ──"
        who = scenario.actors[event.actor].name if event.actor in scenario.actors else ""
        mark = KIND_MARK.get(event.kind, "·")
        cite = f"  [{', '.join(event.sources)}]" if event.sources else ""
        documented = None
        if event.kind in DATED_KINDS and event.id not in dated:
            dated.add(event.id)
            documented = scenario.historically(event.id, event.tick)
        text = with_documented_time(event.text, documented)
        yield f"{when.strftime('%H:%M')} {mark} {attributed(who, text, event.kind)}{cite}"
    outcome = result.outcome
    yield ""
    ended = _moment(scenario, outcome.tick)
    if outcome.decided_tick is not None:
        yield (
            f"Outcome decided at {_moment(scenario, outcome.decided_tick)}, the run ended at "
            f"{ended} (nothing left pending): {outcome.label} [{outcome.cls}]"
        )
    else:
        yield f"Outcome at {ended}: {outcome.label} [{outcome.cls}]"
    if outcome.text and outcome.text != outcome.label:
        yield outcome.text
    utilities = ", ".join(f"{scenario.actors[a].name} {u:+g}" for a, u in outcome.utilities.items())
    yield f"Utilities: {utilities}"
    if usage:
        yield ""
    for actor, spent in (usage or {}).items():
        name = scenario.actors[actor].name if actor in scenario.actors else actor
        yield f"{name} ({result.policies.get(actor, '')}): {spent.summary()}"


def _moment(scenario: CompiledScenario, tick: int) -> str:
    """A tick's time as people write it, with the year: "7 p.m., 22 October 1962"."""
    when = scenario.time_of(tick)
    return f"{moment_text(when)} {when.year}"
