"""What the player sees at a decision point, as JSON-able pydantic models.

Everything here is built from the player's own :class:`Observation` (visible state, the
inbox as perceived, counsel) and the events their side could observe — never from the
true state, so nothing hidden leaks into a view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel

from brinkmanship.engine.observation import WAIT, ActionInfo, LegalActions, Letter, Observation
from brinkmanship.engine.trajectory import OutcomeResult, TrajectoryEvent
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario.schema import VarType


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


class CounselView(BaseModel):
    """One adviser's recommendation."""

    member: str
    name: str
    role: str
    action: str
    action_label: str
    why: str
    abstains: bool = False
    """The member has no view now (its ``action`` is then ``wait``, as a vote counts it)."""


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


class ChoiceView(BaseModel):
    """A legal choice; ``letter`` is set when the choice sends a message, ``effects`` when
    it also changes the world directly (a televised address, not just a letter)."""

    id: str
    label: str
    text: str
    secret: bool
    effects: bool
    letter: LetterSpec | None


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


class EventView(BaseModel):
    """An event the player's side observed."""

    tick: int
    time: str
    kind: str
    actor: str
    id: str
    text: str
    sources: list[str]
    new: bool
    """Not on the player's previous screen."""


class OutcomeView(BaseModel):
    """How the game ended."""

    id: str
    cls: str
    label: str
    text: str
    time: str
    utility: float | None
    sources: list[str]


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
    )


def choice_view(sc: c.CompiledScenario, info: ActionInfo) -> ChoiceView:
    if info.id == WAIT:
        return ChoiceView(
            id=WAIT, label=info.label, text=info.text, secret=False, effects=False, letter=None
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
    )


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
    """``41,900 troops``: a quantity's value with its unit."""
    value = item.value
    text = f"{value:,.1f}" if isinstance(value, float) else f"{int(value):,}"
    return f"{text} {item.unit}" if item.unit else text


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


def _counsel_views(sc: c.CompiledScenario, actor: c.Actor, obs: Observation) -> list[CounselView]:
    roles = {m.id: m.role for m in actor.members}
    out = []
    for cn in obs.counsel:
        if cn.abstains:
            label = "No view"
        else:
            label = "Wait" if cn.action == WAIT else sc.actions[cn.action].label
        out.append(
            CounselView(
                member=cn.member,
                name=cn.name,
                role=roles.get(cn.member, ""),
                action=cn.action,
                action_label=label,
                why=cn.why,
                abstains=cn.abstains,
            )
        )
    return out


def outcome_view(outcome: OutcomeResult, holder: str) -> OutcomeView:
    """An outcome with the utility of the side ``holder``."""
    holder_utility = outcome.utilities.get(holder)
    return OutcomeView(
        id=outcome.id,
        cls=outcome.cls,
        label=outcome.label,
        text=outcome.text,
        time=outcome.time,
        utility=holder_utility,
        sources=list(outcome.sources),
    )


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
) -> GameView:
    """Assemble the player's view from their observation and the events they saw
    (``events`` is the whole trajectory; those from index ``new_from`` on are new).

    The inbox holds the letters the side received: its own public statements, which the
    engine delivers to everyone, belong in its outbox, not its inbox."""
    actor = sc.actors[side]
    state: Mapping[str, float | int | bool] = obs.state
    alerts = alert_levels(sc, state)
    items = [state_item(sc, sc.variables[name], value) for name, value in state.items()]
    seen = [
        EventView(
            tick=e.tick,
            time=e.time,
            kind=e.kind,
            actor=e.actor,
            id=e.id,
            text=e.text,
            sources=list(e.sources),
            new=index >= new_from,
        )
        for index, e in enumerate(events)
        if e.seen_by(side)
    ]
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
        counsel=_counsel_views(sc, actor, obs),
        choices=[choice_view(sc, a) for a in legal.actions] if legal is not None else [],
        events=seen,
        last_move_tick=last_move_tick,
        last_move_time=sc.iso(last_move_tick) if last_move_tick is not None else None,
        moves=moves,
        finished=outcome is not None,
        outcome=outcome_view(outcome, actor.holder) if outcome is not None else None,
    )


def _number(value: float | int | bool) -> int | float:
    return int(value) if isinstance(value, bool) else value
