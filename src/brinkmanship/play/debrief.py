"""The debrief: the player's path beside the historical one, day by day, with sources.

"History" here is the scenario's documented timeline (each entry a dated fact with its
sources), and, for the outcome, a replay of the scenario's default (historical) policies on
the same seed — the same random draws as the player's game. Nothing is invented here: a
scenario without a timeline gets a debrief without a history column.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import TrajectoryEvent
from brinkmanship.play.game import Game
from brinkmanship.play.view import OutcomeView, outcome_view
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario

OWN_KINDS = frozenset({"action", "message"})
SKIPPED_KINDS = frozenset({"counsel", "start"})

Verdict = Literal["as in history", "earlier", "later", "not taken", "not in history"]


class SourceRef(BaseModel):
    """A bibliography entry cited in the debrief."""

    id: str
    title: str
    url: str | None


class PathEntry(BaseModel):
    """Something that happened in the player's game."""

    tick: int
    time: str
    kind: str
    actor: str
    actor_name: str
    id: str
    text: str
    sources: list[str]


class HistoryEntry(BaseModel):
    """A documented fact of the timeline, and whether it happened in the player's game."""

    tick: int
    time: str
    text: str
    sources: list[str]
    expect: str | None
    in_game: str | None
    """When it happened in the player's game (ISO time), or ``None``."""
    game_over: bool
    """The player's game had ended before this fact's time."""


class DebriefDay(BaseModel):
    """One day: the player's choices and what they saw, what was hidden, and history."""

    date: str
    label: str
    yours: list[PathEntry]
    seen: list[PathEntry]
    hidden: list[PathEntry]
    history: list[HistoryEntry]


class ChoiceComparison(BaseModel):
    """A documented choice of the player's side (or one of the player's own) compared."""

    action: str
    label: str
    history_time: str | None
    your_time: str | None
    verdict: Verdict
    hours_apart: float | None
    sources: list[str]


class Debrief(BaseModel):
    """The whole debrief; JSON-able."""

    scenario: str
    title: str
    side: str
    side_name: str
    seed: int
    interventions: list[str]
    finished: bool
    outcome: OutcomeView | None
    historical_replay: OutcomeView
    historical_note: str
    comparison: list[ChoiceComparison]
    days: list[DebriefDay]
    sources: list[SourceRef]


def _date(iso: str) -> str:
    return iso[:10]


def _day_label(iso: str) -> str:
    d = datetime.fromisoformat(iso)
    return f"{d:%A} {d.day} {d:%B %Y}"


def _entry(sc: CompiledScenario, e: TrajectoryEvent) -> PathEntry:
    name = sc.actors[e.actor].name if e.actor in sc.actors else "The world"
    return PathEntry(
        tick=e.tick,
        time=e.time,
        kind=e.kind,
        actor=e.actor,
        actor_name=name,
        id=e.id,
        text=e.text,
        sources=list(e.sources),
    )


def _first_occurrence(events: Iterable[TrajectoryEvent]) -> dict[str, TrajectoryEvent]:
    first: dict[str, TrajectoryEvent] = {}
    for e in events:
        if e.kind not in SKIPPED_KINDS:
            first.setdefault(e.id, e)
    return first


def _comparison(
    sc: CompiledScenario, side: str, own: list[TrajectoryEvent]
) -> list[ChoiceComparison]:
    """Documented choices of the side beside the player's, then the player's own departures."""
    taken: dict[str, TrajectoryEvent] = {}
    for e in own:
        taken.setdefault(e.id, e)
    out: list[ChoiceComparison] = []
    documented: set[str] = set()
    for entry in sc.timeline:
        action = sc.actions.get(entry.expect or "")
        if action is None or action.actor != side:
            continue
        documented.add(action.id)
        mine = taken.get(action.id)
        verdict: Verdict = "not taken"
        apart: float | None = None
        if mine is not None:
            apart = (mine.tick - entry.tick) * sc.tick_hours
            if abs(mine.tick - entry.tick) <= entry.tolerance_ticks:
                verdict = "as in history"
            else:
                verdict = "earlier" if mine.tick < entry.tick else "later"
        out.append(
            ChoiceComparison(
                action=action.id,
                label=action.label,
                history_time=sc.iso(entry.tick),
                your_time=mine.time if mine is not None else None,
                verdict=verdict,
                hours_apart=apart,
                sources=list(entry.sources),
            )
        )
    for action_id, e in taken.items():
        if action_id in documented:
            continue
        action = sc.actions[action_id]
        out.append(
            ChoiceComparison(
                action=action_id,
                label=action.label,
                history_time=None,
                your_time=e.time,
                verdict="not in history",
                hours_apart=None,
                sources=list(action.sources),
            )
        )
    return out


def _historical_replay(game: Game) -> OutcomeView:
    sc = game.scenario
    policies = policy_set(sc)
    result = ReferenceEngine(sc).run(game.record.seed, 0, policies.make(), dict(policies.specs))
    return outcome_view(result.outcome, sc.actors[game.record.side].holder)


def build_debrief(game: Game) -> Debrief:
    """The debrief of a game (finished or not)."""
    sc, side = game.scenario, game.record.side
    events = [e for e in game.events if e.kind not in SKIPPED_KINDS]
    own = [e for e in events if e.actor == side and e.kind in OWN_KINDS]
    own_set = {id(e) for e in own}
    first = _first_occurrence(events)
    end_tick = game.outcome.tick if game.outcome is not None else game.tick

    days: dict[str, DebriefDay] = {}

    def day(iso: str) -> DebriefDay:
        key = _date(iso)
        if key not in days:
            days[key] = DebriefDay(
                date=key, label=_day_label(iso), yours=[], seen=[], hidden=[], history=[]
            )
        return days[key]

    for e in events:
        d = day(e.time)
        if id(e) in own_set:
            d.yours.append(_entry(sc, e))
        elif e.seen_by(side):
            d.seen.append(_entry(sc, e))
        else:
            d.hidden.append(_entry(sc, e))
    for entry in sc.timeline:
        happened = first.get(entry.expect) if entry.expect else None
        iso = sc.iso(entry.tick)
        day(iso).history.append(
            HistoryEntry(
                tick=entry.tick,
                time=iso,
                text=entry.text,
                sources=list(entry.sources),
                expect=entry.expect,
                in_game=happened.time if happened is not None else None,
                game_over=game.finished and entry.tick > end_tick,
            )
        )
    ordered = [days[k] for k in sorted(days)]
    for d in ordered:
        d.history.sort(key=lambda h: h.tick)

    cited: dict[str, None] = {}
    for d in ordered:
        for group in (d.yours, d.seen, d.hidden):
            for p in group:
                cited.update(dict.fromkeys(p.sources))
        for h in d.history:
            cited.update(dict.fromkeys(h.sources))
    if game.outcome is not None:
        cited.update(dict.fromkeys(game.outcome.sources))
    sources = [
        SourceRef(id=s, title=sc.bibliography[s].title, url=sc.bibliography[s].url)
        for s in cited
        if s in sc.bibliography
    ]
    return Debrief(
        scenario=sc.id,
        title=sc.title,
        side=side,
        side_name=sc.actors[side].name,
        seed=game.record.seed,
        interventions=list(game.record.interventions),
        finished=game.finished,
        outcome=outcome_view(game.outcome, sc.actors[side].holder) if game.outcome else None,
        historical_replay=_historical_replay(game),
        historical_note=(
            "The historical replay runs the scenario's own decision-makers (its documented "
            "choices, and its rules once a run leaves them) on the same random draws as your "
            "game; the timeline entries are the documented record."
        ),
        comparison=_comparison(sc, side, own),
        days=ordered,
        sources=sorted(sources, key=lambda s: _source_key(s.id)),
    )


def _source_key(ident: str) -> tuple[str, int, str]:
    head = ident.rstrip("0123456789")
    tail = ident[len(head) :]
    return (head, int(tail) if tail else -1, ident)
