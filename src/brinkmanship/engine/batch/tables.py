"""A compiled scenario and its policies flattened into the arrays the batch kernel reads.

Everything is resolved to indices here, once, so the kernel touches only numbers: actors,
actions, events, outcomes keep their scenario order (the order the reference engine
iterates in); expressions become bytecode; draw sites become their seeded 64-bit states.
``build`` calls one builder per concept, each returning its fields of
:class:`~brinkmanship.engine.batch.fields.Tables`; the expressions, effect lists, rules
and draw sites they refer to are collected on the way (``_Builder``) and laid out last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from brinkmanship.engine import digest, draws
from brinkmanship.engine.batch import forms as f
from brinkmanship.engine.batch import kernel as k
from brinkmanship.engine.batch.bytecode import Program
from brinkmanship.engine.batch.fields import F64, I64, B, Float2D, Tables
from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import BrinkError
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario.schema import VarType

KINDS = (
    "start",
    "event",
    "effect",
    "delivery",
    "deal",
    "pledge",
    "counsel",
    "consent",
    "action",
    "message",
    "choice",
    "digest",
    "word",
)
"""Event kinds of the kernel's log, by code."""

MESSAGE_KINDS = {"offer": 0, "demand": 1, "accept": 2, "reject": 3, "statement": 4}
LATENCY_KINDS = {"fixed": 0, "uniform": 1, "triangular": 2}
BODY_RULES = {"leader": k.B_LEADER, "consent": k.B_CONSENT, "vote": k.B_VOTE}
VAR_TYPES = {VarType.BOOL: 2, VarType.INT: 1}
MAX_ACTORS = 63

Fields = dict[str, Any]
"""Some of the fields of ``Tables``, by name: what one builder contributes."""


def _i(values: Sequence[int] | Sequence[bool]) -> I64:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _f(values: Sequence[float]) -> F64:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def _b(values: Sequence[bool]) -> B:
    return np.asarray(values, dtype=np.bool_).reshape(-1)


def _ranges(groups: Sequence[Sequence[int]]) -> tuple[I64, I64]:
    """[first, stop) of each group of consecutive indices."""
    first = [g[0] if g else 0 for g in groups]
    stop = [g[-1] + 1 if g else 0 for g in groups]
    return _i(first or [0]), _i(stop or [0])


def _csr(groups: Sequence[Sequence[int]]) -> tuple[I64, I64]:
    starts = [0]
    flat: list[int] = []
    for group in groups:
        flat += group
        starts.append(len(flat))
    return _i(starts), _i(flat or [0])


def _starts(groups: Sequence[Sequence[object]]) -> I64:
    """Where each group starts in the concatenation of ``groups``, and where it ends."""
    return _i([0, *np.cumsum([len(g) for g in groups]).tolist()])


def latency_seconds(latencies: Sequence[c.Latency]) -> Float2D:
    """Each latency's seconds (low, mode or high, high) as a row of three."""
    rows = [[*lat.seconds, 0.0, 0.0][:3] for lat in latencies]
    return np.array(rows or [[0.0] * 3], dtype=np.float64)


def _columns(prefix: str, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> Fields:
    """One integer array per column of ``rows``, named ``prefix + name`` ([0] if no rows)."""
    return {prefix + n: _i([r[j] for r in rows] or [0]) for j, n in enumerate(names)}


@dataclass
class Layout:
    """What the kernel's indices mean, to decode its results and log."""

    actors: tuple[str, ...]
    actions: tuple[str, ...]
    events: tuple[str, ...]
    outcomes: tuple[str, ...]
    mechanisms: tuple[str, ...]
    holders: tuple[str, ...]
    members: tuple[str, ...]
    messages: tuple[str, ...]
    sites: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """The division-by-zero message of each expression, by expression id."""


@dataclass
class _Builder:
    """The scenario's indices, and what the builders collect: expressions (bytecode),
    effect lists, rules and draw sites, each by id."""

    sc: c.CompiledScenario
    forms: Mapping[str, f.BatchForm]
    program: Program = field(init=False)
    effects: list[list[tuple[int, int]]] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)
    substitutes: list[int] = field(default_factory=list)
    _effect_ids: dict[int, int] = field(default_factory=dict)
    effect_errors: list[str] = field(default_factory=list)
    """The error of each assignment of the effect lists, in order: a value its variable
    cannot hold, naming where the expression is written."""

    def __post_init__(self) -> None:
        sc = self.sc
        names = [*sc.parameters, *sc.variables, "tick", "hours"]
        self.program = Program({name: i for i, name in enumerate(names)})
        self.actor_index = {a: i for i, a in enumerate(sc.actors)}
        self.action_index = {a: i for i, a in enumerate(sc.actions)}
        self.event_index = {e: i for i, e in enumerate(sc.events)}
        self.var_index = {v: i for i, v in enumerate(sc.variables)}
        self.holders = list(digest.holders(sc))
        self.all_mask = (1 << len(sc.actors)) - 1
        self.members = [(actor, m) for actor in sc.actors.values() for m in actor.members]
        self.messages = [a for a in sc.actions.values() if a.message is not None]

    def expr(self, e: c.Expr | None) -> int:
        return self.program.add(e)

    def effect_list(self, effects: c.Effects) -> int:
        key = id(effects)
        if key not in self._effect_ids:
            self._effect_ids[key] = len(self.effects)
            self.effects.append([(self.var_index[a.var], self.expr(a.expr)) for a in effects])
            self.effect_errors += [
                self.sc.variables[a.var].non_finite_message(a.expr.at) for a in effects
            ]
        return self._effect_ids[key]

    def site(self, name: str) -> int:
        self.sites.append(name)
        return len(self.sites) - 1

    def mask(self, visible: frozenset[str]) -> int:
        if "*" in visible:
            return self.all_mask
        out = 0
        for name in visible:
            if name in self.actor_index:
                out |= 1 << self.actor_index[name]
        return out

    def local(self, actor: c.Actor, action: str | None) -> int:
        """An action's place in the actor's choices (0: wait; -1: not among them)."""
        if action == WAIT:
            return 0
        return actor.actions.index(action) + 1 if action in actor.actions else k.NOT_CHOICE

    def rule_list(
        self,
        rules: Sequence[c.Rule],
        site: Callable[[int], str],
        actor: c.Actor,
        substitutes: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Rules of one actor's context, their actions as places in its choices; ``site``
        names the draw site of a rule by its index."""
        out = []
        for rule in rules:
            sub = (substitutes or {}).get(rule.do)
            self.rules.append(
                (
                    self.expr(rule.when),
                    k.NO_VIEW if rule.no_view else self.local(actor, rule.do),
                    self.expr(rule.p),
                    self.site(site(rule.index)),
                )
            )
            self.substitutes.append(-1 if sub is None else self.local(actor, sub))
            out.append(len(self.rules) - 1)
        return out


def unsupported(sc: c.CompiledScenario) -> str | None:
    """Why the batch engine cannot run ``sc`` whatever the policies, or None if it can."""
    if len(sc.actors) > MAX_ACTORS:
        return f"the batch engine supports up to {MAX_ACTORS} actors"
    return None


def build(sc: c.CompiledScenario, forms: Mapping[str, f.BatchForm]) -> tuple[Tables, Layout]:
    """Flatten ``sc`` with one policy per actor (its batch form) into kernel tables."""
    if len(sc.actors) > MAX_ACTORS:
        raise BrinkError(
            f"{sc.file}: {len(sc.actors)} actors; the batch engine supports up to {MAX_ACTORS}"
        )
    b = _Builder(sc, forms)
    parts: Fields = {}
    # The expressions, effect lists, rules and sites are numbered in the order these add them.
    for builder in (
        _bodies,
        _policies,
        _messages,
        _actions,
        _outcomes,
        _events,
        _decisions,
        _variables,
        _mechanisms,
    ):
        parts.update(builder(b))
    out_exprs = [*parts["out_when"].tolist(), *parts["out_pending"].tolist()]
    free = parts["ev_free"][1:]
    free_exprs = [*parts["ev_when"][free].tolist(), *parts["ev_hazard"][free].tolist()]
    parts.update(_program(b, parts["env_init"], out_exprs, free_exprs))
    parts["counsel_may_fail"] = _counsel_may_fail(parts)
    tables = Tables(**parts)
    layout = Layout(
        actors=tuple(sc.actors),
        actions=tuple(sc.actions),
        events=tuple(sc.events),
        outcomes=tuple(sc.outcomes),
        mechanisms=tuple(sc.mechanisms),
        holders=tuple(b.holders),
        members=tuple(m.id for _, m in b.members),
        messages=tuple(a.id for a in b.messages),
        sites=b.sites,
        errors=[*b.program.messages, *b.program.nan_messages, *b.effect_errors],
    )
    return tables, layout


def initial_environment(sc: c.CompiledScenario) -> F64:
    """The environment a run starts in: the parameters, the variables' initial values, then
    the clock (tick and hours, 0). The only table that depends on the parameters' values."""
    values = [p.value for p in sc.parameters.values()]
    values += [v.initial for v in sc.variables.values()] + [0.0, 0.0]
    return _f(values)


def _variables(b: _Builder) -> Fields:
    """The environment (parameters, variables, then the clock) and the variables' types."""
    sc = b.sc
    env_init = initial_environment(sc)
    variables = list(sc.variables.values())
    return {
        "env_init": env_init,
        "tick_slot": len(env_init) - 2,
        "hours_slot": len(env_init) - 1,
        "tick_hours": sc.tick_hours,
        "tick_seconds": sc.tick.total_seconds(),
        "horizon": sc.horizon_ticks,
        "n_variables": len(variables),
        "var_slot": _i([len(sc.parameters) + i for i in range(len(variables))] or [0]),
        "var_type": _i([VAR_TYPES.get(v.type, 0) for v in variables] or [0]),
        "var_lo": _f([v.lo for v in variables] or [0.0]),
        "var_hi": _f([v.hi for v in variables] or [0.0]),
    }


def _events(b: _Builder) -> Fields:
    """Events, and which of them to look at on each tick: the unscheduled ones every tick,
    the scheduled ones at their tick."""
    sc = b.sc
    events = list(sc.events.values())
    rows = [
        (
            e.once,
            -1 if e.at_tick is None else e.at_tick,
            b.expr(e.when),
            b.expr(e.hazard),
            b.effect_list(e.effects),
            b.actor_index.get(e.actor, -1) if e.actor else -1,
            b.mask(e.visible_to),
            b.site(draws.event(e.id)),
        )
        for e in events
    ]
    free = [i for i, event in enumerate(events) if event.at_tick is None]
    by_tick: list[list[int]] = [[] for _ in range(sc.horizon_ticks + 1)]
    for i, event in enumerate(events):
        if event.at_tick is not None and 0 <= event.at_tick <= sc.horizon_ticks:
            by_tick[event.at_tick].append(i)
    tick_start, at_tick = _csr(by_tick)
    names = ("once", "at", "when", "hazard", "effects", "actor", "vis", "site")
    return {
        "n_events": len(events),
        **_columns("ev_", names, rows),
        "ev_once": _b([r[0] for r in rows] or [False]),
        "ev_free": _i([len(free), *free]),
        "ev_tick_start": tick_start,
        "ev_tick": at_tick,
    }


def _actions(b: _Builder) -> Fields:
    """Actions: who takes them, when they are legal, what they do (now or after a delay),
    who sees them, what they cost; and each actor's choices."""
    sc = b.sc
    actions = list(sc.actions.values())
    msg_index = {a.id: i for i, a in enumerate(b.messages)}

    cost_groups = [[(b.holders.index(h), b.expr(e)) for h, e in a.cost] for a in actions]
    costs = [x for g in cost_groups for x in g] or [(0, -1)]
    rows = [
        (
            b.actor_index[a.actor],
            b.expr(a.when),
            b.effect_list(a.effects),
            LATENCY_KINDS[a.delay.kind],
            b.mask(a.visible_to),
            b.mask(sc.witnesses(a)),
            a.once,
            msg_index.get(a.id, -1),
            a.escalation,
        )
        for a in actions
    ]
    names = ("actor", "when", "effects", "delay_kind", "vis", "log_vis", "once", "msg", "score")
    space_start, space = _csr(
        [[b.action_index[a] for a in actor.actions] for actor in sc.actors.values()]
    )
    return {
        "n_actions": len(actions),
        **_columns("act_", names, rows),
        "act_once": _b([r[6] for r in rows] or [False]),
        "act_msg": _i([r[7] for r in rows] or [-1]),
        "act_delay": latency_seconds([a.delay for a in actions]),
        "act_delay_site": _i(
            [b.site(draws.delay(a.id)) if a.delay.drawn else -1 for a in actions] or [-1]
        ),
        "cost_start": _starts(cost_groups),
        "cost_holder": _i([x[0] for x in costs]),
        "cost_expr": _i([x[1] for x in costs]),
        "space_start": space_start,
        "space": space,
    }


def _messages(b: _Builder) -> Fields:
    """Messages (the actions that send one), their channels and the terms of deals."""
    sc = b.sc
    channel_index = {ch: i for i, ch in enumerate(sc.channels)}
    term_index = {t: i for i, t in enumerate(sc.terms)}
    channels = list(sc.channels.values())

    rows = []
    letters: list[c.Message] = []
    for a in b.messages:
        m = a.message
        assert m is not None
        letters.append(m)
        rows.append(
            (
                channel_index[m.channel],
                b.actor_index[m.to],
                MESSAGE_KINDS[m.kind],
                b.action_index[m.of] if m.of is not None else -1,
                MESSAGE_KINDS[m.misread_kind] if m.misread_kind is not None else -1,
                m.kind in ("offer", "demand", "statement"),
                b.effect_list(m.on_deliver),
                b.effect_list(m.on_misread),
                b.mask(sc.recipients(m)),
                b.site(draws.latency(a.id)),
                b.site(draws.misread(a.id)),
            )
        )
    names = (
        *("channel", "to", "kind", "of", "misread_kind", "misreadable"),
        *("on_deliver", "on_misread", "recipients", "latency_site", "misread_site"),
    )
    give_start, give_terms = _csr([[term_index[t] for t in m.give] for m in letters])
    get_start, get_terms = _csr([[term_index[t] for t in m.get] for m in letters])
    return {
        **_columns("msg_", names, rows),
        "msg_of": _i([r[3] for r in rows] or [-1]),
        "msg_misread_kind": _i([r[4] for r in rows] or [-1]),
        "msg_misreadable": _b([r[5] for r in rows] or [False]),
        "give_start": give_start,
        "give_terms": give_terms,
        "get_start": get_start,
        "get_terms": get_terms,
        "ch_latency_kind": _i([LATENCY_KINDS[ch.latency.kind] for ch in channels] or [0]),
        "ch_latency": latency_seconds([ch.latency for ch in channels]),
        "ch_misread": _i([b.expr(ch.misread) for ch in channels] or [-1]),
        "term_effects": _i([b.effect_list(t.effects) for t in sc.terms.values()] or [0]),
    }


def _bodies(b: _Builder) -> Fields:
    """Actors, who holds their stakes, and the members and rule of those that are bodies."""
    actors = list(b.sc.actors.values())
    member_index = {(a.id, m.id): i for i, (a, m) in enumerate(b.members)}
    stance_groups = [
        b.rule_list(m.stance, partial(draws.stance, a.id, m.id), a) for a, m in b.members
    ]
    stance_start, stance_stop = _ranges(stance_groups)
    act_required = np.zeros(max(1, len(b.sc.actions)), dtype=np.bool_)
    body_rule, consent_k, proposer, requires_any, fallback, chair = [], [], [], [], [], []
    for actor in actors:
        rule = actor.rule
        chair.append(member_index.get((actor.id, actor.chair or ""), -1))
        body_rule.append(k.B_NONE if rule is None else BODY_RULES[rule.kind])
        consent_k.append(rule.k if rule else 0)
        proposer.append(member_index.get((actor.id, (rule.proposer if rule else None) or ""), -1))
        requires_any.append(bool(rule and rule.requires))
        for name in rule.requires if rule else ():
            act_required[b.action_index[name]] = True
        fb = rule.fallback if rule else WAIT
        local = 0 if fb == WAIT else (actor.actions.index(fb) + 1 if fb in actor.actions else -1)
        fallback.append(local)
    act_chan = np.full(max(1, len(b.sc.actions)), -1, dtype=np.int64)
    channels = [ch for a in actors for ch in a.action_channels]
    for i, ch in enumerate(channels):
        for name in ch.actions:
            act_chan[b.action_index[name]] = i
    holder_of = [a.holder for a in actors]
    opposed = np.array(
        [[holder_of[i] != holder_of[j] for j in range(len(actors))] for i in range(len(actors))],
        dtype=np.bool_,
    )
    return {
        "n_actors": len(actors),
        "n_holders": len(b.holders),
        "opposed": opposed,
        "mem_start": _starts([a.members for a in actors]),
        "mem_weight": _i([b.expr(m.weight) for _, m in b.members] or [-1]),
        "mem_attends": _i([b.expr(m.attends) for _, m in b.members] or [-1]),
        "stance_start": stance_start,
        "stance_stop": stance_stop,
        "chair": _i(chair),
        "body_rule": _i(body_rule),
        "consent_k": _i(consent_k),
        "proposer": _i(proposer),
        "requires_any": _b(requires_any),
        "fallback": _i(fallback),
        "chan_start": _starts([a.action_channels for a in actors]),
        "chan_when": _i([b.expr(ch.when) for ch in channels] or [-1]),
        "act_chan": act_chan,
        "act_required": act_required,
    }


def _decisions(b: _Builder) -> Fields:
    """Decision points, per actor in scenario order: when they are due (their schedule, or
    what triggers them) and the condition they need."""
    sc = b.sc
    actors = list(sc.actors.values())
    n_refs = len(sc.events) + len(sc.actions)
    ref_index = {**b.event_index, **{a: len(sc.events) + i for a, i in b.action_index.items()}}
    dps = [[d for d in sc.decisions if d.actor == a.id] for a in actors]
    flat_dps = [d for group in dps for d in group]
    sched = np.zeros((max(1, len(flat_dps)), sc.horizon_ticks + 1), dtype=np.bool_)
    trig_groups: list[list[int]] = []
    ref_trigger_mask = [0] * max(1, n_refs)
    for i, d in enumerate(flat_dps):
        for tick in d.schedule:
            if 0 <= tick <= sc.horizon_ticks:
                sched[i, tick] = True
        refs = sorted(ref_index[name] for name in d.triggers if name in ref_index)
        trig_groups.append(refs)
        for ref in refs:
            ref_trigger_mask[ref] |= 1 << b.actor_index[d.actor]
    trig_start, trig_ref = _csr(trig_groups)
    tick_mask = np.zeros(sc.horizon_ticks + 1, dtype=np.int64)
    for i, d in enumerate(flat_dps):
        tick_mask[sched[i]] |= np.int64(1 << b.actor_index[d.actor])
    return {
        "dp_start": _starts(dps),
        "dp_when": _i([b.expr(d.when) for d in flat_dps] or [-1]),
        "dp_sched": sched,
        "dp_tick_mask": tick_mask,
        "trig_start": trig_start,
        "trig_ref": trig_ref,
        "ref_trigger_mask": _i(ref_trigger_mask),
    }


def _policies(b: _Builder) -> Fields:
    """Each actor's policy as its batch form declares it: its doctrine, parameters and draw
    sites, and the rules, script or routines it follows."""
    sc = b.sc
    pol_kind, threshold, ceiling, forgive, pol_site = [], [], [], [], []
    prule_groups: list[list[int]] = []
    script_groups: list[list[tuple[int, int, int, int]]] = []
    routine_groups: list[list[int]] = []
    inertia, slippage = [], []
    for actor in sc.actors.values():
        form = b.forms[actor.id]
        sites = [b.site(draws.policy(actor.id, name)) for name in f.SITES.get(form.doctrine, ())]
        sites += [-1] * (f.MAX_SITES - len(sites))
        rules: list[int] = []
        script: list[tuple[int, int, int, int]] = []
        routines: list[int] = []
        if form.doctrine == f.ORGANIZATIONAL:
            rep = actor.repertoire
            if rep is None:
                raise BrinkError(f"policy 'organizational' for {actor.id!r} needs a repertoire")
            routines = b.rule_list(
                rep.routines,
                _within_policy(actor.id, draws.routine),
                actor,
                rep.substitutes,
            )
        data = form.data
        if data is not None:
            rules = b.rule_list(
                data.rules,
                _within_policy(actor.id, partial(draws.rule, data.name)),
                actor,
            )
            script = [
                (
                    s.at_tick,
                    -1 if s.until_tick is None else s.until_tick,
                    b.local(actor, s.do),
                    b.expr(s.when),
                )
                for s in data.script
            ]
        pol_kind.append(form.doctrine)
        threshold.append(form.threshold)
        ceiling.append(form.ceiling)
        forgive.append(form.forgiveness)
        pol_site.append(sites)
        prule_groups.append(rules)
        script_groups.append(script)
        routine_groups.append(routines)
        inertia.append(rep_value(actor, "inertia"))
        slippage.append(rep_value(actor, "slippage"))
    prule_start, prule_stop = _ranges(prule_groups)
    routine_start, routine_stop = _ranges(routine_groups)
    steps = [s for g in script_groups for s in g] or [(0, -1, -1, -1)]
    return {
        "pol_kind": _i(pol_kind),
        "pol_threshold": _f(threshold),
        "pol_ceiling": _i(ceiling),
        "pol_forgive": _f(forgive),
        "pol_site": np.array(pol_site, dtype=np.int64).reshape(len(sc.actors), f.MAX_SITES),
        "prule_start": prule_start,
        "prule_stop": prule_stop,
        "script_start": _starts(script_groups),
        **_columns("step_", ("at", "until", "do", "when"), steps),
        "routine_start": routine_start,
        "routine_stop": routine_stop,
        "rep_inertia": _f(inertia),
        "rep_slippage": _f(slippage),
    }


def _within_policy(actor: str, site: Callable[[int], str]) -> Callable[[int], str]:
    """The site of a rule of ``actor``'s policy, from its name within the policy."""
    return lambda rule_index: draws.policy(actor, site(rule_index))


def _outcomes(b: _Builder) -> Fields:
    """Outcomes (their conditions and utilities), the default one, and the escalation
    metric."""
    outcomes = list(b.sc.outcomes.values())
    utility = np.full((len(outcomes), len(b.holders)), -1, dtype=np.int64)
    for i, o in enumerate(outcomes):
        for h, e in o.utility.items():
            utility[i, b.holders.index(h)] = b.expr(e)
    return {
        "n_outcomes": len(outcomes),
        "out_when": _i([b.expr(o.when) for o in outcomes]),
        "out_pending": _i([b.expr(o.pending) for o in outcomes]),
        "out_utility": utility,
        "default_outcome": next(i for i, o in enumerate(outcomes) if o.default),
        "escalation": b.expr(b.sc.escalation),
    }


def _mechanisms(b: _Builder) -> Fields:
    """Mechanisms: the outcomes each applies to, the events and actions of which one must
    have happened (an event by its index, an action by the number of events plus its
    index), its condition, and the default one (-1: the scenario names none)."""
    sc = b.sc
    mechanisms = list(sc.mechanisms.values())
    events, actions = list(sc.events), list(sc.actions)
    applies = np.zeros((max(1, len(mechanisms)), len(sc.outcomes)), dtype=np.bool_)
    for i, m in enumerate(mechanisms):
        applies[i] = [oid in m.outcomes for oid in sc.outcomes]
    after = [
        [events.index(r) if r in sc.events else len(events) + actions.index(r) for r in m.after]
        for m in mechanisms
    ]
    start, flat = _csr(after)
    default = sc.default_mechanism
    return {
        "n_mechanisms": len(mechanisms),
        "mech_out": applies,
        "mech_after_start": start,
        "mech_after": flat,
        "mech_when": _i([b.expr(m.when) for m in mechanisms] or [-1]),
        "default_mechanism": -1 if default is None else default.index,
    }


def _counsel_may_fail(parts: Fields) -> B:
    """For each actor, whether working out its members' counsel may evaluate an expression
    that can fail (their attendance, weights, and stances' conditions and chances)."""
    may_fail = parts["expr_may_fail"]
    out = np.zeros(max(1, parts["n_actors"]), dtype=np.bool_)
    for actor in range(parts["n_actors"]):
        for j in range(parts["mem_start"][actor], parts["mem_start"][actor + 1]):
            rules = range(parts["stance_start"][j], parts["stance_stop"][j])
            exprs = [parts["mem_attends"][j], parts["mem_weight"][j]]
            exprs += [parts["rule_when"][i] for i in rules] + [parts["rule_p"][i] for i in rules]
            out[actor] |= any(e >= 0 and may_fail[e] for e in exprs)
    return out


def _readers(b: _Builder, env_init: F64, exprs: list[int]) -> tuple[B, B]:
    """Which names the expressions ``exprs`` read, and which expressions they are."""
    reads = np.zeros(len(env_init), dtype=np.bool_)
    among = np.zeros(max(1, len(b.program.reads)), dtype=np.bool_)
    for expr_id in exprs:
        if expr_id >= 0:
            reads[sorted(b.program.reads[expr_id])] = True
            among[expr_id] = True
    return reads, among


def _program(b: _Builder, env_init: F64, out_exprs: list[int], free_exprs: list[int]) -> Fields:
    """What the other builders collected: the bytecode of every expression, with which
    expressions read each name (to forget their cached values when it changes), and which
    names and expressions the outcomes and the unscheduled events read; the effect lists;
    the rules."""
    code, consts, starts = b.program.arrays()
    readers: list[list[int]] = [[] for _ in env_init]
    for expr_id, names in enumerate(b.program.reads):
        for slot in sorted(names):
            readers[slot].append(expr_id)
    dep_start, dep_expr = _csr(readers)
    out_reads, expr_out = _readers(b, env_init, out_exprs)
    free_reads, expr_free = _readers(b, env_init, free_exprs)
    eff_pairs = [p for g in b.effects for p in g] or [(0, 0)]
    rule_rows = b.rules or [(-1, -1, -1, 0)]
    return {
        "code": code,
        "consts": consts,
        "starts": starts,
        "dep_start": dep_start,
        "dep_expr": dep_expr,
        "out_reads": out_reads,
        "expr_out": expr_out,
        "free_reads": free_reads,
        "expr_free": expr_free,
        "expr_may_fail": _b(b.program.may_fail or [False]),
        "var_err": _i(
            [
                len(b.program.messages) + len(b.program.nan_messages) + k
                for k in range(len(b.effect_errors))
            ]
            or [0]
        ),
        "eff_start": _starts(b.effects),
        "eff_var": _i([p[0] for p in eff_pairs]),
        "eff_expr": _i([p[1] for p in eff_pairs]),
        **_columns("rule_", ("when", "do", "p", "site"), rule_rows),
        "substitute": _i(b.substitutes or [-1]),
    }


def rep_value(actor: c.Actor, name: str) -> float:
    """A repertoire's inertia or slippage (0 for an actor without a repertoire)."""
    rep = actor.repertoire
    return 0.0 if rep is None else float(getattr(rep, name))
