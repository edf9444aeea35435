"""What the player sees at a decision point, as JSON-able pydantic models.

Everything here is built from the player's own :class:`Observation` (visible state, the
inbox as perceived, counsel) and the events their side could observe — never from the
true state, so nothing hidden leaks into a view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, computed_field

from brinkmanship.engine.observation import (
    WAIT,
    ActionInfo,
    LegalActions,
    Letter,
    Observation,
    SeenEvent,
)
from brinkmanship.engine.reference import MESSAGE_NOUN, without_reason
from brinkmanship.engine.trajectory import OutcomeResult, TrajectoryEvent
from brinkmanship.narrative import with_documented_time
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario.schema import VarType
from brinkmanship.scenario.timeutil import clock_text, has_clock
from brinkmanship.wording import (
    ASSUMPTION_NAME,
    ASSUMPTION_TITLE,
    EPILOGUE,
    cited,
    noted,
    source_title,
)

WAIT_FOR_NEWS = "wait.news"
"""The choice offered at every decision besides the scenario's actions: wait until a
decision point where something new concerns the player's side (not a scenario id: the
dot is not allowed in one)."""

WAIT_NUMBER, NEWS_NUMBER = 1, 2
"""The fixed menu numbers of ``wait`` and :data:`WAIT_FOR_NEWS`; the side's actions follow
from 3 in the scenario's order, so a choice keeps its number when others come and go."""

DELIVERY = "delivery"
"""The kind of event that says a letter arrived (its id is the sending action's)."""

DATED_KINDS = frozenset({"action", "message", "event", DELIVERY})
"""Kinds of event set beside their documented time ("historically ...") where it differs."""


def plain_time(iso: str, *, year: bool = False) -> str:
    """``1962-10-23T10:00-04:00`` → ``Tue 23 Oct, 10 a.m.`` (as people write it); a date
    alone (``1962-10-23``) → ``Tue 23 Oct``."""
    d = datetime.fromisoformat(iso)
    day = f"{d:%a} {d.day} {d:%b}{f' {d.year}' if year else ''}"
    return f"{day}, {clock_text(d)}" if has_clock(iso) else day


def plain_clock(iso: str) -> str:
    """``1962-10-23T10:00-04:00`` → ``10 a.m.``"""
    return clock_text(datetime.fromisoformat(iso))


class TermView(BaseModel):
    """A deal term of a letter."""

    id: str
    label: str
    by: str


class LetterView(BaseModel):
    """A letter in the inbox, as the player's side perceived it (possibly misread)."""

    id: str
    sender: str
    sender_name: str
    channel: str
    channel_label: str
    public: bool
    kind: str
    give: list[TermView]
    get: list[TermView]
    text: str
    sent: str
    arrived: str
    kind_name: str = ""
    """The kind as a noun a player reads ("refusal" for ``reject``)."""


def new_letters(view: GameView) -> tuple[list[LetterView], list[LetterView]]:
    """The inbox split in two: letters that arrived since the player's last decision (all
    of them before the first), and the earlier ones."""
    last = view.last_move_time
    if last is None:
        return list(view.inbox), []
    since = datetime.fromisoformat(last)
    fresh = [x for x in view.inbox if datetime.fromisoformat(x.arrived) > since]
    return fresh, [x for x in view.inbox if x not in fresh]


class CounselView(BaseModel):
    """One adviser's recommendation."""

    member: str
    name: str
    role: str
    action: str
    action_label: str
    why: str
    """Why he counsels it, or, with ``abstains``, why he has no view (may be empty)."""
    abstains: bool = False
    """The member has no view now (its ``action`` is then ``wait``, as a vote counts it)."""
    number: int | None = None
    """The menu number of the recommended choice (None: no view, or not a choice now)."""
    where: str = ""
    """Where that choice sits when not in the main list ("under Write a letter…")."""


NO_VIEW = "No view"


class SilenceView(BaseModel):
    """Advisers with no view now, for one reason (empty: none given): shown as one line,
    ``who`` and ``text``, or, where ``everyone`` present is silent for it, ``text`` alone
    for the whole body."""

    names: list[str]
    reason: str
    everyone: bool = False

    @property
    def who(self) -> str:
        return ", ".join(self.names)

    @property
    def text(self) -> str:
        return f"{NO_VIEW} — {self.reason}" if self.reason else NO_VIEW


def silences(counsel: Sequence[CounselView]) -> list[SilenceView]:
    """The advisers with no view, one group per reason, in the order they first appear."""
    groups: dict[str, list[str]] = {}
    for cn in counsel:
        if cn.abstains:
            groups.setdefault(cn.why, []).append(cn.name)
    everyone = len(counsel) > 1 and len(groups) == 1 and all(c.abstains for c in counsel)
    return [SilenceView(names=n, reason=why, everyone=everyone) for why, n in groups.items()]


class AdviceView(BaseModel):
    """Advisers who recommend the same choice for the same reason, shown as one line: the
    names (a lone adviser's with his ``role``), then the choice and why."""

    names: list[str]
    role: str = ""
    action_label: str
    why: str
    number: int | None = None
    where: str = ""

    @property
    def who(self) -> str:
        return ", ".join(self.names)


def advice(counsel: Sequence[CounselView]) -> list[AdviceView]:
    """The advisers with a view, one group per choice and reason, in the order they first
    appear (eight rows of the same "[10] Give Dobrynin the text of the address" became
    three)."""
    groups: dict[tuple[str, str], list[CounselView]] = {}
    for cn in counsel:
        if not cn.abstains:
            groups.setdefault((cn.action, cn.why), []).append(cn)
    return [
        AdviceView(
            names=[m.name for m in members],
            role=members[0].role if len(members) == 1 else "",
            action_label=members[0].action_label,
            why=members[0].why,
            number=members[0].number,
            where=members[0].where,
        )
        for members in groups.values()
    ]


class LetterSpec(BaseModel):
    """What a message action sends: its kind, channel, addressee and typed terms."""

    kind: str
    channel: str
    channel_label: str
    public: bool
    to: str
    to_name: str
    give: list[TermView]
    get: list[TermView]
    reply_to: str | None
    reply_to_title: str | None = None
    """The title of the message this one answers (what a player reads; ``reply_to`` is its id)."""


class ChoiceView(BaseModel):
    """A legal choice; ``letter`` is set when the choice sends a message, ``effects`` when
    it also changes the world directly (a televised address, not just a letter).
    ``number`` is its fixed menu number (see :data:`WAIT_NUMBER`)."""

    id: str
    label: str
    text: str
    secret: bool
    effects: bool
    letter: LetterSpec | None
    number: int = 0


class ChangeView(BaseModel):
    """A visible value that changed since the player's previous decision."""

    name: str
    label: str
    before: str
    after: str


ShownAs = Literal["gauge", "quantity", "fact", "none"]


class StateItem(BaseModel):
    """A state variable the player may see, and how the scenario's presentation shows it:
    as a gauge (also in ``alerts``), a quantity with its ``unit``, a fact (a bool), or not
    at all (a number the presentation does not list)."""

    name: str
    label: str
    value: float | int | bool
    description: str
    shown_as: ShownAs = "quantity"
    unit: str = ""


class AlertLevel(BaseModel):
    """An alert level (a gauge of the scenario's presentation) with its range;
    ``counts: down`` when danger grows as the value falls (DEFCON)."""

    name: str
    label: str
    value: int | float
    low: float
    high: float
    counts: Literal["up", "down"] = "up"


SourceIds = Annotated[
    list[str],
    Field(
        description="The sources of this text: each the id of an entry of the scenario's "
        "bibliography (the debrief's `sources` gives its title and address), or "
        f'"{ASSUMPTION_NAME}": {ASSUMPTION_TITLE}'
    ),
]
"""A text's sources as the API gives them (:func:`brinkmanship.wording.cited`)."""


class EventView(BaseModel):
    """An event the player's side observed."""

    tick: int
    time: str
    kind: str
    actor: str
    id: str
    text: str
    sources: SourceIds
    new: bool
    """Not on the player's previous screen."""
    historically: str | None = None
    """Where the run's time differs from the documented one: "historically 7 p.m., 22 October
    1962"."""

    def line(self) -> str:
        """The text as a player reads it, its documented time a sentence after it."""
        return with_documented_time(self.text, self.historically)

    def at_start(self) -> bool:
        """Part of the opening briefing: what the side is told at the start, shown without
        the clock time of the start (its background is months or years older)."""
        return self.tick == 0


class UtilityView(BaseModel):
    """One actor's score under an outcome."""

    actor: str
    name: str
    utility: float


class OutcomeView(BaseModel):
    """How the game ended: what caused it (the mechanism, and the rule that decided it with
    the parameters it reads), and the scores, with the range of the side's score over the
    scenario's outcomes."""

    id: str
    cls: str
    label: str
    text: str
    epilogue: str = Field(
        default=EPILOGUE,
        description="What ``text`` is, said above it: the epilogue, told after the game as "
        "history, which may say what the side never learned.",
    )
    time: str
    utility: float | None
    sources: SourceIds
    source_titles: list[str] = Field(
        default=[],
        description="The same sources by their titles, as the end of a game lists them.",
    )
    cause: str = ""
    rule: list[str] = []
    utilities: list[UtilityView] = []
    worst: float | None = None
    best: float | None = None
    decided: str | None = None
    """When the outcome was decided, where the game then ran on (an outcome that waits)."""


class OrderView(BaseModel):
    """One order of several given at one decision: its choice and menu number, and the
    time it was carried out (``None``: not carried out)."""

    id: str
    label: str
    number: int
    time: str | None = None


class PlanView(BaseModel):
    """What became of the orders given at the player's previous decision."""

    orders: list[OrderView]
    stopped: str = ""
    """Why the orders stopped before the last one, in words (empty: all carried out)."""


class GameView(BaseModel):
    """The player's screen: time, alerts, what their side knows, inbox, counsel, choices."""

    scenario: str
    title: str
    side: str
    side_name: str
    tick: int
    time: str
    alerts: list[AlertLevel]
    state: list[StateItem]
    inbox: list[LetterView]
    counsel: list[CounselView]
    choices: list[ChoiceView]
    events: list[EventView]
    last_move_tick: int | None
    last_move_time: str | None
    moves: int
    finished: bool
    outcome: OutcomeView | None
    changes: list[ChangeView] = []
    """Visible values that changed since the player's previous decision."""
    news: list[str] = []
    """What is new since the previous decision, in words (why a wait for news stopped here)."""
    briefing: list[EventView] = []
    """The opening briefing: what the side is told at the start."""
    plan: PlanView | None = None
    """What became of the several orders given at the previous decision, if there were."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def silent(self) -> list[SilenceView]:
        """The advisers in ``counsel`` with no view, grouped by their reason."""
        return silences(self.counsel)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def advised(self) -> list[AdviceView]:
        """The advisers in ``counsel`` with a view, grouped by choice and reason."""
        return advice(self.counsel)


def terms_view(sc: c.CompiledScenario, ids: Iterable[str]) -> list[TermView]:
    return [TermView(id=t, label=sc.terms[t].label, by=sc.terms[t].by) for t in ids]


def letter_spec(sc: c.CompiledScenario, action: c.Action) -> LetterSpec | None:
    """The typed message an action sends, or ``None`` for a plain action."""
    message = action.message
    if message is None:
        return None
    channel = sc.channels[message.channel]
    return LetterSpec(
        kind=message.kind,
        channel=channel.id,
        channel_label=channel.label,
        public=channel.public,
        to=message.to,
        to_name=sc.actors[message.to].name,
        give=terms_view(sc, message.give),
        get=terms_view(sc, message.get),
        reply_to=message.of,
        reply_to_title=_title_of(sc, message.of),
    )


def kind_name(kind: str) -> str:
    """A message kind as a noun: ``reject`` → ``refusal``."""
    return MESSAGE_NOUN.get(kind, kind)


def _title_of(sc: c.CompiledScenario, action: str | None) -> str | None:
    """The message an action sent as its recipient names it: "Khrushchev's offer" (not
    the sender's own name for the action, which the recipient never saw)."""
    known = sc.actions.get(action) if action is not None else None
    if known is None:
        return None
    if known.message is None:
        return known.label
    return f"{sc.sender_name(known.id)}'s {kind_name(known.message.kind)}"


def choice_numbers(legal: LegalActions) -> dict[str, int]:
    """Every choice's fixed menu number: ``wait``, waiting for news, then the side's actions
    in the scenario's order (numbers of actions not legal now are left out, not reused)."""
    numbers = {WAIT: WAIT_NUMBER, WAIT_FOR_NEWS: NEWS_NUMBER}
    actions = [a for a in legal.space if a != WAIT]
    numbers.update({a: NEWS_NUMBER + 1 + i for i, a in enumerate(actions)})
    return numbers


NEWS_LABEL = "Wait until something happens"


def news_choice() -> ChoiceView:
    """The wait for news, offered at every decision."""
    return ChoiceView(
        id=WAIT_FOR_NEWS,
        label=NEWS_LABEL,
        text=(
            "Skip ahead to your next decision where something new concerns you: a message "
            "or a report arrives, a new choice opens or an adviser recommends a choice no "
            "one did."
        ),
        secret=False,
        effects=False,
        letter=None,
        number=NEWS_NUMBER,
    )


def choice_view(sc: c.CompiledScenario, info: ActionInfo, number: int = 0) -> ChoiceView:
    if info.id == WAIT:
        return ChoiceView(
            id=WAIT,
            label=info.label,
            text=info.text,
            secret=False,
            effects=False,
            letter=None,
            number=number,
        )
    action = sc.actions[info.id]
    spec = letter_spec(sc, action)
    secret = (spec is None or not spec.public) and not c.can_see(action.visible_to, "*")
    return ChoiceView(
        id=info.id,
        label=info.label,
        text=info.text,
        secret=secret,
        effects=bool(action.effects),
        letter=spec,
        number=number,
    )


def choice_views(sc: c.CompiledScenario, legal: LegalActions) -> list[ChoiceView]:
    """The legal choices, then the wait for news, each with its fixed number."""
    numbers = choice_numbers(legal)
    out = [choice_view(sc, a, numbers[a.id]) for a in legal.actions]
    return [*out, news_choice()]


def _letter_view(sc: c.CompiledScenario, letter: Letter) -> LetterView:
    channel = sc.channels[letter.channel]
    return LetterView(
        id=letter.id,
        sender=letter.sender,
        sender_name=sc.sender_name(letter.id),
        channel=channel.id,
        channel_label=channel.label,
        public=channel.public,
        kind=letter.kind,
        kind_name=kind_name(letter.kind),
        give=terms_view(sc, letter.terms_give),
        get=terms_view(sc, letter.terms_get),
        text=letter.text,
        sent=letter.sent,
        arrived=letter.arrived,
    )


def state_item(sc: c.CompiledScenario, var: c.Variable, value: float | int | bool) -> StateItem:
    """A visible variable, shown as the scenario's presentation says."""
    shown: ShownAs = "fact"
    unit = ""
    label = var.label or var.name
    if var.type is not VarType.BOOL:
        quantity = sc.presentation.quantity(var.name)
        if sc.presentation.gauge(var.name) is not None:
            shown = "gauge"
        elif quantity is None:
            shown = "none"
        else:
            shown, unit, label = "quantity", quantity.unit, quantity.label or label
    return StateItem(
        name=var.name,
        label=label,
        value=value,
        description=var.description,
        shown_as=shown,
        unit=unit,
    )


def quantity_text(item: StateItem) -> str:
    """``41,900 troops``: a quantity's value with its unit (a whole float without ``.0``;
    the unit in the singular for one of it)."""
    value = item.value
    whole = isinstance(value, float) and value.is_integer()
    text = f"{value:,.1f}" if isinstance(value, float) and not whole else f"{int(value):,}"
    unit = item.unit
    if value == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]  # "1 submarine", not "1 submarines"
    return f"{text} {unit}" if unit else text


def value_text(item: StateItem) -> str:
    """A visible value as the screen shows it: yes/no, a quantity, a gauge's level."""
    if item.shown_as == "fact":
        return "yes" if item.value else "no"
    if item.shown_as == "gauge":
        return f"{_number(item.value):g}"
    return quantity_text(item)


@dataclass(frozen=True)
class Glance:
    """What matters to a player at a decision, to tell what is new at a later one: the
    letters received, the reports (entries the scenario tells the side of), the legal
    choices and what the advisers recommend."""

    inbox: frozenset[str]
    legal: frozenset[str]
    counsel: frozenset[str]
    state: tuple[tuple[str, float | int | bool], ...]
    labels: tuple[tuple[str, str], ...]
    numbers: tuple[tuple[str, int], ...] = ()
    """Each legal choice's fixed menu number."""
    letters: frozenset[str] = frozenset()
    """The legal choices that only send a letter (under "Write a letter…" in a menu)."""
    reports: frozenset[tuple[str, str]] = frozenset()
    """The time and id of each entry seen so far that the scenario tells the side of in
    words of its own (its ``told`` names the side), another actor's: news addressed to it."""


def reported(
    sc: c.CompiledScenario, side: str, seen: Iterable[SeenEvent]
) -> frozenset[tuple[str, str]]:
    """The entries of ``seen`` that the scenario tells ``side`` of (see :class:`Glance`)."""
    out = set()
    for e in seen:
        entry = sc.actions.get(e.id) if e.kind == "action" else sc.events.get(e.id)
        if entry is not None and e.actor != side and side in dict(entry.told):
            out.add((e.time, e.id))
    return frozenset(out)


def glance(sc: c.CompiledScenario, side: str, obs: Observation, legal: LegalActions) -> Glance:
    """A :class:`Glance` at the player's decision."""
    return Glance(
        inbox=frozenset(x.id for x in obs.inbox if x.sender != side),
        legal=frozenset(legal.ids),
        counsel=frozenset(x.action for x in obs.counsel if not x.abstains),
        state=tuple(obs.state.items()),
        labels=tuple((x.id, x.label) for x in legal.actions),
        numbers=tuple(choice_numbers(legal).items()),
        letters=frozenset(
            a
            for a in legal.ids
            if a in sc.actions and sc.actions[a].message is not None and not sc.actions[a].effects
        ),
        reports=reported(sc, side, obs.seen),
    )


LETTER_PLACE = "under Write a letter…"
"""Where a choice that only sends a letter sits in a menu."""


def news(before: Glance, after: Glance, ordered: Iterable[str] = ()) -> list[str]:
    """What is new at ``after`` since ``before``, in words (empty: nothing): a message
    received, a report (an entry the scenario tells the side of), a choice that was not
    legal (with its menu number), or an adviser's recommendation of a choice on offer that
    no adviser recommended before. Advice to do one of ``ordered`` (the orders the side has
    given and not yet carried out), or to wait while the side has nothing else ordered,
    gives it nothing new to do; nor does advice for a choice not on offer. Alert levels and
    other values that moved are listed on the screen where a wait stops (what changed) but
    stop nothing."""
    out = []
    arrived = len(after.inbox - before.inbox)
    if arrived:
        out.append(f"{arrived} new message{'s' if arrived > 1 else ''} received")
    if told := len(after.reports - before.reports):
        out.append(f"{told} new report{'s' if told > 1 else ''}")
    labels, numbers = dict(after.labels), dict(after.numbers)
    opened = sorted(after.legal - before.legal, key=lambda a: numbers.get(a, 0))
    if opened:
        named = []
        for a in opened:
            label = (f"[{numbers[a]}] " if a in numbers else "") + labels.get(a, a)
            named.append(noted(label, LETTER_PLACE) if a in after.letters else label)
        out.append(("a new choice: " if len(named) == 1 else "new choices: ") + ", ".join(named))
    given = set(ordered) - {WAIT_FOR_NEWS}
    idle = {WAIT} if not given else set()
    if (after.counsel - before.counsel - given - idle) & after.legal:
        out.append("your advisers' counsel changed")
    return out


def _as_seen(sc: c.CompiledScenario, e: TrajectoryEvent, side: str) -> str:
    """An event's text as the side sees it: what the side is told of it (the scenario's
    ``told``), and another actor's act without the reason its policy gave (the side sees
    what was done, not the rule that chose it)."""
    told = e.text_for(side)
    action = sc.actions.get(e.id)
    if told != e.text or e.actor == side or action is None or e.kind not in ("action", "message"):
        return told
    return without_reason(e.text, action.text or action.label)


def alert_levels(
    sc: c.CompiledScenario, state: Mapping[str, float | int | bool]
) -> list[AlertLevel]:
    """The presentation's gauges among the visible variables ``state``, in its order."""
    out = []
    for g in sc.presentation.gauges:
        if g.name in state:
            var = sc.variables[g.name]
            out.append(
                AlertLevel(
                    name=g.name,
                    label=g.label,
                    value=_number(state[g.name]),
                    low=var.lo,
                    high=var.hi,
                    counts=g.counts,
                )
            )
    return out


def _counsel_views(
    sc: c.CompiledScenario, actor: c.Actor, obs: Observation, choices: list[ChoiceView]
) -> list[CounselView]:
    """Each adviser's counsel, linked to the menu number of the choice it recommends."""
    roles = {m.id: m.role for m in actor.members}
    offered = {x.id: x for x in choices}
    out = []
    for cn in obs.counsel:
        if cn.abstains:
            label = NO_VIEW
        else:
            label = "Wait" if cn.action == WAIT else sc.actions[cn.action].label
        choice = offered.get(cn.action) if not cn.abstains else None
        where = ""
        if choice is not None and choice.letter is not None and not choice.effects:
            where = LETTER_PLACE
        out.append(
            CounselView(
                member=cn.member,
                name=cn.name,
                role=roles.get(cn.member, ""),
                action=cn.action,
                action_label=label,
                why=cn.why,
                abstains=cn.abstains,
                number=choice.number if choice is not None else None,
                where=where,
            )
        )
    return out


def outcome_view(
    outcome: OutcomeResult,
    holder: str,
    sc: c.CompiledScenario | None = None,
    env: Mapping[str, float] | None = None,
) -> OutcomeView:
    """An outcome with the utility of the side ``holder``; with the scenario, also its cause
    in words and every actor's score with the range of ``holder``'s. With ``env`` (the
    state the run ended in), the rule names only the parameters it turned on."""
    holder_utility = outcome.utilities.get(holder)
    view = OutcomeView(
        id=outcome.id,
        cls=outcome.cls,
        label=outcome.label,
        text=outcome.text,
        time=outcome.time,
        utility=holder_utility,
        sources=cited(outcome.sources),
        decided=outcome.decided_time,
    )
    if sc is None:
        return view
    titles = {i: s.title for i, s in sc.bibliography.items()}
    view.source_titles = [source_title(i, titles) for i in outcome.sources]
    mechanism = sc.mechanisms.get(outcome.mechanism or "")
    if mechanism is not None and not mechanism.default:
        # the description says it in a sentence; before it, the label would name it twice
        # ("The air strike: The US air strike on the missile sites.")
        view.cause = mechanism.description or mechanism.label
    rule = sc.outcomes[outcome.id].when if outcome.id in sc.outcomes else None
    if rule is not None:
        view.rule = [
            f"{p.description.strip().rstrip('.')}: {parameter_setting(p)}"
            for name, p in sc.parameters.items()
            if name in rule.expression.names
            and p.description
            and (env is None or _turns_on(rule, name, p, env))
        ]
    elif outcome.id in sc.outcomes:
        view.rule = ["Nothing else decided the game before the end of the scenario's time."]
    view.utilities = [
        UtilityView(actor=a, name=sc.actors[a].name if a in sc.actors else a, utility=u)
        for a, u in outcome.utilities.items()
    ]
    scale = [u for u in _constant_utilities(sc, holder)]
    if holder_utility is not None:
        scale.append(holder_utility)
    if scale:
        view.worst, view.best = min(scale), max(scale)
    return view


def _turns_on(rule: c.Expr, name: str, p: c.ParameterInfo, env: Mapping[str, float]) -> bool:
    """Whether the outcome's rule, true in ``env``, would be false at some value the
    sources allow for parameter ``name`` (else the parameter did not decide it)."""
    values = [p.value, *(p.range or ())]
    return any(not rule({**env, name: v}) for v in values)


def parameter_setting(p: c.ParameterInfo) -> str:
    """A parameter's value in its unit, with the range the sources allow: "here 240 hours;
    the sources allow 120-336"."""
    unit = f" {p.unit}" if p.unit else ""
    text = f"here {p.value:,g}{unit}"
    if p.range is not None and p.range[0] != p.range[1]:
        text += f"; the sources allow {p.range[0]:,g}-{p.range[1]:,g}"
    return text


def _constant_utilities(sc: c.CompiledScenario, holder: str) -> list[float]:
    """The side's utility under each outcome where it is a constant."""
    out = []
    for o in sc.outcomes.values():
        expr = o.utility.get(holder)
        if expr is not None and not expr.expression.names:
            out.append(float(expr({})))
    return out


def build_view(
    sc: c.CompiledScenario,
    side: str,
    obs: Observation,
    legal: LegalActions | None,
    events: Iterable[TrajectoryEvent],
    *,
    new_from: int,
    last_move_tick: int | None,
    moves: int,
    outcome: OutcomeResult | None,
    before: Glance | None = None,
    plan: PlanView | None = None,
    ended_in: Mapping[str, float] | None = None,
) -> GameView:
    """Assemble the player's view from their observation and the events they saw
    (``events`` is the whole trajectory; those from index ``new_from`` on are new;
    ``before`` is what the player saw at their previous decision; ``ended_in``, the state
    a finished game ended in, only tells which parameters its outcome's rule turned on).

    The inbox holds the letters the side received: its own public statements, which the
    engine delivers to everyone, belong in its outbox, not its inbox."""
    actor = sc.actors[side]
    state: Mapping[str, float | int | bool] = obs.state
    alerts = alert_levels(sc, state)
    items = [state_item(sc, sc.variables[name], value) for name, value in state.items()]
    seen: list[EventView] = []
    dated: set[str] = set()
    sent: dict[str, int] = {}  # when each letter was sent, seen or not
    for index, e in enumerate(events):
        if e.kind != DELIVERY:
            sent.setdefault(e.id, e.tick)
        if not e.seen_by(side):
            continue
        documented = None
        if e.kind in DATED_KINDS and e.id not in dated:
            dated.add(e.id)
            # the record dates a letter's sending: a delivery is compared by its send time
            documented = sc.historically(e.id, sent.get(e.id, e.tick))
        seen.append(
            EventView(
                tick=e.tick,
                time=e.time,
                kind=e.kind,
                actor=e.actor,
                id=e.id,
                text=_as_seen(sc, e, side),
                sources=cited(e.sources),
                new=index >= new_from,
                historically=documented,
            )
        )
    choices = choice_views(sc, legal) if legal is not None else []
    now = glance(sc, side, obs, legal) if legal is not None else None
    return GameView(
        scenario=sc.id,
        title=sc.title,
        side=side,
        side_name=actor.name,
        tick=obs.tick,
        time=obs.iso,
        alerts=alerts,
        state=items,
        inbox=[_letter_view(sc, letter) for letter in obs.inbox if letter.sender != side],
        counsel=_counsel_views(sc, actor, obs, choices),
        choices=choices,
        events=seen,
        last_move_tick=last_move_tick,
        last_move_time=sc.iso(last_move_tick) if last_move_tick is not None else None,
        moves=moves,
        finished=outcome is not None,
        outcome=outcome_view(outcome, actor.holder, sc, ended_in) if outcome is not None else None,
        changes=_changes(sc, before, items),
        news=news(before, now) if before is not None and now is not None else [],
        briefing=[e for e in seen if e.at_start()],
        plan=plan,
    )


def _changes(
    sc: c.CompiledScenario, before: Glance | None, items: list[StateItem]
) -> list[ChangeView]:
    """The shown values that differ from those at the previous decision."""
    if before is None:
        return []
    old = dict(before.state)
    out = []
    for item in items:
        if item.shown_as == "none" or item.name not in old or old[item.name] == item.value:
            continue
        was = state_item(sc, sc.variables[item.name], old[item.name])
        out.append(
            ChangeView(
                name=item.name, label=item.label, before=value_text(was), after=value_text(item)
            )
        )
    return out


def _number(value: float | int | bool) -> int | float:
    return int(value) if isinstance(value, bool) else value
