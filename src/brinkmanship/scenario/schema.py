"""The typed schema of a scenario file (pydantic v2).

This module checks structure and values only. References between elements (an action
naming an undefined actor, an expression naming an unknown variable) are checked when
the scenario is compiled (``scenario.compile``), where every error is given a location.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
"""Identifier of an actor, action, event, channel, outcome, term, policy or intervention."""

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""Identifier usable inside expressions: a state variable or a parameter."""

SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]

ExprText = str | int | float | bool
"""An expression in the safe expression language, or a literal."""

RESERVED_NAMES = frozenset({"tick", "hours", "min", "max", "clip", "abs", "floor", "ceil"})
RESERVED_ACTION = "wait"
NO_VIEW = "no_view"
"""What a member's stance rule ``do``es to say he has no view now; its ``why`` says why."""


class Strict(BaseModel):
    """Base of all schema models: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Cited(Strict):
    """An element that may cite sources from the scenario's bibliography."""

    sources: tuple[SourceId, ...] = ()


class Source(Strict):
    """A bibliography entry."""

    title: str
    url: str | None = None
    note: str | None = None


class Clock(Strict):
    """Start, tick length and horizon. Times are ISO 8601; durations like ``1h``."""

    start: str
    tick: str = "1h"
    horizon: str
    timezone: str | None = None


class Parameter(Cited):
    """A named constant of the model, with the range the sources support."""

    value: float
    range: tuple[float, float] | None = None
    description: str = ""
    unit: str = ""
    """What the value counts, for screens: "hours", "ships" (empty: a pure number)."""

    @field_validator("range")
    @classmethod
    def _ordered(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and v[0] > v[1]:
            raise ValueError(f"range [{v[0]}, {v[1]}] is reversed; write [low, high]")
        return v


class VarType(str, enum.Enum):
    """Type of a state variable."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"


Visibility = Literal["public", "hidden"] | tuple[Id, ...]


class Variable(Cited):
    """A typed, bounded state variable with per-actor visibility."""

    type: VarType
    initial: ExprText
    min: float | None = None
    max: float | None = None
    visibility: Visibility = "public"
    prior: tuple[float, float] | None = None
    label: str = ""
    description: str = ""


class Rule(Strict):
    """``when`` the condition holds (on what the actor can see), ``do`` the action,
    optionally only with probability ``p``; ``why`` explains it in counsel and logs. In a
    member's stance ``do`` may be ``no_view`` (:data:`NO_VIEW`): he has no view then, and
    ``why``, required, says why in words a player reads."""

    when: ExprText = True
    do: Id
    p: ExprText = 1.0
    why: str = ""


class ScriptStep(Cited):
    """Do ``do`` at the first decision point at or after ``at`` while the world it assumes
    (``when``, its premise, on what the actor can see) holds.

    If the action is not legal then, or the premise does not hold, the step is skipped,
    unless ``until`` is given, in which case it stays due until that time.
    """

    at: str
    do: Id
    when: ExprText = True
    until: str | None = None
    why: str = ""


class PolicyData(Cited):
    """A decision rule that lives in scenario data: a script (with fallback rules) or rules."""

    description: str = ""
    script: tuple[ScriptStep, ...] = ()
    rules: tuple[Rule, ...] = ()


class Member(Cited):
    """A member of a body: weight (influence, may depend on state) and stance (rules)."""

    name: str
    role: str = ""
    interests: str = ""
    weight: ExprText = 1.0
    stance: tuple[Rule, ...] = ()
    attends: ExprText | None = None
    """When the member is at the body's decisions (on what the body sees); always if omitted."""
    description: str = ""


class LeaderRule(Strict):
    """The leader decides after hearing every other member's counsel."""

    kind: Literal["leader"]
    leader: Id


class ConsentRule(Strict):
    """A proposal among ``requires`` is carried out only if ``k`` members consent.

    The body's policy speaks for the ``proposer``; the other members consent when their
    stance recommends the same action (members without a stance follow the proposer).
    Without consent the body does ``fallback``.
    """

    kind: Literal["consent"]
    k: int = Field(ge=1)
    proposer: Id
    requires: tuple[Id, ...] = ()
    fallback: Id = RESERVED_ACTION


class VoteRule(Strict):
    """Members vote with their stance (or with the body's policy if they have none);
    the choice with the largest total weight wins; ties go to the body's policy."""

    kind: Literal["vote"]


BodyRule = Annotated[LeaderRule | ConsentRule | VoteRule, Field(discriminator="kind")]


class Repertoire(Cited):
    """Standard operating procedures (Allison's Model II): routines tried in order, the
    inertia of repeating the last one, and slippage in carrying orders out."""

    description: str = ""
    routines: tuple[Rule, ...]
    inertia: float = Field(default=0.5, ge=0, le=1)
    slippage: float = Field(default=0.1, ge=0, le=1)
    substitutes: dict[Id, Id] = Field(default_factory=dict)


class ActionChannel(Cited):
    """Allison's action channel: the regular way a body takes a kind of decision. Model III
    (the ``political`` policy) lets the members' counsel carry the listed actions only at
    decisions where ``when`` holds (on what the body sees); elsewhere the members argue them
    (their counsel is shown and recorded) but that counsel does not carry the choice."""

    actions: tuple[Id, ...] = Field(min_length=1)
    when: ExprText
    description: str = ""


class Actor(Cited):
    """A decision-maker: a single leader, or a body of members with a decision rule."""

    name: str
    description: str = ""
    side: Id | None = None
    members: dict[Id, Member] = Field(default_factory=dict)
    rule: BodyRule | None = None
    policies: dict[Id, PolicyData] = Field(default_factory=dict)
    default_policy: Id | None = None
    repertoire: Repertoire | None = None
    action_channels: tuple[ActionChannel, ...] = ()
    """Where the body's Model III choice on some actions is taken (default: anywhere)."""


class MisreadAs(Strict):
    """How a misread message is perceived by its recipient."""

    kind: Literal["offer", "demand", "statement"] | None = None
    text: str | None = None


class Message(Strict):
    """A message sent through a channel when the action is taken."""

    channel: Id
    to: Id
    kind: Literal["offer", "demand", "accept", "reject", "statement"]
    give: tuple[Id, ...] = ()
    get: tuple[Id, ...] = ()
    of: Id | None = None
    text: str = ""
    sender: str | None = None
    """Whom the recipient is told it comes from (default: the sending actor's name), for a
    message someone sent on the actor's side without its authority."""
    misread_as: MisreadAs = Field(default_factory=MisreadAs)
    on_deliver: dict[Name, ExprText] = Field(default_factory=dict)
    on_misread: dict[Name, ExprText] | None = None


class Told(Strict):
    """What some of those who see an action or event are told instead of its ``text``: they
    see that it happened, not what only others know of it (who gave the order, why)."""

    to: tuple[Id, ...] = Field(min_length=1)
    """Actors who see the entry (they must be among those who can see it)."""
    text: str = Field(min_length=1)


class Latency(Strict):
    """A latency distribution: exactly one of fixed, uniform [low, high], triangular
    [low, mode, high]."""

    fixed: str | None = None
    uniform: tuple[str, str] | None = None
    triangular: tuple[str, str, str] | None = None


class Action(Cited):
    """Something an actor may do: precondition, effects after a delay (fixed or drawn when
    the action is taken), visibility, cost."""

    actor: Id
    label: str
    text: str = ""
    when: ExprText = True
    effects: dict[Name, ExprText] = Field(default_factory=dict)
    delay: str | Latency = "0h"
    visibility: Literal["public", "secret"] | tuple[Id, ...] = "public"
    cost: dict[Id, ExprText] = Field(default_factory=dict)
    once: bool | None = None
    message: Message | None = None
    escalation: int = Field(default=0, ge=-10, le=10)
    told: tuple[Told, ...] = ()
    """What some of those who see the action are told instead of ``text`` (the record,
    the debrief and every other viewer keep ``text``)."""


class Event(Cited):
    """Something that happens: at a scheduled time, by a per-tick hazard, or when a
    condition first holds."""

    text: str
    actor: Id | None = None
    at: str | None = None
    hazard: ExprText | None = None
    when: ExprText = True
    once: bool = True
    effects: dict[Name, ExprText] = Field(default_factory=dict)
    visibility: Visibility = "public"
    told: tuple[Told, ...] = ()
    """What some of those who see the event are told instead of ``text`` (as for actions)."""


class Channel(Cited):
    """A means of communication: who may send, how long it takes, how often it misleads."""

    label: str = ""
    users: tuple[Id, ...]
    latency: str | Latency
    misread: ExprText = 0.0
    public: bool = False


class Term(Cited):
    """A typed term of a deal, carried out by ``by`` when the deal is concluded."""

    label: str
    by: Id
    effects: dict[Name, ExprText] = Field(default_factory=dict)


class DecisionPoint(Cited):
    """When an actor is asked to decide: on a schedule (``every``, ``at``) and/or in
    reaction (``react_to``) to events and actions it can observe."""

    actor: Id
    every: str | None = None
    start: str | None = None
    at: tuple[str, ...] = ()
    react_to: tuple[Id, ...] = ()
    when: ExprText = True


class OutcomeClass(str, enum.Enum):
    """The classes every outcome belongs to."""

    SETTLEMENT = "settlement"
    CAPITULATION = "capitulation"
    FAIT_ACCOMPLI = "fait_accompli"
    CONVENTIONAL_WAR = "conventional_war"
    TACTICAL_NUCLEAR_USE = "tactical_nuclear_use"
    GENERAL_NUCLEAR_WAR = "general_nuclear_war"
    UNRESOLVED = "unresolved"


class Outcome(Cited):
    """A terminal condition with a class and a utility per actor."""

    class_: OutcomeClass = Field(alias="class")
    label: str = ""
    text: str = ""
    when: ExprText | None = None
    pending: ExprText | None = None
    default: bool = False
    utility: dict[Id, ExprText]

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class Mechanism(Cited):
    """What produced a run's outcome, for attributing outcomes to mechanisms: it applies to
    the outcomes it names (by class or id; every outcome if neither is given) when one of
    the actions or events of ``after`` has happened (any, if empty) and ``when`` holds on the
    true state. The first that applies, in file order, is the run's; the one marked
    ``default`` applies where none does."""

    label: str = ""
    description: str = ""
    classes: tuple[OutcomeClass, ...] = ()
    outcomes: tuple[Id, ...] = ()
    after: tuple[Id, ...] = ()
    when: ExprText | None = None
    default: bool = False


class Intervention(Cited):
    """A named patch to the scenario (a JSON merge patch), possibly including others;
    ``label`` is the few words a player picks it by, ``description`` says what it changes."""

    label: str = ""
    description: str
    include: tuple[Id, ...] = ()
    conflicts: tuple[Id, ...] = ()
    patch: dict[str, object] = Field(default_factory=dict)


class TimelineEntry(Cited):
    """A documented historical fact the replay can be checked against. ``clock`` is its time
    as the sources give it ("7 p.m.", "about 10-11 a.m.", "evening"); by default the time of
    ``at`` when ``tolerance`` is under 12 hours, else the date only."""

    at: str
    text: str
    expect: Id | None = None
    tolerance: str = "0h"
    clock: str | None = None


class KnownError(Cited):
    """An error the scenario's texts must never repeat (its fact sheet's section E, or a
    correction), keyed by the sheet's label (``E6``, ``F4``). Each of ``patterns``, a
    regular expression matched case-insensitively, finds the error in one text; ``unless``
    excuses a sentence that matches it too ("hotline" unless "1963"); ``scope: replay``
    searches only the historical replay's texts, for what a counterfactual may make true
    (an invasion)."""

    fact: str
    patterns: tuple[str, ...] = Field(min_length=1)
    unless: str | None = None
    scope: Literal["everywhere", "replay"] = "everywhere"

    @field_validator("patterns", "unless")
    @classmethod
    def _compiles(cls, v: tuple[str, ...] | str | None) -> tuple[str, ...] | str | None:
        for text in (v,) if isinstance(v, str) else v or ():
            try:
                re.compile(text)
            except re.error as exc:
                raise ValueError(f"{text!r} is not a regular expression: {exc}") from None
        return v


class Metrics(Strict):
    """Scenario-level indicators used by analysis: an escalation index and an alert level
    (each an expression on the true state; higher is more escalated / more alert)."""

    escalation: ExprText | None = None
    alert: ExprText | None = None


LonLat = tuple[float, float]
"""A point on a map: longitude, then latitude, in degrees."""

Symbol = Literal[
    "site", "base", "ship", "submarine", "aircraft", "cross", "star", "arrow", "dot", "radar"
]
"""The symbols a map layer may draw (``docs/scenario-format.md``, "Presentation")."""

Tone = Literal["plain", "dark", "calm", "low", "medium", "high", "severe", "secret"]
"""A symbol's or line's colour: plain ink, a dark hull, the danger scale from calm to
severe (as on the gauges), or the colour of what is secret."""


class Extent(Strict):
    """The part of the globe a map shows, in degrees."""

    west: float
    east: float
    south: float
    north: float


class Arc(Strict):
    """A circular arc around ``centre`` (a distance line such as "500 miles from Cuba"),
    from the first bearing to the second, clockwise, in degrees from north."""

    centre: LonLat
    radius: float
    unit: Literal["km", "mi", "nmi"] = "km"
    bearings: tuple[float, float]


class Layer(Cited):
    """Something drawn on the map while the player may see every variable it reads and
    ``when`` holds: a symbol at ``at`` (with ``repeat``, one per unit of ``value``, at
    most ``most``, ``step`` apart), a line through ``line``, or an ``arc``. ``label`` says
    what it is in the legend, with ``{value}`` replaced by ``value``; ``tag`` is a short
    text drawn beside a line."""

    label: str
    when: ExprText = True
    value: ExprText | None = None
    symbol: Symbol | None = None
    at: LonLat | None = None
    repeat: bool = False
    most: int = Field(default=12, ge=1, le=100)
    step: LonLat = (0.0, 0.0)
    line: tuple[LonLat, ...] | None = None
    arc: Arc | None = None
    tag: str = ""
    tone: Tone = "plain"


class Map(Cited):
    """A map of the crisis: its extent, a background of land and borders, named places,
    and layers bound to state variables. Drawn on an equirectangular projection
    ``width`` pixels wide."""

    title: str
    extent: Extent
    width: int = 860
    land: dict[str, tuple[LonLat, ...]] = Field(default_factory=dict)
    borders: dict[str, tuple[LonLat, ...]] = Field(default_factory=dict)
    places: dict[str, LonLat] = Field(default_factory=dict)
    layers: dict[Id, Layer] = Field(default_factory=dict)
    empty: str = "Nothing your side knows of is marked yet."


class Gauge(Strict):
    """An alert level drawn as a gauge; ``counts: down`` when danger grows as the value
    falls (DEFCON 5 is peace, DEFCON 1 war)."""

    counts: Literal["up", "down"] = "up"
    label: str = ""


class Quantity(Strict):
    """A number the player sees, with its unit."""

    unit: str = ""
    label: str = ""


class Presentation(Strict):
    """What a screen shows: a map, gauges, and the variables shown as quantities (by
    default, every visible number). Display only: it changes no result."""

    map: Map | None = None
    gauges: dict[Name, Gauge] = Field(default_factory=dict)
    quantities: dict[Name, Quantity] | None = None
    sides: tuple[Id, ...] | None = None
    """The sides a person plays, principal actors (a new game offers them; a class gives
    them to students and the other actors to their policies); by default every principal."""
    working_hours: dict[Id, tuple[int, int]] = Field(default_factory=dict)
    """Per side a person plays, the hours of the scenario's clock [from, to) in which its
    queued orders are carried out (a side not named: every hour)."""


class Scenario(Cited):
    """A whole scenario file."""

    id: Id
    title: str
    summary: str = ""
    notes: str = ""
    clock: Clock
    bibliography: dict[SourceId, Source] = Field(default_factory=dict)
    parameters: dict[Name, Parameter] = Field(default_factory=dict)
    state: dict[Name, Variable]
    actors: dict[Id, Actor]
    terms: dict[Id, Term] = Field(default_factory=dict)
    channels: dict[Id, Channel] = Field(default_factory=dict)
    actions: dict[Id, Action] = Field(default_factory=dict)
    events: dict[Id, Event] = Field(default_factory=dict)
    decisions: dict[Id, DecisionPoint]
    outcomes: dict[Id, Outcome]
    mechanisms: dict[Id, Mechanism] = Field(default_factory=dict)
    interventions: dict[Id, Intervention] = Field(default_factory=dict)
    timeline: tuple[TimelineEntry, ...] = ()
    known_errors: dict[SourceId, KnownError] = Field(default_factory=dict)
    metrics: Metrics = Field(default_factory=Metrics)
    presentation: Presentation | None = None
