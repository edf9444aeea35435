"""The compiled form of a scenario: everything resolved to indices, ticks and compiled
expressions, shared by the reference and batch engines."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from brinkmanship.errors import BrinkError, EvaluationError, UnknownNameError
from brinkmanship.scenario.expressions import Expression
from brinkmanship.scenario.presentation import NONE, Presentation
from brinkmanship.scenario.schema import NO_VIEW, OutcomeClass, Source, VarType
from brinkmanship.scenario.timeutil import format_time

ALL: frozenset[str] = frozenset({"*"})
"""Visibility marker: every actor sees it."""


@dataclass(frozen=True)
class Expr:
    """A checked expression with its compiled scalar evaluator."""

    expression: Expression
    scalar: Callable[[Mapping[str, float]], float] = field(repr=False, compare=False)
    where: str = ""
    at: str = field(default="", compare=False)
    """Where the expression is written (file:line:column), for the errors it meets in a run."""
    nan_error: str = field(default="", compare=False)
    """The error of a run where it evaluates to NaN (a probability), or if `finite` to NaN
    or infinity (a weight, a cost, a utility, a metric); empty: any value is a value."""
    finite: bool = field(default=False, compare=False)

    @property
    def source(self) -> str:
        return self.expression.source

    def __call__(self, env: Mapping[str, float]) -> float:
        return self.scalar(env)


@dataclass(frozen=True)
class Assign:
    """One assignment ``var = expr`` of an effect."""

    var: str
    expr: Expr


Effects = tuple[Assign, ...]

Told = tuple[tuple[str, str], ...]
"""Pairs (actor, text): what an actor who sees an action or event is told instead of its
text (the scenario's ``told``); the record keeps the text."""


def can_see(visible_to: frozenset[str], actor: str) -> bool:
    """Whether ``actor`` may observe something visible to ``visible_to``."""
    return visible_to is ALL or "*" in visible_to or actor in visible_to


@dataclass(frozen=True)
class Variable:
    """A state variable: type, bounds, initial value, who may see it."""

    name: str
    index: int
    type: VarType
    lo: float
    hi: float
    initial: float
    visible_to: frozenset[str]
    prior: tuple[float, float]
    """What an actor that cannot see this variable believes its value may be (uniform)."""
    label: str
    description: str
    sources: tuple[str, ...]
    initial_expr: Expr
    """The expression of the initial value (over the parameters): ``initial`` is its value."""
    prior_declared: bool
    """Whether the scenario gives ``prior``; if not, it is ``(initial, initial)``."""

    def initial_problem(self, value: float) -> str | None:
        """Why ``value`` cannot be this variable's initial value (None if it can)."""
        if self.type is VarType.INT and value != round(value):
            return f"initial value {value} of int variable {self.name!r} is not whole"
        if not self.lo <= value <= self.hi:
            return f"initial value {value} lies outside [{self.lo}, {self.hi}]"
        return None

    def coerce(self, value: float, at: str = "") -> float:
        """Round (int), truth-test (bool) and clamp a value to this variable's domain; a
        value no variable can hold (see :meth:`non_finite_message`) is an EvaluationError
        naming `at`, where the expression that gave it is written."""
        if math.isnan(value) or (self.type is VarType.INT and math.isinf(value)):
            raise EvaluationError(self.non_finite_message(at))
        if self.type is VarType.BOOL:
            return 1.0 if value != 0.0 else 0.0
        if self.type is VarType.INT:
            value = float(round(value))
        return min(max(value, self.lo), self.hi)

    def non_finite_message(self, at: str = "") -> str:
        """Why a run stopped when this variable was given NaN (or infinity, if an int) by
        the expression written at `at` (file:line:column), if given."""
        what = "NaN or infinity" if self.type is VarType.INT else "NaN"
        message = (
            f"variable '{self.name}' was given {what}, which it cannot hold; "
            "bound or guard the expression that sets it"
        )
        return f"{at}: {message}" if at else message

    def typed(self, value: float) -> float | int | bool:
        """The value as the Python type of the variable, for display and observations."""
        if self.type is VarType.BOOL:
            return value != 0.0
        if self.type is VarType.INT:
            return int(value)
        return value


@dataclass(frozen=True)
class Rule:
    """A compiled ``when → do`` rule (with probability and reason)."""

    index: int
    when: Expr
    do: str
    p: Expr
    why: str

    @property
    def no_view(self) -> bool:
        """A stance's rule that says the member has no view now (``why`` says why)."""
        return self.do == NO_VIEW


@dataclass(frozen=True)
class ScriptStep:
    """A compiled script step; ``when`` is its premise, on the actor's observation."""

    index: int
    at_tick: int
    until_tick: int | None
    do: str
    when: Expr
    why: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PolicyData:
    """A named data policy of an actor: a script with fallback rules, or rules alone."""

    name: str
    description: str
    script: tuple[ScriptStep, ...]
    rules: tuple[Rule, ...]
    sources: tuple[str, ...]

    @property
    def kind(self) -> Literal["scripted", "rules"]:
        return "scripted" if self.script else "rules"


@dataclass(frozen=True)
class Member:
    """A member of a body."""

    id: str
    name: str
    role: str
    interests: str
    weight: Expr
    stance: tuple[Rule, ...]
    description: str
    sources: tuple[str, ...]
    attends: Expr | None = None
    """When the member is present (on the body's observation); None: always."""

    def present(self, values: Mapping[str, float]) -> bool:
        """Whether the member attends the body's decision on these observed values."""
        return self.attends is None or bool(self.attends(values))


@dataclass(frozen=True)
class BodyRule:
    """How a body turns its members' counsel and its policy's proposal into one choice."""

    kind: Literal["leader", "consent", "vote"]
    leader: str | None = None
    k: int = 0
    proposer: str | None = None
    requires: frozenset[str] = frozenset()
    fallback: str = "wait"


@dataclass(frozen=True)
class Repertoire:
    """Standard operating procedures of an organisation (Model II)."""

    routines: tuple[Rule, ...]
    inertia: float
    slippage: float
    substitutes: Mapping[str, str]


@dataclass(frozen=True)
class ActionChannel:
    """Allison's action channel: Model III carries ``actions`` only where ``when`` holds."""

    actions: frozenset[str]
    when: Expr
    description: str
    sources: tuple[str, ...]

    def open(self, values: Mapping[str, float]) -> bool:
        """Whether the channel is open at a decision with these observed values."""
        return bool(self.when(values))


@dataclass(frozen=True)
class Actor:
    """A decision-maker, possibly a body."""

    id: str
    index: int
    name: str
    description: str
    holder: str
    """The actor whose utility this actor serves (itself, or its side)."""
    members: tuple[Member, ...]
    rule: BodyRule | None
    policies: Mapping[str, PolicyData]
    default_policy: str | None
    actions: tuple[str, ...]
    sources: tuple[str, ...]
    repertoire: Repertoire | None = None
    action_channels: tuple[ActionChannel, ...] = ()
    """Where the body's Model III choice on the channels' actions is taken."""

    @property
    def is_body(self) -> bool:
        return self.rule is not None

    @property
    def chair(self) -> str | None:
        """The member the body's policy speaks for (leader or proposer), if any."""
        if self.rule is None:
            return None
        return self.rule.leader or self.rule.proposer


@dataclass(frozen=True)
class Message:
    """What a message-sending action sends."""

    channel: str
    to: str
    kind: Literal["offer", "demand", "accept", "reject", "statement"]
    give: tuple[str, ...]
    get: tuple[str, ...]
    of: str | None
    text: str
    sender_name: str
    """Whom the recipient is told it comes from."""
    misread_kind: str | None
    misread_text: str | None
    on_deliver: Effects
    on_misread: Effects


@dataclass(frozen=True)
class Latency:
    """A latency distribution in seconds."""

    kind: Literal["fixed", "uniform", "triangular"]
    seconds: tuple[float, ...]
    params: tuple[str, ...] = ()
    """Per value, the parameter it names (read as hours), or "" for a duration."""

    @property
    def drawn(self) -> bool:
        return self.kind != "fixed"

    def with_parameters(self, values: Mapping[str, float]) -> Latency:
        """This latency with the values of the parameters it names taken from ``values``;
        a distribution whose values fall out of order is refused."""
        if not any(p in values for p in self.params):
            return self
        seconds = tuple(
            values[p] * 3600.0 if p in values else s
            for s, p in zip(self.seconds, self.params, strict=True)
        )
        if any(x < 0 for x in seconds) or list(seconds) != sorted(seconds):
            given = ", ".join(f"{p}={values[p]:g}" for p in self.params if p in values)
            raise BrinkError(f"{self.kind} delay or latency out of order with {given}")
        return replace(self, seconds=seconds)

    def text(self) -> str:
        """'fixed 12h', 'triangular 8h/20h/36h'."""
        return f"{self.kind} " + "/".join(f"{s / 3600:g}h" for s in self.seconds)


@dataclass(frozen=True)
class Action:
    """A compiled action."""

    id: str
    index: int
    actor: str
    label: str
    text: str
    when: Expr
    effects: Effects
    delay: Latency
    """Before the effects land: fixed, or drawn when the action is taken."""
    visible_to: frozenset[str]
    cost: tuple[tuple[str, Expr], ...]
    once: bool
    message: Message | None
    escalation: int
    sources: tuple[str, ...]
    told: Told = ()
    """Per actor, the text it sees instead of ``text`` (see :data:`Told`)."""

    def text_for(self, actor: str) -> str:
        """The text as ``actor`` sees it (what it is told, else ``text``)."""
        return dict(self.told).get(actor, self.text)


@dataclass(frozen=True)
class Event:
    """A compiled event: scheduled (``at_tick``), hazard, or condition trigger."""

    id: str
    index: int
    text: str
    actor: str
    at_tick: int | None
    hazard: Expr | None
    when: Expr
    once: bool
    effects: Effects
    visible_to: frozenset[str]
    sources: tuple[str, ...]
    told: Told = ()
    """Per actor, the text it sees instead of ``text`` (see :data:`Told`)."""

    def text_for(self, actor: str) -> str:
        """The text as ``actor`` sees it (what it is told, else ``text``)."""
        return dict(self.told).get(actor, self.text)


@dataclass(frozen=True)
class Channel:
    """A compiled channel."""

    id: str
    label: str
    users: frozenset[str]
    latency: Latency
    misread: Expr
    public: bool
    sources: tuple[str, ...]

    @property
    def in_person(self) -> bool:
        """A channel of no latency (a meeting in person): its recipient hears a message in
        the hour it is sent, and sees it sent."""
        return self.latency.kind == "fixed" and self.latency.seconds[0] <= 0.0


@dataclass(frozen=True)
class Term:
    """A compiled deal term."""

    id: str
    label: str
    by: str
    effects: Effects
    sources: tuple[str, ...]


@dataclass(frozen=True)
class DecisionPoint:
    """When ``actor`` is asked: at the ticks of ``schedule`` or on ``triggers``, while ``when``."""

    id: str
    actor: str
    schedule: frozenset[int]
    triggers: frozenset[str]
    when: Expr
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """A compiled outcome."""

    id: str
    index: int
    cls: OutcomeClass
    label: str
    text: str
    when: Expr | None
    default: bool
    utility: Mapping[str, Expr]
    sources: tuple[str, ...]
    pending: Expr | None = None
    """While this holds after ``when`` first held, the outcome is decided but the run goes
    on (see docs/scenario-format.md, "Outcomes that wait")."""


@dataclass(frozen=True)
class Mechanism:
    """A compiled mechanism (see docs/scenario-format.md, "Where outcomes come from")."""

    id: str
    index: int
    label: str
    description: str
    outcomes: frozenset[str]
    """The ids of the outcomes it applies to."""
    after: tuple[str, ...]
    """Events and actions of which one must have happened (none: no such requirement)."""
    when: Expr | None
    default: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ParameterInfo:
    """A parameter's value, range and rationale."""

    name: str
    value: float
    range: tuple[float, float] | None
    description: str
    sources: tuple[str, ...]
    unit: str = ""
    """What the value counts, for screens (empty: a pure number)."""


@dataclass(frozen=True)
class TimelineEntry:
    """A documented fact with its tick, to check a replay against."""

    tick: int
    text: str
    expect: str | None
    tolerance_ticks: int
    sources: tuple[str, ...]
    clock: str
    """The documented time of day as the sources give it; empty: the date only."""
    date: str
    """The documented date as people write it ("22 October 1962")."""


@dataclass(frozen=True)
class InterventionInfo:
    """A named intervention as described in the scenario."""

    id: str
    label: str
    description: str
    include: tuple[str, ...]
    conflicts: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def title(self) -> str:
        """What a player picks it by: its label, or its description where it has none."""
        return self.label or self.description.strip()


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario ready to run: validated, resolved and compiled."""

    id: str
    title: str
    summary: str
    notes: str
    file: str
    start: datetime
    tick: timedelta
    horizon_ticks: int
    zone: tzinfo
    parameters: Mapping[str, ParameterInfo]
    variables: Mapping[str, Variable]
    actors: Mapping[str, Actor]
    actions: Mapping[str, Action]
    events: Mapping[str, Event]
    channels: Mapping[str, Channel]
    terms: Mapping[str, Term]
    decisions: tuple[DecisionPoint, ...]
    outcomes: Mapping[str, Outcome]
    mechanisms: Mapping[str, Mechanism]
    """Where outcomes come from, in file order (empty: the scenario attributes none)."""
    interventions: Mapping[str, InterventionInfo]
    applied: tuple[str, ...]
    bibliography: Mapping[str, Source]
    timeline: tuple[TimelineEntry, ...]
    escalation: Expr | None
    alert: Expr | None
    """An alert level (``metrics.alert``): read by ``brink eval`` after every phase of a run."""
    sources: tuple[str, ...]
    presentation: Presentation = NONE
    """What the screens show (display only; no engine reads it)."""

    def sender_name(self, action: str) -> str:
        """Whom the recipient of the message of ``action`` is told it comes from."""
        act = self.actions[action]
        return act.message.sender_name if act.message else self.actors[act.actor].name

    def recipients(self, message: Message) -> frozenset[str]:
        """Who receives ``message``: everyone by a public channel, else its addressee."""
        return ALL if self.channels[message.channel].public else frozenset({message.to})

    def witnesses(self, action: Action) -> frozenset[str]:
        """Who sees ``action`` taken: those it is visible to, and its message's recipients
        where they hear the message as it is sent (a public channel, a meeting in person)."""
        message = action.message
        if message is None:
            return action.visible_to
        channel = self.channels[message.channel]
        if channel.public or channel.in_person:
            return action.visible_to | self.recipients(message)
        return action.visible_to

    def time_of(self, tick: int) -> datetime:
        """The real time of a tick."""
        return self.start + tick * self.tick

    def ticks_of(self, seconds: float) -> int:
        """A duration in seconds as whole ticks, rounded up."""
        return math.ceil(seconds / self.tick.total_seconds())

    def iso(self, tick: int) -> str:
        """The ISO 8601 time of a tick in the scenario's time zone."""
        return format_time(self.time_of(tick), self.zone)

    def historically(self, element: str, tick: int) -> str | None:
        """For an action or event of the timeline that a run saw at ``tick``, outside the
        documented time's tolerance: "historically 7 p.m., 22 October 1962" (None where the
        run's clock agrees with the record, or the element has no documented time)."""
        entry = next((e for e in self.timeline if e.expect == element), None)
        if entry is None or abs(tick - entry.tick) <= entry.tolerance_ticks:
            return None
        return (
            f"historically {entry.clock}, {entry.date}"
            if entry.clock
            else (f"historically {entry.date}")
        )

    @property
    def tick_hours(self) -> float:
        return self.tick.total_seconds() / 3600.0

    @property
    def default_outcome(self) -> Outcome:
        return next(o for o in self.outcomes.values() if o.default)

    @property
    def default_mechanism(self) -> Mechanism | None:
        return next((m for m in self.mechanisms.values() if m.default), None)

    def parameter_env(self) -> dict[str, float]:
        """The parameters as an expression environment."""
        return {name: p.value for name, p in self.parameters.items()}

    def with_parameters(self, values: Mapping[str, float]) -> CompiledScenario:
        """This scenario with other parameter values, without validating or compiling it
        again: the parameters change, and the initial values computed from them. A name
        the scenario does not declare, or a value outside the parameter's range, is refused."""
        if not values:
            return self
        parameters = dict(self.parameters)
        for name, value in values.items():
            info = parameters.get(name)
            if info is None:
                raise UnknownNameError("parameter", name, list(parameters))
            if not math.isfinite(value):
                raise BrinkError(f"parameter {name!r}: value {value} is not a finite number")
            if info.range is not None and not info.range[0] <= value <= info.range[1]:
                low, high = info.range
                raise BrinkError(
                    f"parameter {name!r}: value {value:g} lies outside its range "
                    f"[{low:g}, {high:g}]"
                )
            parameters[name] = replace(info, value=float(value))
        env = {name: p.value for name, p in parameters.items()} | {"tick": 0.0, "hours": 0.0}
        variables = {}
        for name, variable in self.variables.items():
            initial = variable.initial_expr(env)
            problem = variable.initial_problem(initial)
            if problem is not None:
                reads = variable.initial_expr.expression.names
                given = ", ".join(f"{n}={v:g}" for n, v in values.items() if n in reads)
                raise BrinkError(f"state variable {name!r}: {problem} (with {given})")
            prior = variable.prior if variable.prior_declared else (initial, initial)
            variables[name] = replace(variable, initial=initial, prior=prior)
        numbers = {name: float(value) for name, value in values.items()}
        actions = {
            a: replace(action, delay=action.delay.with_parameters(numbers))
            for a, action in self.actions.items()
        }
        channels = {
            ch: replace(channel, latency=channel.latency.with_parameters(numbers))
            for ch, channel in self.channels.items()
        }
        return replace(
            self, parameters=parameters, variables=variables, actions=actions, channels=channels
        )
