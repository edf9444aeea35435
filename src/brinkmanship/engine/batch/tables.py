"""A compiled scenario and its policies flattened into the arrays the batch kernel reads.

Everything is resolved to indices here, once, so the kernel touches only numbers: actors,
actions, events, outcomes keep their scenario order (the order the reference engine
iterates in); expressions become bytecode; draw sites become their seeded 64-bit states.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from brinkmanship.engine import rng
from brinkmanship.engine.batch import kernel as k
from brinkmanship.engine.batch import slots
from brinkmanship.engine.batch.bytecode import CONST, LOAD, Program
from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import BrinkError
from brinkmanship.policies.registry import BUILTINS, PolicySpec, default_policy, resolve
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario.schema import VarType

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

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
)
"""Event kinds of the kernel's log, by code."""

MESSAGE_KINDS = {"offer": 0, "demand": 1, "accept": 2, "reject": 3, "statement": 4}
LATENCY_KINDS = {"fixed": 0, "uniform": 1, "triangular": 2}
BODY_RULES = {"leader": k.B_LEADER, "consent": k.B_CONSENT, "vote": k.B_VOTE}
MAX_ACTORS = 63
REFERENCE_ONLY = {
    "rational": "it looks ahead by simulating the run in Python",
    "llm": "it asks a language model at every decision",
}
"""Built-in policies that need per-run Python and so stay on the reference engine."""


class Tables(NamedTuple):
    """The scenario as arrays (see the module docstring); field names follow the kernel."""

    code: I64
    consts: F64
    starts: I64
    env_init: F64
    tick_slot: int
    hours_slot: int
    tick_hours: float
    tick_seconds: float
    horizon: int
    escalation: int
    var_slot: I64
    var_type: I64
    var_lo: F64
    var_hi: F64
    eff_start: I64
    eff_var: I64
    eff_expr: I64
    n_actors: int
    n_holders: int
    n_actions: int
    n_events: int
    n_outcomes: int
    space_start: I64
    space: I64
    opposed: B
    ref_trigger_mask: I64
    ev_once: B
    ev_at: I64
    ev_when: I64
    ev_hazard: I64
    ev_effects: I64
    ev_actor: I64
    ev_vis: I64
    ev_site: I64
    act_actor: I64
    act_when: I64
    act_effects: I64
    act_delay: I64
    act_vis: I64
    act_log_vis: I64
    act_once: B
    act_msg: I64
    act_score: I64
    act_required: B
    cost_start: I64
    cost_holder: I64
    cost_expr: I64
    msg_channel: I64
    msg_to: I64
    msg_kind: I64
    msg_of: I64
    msg_misread_kind: I64
    msg_misreadable: B
    msg_on_deliver: I64
    msg_on_misread: I64
    msg_recipients: I64
    msg_latency_site: I64
    msg_misread_site: I64
    give_start: I64
    give_terms: I64
    get_start: I64
    get_terms: I64
    ch_latency_kind: I64
    ch_latency: F64
    ch_misread: I64
    term_effects: I64
    dp_start: I64
    dp_when: I64
    dp_sched: B
    trig_start: I64
    trig_ref: I64
    out_when: I64
    out_utility: I64
    default_outcome: int
    mem_start: I64
    mem_weight: I64
    stance_start: I64
    stance_stop: I64
    chair: I64
    body_rule: I64
    consent_k: I64
    proposer: I64
    requires_any: B
    fallback: I64
    rule_when: I64
    rule_do: I64
    rule_p: I64
    rule_site: I64
    pol_kind: I64
    pol_threshold: F64
    pol_ceiling: I64
    pol_forgive: F64
    pol_site: I64
    prule_start: I64
    prule_stop: I64
    script_start: I64
    step_at: I64
    step_until: I64
    step_do: I64
    routine_start: I64
    routine_stop: I64
    rep_inertia: F64
    rep_slippage: F64
    substitute: I64
    dep_start: I64
    dep_expr: I64
    ev_free: I64
    ev_tick_start: I64
    ev_tick: I64
    dp_tick_mask: I64
    out_reads: B
    expr_out: B
    expr_may_fail: B
    var_err: I64


class State(NamedTuple):
    """One run's mutable state (reused run after run) and the event log of a block."""

    env: F64
    tmp: F64
    stack: F64
    err: I64
    fired: B
    taken: I64
    pending: I64
    arrival: I64
    transit_misread: B
    delivered: B
    deliv_misread: B
    answered: B
    costs: F64
    occurred: B
    any_occurred: B
    tft_last: I64
    rung: I64
    org_last: I64
    org_delayed: I64
    closed: B
    tick: I64
    outcome: I64
    has_peak: I64
    peak: F64
    util: F64
    ctx: I64
    bases: npt.NDArray[np.uint64]
    logging: bool
    log: I64
    log_n: I64
    req_actor: I64
    legal: B
    counsel: I64
    counsel_weight: F64
    n_req: I64
    choice: I64
    tally: F64
    tallied: B
    valid: B
    cache: F64
    time_read: B
    occ_mask: I64
    next_pending: I64
    next_arrival: I64
    out_dirty: I64


class Output(NamedTuple):
    """Per-run results of a block."""

    outcome: I64
    tick: I64
    peak: F64
    error: I64
    util: F64


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


@dataclass
class Layout:
    """What the kernel's indices mean, to decode its results and log."""

    actors: tuple[str, ...]
    actions: tuple[str, ...]
    events: tuple[str, ...]
    outcomes: tuple[str, ...]
    holders: tuple[str, ...]
    members: tuple[str, ...]
    messages: tuple[str, ...]
    sites: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """The division-by-zero message of each expression, by expression id."""


@dataclass
class _Builder:
    sc: c.CompiledScenario
    specs: Mapping[str, str]
    program: Program = field(init=False)
    effects: list[list[tuple[int, int]]] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)
    substitutes: list[int] = field(default_factory=list)
    _effect_ids: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sc = self.sc
        names = [*sc.parameters, *sc.variables, "tick", "hours"]
        self.program = Program({name: i for i, name in enumerate(names)})
        self.actor_index = {a: i for i, a in enumerate(sc.actors)}
        self.action_index = {a: i for i, a in enumerate(sc.actions)}
        self.event_index = {e: i for i, e in enumerate(sc.events)}
        self.var_index = {v: i for i, v in enumerate(sc.variables)}
        holders = list(dict.fromkeys(a.holder for a in sc.actors.values()))
        for outcome in sc.outcomes.values():
            holders += [h for h in outcome.utility if h not in holders]
        self.holders = holders
        self.all_mask = (1 << len(sc.actors)) - 1

    def expr(self, e: c.Expr | None) -> int:
        return self.program.add(e)

    def effect_list(self, effects: c.Effects) -> int:
        key = id(effects)
        if key not in self._effect_ids:
            self._effect_ids[key] = len(self.effects)
            self.effects.append([(self.var_index[a.var], self.expr(a.expr)) for a in effects])
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
        return actor.actions.index(action) + 1 if action in actor.actions else -1

    def rule_list(
        self,
        rules: Sequence[c.Rule],
        site: str,
        actor: c.Actor,
        substitutes: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Rules of one actor's context, their actions as places in its choices."""
        out = []
        for rule in rules:
            sub = (substitutes or {}).get(rule.do)
            self.rules.append(
                (
                    self.expr(rule.when),
                    self.local(actor, rule.do),
                    self.expr(rule.p),
                    self.site(f"{site}:{rule.index}"),
                )
            )
            self.substitutes.append(-1 if sub is None else self.local(actor, sub))
            out.append(len(self.rules) - 1)
        return out


def _policy_kind(sc: c.CompiledScenario, actor: str, text: str) -> tuple[str, dict[str, object]]:
    """The policy behind a spec, with its parameters (validated like the reference does)."""
    resolve(sc, actor, text)  # the same checks and messages as the reference engine
    spec = PolicySpec.parse(text)
    if spec.name in sc.actors[actor].policies:
        return "data", {}
    if spec.name in REFERENCE_ONLY:
        raise BrinkError(
            f"policy {spec.name!r} for {actor!r} cannot run on the batch engine: "
            f"{REFERENCE_ONLY[spec.name]}; use --engine reference"
        )
    builtin = BUILTINS[spec.name]
    params: dict[str, object] = {p.name: p.default for p in builtin.params}
    for p in builtin.params:
        if p.name in spec.params:
            params[p.name] = p.type(spec.params[p.name])
    return spec.name, params


def supports(sc: c.CompiledScenario, specs: Mapping[str, str]) -> str | None:
    """Why these policies cannot run on the batch engine, or None if they can."""
    for actor, text in specs.items():
        name = PolicySpec.parse(text).name
        if name not in sc.actors[actor].policies and name not in BUILTINS:
            return f"policy {name!r} for {actor!r} is not a built-in or scenario policy"
        if name in REFERENCE_ONLY and name not in sc.actors[actor].policies:
            return f"policy {name!r} for {actor!r}: {REFERENCE_ONLY[name]}"
    if len(sc.actors) > MAX_ACTORS:
        return f"the batch engine supports up to {MAX_ACTORS} actors"
    return None


def build(sc: c.CompiledScenario, specs: Mapping[str, str]) -> tuple[Tables, Layout]:
    """Flatten ``sc`` with one policy spec per actor into kernel tables."""
    if len(sc.actors) > MAX_ACTORS:
        raise BrinkError(
            f"{sc.file}: {len(sc.actors)} actors; the batch engine supports up to {MAX_ACTORS}"
        )
    b = _Builder(sc, specs)
    actors = list(sc.actors.values())
    actions = list(sc.actions.values())
    events = list(sc.events.values())
    outcomes = list(sc.outcomes.values())
    n_refs = len(events) + len(actions)
    ref_index = {**b.event_index, **{a: len(events) + i for a, i in b.action_index.items()}}

    # decision points, per actor in scenario order
    dps = [[d for d in sc.decisions if d.actor == a.id] for a in actors]
    flat_dps = [d for group in dps for d in group]
    dp_start = _i([0, *np.cumsum([len(g) for g in dps]).tolist()])
    dp_sched = np.zeros((max(1, len(flat_dps)), sc.horizon_ticks + 1), dtype=np.bool_)
    trig_groups: list[list[int]] = []
    ref_trigger_mask = [0] * max(1, n_refs)
    for i, d in enumerate(flat_dps):
        for tick in d.schedule:
            if 0 <= tick <= sc.horizon_ticks:
                dp_sched[i, tick] = True
        refs = sorted(ref_index[name] for name in d.triggers if name in ref_index)
        trig_groups.append(refs)
        for ref in refs:
            ref_trigger_mask[ref] |= 1 << b.actor_index[d.actor]
    trig_start, trig_ref = _csr(trig_groups)

    # choice spaces
    space_start, space = _csr([[b.action_index[a] for a in actor.actions] for actor in actors])

    # members and bodies
    members = [(actor, m) for actor in actors for m in actor.members]
    mem_start = _i([0, *np.cumsum([len(a.members) for a in actors]).tolist()])
    member_index = {(a.id, m.id): i for i, (a, m) in enumerate(members)}
    stance_groups = [b.rule_list(m.stance, f"stance:{a.id}:{m.id}", a) for a, m in members]
    stance_start, stance_stop = _ranges(stance_groups)
    act_required = np.zeros(max(1, len(actions)), dtype=np.bool_)
    body_rule, consent_k, proposer, requires_any, fallback, chair = [], [], [], [], [], []
    for i, actor in enumerate(actors):
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
        del i

    # policies
    pol_kind, threshold, ceiling, forgive, pol_site = [], [], [], [], []
    prule_groups: list[list[int]] = []
    script_groups: list[list[tuple[int, int, int]]] = []
    routine_groups: list[list[int]] = []
    inertia, slippage = [], []
    for actor in actors:
        name, params = _policy_kind(sc, actor.id, specs[actor.id])
        prefix = f"policy:{actor.id}"
        sites = [-1, -1]
        rules: list[int] = []
        script: list[tuple[int, int, int]] = []
        routines: list[int] = []
        kind = k.P_PASSIVE
        data = None
        if name == "data":
            data = actor.policies[PolicySpec.parse(specs[actor.id]).name]
            kind = k.P_SCRIPTED if data.script else k.P_RULES
        elif name == "political":  # its standard course: the actor's default data policy
            data = actor.policies.get(default_policy(sc, actor.id))
            kind = k.P_POLITICAL
        elif name == "random":
            kind, sites[0] = k.P_RANDOM, b.site(f"{prefix}:random")
        elif name == "hawk":
            kind, sites[0] = k.P_HAWK, b.site(f"{prefix}:hawk")
        elif name == "dove":
            kind, sites[0] = k.P_DOVE, b.site(f"{prefix}:dove")
        elif name == "tit-for-tat":
            kind, sites[0] = k.P_TFT, b.site(f"{prefix}:forgive")
        elif name == "organizational":
            rep = actor.repertoire
            assert rep is not None  # resolve() refused it otherwise
            kind = k.P_ORGANIZATIONAL
            sites = [b.site(f"{prefix}:inertia"), b.site(f"{prefix}:slippage")]
            routines = b.rule_list(rep.routines, f"{prefix}:routine", actor, rep.substitutes)
        elif name not in ("passive", "political"):  # pragma: no cover - moves with BUILTINS
            raise BrinkError(f"policy {name!r} has no batch implementation")
        if data is not None:
            rules = b.rule_list(data.rules, f"{prefix}:rule:{data.name}", actor)
            script = [
                (s.at_tick, -1 if s.until_tick is None else s.until_tick, b.local(actor, s.do))
                for s in data.script
            ]
        pol_kind.append(kind)
        threshold.append(_number(params, "threshold"))
        ceiling.append(int(_number(params, "ceiling")))
        forgive.append(_number(params, "forgiveness"))
        pol_site.append(sites)
        prule_groups.append(rules)
        script_groups.append(script)
        routine_groups.append(routines)
        inertia.append(rep_value(actor, "inertia"))
        slippage.append(rep_value(actor, "slippage"))
    prule_start, prule_stop = _ranges(prule_groups)
    routine_start, routine_stop = _ranges(routine_groups)
    script_start = _i([0, *np.cumsum([len(g) for g in script_groups]).tolist()])
    steps = [s for g in script_groups for s in g] or [(0, -1, -1)]

    # messages
    messages = [a for a in actions if a.message is not None]
    msg_index = {a.id: i for i, a in enumerate(messages)}
    channel_index = {ch: i for i, ch in enumerate(sc.channels)}
    term_index = {t: i for i, t in enumerate(sc.terms)}
    channels = list(sc.channels.values())

    def recipients(m: c.Message) -> int:
        return b.all_mask if sc.channels[m.channel].public else 1 << b.actor_index[m.to]

    msg_rows = []
    for a in messages:
        m = a.message
        assert m is not None
        msg_rows.append(
            (
                channel_index[m.channel],
                b.actor_index[m.to],
                MESSAGE_KINDS[m.kind],
                b.action_index[m.of] if m.of is not None else -1,
                MESSAGE_KINDS[m.misread_kind] if m.misread_kind is not None else -1,
                m.kind in ("offer", "demand", "statement"),
                b.effect_list(m.on_deliver),
                b.effect_list(m.on_misread),
                recipients(m),
                b.site(f"msg:{a.id}:latency"),
                b.site(f"msg:{a.id}:misread"),
            )
        )
    give_start, give_terms = _csr(
        [[term_index[t] for t in a.message.give] for a in messages if a.message]
    )
    get_start, get_terms = _csr(
        [[term_index[t] for t in a.message.get] for a in messages if a.message]
    )

    def col(rows: list[tuple[Any, ...]], j: int, default: int = 0) -> list[Any]:
        return [r[j] for r in rows] or [default]

    # costs
    cost_groups = [[(b.holders.index(h), b.expr(e)) for h, e in a.cost] for a in actions]
    cost_start = _i([0, *np.cumsum([len(g) for g in cost_groups]).tolist()])
    costs = [x for g in cost_groups for x in g] or [(0, -1)]

    def act_log_vis(a: c.Action) -> int:
        if a.message is not None and sc.channels[a.message.channel].public:
            return b.all_mask
        return b.mask(a.visible_to)

    holder_of = [a.holder for a in actors]
    opposed = np.array(
        [[holder_of[i] != holder_of[j] for j in range(len(actors))] for i in range(len(actors))],
        dtype=np.bool_,
    )
    default_outcome = next(i for i, o in enumerate(outcomes) if o.default)
    out_utility = np.full((len(outcomes), len(b.holders)), -1, dtype=np.int64)
    for i, o in enumerate(outcomes):
        for h, e in o.utility.items():
            out_utility[i, b.holders.index(h)] = b.expr(e)

    env_init = [p.value for p in sc.parameters.values()]
    env_init += [v.initial for v in sc.variables.values()] + [0.0, 0.0]
    var_types = {VarType.BOOL: 2, VarType.INT: 1}
    # The kernel reads these in order; everything that adds expressions or sites comes first.
    ev = [
        (
            e.once,
            -1 if e.at_tick is None else e.at_tick,
            b.expr(e.when),
            b.expr(e.hazard),
            b.effect_list(e.effects),
            b.actor_index.get(e.actor, -1) if e.actor else -1,
            b.mask(e.visible_to),
            b.site(f"event:{e.id}"),
        )
        for e in events
    ]
    act = [
        (
            b.actor_index[a.actor],
            b.expr(a.when),
            b.effect_list(a.effects),
            a.delay_ticks,
            b.mask(a.visible_to),
            act_log_vis(a),
            a.once,
            msg_index.get(a.id, -1),
            a.escalation,
        )
        for a in actions
    ]
    term_effects = [b.effect_list(t.effects) for t in sc.terms.values()]
    mem_weight = [b.expr(m.weight) for _, m in members]
    dp_when = [b.expr(d.when) for d in flat_dps]
    out_when = [b.expr(o.when) for o in outcomes]
    ch_misread = [b.expr(ch.misread) for ch in channels]
    escalation = b.expr(sc.escalation)
    eff_start, eff_flat = _csr([[i for i in range(len(g))] for g in b.effects])
    eff_pairs = [p for g in b.effects for p in g] or [(0, 0)]
    code, consts, starts = b.program.arrays()
    readers: list[list[int]] = [[] for _ in env_init]
    for expr_id, names in enumerate(b.program.reads):
        for slot in sorted(names):
            readers[slot].append(expr_id)
    dep_start, dep_expr = _csr(readers)
    out_reads = np.zeros(len(env_init), dtype=np.bool_)
    expr_out = np.zeros(max(1, len(starts)), dtype=np.bool_)
    for expr_id in out_when:
        if expr_id >= 0:
            out_reads[sorted(b.program.reads[expr_id])] = True
            expr_out[expr_id] = True
    # events by tick: the unscheduled ones every tick, the scheduled ones at their tick
    ev_free = [i for i, event in enumerate(events) if event.at_tick is None]
    by_tick: list[list[int]] = [[] for _ in range(sc.horizon_ticks + 1)]
    for i, event in enumerate(events):
        if event.at_tick is not None and 0 <= event.at_tick <= sc.horizon_ticks:
            by_tick[event.at_tick].append(i)
    ev_tick_start, ev_tick = _csr(by_tick)
    dp_tick_mask = np.zeros(sc.horizon_ticks + 1, dtype=np.int64)
    for i, d in enumerate(flat_dps):
        dp_tick_mask[dp_sched[i]] |= np.int64(1 << b.actor_index[d.actor])
    rule_rows = b.rules or [(-1, -1, -1, 0)]
    del eff_flat
    tables = Tables(
        code=code,
        consts=consts,
        starts=starts,
        env_init=_f(env_init),
        tick_slot=len(env_init) - 2,
        hours_slot=len(env_init) - 1,
        tick_hours=sc.tick_hours,
        tick_seconds=sc.tick.total_seconds(),
        horizon=sc.horizon_ticks,
        escalation=escalation,
        var_slot=_i([len(sc.parameters) + i for i in range(len(sc.variables))] or [0]),
        var_type=_i([var_types.get(v.type, 0) for v in sc.variables.values()] or [0]),
        var_lo=_f([v.lo for v in sc.variables.values()] or [0.0]),
        var_hi=_f([v.hi for v in sc.variables.values()] or [0.0]),
        eff_start=eff_start,
        eff_var=_i([p[0] for p in eff_pairs]),
        eff_expr=_i([p[1] for p in eff_pairs]),
        n_actors=len(actors),
        n_holders=len(b.holders),
        n_actions=len(actions),
        n_events=len(events),
        n_outcomes=len(outcomes),
        space_start=space_start,
        space=space,
        opposed=opposed,
        ref_trigger_mask=_i(ref_trigger_mask),
        ev_once=_b(col(ev, 0, False)),
        ev_at=_i(col(ev, 1)),
        ev_when=_i(col(ev, 2)),
        ev_hazard=_i(col(ev, 3)),
        ev_effects=_i(col(ev, 4)),
        ev_actor=_i(col(ev, 5)),
        ev_vis=_i(col(ev, 6)),
        ev_site=_i(col(ev, 7)),
        act_actor=_i(col(act, 0)),
        act_when=_i(col(act, 1)),
        act_effects=_i(col(act, 2)),
        act_delay=_i(col(act, 3)),
        act_vis=_i(col(act, 4)),
        act_log_vis=_i(col(act, 5)),
        act_once=_b(col(act, 6, False)),
        act_msg=_i(col(act, 7, -1)),
        act_score=_i(col(act, 8)),
        act_required=act_required,
        cost_start=cost_start,
        cost_holder=_i([x[0] for x in costs]),
        cost_expr=_i([x[1] for x in costs]),
        msg_channel=_i(col(msg_rows, 0)),
        msg_to=_i(col(msg_rows, 1)),
        msg_kind=_i(col(msg_rows, 2)),
        msg_of=_i(col(msg_rows, 3, -1)),
        msg_misread_kind=_i(col(msg_rows, 4, -1)),
        msg_misreadable=_b(col(msg_rows, 5, False)),
        msg_on_deliver=_i(col(msg_rows, 6)),
        msg_on_misread=_i(col(msg_rows, 7)),
        msg_recipients=_i(col(msg_rows, 8)),
        msg_latency_site=_i(col(msg_rows, 9)),
        msg_misread_site=_i(col(msg_rows, 10)),
        give_start=give_start,
        give_terms=give_terms,
        get_start=get_start,
        get_terms=get_terms,
        ch_latency_kind=_i([LATENCY_KINDS[ch.latency.kind] for ch in channels] or [0]),
        ch_latency=np.array(
            [([*list(ch.latency.seconds), 0.0, 0.0])[:3] for ch in channels] or [[0.0] * 3],
            dtype=np.float64,
        ),
        ch_misread=_i(ch_misread or [-1]),
        term_effects=_i(term_effects or [0]),
        dp_start=dp_start,
        dp_when=_i(dp_when or [-1]),
        dp_sched=dp_sched,
        trig_start=trig_start,
        trig_ref=trig_ref,
        out_when=_i(out_when),
        out_utility=out_utility,
        default_outcome=default_outcome,
        mem_start=mem_start,
        mem_weight=_i(mem_weight or [-1]),
        stance_start=stance_start,
        stance_stop=stance_stop,
        chair=_i(chair),
        body_rule=_i(body_rule),
        consent_k=_i(consent_k),
        proposer=_i(proposer),
        requires_any=_b(requires_any),
        fallback=_i(fallback),
        rule_when=_i([r[0] for r in rule_rows]),
        rule_do=_i([r[1] for r in rule_rows]),
        rule_p=_i([r[2] for r in rule_rows]),
        rule_site=_i([r[3] for r in rule_rows]),
        pol_kind=_i(pol_kind),
        pol_threshold=_f(threshold),
        pol_ceiling=_i(ceiling),
        pol_forgive=_f(forgive),
        pol_site=np.array(pol_site, dtype=np.int64).reshape(len(actors), 2),
        prule_start=prule_start,
        prule_stop=prule_stop,
        script_start=script_start,
        step_at=_i([s[0] for s in steps]),
        step_until=_i([s[1] for s in steps]),
        step_do=_i([s[2] for s in steps]),
        routine_start=routine_start,
        routine_stop=routine_stop,
        rep_inertia=_f(inertia),
        rep_slippage=_f(slippage),
        substitute=_i(b.substitutes or [-1]),
        dep_start=dep_start,
        dep_expr=dep_expr,
        ev_free=_i([len(ev_free), *ev_free]),
        ev_tick_start=ev_tick_start,
        ev_tick=ev_tick,
        dp_tick_mask=dp_tick_mask,
        out_reads=out_reads,
        expr_out=expr_out,
        expr_may_fail=_b(b.program.may_fail or [False]),
        var_err=_i([len(b.program.messages) + i for i in range(len(sc.variables))] or [0]),
    )
    layout = Layout(
        actors=tuple(sc.actors),
        actions=tuple(sc.actions),
        events=tuple(sc.events),
        outcomes=tuple(sc.outcomes),
        holders=tuple(b.holders),
        members=tuple(m.id for _, m in members),
        messages=tuple(a.id for a in messages),
        sites=b.sites,
        errors=[*b.program.messages, *(v.non_finite_message() for v in sc.variables.values())],
    )
    return tables, layout


def _number(params: Mapping[str, object], key: str) -> float:
    """A numeric policy parameter (0 for a policy that has none of that name)."""
    value = params.get(key, 0.0)
    assert isinstance(value, int | float)
    return float(value)


def rep_value(actor: c.Actor, name: str) -> float:
    """A repertoire's inertia or slippage (0 for an actor without a repertoire)."""
    rep = actor.repertoire
    return 0.0 if rep is None else float(getattr(rep, name))


def stack_size(tables: Tables) -> int:
    """An upper bound on the evaluation stack: the pushes of the longest expression."""
    code = tables.code
    ops = code[0::2]
    pushes = (ops == CONST) | (ops == LOAD)
    bounds = [*list(tables.starts), len(ops) * 2]
    most = 1
    for start, stop in itertools.pairwise(bounds):
        most = max(most, int(pushes[start // 2 : stop // 2].sum()))
    return most + 2


RESET_INTS = (
    "valid",
    "occ_mask",
    "next_pending",
    "next_arrival",
    "out_dirty",
    "err",
    "fired",
    "taken",
    "pending",
    "arrival",
    "transit_misread",
    "delivered",
    "deliv_misread",
    "answered",
    "occurred",
    "any_occurred",
    "tft_last",
    "rung",
    "org_last",
    "org_delayed",
    "closed",
    "tick",
    "outcome",
    "has_peak",
)
RESET_FLOATS = ("env", "costs", "peak", "util")
"""Per-run state, reset from a copy at the start of every run (first in its array)."""
TABLE_FLOATS = frozenset(
    {
        "consts",
        "env_init",
        "var_lo",
        "var_hi",
        "tick_hours",
        "tick_seconds",
        "ch_latency",
        "pol_threshold",
        "pol_forgive",
        "rep_inertia",
        "rep_slippage",
    }
)
STATE_FLOATS = frozenset(
    {"env", "tmp", "stack", "costs", "peak", "util", "counsel_weight", "tally", "cache"}
)


class Packed(NamedTuple):
    """What the kernel takes: every integer (offsets, tables, state, draw-site states, event
    log) in ``ti``, every float in ``tf``; see :mod:`slots`."""

    ti: I64
    tf: F64

    @property
    def log_count(self) -> int:
        """Rows the kernel logged since the count was last reset (may exceed capacity)."""
        return int(self.ti[self.ti[slots.S_LOG_N]])

    def reset_log(self) -> None:
        self.ti[self.ti[slots.S_LOG_N]] = 0

    def log_rows(self) -> I64:
        """The logged rows that fit, as (run, tick, kind, actor, id)."""
        start = int(self.ti[slots.S_LOG])
        rows = min(self.log_count, int(self.ti[slots.S_LOG_CAP]))
        flat_rows: I64 = self.ti[start : start + 5 * rows]
        out: I64 = flat_rows.reshape(rows, 5).copy()
        return out


def new_state(tables: Tables, layout: Layout, seed: int, log_capacity: int = 0) -> State:
    """Fresh state for ``seed``, with room for ``log_capacity`` log rows (0: no log)."""
    t = tables
    n_a = t.n_actors
    spaces = np.diff(t.space_start)
    max_space = int(spaces.max()) + 1 if len(spaces) else 1
    max_members = int(np.diff(t.mem_start).max()) if len(t.mem_start) > 1 else 0
    effects = np.diff(t.eff_start)
    bases = np.array([rng.seeded_site(seed, s) for s in layout.sites] or [0], dtype=np.uint64)
    n_act = max(1, t.n_actions)
    return State(
        env=t.env_init.copy(),
        tmp=np.zeros(max(1, int(effects.max()) if len(effects) else 1)),
        stack=np.zeros(stack_size(t)),
        err=np.full(1, -1, dtype=np.int64),
        fired=np.zeros(max(1, t.n_events), dtype=np.bool_),
        taken=np.zeros(n_act, dtype=np.int64),
        pending=np.full(n_act, -1, dtype=np.int64),
        arrival=np.full(n_act, -1, dtype=np.int64),
        transit_misread=np.zeros(n_act, dtype=np.bool_),
        delivered=np.zeros(n_act, dtype=np.bool_),
        deliv_misread=np.zeros(n_act, dtype=np.bool_),
        answered=np.zeros(n_act, dtype=np.bool_),
        costs=np.zeros(max(1, t.n_holders)),
        occurred=np.zeros((n_a, max(1, t.n_events + t.n_actions)), dtype=np.bool_),
        any_occurred=np.zeros(n_a, dtype=np.bool_),
        tft_last=np.zeros(n_a, dtype=np.int64),
        rung=np.zeros(n_a, dtype=np.int64),
        org_last=np.full(n_a, -1, dtype=np.int64),
        org_delayed=np.full(n_a, -1, dtype=np.int64),
        closed=np.zeros(max(1, int(t.script_start[-1])), dtype=np.bool_),
        tick=np.zeros(1, dtype=np.int64),
        outcome=np.full(1, -1, dtype=np.int64),
        has_peak=np.zeros(1, dtype=np.int64),
        peak=np.full(1, np.nan),
        util=np.zeros(max(1, t.n_holders)),
        ctx=np.zeros(2, dtype=np.int64),
        bases=bases,
        logging=log_capacity > 0,
        log=np.zeros((max(1, log_capacity), 5), dtype=np.int64),
        log_n=np.zeros(1, dtype=np.int64),
        req_actor=np.zeros(n_a, dtype=np.int64),
        legal=np.zeros((n_a, max_space), dtype=np.bool_),
        counsel=np.full((n_a, max(1, max_members)), -1, dtype=np.int64),
        counsel_weight=np.zeros((n_a, max(1, max_members))),
        n_req=np.zeros(1, dtype=np.int64),
        choice=np.zeros(n_a, dtype=np.int64),
        tally=np.zeros(max_space),
        tallied=np.zeros(max_space, dtype=np.bool_),
        valid=np.zeros(max(1, len(t.starts)), dtype=np.bool_),
        cache=np.zeros(max(1, len(t.starts))),
        time_read=np.zeros(max(1, len(t.starts)), dtype=np.bool_),
        occ_mask=np.zeros(1, dtype=np.int64),
        next_pending=np.full(1, k.NEVER, dtype=np.int64),
        next_arrival=np.full(1, k.NEVER, dtype=np.int64),
        out_dirty=np.ones(1, dtype=np.int64),
    )


def new_output(tables: Tables, count: int) -> Output:
    """Result arrays for ``count`` runs."""
    return Output(
        outcome=np.zeros(count, dtype=np.int64),
        tick=np.zeros(count, dtype=np.int64),
        peak=np.zeros(count),
        error=np.zeros(count, dtype=np.int64),
        util=np.zeros((count, max(1, tables.n_holders))),
    )


def pack(tables: Tables, state: State) -> Packed:
    """Lay tables and state out in the kernel's two flat arrays (see ``slots``)."""
    o = np.zeros(slots.N_SLOTS, dtype=np.int64)
    ints: list[npt.NDArray[Any]] = [o]
    floats: list[npt.NDArray[Any]] = []
    sizes = {"i": slots.N_SLOTS, "f": 0}

    def flat(value: Any, kind: str) -> npt.NDArray[Any]:
        arr = np.atleast_1d(np.asarray(value)).reshape(-1)
        return arr.astype(np.int64 if kind == "i" else np.float64)

    def put(slot: int, value: Any, kind: str) -> None:
        arr = flat(value, kind)
        o[slot] = sizes[kind]
        (ints if kind == "i" else floats).append(arr)
        sizes[kind] += len(arr)

    for name, value in tables._asdict().items():
        put(getattr(slots, f"T_{name.upper()}"), value, "f" if name in TABLE_FLOATS else "i")
    for name in ("opposed", "dp_sched", "out_utility", "pol_site", "ch_latency"):
        o[getattr(slots, f"WT_{name.upper()}")] = getattr(tables, name).shape[1]
    # the state: the per-run part first, and a copy of its initial values in the tables
    first: tuple[str, ...] = RESET_INTS + RESET_FLOATS
    order = first + tuple(n for n in State._fields if n not in (*first, "bases", "log"))
    state_i: list[npt.NDArray[Any]] = []
    state_f: list[npt.NDArray[Any]] = []
    local = {"i": 0, "f": 0}
    for name in order:
        kind = "f" if name in STATE_FLOATS else "i"
        arr = flat(getattr(state, name), kind)
        o[getattr(slots, f"S_{name.upper()}")] = local[kind]
        (state_f if kind == "f" else state_i).append(arr)
        local[kind] += len(arr)
    reset_i = sum(flat(getattr(state, n), "i").size for n in RESET_INTS)
    reset_f = sum(flat(getattr(state, n), "f").size for n in RESET_FLOATS)
    o[slots.S_RESET_I], o[slots.S_RESET_F] = reset_i, reset_f
    all_i, all_f = np.concatenate(state_i), np.concatenate(state_f)
    put(slots.T_SI_INIT, all_i[:reset_i], "i")
    put(slots.T_SF_INIT, all_f[:reset_f], "f")
    base_i, base_f = sizes["i"], sizes["f"]
    for name in order:
        o[getattr(slots, f"S_{name.upper()}")] += base_i if name not in STATE_FLOATS else base_f
    put(slots.S_STATE_I, all_i, "i")
    put(slots.S_STATE_F, all_f, "f")
    put(slots.S_BASES, state.bases.view(np.int64), "i")
    put(slots.S_LOG, state.log, "i")
    o[slots.S_LOG_CAP] = len(state.log) if state.logging else 0
    for name in ("occurred", "legal", "counsel", "counsel_weight"):
        o[getattr(slots, f"WS_{name.upper()}")] = getattr(state, name).shape[1]
    ti = np.concatenate(ints)
    ti[: slots.N_SLOTS] = o
    return Packed(ti=ti, tf=np.concatenate(floats))
