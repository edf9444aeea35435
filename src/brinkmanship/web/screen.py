"""What the pages show, prepared from a game's view and record: the new-game form's
options, alert gauges, the outbox, the events since the last decision, choice menus and
readable dates. Templates only lay these out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import BrinkError
from brinkmanship.play.debrief import SKIPPED_KINDS
from brinkmanship.play.game import GameRecord
from brinkmanship.play.menus import Menu, build_menu, letter_kind, terms_line
from brinkmanship.play.scenarios import game_scenario
from brinkmanship.play.view import (
    DELIVERY,
    WAIT_FOR_NEWS,
    AlertLevel,
    ChoiceView,
    EventView,
    GameView,
    LetterSpec,
    LetterView,
    PlanView,
    letter_spec,
    new_letters,
    quantity_text,
)
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.timeutil import clock_text, has_clock
from brinkmanship.scenarios import DEFAULT
from brinkmanship.web.games import Scenarios
from brinkmanship.wording import orders_left

MAX_SEGMENTS = 10


def long_time(iso: str) -> str:
    """``Tuesday 16 October 1962, 11 a.m.`` (the time as people write it, as the terminal
    does: "noon", "8:45 a.m.")."""
    t = datetime.fromisoformat(iso)
    return f"{t:%A} {t.day} {t:%B %Y}, {clock_text(t)}"


def short_time(iso: str) -> str:
    """``16 Oct, 11 a.m.``; a date alone (``1962-10-16``) → ``16 Oct``."""
    t = datetime.fromisoformat(iso)
    return f"{t.day} {t:%b}, {clock_text(t)}" if has_clock(iso) else f"{t.day} {t:%b}"


def date_time(iso: str) -> str:
    """``16 Oct 1962, 11 a.m.``: a time with its year (a game clock in a list, a real time)."""
    t = datetime.fromisoformat(iso)
    return f"{t.day} {t:%b %Y}, {clock_text(t)}"


OUTCOME_KINDS: Mapping[str, str] = {
    "settlement": "a settlement: the sides agreed",
    "capitulation": "a capitulation: one side gave in",
    "fait_accompli": "a fait accompli: one side's move stood",
    "conventional_war": "a war without nuclear weapons",
    "tactical_nuclear_use": "nuclear weapons used in battle",
    "general_nuclear_war": "general nuclear war",
    "unresolved": "no resolution within the scenario's time",
}
"""Each outcome class (the scenario language's ``class``) in words, for the end page."""


def outcome_kind(cls: str) -> str:
    """The kind of an ending in words (``a settlement: the sides agreed``), never the
    class's id."""
    return OUTCOME_KINDS[cls]


def side_name(scenario: str, side: str) -> str:
    """The name of the actor ``side`` of a built-in scenario (the id if either is unknown)."""
    try:
        actor = game_scenario(scenario, ()).actors.get(side)
    except BrinkError:
        return side
    return actor.name if actor is not None else side


# ------------------------------------------------------------------ new game


@dataclass(frozen=True)
class Option:
    """A choice of a select or a checkbox: value, label, and a longer description."""

    value: str
    label: str
    text: str = ""


@dataclass(frozen=True)
class ScenarioOption:
    """A scenario with the sides one can play and its interventions."""

    id: str
    title: str
    summary: str
    sides: tuple[Option, ...]
    interventions: tuple[Option, ...]


@dataclass(frozen=True)
class NewGameForm:
    """The options of the new-game form."""

    scenarios: tuple[ScenarioOption, ...]
    opponents: tuple[Option, ...]
    default: str
    """The scenario selected at first."""


def playable_sides(sc: CompiledScenario) -> tuple[Option, ...]:
    """The sides a person plays: those the scenario's presentation names, else every
    principal actor (one that serves no other)."""
    sides = sc.presentation.sides
    return tuple(
        Option(a.id, a.name, a.description.strip())
        for a in sc.actors.values()
        if (a.id in sides if sides is not None else a.holder == a.id)
    )


def new_game_form(scenarios: Scenarios) -> NewGameForm:
    """Every built-in scenario with its sides and interventions, and the opponents."""
    options = []
    for name in scenarios.names:
        sc = scenarios.get(name)
        interventions = tuple(
            Option(i.id, i.title, i.description.strip() if i.label else "")
            for i in sc.interventions.values()
        )
        options.append(
            ScenarioOption(sc.id, sc.title, sc.summary.strip(), playable_sides(sc), interventions)
        )
    opponents = (
        Option("", "The scenario's own (as in history)"),
        *(Option(b.name, b.name, b.description) for b in scenarios.opponents),
    )
    return NewGameForm(tuple(options), opponents, DEFAULT)


# ------------------------------------------------------------------ the game


@dataclass(frozen=True)
class Segment:
    """One level of a gauge."""

    label: str
    active: bool
    danger: int
    """0 (calm) to 4 (most dangerous)."""


@dataclass(frozen=True)
class Gauge:
    """An alert level drawn as a row of levels, the current one lit."""

    name: str
    label: str
    value: str
    danger: int
    segments: tuple[Segment, ...]


def gauge(alert: AlertLevel) -> Gauge:
    """An alert level as a gauge, its levels ordered from calm to danger the way the
    scenario's presentation says it counts (DEFCON counts down)."""
    low, high = int(alert.low), int(alert.high)
    down = alert.counts == "down"
    span = max(high - low, 1)

    def danger(level: float) -> int:
        share = (high - level) / span if down else (level - low) / span
        return round(4 * min(max(share, 0.0), 1.0))

    levels = range(high, low - 1, -1) if down else range(low, high + 1)
    segments = (
        tuple(Segment(str(n), n == alert.value, danger(n)) for n in levels)
        if high - low < MAX_SEGMENTS
        else ()
    )
    value = f"{alert.value:g}" if isinstance(alert.value, float) else str(alert.value)
    return Gauge(alert.name, alert.label, value, danger(alert.value), segments)


@dataclass(frozen=True)
class SentLetter:
    """A letter the player sent; ``arrived`` is when it arrived if the player's side saw it
    arrive (an event of its view), else empty: they do not know."""

    time: str
    label: str
    kind: str
    channel: str
    public: bool
    terms: str
    arrived: str = ""


@dataclass(frozen=True)
class PastMove:
    """A decision the player made."""

    time: str
    label: str


@dataclass(frozen=True)
class Screen:
    """The game screen's derived parts."""

    when: str
    gauges: tuple[Gauge, ...]
    menu: Menu | None
    recent: tuple[EventView, ...]
    """Events new since the player's last decision (after several orders, or a wait for
    news: since it gave them); counsel is not among them: it stands beside the decision
    (the view's ``counsel``)."""
    earlier: tuple[EventView, ...]
    inbox: tuple[LetterView, ...]
    """Letters from others that arrived since the last decision (a public statement of the
    player's own is in the outbox)."""
    earlier_letters: tuple[LetterView, ...]
    """Letters from others that arrived before it (folded on the page)."""
    outbox: tuple[SentLetter, ...]
    moves: tuple[PastMove, ...]
    numbers: tuple[tuple[str, str], ...]
    facts: tuple[str, ...]
    not_facts: tuple[str, ...]
    then: tuple[ChoiceView, ...] = ()
    """The choices that may follow the first as further orders (a game with one human
    seat): the actions, the letters, and waiting until something happens last."""
    plan: tuple[str, ...] = ()
    """What became of the orders given at the previous decision, in sentences."""


def outbox(
    sc: CompiledScenario, record: GameRecord, events: Sequence[EventView] = ()
) -> tuple[SentLetter, ...]:
    """The letters among the player's moves, oldest first, each with its arrival among
    ``events`` (the player's view) when their side saw it arrive."""
    arrivals: dict[str, list[str]] = {}
    for e in events:
        if e.kind == DELIVERY:
            arrivals.setdefault(e.id, []).append(e.time)
    out = []
    for move in record.moves:
        action = sc.actions.get(move.action)
        spec: LetterSpec | None = letter_spec(sc, action) if action is not None else None
        if action is None or spec is None:
            continue
        out.append(
            SentLetter(
                time=short_time(sc.iso(move.tick)),
                label=action.label,
                kind=letter_kind(spec),
                channel=spec.channel_label,
                public=spec.public,
                terms=terms_line(spec),
                arrived=short_time(seen.pop(0)) if (seen := arrivals.get(move.action)) else "",
            )
        )
    return tuple(out)


def action_label(sc: CompiledScenario, action: str) -> str:
    """The label of an action id (``Wait`` for ``wait``)."""
    return "Wait" if action == WAIT else sc.actions[action].label


def game_screen(sc: CompiledScenario, view: GameView, record: GameRecord) -> Screen:
    """Everything the game template needs beyond the view itself."""
    fresh, earlier = new_letters(view)
    shown = [e for e in view.events if e.kind not in SKIPPED_KINDS]
    numbers: list[tuple[str, str]] = []
    facts: list[str] = []
    not_facts: list[str] = []
    for item in view.state:
        if item.shown_as == "fact":
            (facts if item.value else not_facts).append(item.label)
        elif item.shown_as == "quantity":
            numbers.append((item.label, quantity_text(item)))
    return Screen(
        when=long_time(view.time),
        gauges=tuple(gauge(a) for a in view.alerts),
        menu=build_menu(view.choices) if view.choices else None,
        recent=tuple(e for e in shown if e.new),
        earlier=tuple(e for e in shown if not e.new),
        inbox=tuple(x for x in fresh if x.sender != view.side),
        earlier_letters=tuple(x for x in earlier if x.sender != view.side),
        outbox=outbox(sc, record, view.events),
        moves=tuple(
            PastMove(short_time(sc.iso(m.tick)), action_label(sc, m.action))
            for m in record.moves
            if m.action != WAIT
        ),
        numbers=tuple(numbers),
        facts=tuple(facts),
        not_facts=tuple(not_facts),
        then=further_orders(view),
        plan=plan_lines(view.plan) if view.plan is not None else (),
    )


def further_orders(view: GameView) -> tuple[ChoiceView, ...]:
    """The choices a player may order after the first, in the menu's order (none when
    there is nothing to choose)."""
    news = [c for c in view.choices if c.id == WAIT_FOR_NEWS]
    if not news:
        return ()
    menu = build_menu(view.choices)
    actions = sorted((c for c in menu.actions if c.id != WAIT_FOR_NEWS), key=lambda c: c.number)
    letters = [c for kind in menu.letters for ch in kind.channels for c in ch.letters]
    return (*actions, *letters, *news)


def plan_lines(plan: PlanView) -> tuple[str, ...]:
    """What became of several orders: those carried out with their time, then, if they
    stopped early, why and those left."""
    done = [o for o in plan.orders if o.time is not None]
    left = [o for o in plan.orders if o.time is None]
    said = [f"{o.label} ({short_time(o.time)})" for o in done if o.time and o.id != WAIT_FOR_NEWS]
    if len(said) < len(done):
        said.append(("then " if said else "") + "waited until something happened")
    lines = ["Your orders: " + "; ".join(said) + "."] if said else []
    if left:
        lines.append(
            f"Stopped: {plan.stopped}. "
            f"Not carried out: {orders_left([(o.label, o.id == WAIT) for o in left])}."
        )
    return tuple(lines)
