"""The debrief: the player's path beside the historical one, day by day, with sources.

"History" here is the scenario's documented timeline (each entry a dated fact with its
sources), and, for the outcome, a replay of the scenario's default (historical) policies on
the same seed — the same random draws as the player's game. Nothing is invented here: a
scenario without a timeline gets a debrief without a history column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import TrajectoryEvent
from brinkmanship.play.game import Game
from brinkmanship.play.view import (
    OutcomeView,
    SourceIds,
    outcome_view,
    plain_clock,
    plain_time,
)
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.wording import (
    ASSUMPTION_NAME,
    ASSUMPTION_TITLE,
    cited,
    footnotes,
    noted,
    numbered,
    sentence,
    within,
)

OWN_KINDS = frozenset({"action", "message"})
SKIPPED_KINDS = frozenset({"counsel", "start"})

UNTIMED = "time of day not known"
"""The clock of a documented fact whose sources give the day only."""

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
    sources: SourceIds


class HistoryEntry(BaseModel):
    """A documented fact of the timeline, and whether it happened in the player's game."""

    tick: int
    time: str
    text: str
    sources: SourceIds
    expect: str | None
    in_game: str | None
    """When it happened in the player's game (ISO time), or ``None``."""
    game_over: bool
    """The player's game had ended before this fact's time."""
    clock: str = ""
    """The documented time of day as people write it ("8:45 a.m."), the day's part, or
    :data:`UNTIMED` where the sources give the day only."""


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
    """The documented time (ISO 8601), or its date alone where the record gives no hour."""
    your_time: str | None
    verdict: Verdict
    hours_apart: float | None
    sources: SourceIds


class Debrief(BaseModel):
    """The whole debrief; JSON-able."""

    scenario: str
    title: str
    side: str
    side_name: str
    seed: int
    interventions: list[str]
    counterfactuals: list[str]
    """The interventions as a player reads them (their labels)."""
    finished: bool
    outcome: OutcomeView | None
    historical_replay: OutcomeView
    historical_note: str
    comparison: list[ChoiceComparison]
    days: list[DebriefDay]
    sources: list[SourceRef] = Field(
        description="Every source the debrief cites, with its title and address; the "
        "`sources` of its entries name them by id, and the pages cite each by its number "
        "here (from 1)."
    )

    def cite(self, ids: Sequence[str]) -> str:
        """``ids`` by their numbers in :attr:`sources`: " [1, 4]"."""
        return footnotes(ids, [s.id for s in self.sources])

    def numbered(self, ids: Sequence[str]) -> list[tuple[int, str]]:
        """``ids`` with their numbers in :attr:`sources`, in order (web links use the id)."""
        return numbered(ids, [s.id for s in self.sources])


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
        sources=cited(e.sources),
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
    for entry in sorted(sc.timeline, key=lambda x: x.tick):  # the file need not be in order
        action = sc.actions.get(entry.expect or "")
        if action is None or action.actor != side:
            continue
        documented.add(action.id)
        mine = taken.get(action.id)
        verdict: Verdict = "not taken"
        apart: float | None = None
        if mine is not None:
            # hours apart only from a documented hour: a date alone has none to count from
            apart = (mine.tick - entry.tick) * sc.tick_hours if entry.clock else None
            if abs(mine.tick - entry.tick) <= entry.tolerance_ticks:
                verdict = "as in history"
            else:
                verdict = "earlier" if mine.tick < entry.tick else "later"
        out.append(
            ChoiceComparison(
                action=action.id,
                label=action.label,
                history_time=sc.iso(entry.tick) if entry.clock else _date(sc.iso(entry.tick)),
                your_time=mine.time if mine is not None else None,
                verdict=verdict,
                hours_apart=apart,
                sources=cited(entry.sources),
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
                sources=cited(action.sources),
            )
        )
    return out


def _historical_replay(game: Game, side: str) -> OutcomeView:
    sc = game.scenario
    policies = policy_set(sc)
    result = ReferenceEngine(sc).run(game.record.seed, 0, policies.make(), dict(policies.specs))
    return outcome_view(result.outcome, sc.actors[side].holder, sc)


def build_debrief(game: Game, seat: str | None = None) -> Debrief:
    """The debrief of a game (finished or not), for one of its human seats (by default the
    record's side)."""
    sc, side = game.scenario, seat or game.record.side
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
                sources=cited(entry.sources),
                expect=entry.expect,
                in_game=happened.time if happened is not None else None,
                game_over=game.finished and entry.tick > end_tick,
                clock=entry.clock or UNTIMED,
            )
        )
    ordered = [days[k] for k in sorted(days)]
    for d in ordered:
        d.history.sort(key=lambda h: h.tick)

    comparison = _comparison(sc, side, own)
    cites: dict[str, None] = {}
    if game.outcome is not None:
        cites.update(dict.fromkeys(cited(game.outcome.sources)))
    for c in comparison:
        cites.update(dict.fromkeys(c.sources))
    for d in ordered:
        for group in (d.yours, d.seen, d.hidden):
            for p in group:
                cites.update(dict.fromkeys(p.sources))
        for h in d.history:
            cites.update(dict.fromkeys(h.sources))
    sources = [
        SourceRef(id=s, title=ASSUMPTION_TITLE, url=None)
        if s == ASSUMPTION_NAME
        else SourceRef(id=s, title=sc.bibliography[s].title, url=sc.bibliography[s].url)
        for s in cites
        if s in sc.bibliography or s == ASSUMPTION_NAME
    ]
    return Debrief(
        scenario=sc.id,
        title=sc.title,
        side=side,
        side_name=sc.actors[side].name,
        seed=game.record.seed,
        interventions=list(game.record.interventions),
        counterfactuals=[sc.interventions[i].title for i in game.record.interventions],
        finished=game.finished,
        outcome=outcome_view(game.outcome, sc.actors[side].holder, sc, game.ended_in)
        if game.outcome
        else None,
        historical_replay=_historical_replay(game, side),
        historical_note=(
            "The historical replay runs the scenario's own decision-makers (its documented "
            "choices, and its rules once a run leaves them) on the same random draws as your "
            "game; the timeline entries are the documented record."
        ),
        comparison=comparison,
        days=ordered,
        sources=sorted(sources, key=lambda s: _source_key(s.id)),
    )


def _source_key(ident: str) -> tuple[str, int, str]:
    head = ident.rstrip("0123456789")
    tail = ident[len(head) :]
    return (head, int(tail) if tail else -1, ident)


def timeline(debrief: Debrief, day: DebriefDay) -> list[tuple[int, str, str]]:
    """The player's day in time order: (tick, time of day, line) for their own choices
    (``YOU:``, with their sources' numbers in the debrief), what they saw, and what was
    hidden from them. The opening briefing, which the player has read, is one line; the
    time of what was there at the start is "start" (its clock time would be the game's
    start, not the facts')."""
    briefing = [p for p in day.seen if p.tick == 0]
    tagged = [(p, f"YOU: {p.text}{debrief.cite(p.sources)}") for p in day.yours]
    tagged += [(p, p.text) for p in day.seen if p.tick != 0]
    tagged += [(p, f"(hidden from you) {p.text}") for p in day.hidden]
    tagged.sort(key=lambda pair: pair[0].tick)  # stable: same-tick entries keep their group
    rows = [(p.tick, "start" if p.tick == 0 else plain_clock(p.time), line) for p, line in tagged]
    if briefing:
        told = f"The opening briefing ({len(briefing)} paragraphs)."
        rows.insert(0, (0, "start", told))
    return rows


def ended(outcome: OutcomeView) -> str:
    """When an outcome came: "Sun 28 Oct 1962, 9 a.m." (and when the game ended, if later)."""
    end = plain_time(outcome.time, year=True)
    if outcome.decided and outcome.decided != outcome.time:
        decided = plain_time(outcome.decided, year=True)
        return f"{decided} (the game ran on to {end}, to see that it held)"
    return end


def outcome_lines(outcome: OutcomeView) -> list[str]:
    """An outcome's cause and score in words."""
    lines = []
    if outcome.cause:
        lines.append(f"What caused it: {outcome.cause}")
    lines += [f"The rule that decided it: {rule}" for rule in outcome.rule]
    if outcome.utility is not None:
        scale = ""
        if outcome.worst is not None and outcome.best is not None:
            scale = (
                f" (on this scenario's scale from {outcome.worst:g}, its worst outcome for "
                f"your side, to {outcome.best:g}, its best)"
            )
        lines.append(f"Score for your side: {outcome.utility:g}{scale}")
    if outcome.utilities:
        scores = ", ".join(f"{u.name} {u.utility:+g}" for u in outcome.utilities)
        lines.append(f"Every side's score under this outcome: {scores}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def debrief_markdown(debrief: Debrief) -> str:
    """The debrief as a Markdown document (``brink play --debrief FILE``)."""
    out = [f"# Debrief: {debrief.title}", ""]
    chosen = "; ".join(debrief.counterfactuals)
    played = f"seed {debrief.seed}" + (f"; counterfactuals: {chosen}" if chosen else "")
    out.append(noted(f"You played {within(debrief.side_name)}", played) + ".")
    out.append("")
    if debrief.outcome is not None:
        o = debrief.outcome
        out += [f"## The outcome: {o.label}", "", f"{ended(o)} — {o.text}", ""]
        out += [f"- {line}" for line in outcome_lines(o)]
        cites = debrief.cite(o.sources)
        out += [f"- Sources:{cites}"] if cites else []
        out.append("")
    replay = debrief.historical_replay
    out += [
        "## The historical replay",
        "",
        sentence(
            f"With the historical decision-makers on the same draws: {replay.label}, "
            f"{ended(replay)}"
        )
        + f" {debrief.historical_note}",
        "",
    ]
    for day in debrief.days:
        out += [f"## {day.label}", "", "Your game:", ""]
        out += [f"- {clock}: {line}" for _, clock, line in timeline(debrief, day)] or ["- —"]
        if day.history:
            out += ["", "History:", ""]
            for h in day.history:
                mark = (
                    f"in your game: {plain_time(h.in_game)}"
                    if h.in_game
                    else ("your game had ended" if h.game_over else "not in your game")
                )
                out.append(f"- {h.clock}: {h.text}{debrief.cite(h.sources)} — {mark}")
        out.append("")
    if debrief.comparison:
        out += ["## Your choices beside the documented ones", ""]
        out += ["| choice | history | you | verdict | sources |", "|---|---|---|---|---|"]
        for c in debrief.comparison:
            verdict = c.verdict + (f" ({c.hours_apart:+g} h)" if c.hours_apart else "")
            out.append(
                f"| {_cell(c.label)} | {plain_time(c.history_time) if c.history_time else '—'} "
                f"| {plain_time(c.your_time) if c.your_time else '—'} | {verdict} "
                f"| {debrief.cite(c.sources).strip()} |"
            )
        out.append("")
    out += ["## Sources", ""]
    out += [
        f"{n}. {s.title}" + (f" <{s.url}>" if s.url else "")
        for n, s in enumerate(debrief.sources, 1)
    ]
    return "\n".join(out) + "\n"
