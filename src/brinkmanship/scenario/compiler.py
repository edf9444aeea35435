"""Compile a validated scenario: resolve references, check and compile expressions,
convert times to ticks. Every error names file:line:column and what to fix."""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Literal, NoReturn

from brinkmanship.errors import EvaluationError, ExpressionError, Location, ScenarioError
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario import schema as s
from brinkmanship.scenario.expressions import (
    Expression,
    ExprType,
    compile_scalar,
    is_leaf,
    nan_message,
    parse_expression,
)
from brinkmanship.scenario.present_compiler import PresentationCompiler
from brinkmanship.scenario.timeutil import (
    clock_text,
    date_text,
    get_zone,
    parse_duration,
    parse_time,
)
from brinkmanship.scenario.yamlsource import SourceDoc

PathT = tuple[str | int, ...]


_LISTED = 20
"""Names an error message lists at most (a scenario may have thousands of actors)."""


def _quoted_list(names: Iterable[str], *, sort: bool = True) -> str:
    items = sorted(names) if sort else list(names)
    if not items:
        return "(none)"
    more = len(items) - _LISTED
    return ", ".join(items[:_LISTED]) + (f" and {more} more" if more > 0 else "")


class Compiler:
    """Turns one validated :class:`schema.Scenario` into a :class:`compiled.CompiledScenario`."""

    def __init__(self, scenario: s.Scenario, doc: SourceDoc, applied: Sequence[str] = ()) -> None:
        self.sc = scenario
        self.doc = doc
        self.applied = tuple(applied)
        self.zone: tzinfo = get_zone("UTC")
        self.start = datetime.min
        self.tick = timedelta(hours=1)
        self.horizon_ticks = 0
        self.global_names: dict[str, ExprType] = {}

    # ----------------------------------------------------------------- errors

    def fail(self, path: PathT, message: str, *, key: bool = False) -> NoReturn:
        loc = self.doc.locate_key(path) if key else self.doc.locate(path)
        raise ScenarioError(message, loc)

    def _expr_location(self, path: PathT, offset: int) -> Location:
        loc = self.doc.locate_content(path)
        return Location(loc.file, loc.line, loc.column + offset)

    @staticmethod
    def dotted(path: PathT) -> str:
        out = ""
        for part in path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + part
        return out

    # ------------------------------------------------------------ primitives

    def expr(
        self,
        value: s.ExprText,
        path: PathT,
        names: Mapping[str, ExprType],
        expected: ExprType,
        nan_is: str = "",
        finite_is: str = "",
    ) -> c.Expr:
        """A checked, compiled expression; `nan_is` names what it is (``probability``)
        where a NaN value stops the run, `finite_is` (``weight``) where NaN or infinity does
        (unless it is a literal or a name whose values are all finite)."""
        try:
            parsed = parse_expression(value, names, expected)
        except ExpressionError as exc:
            raise ScenarioError(
                f"in expression {_excerpt(str(value))!r} at {self.dotted(path)}: {exc.message}",
                self._expr_location(path, exc.offset),
            ) from None
        at = str(self._expr_location(path, 0))
        finite = bool(finite_is) and not self._finite_leaf(parsed)
        what = finite_is if finite else nan_is
        nan_error = nan_message(parsed, what, at, finite) if what else ""
        return c.Expr(
            parsed,
            compile_scalar(parsed, at, nan_error, finite),
            self.dotted(path),
            at,
            nan_error,
            finite,
        )

    def _finite_leaf(self, e: Expression) -> bool:
        """Whether `e` is a literal or the name of a parameter (finite by validation), the
        clock, or a variable that cannot hold infinity (bool, int, or bounded both ways)."""
        name = is_leaf(e)
        if name is None:
            return False
        v = self.sc.state.get(name)
        return v is None or v.type is not s.VarType.FLOAT or None not in (v.min, v.max)

    def constant(self, e: c.Expr) -> float | None:
        """The value of an expression that reads no name (a literal such as ``1.5`` or
        ``1 / 4``), else None; one that divides by zero is left to the run, which names it."""
        if e.expression.names:
            return None
        try:
            return e({})
        except EvaluationError:
            return None

    def in_range(self, e: c.Expr, path: PathT, what: str, low: float, high: float) -> c.Expr:
        """Refuse a constant `e` outside [low, high] (a probability, a weight)."""
        value = self.constant(e)
        if value is not None and not low <= value <= high:
            shown = "outside [0, 1]" if (low, high) == (0.0, 1.0) else f"below {low:g}"
            raise ScenarioError(
                f"{what} {value:g} at {self.dotted(path)} is {shown}",
                self._expr_location(path, 0),
            )
        return e

    def probability(self, value: s.ExprText, path: PathT, names: Mapping[str, ExprType]) -> c.Expr:
        """A number expression that is a probability: a constant one must lie in [0, 1]."""
        e = self.expr(value, path, names, ExprType.NUMBER, "probability")
        return self.in_range(e, path, "probability", 0.0, 1.0)

    def time(self, text: str, path: PathT) -> datetime:
        try:
            return parse_time(text, self.zone)
        except ValueError as exc:
            self.fail(path, str(exc))

    def tick_at(self, text: str, path: PathT) -> int:
        """The first tick at or after the given time; it must lie on the clock."""
        when = self.time(text, path)
        delta = when - self.start
        if delta < timedelta(0):
            self.fail(path, f"time {text!r} is before the clock start ({self.sc.clock.start})")
        tick = math.ceil(delta / self.tick)
        if tick > self.horizon_ticks:
            self.fail(path, f"time {text!r} is after the clock horizon ({self.sc.clock.horizon})")
        return tick

    def duration(self, text: str, path: PathT, *, positive: bool = False) -> timedelta:
        try:
            d = parse_duration(text)
        except ValueError as exc:
            self.fail(path, str(exc))
        if d < timedelta(0) or (positive and d == timedelta(0)):
            self.fail(path, f"duration {text!r} must be {'positive' if positive else '>= 0'}")
        return d

    def ticks(self, text: str, path: PathT) -> int:
        return math.ceil(self.duration(text, path) / self.tick)

    def span_param(self, text: str) -> str:
        """The parameter a latency value names, or ""."""
        return text if text in self.sc.parameters else ""

    def span(self, text: str, path: PathT) -> timedelta:
        """A duration, or the name of a parameter read as hours (so that a sweep or an
        intervention can change it)."""
        param = self.sc.parameters.get(text)
        if param is None:
            return self.duration(text, path)
        if param.value < 0:
            self.fail(path, f"parameter {text!r} is {param.value:g} hours; it must be >= 0")
        return timedelta(hours=param.value)

    def actor_ref(self, actor: str, path: PathT, what: str = "actor") -> str:
        if actor not in self.sc.actors:
            self.fail(
                path, f"unknown {what} {actor!r}; defined actors: {_quoted_list(self.sc.actors)}"
            )
        return actor

    def action_ref(self, action: str, actor: str | None, path: PathT) -> str:
        if action == s.RESERVED_ACTION:
            return action
        if action not in self.sc.actions:
            self.fail(
                path, f"unknown action {action!r}; defined actions: {_quoted_list(self.sc.actions)}"
            )
        if actor is not None and self.sc.actions[action].actor != actor:
            owner = self.sc.actions[action].actor
            self.fail(path, f"action {action!r} belongs to {owner!r}, not {actor!r}")
        return action

    def sources(self, cited: Sequence[str], path: PathT) -> tuple[str, ...]:
        for i, src in enumerate(cited):
            if src not in self.sc.bibliography:
                self.fail(
                    (*path, "sources", i),
                    f"unknown source {src!r}; add it to the bibliography or cite one of: "
                    f"{_quoted_list(self.sc.bibliography)}",
                )
        return tuple(cited)

    def visibility(
        self, vis: s.Visibility | str, path: PathT, *, secret_for: str | None = None
    ) -> frozenset[str]:
        if vis == "public":
            return c.ALL
        if vis in ("hidden",):
            return frozenset()
        if vis == "secret":
            return frozenset({secret_for}) if secret_for else frozenset()
        assert isinstance(vis, tuple)
        for i, a in enumerate(vis):
            self.actor_ref(a, (*path, i))
        actors = set(vis)
        if secret_for:
            actors.add(secret_for)
        return frozenset(actors)

    def var_type(self, name: str) -> ExprType:
        return ExprType.BOOL if self.sc.state[name].type is s.VarType.BOOL else ExprType.NUMBER

    def effects(self, effects: Mapping[str, s.ExprText], path: PathT) -> c.Effects:
        out = []
        for var, value in effects.items():
            if var not in self.sc.state:
                self.fail(
                    (*path, var),
                    f"effect on unknown state variable {var!r}; "
                    f"defined: {_quoted_list(self.sc.state)}",
                    key=True,
                )
            out.append(
                c.Assign(var, self.expr(value, (*path, var), self.global_names, self.var_type(var)))
            )
        return tuple(out)

    def visible_names(self, actor: str) -> dict[str, ExprType]:
        names: dict[str, ExprType] = {p: ExprType.NUMBER for p in self.sc.parameters}
        names.update(tick=ExprType.NUMBER, hours=ExprType.NUMBER)
        for name, var in self.sc.state.items():
            vis = var.visibility
            if vis == "public" or (isinstance(vis, tuple) and actor in vis):
                names[name] = self.var_type(name)
        return names

    def rule_expr(
        self, value: s.ExprText, path: PathT, actor: str, expected: ExprType, nan_is: str = ""
    ) -> c.Expr:
        """An expression an actor evaluates on its observation: only visible names allowed."""
        full = self.expr(value, path, self.global_names, expected, nan_is)
        hidden = sorted(full.expression.names - set(self.visible_names(actor)))
        if hidden:
            found = re.search(rf"\b{hidden[0]}\b", full.source)
            raise ScenarioError(
                f"{self.dotted(path)} is decided on what {actor!r} can see, but state variable "
                f"{hidden[0]!r} is not visible to {actor!r}; make it visible to {actor!r} or "
                "use a variable it can observe",
                self._expr_location(path, found.start() if found else 0),
            )
        return full

    def rules(
        self, rules: Sequence[s.Rule], path: PathT, actor: str, *, stance: bool = False
    ) -> tuple[c.Rule, ...]:
        """Compile ``rules``; only a member's ``stance`` may say ``do: no_view``, and such a
        rule must say why."""
        out = []
        for i, r in enumerate(rules):
            rp = (*path, i)
            if r.do == s.NO_VIEW and not stance:
                self.fail(
                    (*rp, "do"),
                    f"{s.NO_VIEW!r} says that a member has no view: it belongs in a member's "
                    "stance, not here; give an action or 'wait'",
                )
            if r.do == s.NO_VIEW and not r.why.strip():
                self.fail(
                    rp,
                    f"a rule that does {s.NO_VIEW!r} needs a 'why': the reason the member has "
                    "no view, in words a player reads",
                )
            out.append(
                c.Rule(
                    index=i,
                    when=self.rule_expr(r.when, (*rp, "when"), actor, ExprType.BOOL),
                    do=r.do if r.do == s.NO_VIEW else self.action_ref(r.do, actor, (*rp, "do")),
                    p=self.in_range(
                        self.rule_expr(r.p, (*rp, "p"), actor, ExprType.NUMBER, "probability"),
                        (*rp, "p"),
                        "probability",
                        0.0,
                        1.0,
                    ),
                    why=r.why,
                )
            )
        return tuple(out)

    # --------------------------------------------------------------- sections

    def compile(self) -> c.CompiledScenario:
        sc = self.sc
        self._reserved()
        for aid, action in sc.actions.items():
            self.actor_ref(action.actor, ("actions", aid, "actor"))
        self._clock()
        self._names()
        parameters = self._parameters()
        variables = self._variables()
        actors = self._actors()
        terms = {
            tid: c.Term(
                tid,
                t.label,
                self.actor_ref(t.by, ("terms", tid, "by")),
                self.effects(t.effects, ("terms", tid, "effects")),
                self.sources(t.sources, ("terms", tid)),
            )
            for tid, t in sc.terms.items()
        }
        channels = self._channels()
        actions = self._actions()
        events = self._events()
        decisions = self._decisions()
        outcomes = self._outcomes()
        mechanisms = self._mechanisms()
        interventions = {
            iid: c.InterventionInfo(
                iid,
                i.label.strip(),
                i.description,
                i.include,
                i.conflicts,
                self.sources(i.sources, ("interventions", iid)),
            )
            for iid, i in sc.interventions.items()
        }
        timeline = self._timeline()
        escalation = self._metric("escalation", sc.metrics.escalation)
        alert = self._metric("alert", sc.metrics.alert)
        presentation = PresentationCompiler(self, variables, self.global_names, sc.actors).compile(
            sc.presentation
        )
        return c.CompiledScenario(
            id=sc.id,
            title=sc.title,
            summary=sc.summary,
            notes=sc.notes,
            file=self.doc.file,
            start=self.start,
            tick=self.tick,
            horizon_ticks=self.horizon_ticks,
            zone=self.zone,
            parameters=parameters,
            variables=variables,
            actors=actors,
            actions=actions,
            events=events,
            channels=channels,
            terms=terms,
            decisions=decisions,
            outcomes=outcomes,
            mechanisms=mechanisms,
            interventions=interventions,
            applied=self.applied,
            bibliography=dict(sc.bibliography),
            timeline=timeline,
            escalation=escalation,
            alert=alert,
            sources=self.sources(sc.sources, ()),
            presentation=presentation,
        )

    def _metric(self, name: str, text: s.ExprText | None) -> c.Expr | None:
        if text is None:
            return None
        return self.expr(
            text, ("metrics", name), self.global_names, ExprType.NUMBER, finite_is=name
        )

    def _reserved(self) -> None:
        for section in ("parameters", "state"):
            for name in getattr(self.sc, section):
                if name in s.RESERVED_NAMES or keyword.iskeyword(name):
                    self.fail(
                        (section, name), f"{name!r} is a reserved name; choose another", key=True
                    )
        if s.RESERVED_ACTION in self.sc.actions:
            self.fail(
                ("actions", s.RESERVED_ACTION),
                "'wait' is reserved for doing nothing; choose another action id",
                key=True,
            )
        if s.NO_VIEW in self.sc.actions:
            self.fail(
                ("actions", s.NO_VIEW),
                f"{s.NO_VIEW!r} is reserved for a member with no view; choose another action id",
                key=True,
            )

    def _clock(self) -> None:
        clock = self.sc.clock
        if clock.timezone is not None:
            try:
                self.zone = get_zone(clock.timezone)
            except ValueError as exc:
                self.fail(("clock", "timezone"), str(exc))
        start = self.time(clock.start, ("clock", "start"))
        if clock.timezone is None:
            zone = start.tzinfo
            assert zone is not None
            self.zone = zone
        self.start = start
        self.tick = self.duration(clock.tick, ("clock", "tick"), positive=True)
        if self.tick < timedelta(minutes=1):
            self.fail(("clock", "tick"), f"tick {clock.tick!r} is shorter than one minute")
        horizon = self.time(clock.horizon, ("clock", "horizon"))
        if horizon <= start:
            self.fail(
                ("clock", "horizon"),
                f"horizon {clock.horizon!r} is not after the start {clock.start!r}",
            )
        self.horizon_ticks = int((horizon - start) // self.tick)
        if self.horizon_ticks < 1:
            self.fail(("clock", "horizon"), "the horizon is less than one tick after the start")
        if self.horizon_ticks > 1_000_000:
            self.fail(
                ("clock", "tick"),
                f"{self.horizon_ticks} ticks between start and horizon; at most 1,000,000",
            )

    def _names(self) -> None:
        for name in self.sc.parameters:
            if name in self.sc.state:
                self.fail(
                    ("parameters", name),
                    f"{name!r} is both a parameter and a state variable; rename one",
                    key=True,
                )
        self.global_names = {p: ExprType.NUMBER for p in self.sc.parameters}
        self.global_names.update(tick=ExprType.NUMBER, hours=ExprType.NUMBER)
        for name in self.sc.state:
            self.global_names[name] = self.var_type(name)

    def _parameters(self) -> dict[str, c.ParameterInfo]:
        out = {}
        for name, p in self.sc.parameters.items():
            path: PathT = ("parameters", name)
            if p.range is not None and not p.range[0] <= p.value <= p.range[1]:
                self.fail(
                    (*path, "value"),
                    f"value {p.value} lies outside its range [{p.range[0]}, {p.range[1]}]",
                )
            out[name] = c.ParameterInfo(
                name, p.value, p.range, p.description, self.sources(p.sources, path), p.unit
            )
        return out

    def _variables(self) -> dict[str, c.Variable]:
        params = {name: p.value for name, p in self.sc.parameters.items()}
        params.update(tick=0.0, hours=0.0)
        param_names = {p: ExprType.NUMBER for p in self.sc.parameters}
        out = {}
        for index, (name, v) in enumerate(self.sc.state.items()):
            path: PathT = ("state", name)
            if v.type is s.VarType.BOOL:
                if v.min is not None or v.max is not None:
                    self.fail(path, f"bool variable {name!r} cannot have min/max")
                lo, hi = 0.0, 1.0
            else:
                lo = -math.inf if v.min is None else v.min
                hi = math.inf if v.max is None else v.max
                if lo > hi:
                    self.fail((*path, "min"), f"min {lo} is greater than max {hi}")
                if v.type is s.VarType.INT and any(
                    b != int(b) for b in (lo, hi) if math.isfinite(b)
                ):
                    self.fail(path, f"int variable {name!r} needs whole-number bounds")
            init = self.expr(v.initial, (*path, "initial"), param_names, self.var_type(name))
            value = init(params)
            prior = (value, value)
            if v.prior is not None:
                prior = v.prior
                if not lo <= prior[0] <= prior[1] <= hi:
                    self.fail(
                        (*path, "prior"),
                        f"prior {list(prior)} must be [low, high] within [{lo}, {hi}]",
                    )
            out[name] = c.Variable(
                name=name,
                index=index,
                type=v.type,
                lo=lo,
                hi=hi,
                initial=value,
                visible_to=self.visibility(v.visibility, (*path, "visibility")),
                prior=prior,
                label=v.label or name,
                description=v.description,
                sources=self.sources(v.sources, path),
                initial_expr=init,
                prior_declared=v.prior is not None,
            )
            problem = out[name].initial_problem(value)
            if problem is not None:
                self.fail((*path, "initial"), problem)
        return out

    def _actors(self) -> dict[str, c.Actor]:
        out = {}
        actions_of: dict[str, list[str]] = {}
        for act_id, act in self.sc.actions.items():
            actions_of.setdefault(act.actor, []).append(act_id)
        for index, (aid, a) in enumerate(self.sc.actors.items()):
            path: PathT = ("actors", aid)
            holder = aid
            if a.side is not None:
                side = self.actor_ref(a.side, (*path, "side"), "side")
                if side == aid:
                    self.fail((*path, "side"), f"actor {aid!r} cannot be its own side")
                if self.sc.actors[side].side is not None:
                    self.fail(
                        (*path, "side"),
                        f"side {side!r} itself has a side; point at a principal actor",
                    )
                holder = side
            members = tuple(
                c.Member(
                    id=mid,
                    name=m.name,
                    role=m.role,
                    interests=m.interests,
                    weight=self.in_range(
                        self.expr(
                            m.weight,
                            (*path, "members", mid, "weight"),
                            self.global_names,
                            ExprType.NUMBER,
                            finite_is="weight",
                        ),
                        (*path, "members", mid, "weight"),
                        "weight",
                        0.0,
                        math.inf,
                    ),
                    stance=self.rules(
                        m.stance, (*path, "members", mid, "stance"), aid, stance=True
                    ),
                    description=m.description,
                    sources=self.sources(m.sources, (*path, "members", mid)),
                    attends=(
                        None
                        if m.attends is None
                        else self.rule_expr(
                            m.attends, (*path, "members", mid, "attends"), aid, ExprType.BOOL
                        )
                    ),
                )
                for mid, m in a.members.items()
            )
            rule = self._body_rule(a, aid, path)
            chair = rule and (rule.leader or rule.proposer)
            if chair and a.members[chair].attends is not None:
                self.fail(
                    (*path, "members", chair, "attends"),
                    f"{chair!r} speaks for {aid!r} and attends every decision; remove 'attends'",
                )
            policies = {
                pid: c.PolicyData(
                    name=pid,
                    description=p.description,
                    script=tuple(
                        c.ScriptStep(
                            index=i,
                            at_tick=self.tick_at(
                                step.at, (*path, "policies", pid, "script", i, "at")
                            ),
                            until_tick=(
                                None
                                if step.until is None
                                else self.tick_at(
                                    step.until, (*path, "policies", pid, "script", i, "until")
                                )
                            ),
                            do=self.action_ref(
                                step.do, aid, (*path, "policies", pid, "script", i, "do")
                            ),
                            when=self.rule_expr(
                                step.when,
                                (*path, "policies", pid, "script", i, "when"),
                                aid,
                                ExprType.BOOL,
                            ),
                            why=step.why,
                            sources=self.sources(
                                step.sources, (*path, "policies", pid, "script", i)
                            ),
                        )
                        for i, step in enumerate(p.script)
                    ),
                    rules=self.rules(p.rules, (*path, "policies", pid, "rules"), aid),
                    sources=self.sources(p.sources, (*path, "policies", pid)),
                )
                for pid, p in a.policies.items()
            }
            for pid, pol in policies.items():
                for step in pol.script:
                    if step.until_tick is not None and step.until_tick < step.at_tick:
                        self.fail(
                            (*path, "policies", pid, "script", step.index, "until"),
                            "'until' is before 'at'",
                        )
            if a.default_policy is not None and a.default_policy not in policies:
                self.fail(
                    (*path, "default_policy"),
                    f"default policy {a.default_policy!r} is not among {aid!r}'s policies: "
                    f"{_quoted_list(policies)}",
                )
            own_actions = tuple(actions_of.get(aid, ()))
            repertoire = None
            if a.repertoire is not None:
                rp: PathT = (*path, "repertoire")
                for orig, alt in a.repertoire.substitutes.items():
                    self.action_ref(orig, aid, (*rp, "substitutes", orig))
                    self.action_ref(alt, aid, (*rp, "substitutes", orig))
                repertoire = c.Repertoire(
                    routines=self.rules(a.repertoire.routines, (*rp, "routines"), aid),
                    inertia=a.repertoire.inertia,
                    slippage=a.repertoire.slippage,
                    substitutes=dict(a.repertoire.substitutes),
                )
            out[aid] = c.Actor(
                id=aid,
                index=index,
                name=a.name,
                description=a.description,
                holder=holder,
                members=members,
                rule=rule,
                policies=policies,
                default_policy=a.default_policy,
                actions=own_actions,
                sources=self.sources(a.sources, path),
                repertoire=repertoire,
                action_channels=self._action_channels(a, aid, path, rule),
            )
        return out

    def _action_channels(
        self, a: s.Actor, aid: str, path: PathT, rule: c.BodyRule | None
    ) -> tuple[c.ActionChannel, ...]:
        if a.action_channels and rule is None:
            self.fail(
                (*path, "action_channels"),
                f"action channels hold a body's choice, and {aid!r} is not a body "
                f"(give it 'members' and a 'rule', or remove 'action_channels')",
            )
        seen: dict[str, int] = {}
        out = []
        for i, ch in enumerate(a.action_channels):
            cp: PathT = (*path, "action_channels", i)
            for j, name in enumerate(ch.actions):
                if name == s.RESERVED_ACTION:
                    self.fail((*cp, "actions", j), f"{name!r} is open at every decision")
                action = self.action_ref(name, aid, (*cp, "actions", j))
                if action in seen:
                    self.fail(
                        (*cp, "actions", j),
                        f"action {action!r} is already in action channel {seen[action]}; "
                        f"an action has one channel",
                    )
                seen[action] = i
            out.append(
                c.ActionChannel(
                    actions=frozenset(ch.actions),
                    when=self.rule_expr(ch.when, (*cp, "when"), aid, ExprType.BOOL),
                    description=ch.description,
                    sources=self.sources(ch.sources, cp),
                )
            )
        return tuple(out)

    def _body_rule(self, a: s.Actor, aid: str, path: PathT) -> c.BodyRule | None:
        rule = a.rule
        if rule is None:
            if a.members:
                self.fail(
                    (*path, "members"),
                    f"actor {aid!r} has members but no decision rule; add 'rule:'",
                )
            return None
        if not a.members:
            self.fail((*path, "rule"), f"actor {aid!r} has a decision rule but no members")

        def member(mid: str, key: str) -> str:
            if mid not in a.members:
                self.fail(
                    (*path, "rule", key),
                    f"{mid!r} is not a member of {aid!r}; members: {_quoted_list(a.members)}",
                )
            return mid

        if isinstance(rule, s.LeaderRule):
            return c.BodyRule("leader", leader=member(rule.leader, "leader"))
        if isinstance(rule, s.ConsentRule):
            if rule.k > len(a.members):
                self.fail(
                    (*path, "rule", "k"),
                    f"k = {rule.k} but {aid!r} has only {len(a.members)} members",
                )
            for i, act in enumerate(rule.requires):
                self.action_ref(act, aid, (*path, "rule", "requires", i))
            return c.BodyRule(
                "consent",
                k=rule.k,
                proposer=member(rule.proposer, "proposer"),
                requires=frozenset(rule.requires),
                fallback=self.action_ref(rule.fallback, aid, (*path, "rule", "fallback")),
            )
        return c.BodyRule("vote")

    def _channels(self) -> dict[str, c.Channel]:
        out = {}
        for cid, ch in self.sc.channels.items():
            path: PathT = ("channels", cid)
            for i, u in enumerate(ch.users):
                self.actor_ref(u, (*path, "users", i))
            out[cid] = c.Channel(
                id=cid,
                label=ch.label or cid,
                users=frozenset(ch.users),
                latency=self._latency(ch.latency, (*path, "latency")),
                misread=self.probability(ch.misread, (*path, "misread"), self.global_names),
                public=ch.public,
                sources=self.sources(ch.sources, path),
            )
        return out

    def _latency(self, lat: str | s.Latency, path: PathT) -> c.Latency:
        """A latency or delay: fixed, uniform [low, high] or triangular [low, mode, high],
        each value a duration or a parameter's hours."""
        if isinstance(lat, str):
            return c.Latency(
                "fixed", (self.span(lat, path).total_seconds(),), (self.span_param(lat),)
            )
        given = [k for k in ("fixed", "uniform", "triangular") if getattr(lat, k) is not None]
        if len(given) != 1:
            self.fail(
                path, "give exactly one of fixed, uniform [low, high], triangular [low, mode, high]"
            )
        if lat.fixed is not None:
            seconds = self.span(lat.fixed, (*path, "fixed")).total_seconds()
            return c.Latency("fixed", (seconds,), (self.span_param(lat.fixed),))
        kind: Literal["uniform", "triangular"] = "uniform" if lat.uniform else "triangular"
        values = lat.uniform if lat.uniform is not None else lat.triangular
        assert values is not None
        secs = tuple(self.span(v, (*path, kind, i)).total_seconds() for i, v in enumerate(values))
        if list(secs) != sorted(secs):
            self.fail((*path, kind), f"{kind} values must be in increasing order")
        return c.Latency(kind, secs, tuple(self.span_param(v) for v in values))

    def _actions(self) -> dict[str, c.Action]:
        out = {}
        for index, (aid, a) in enumerate(self.sc.actions.items()):
            path: PathT = ("actions", aid)
            actor = self.actor_ref(a.actor, (*path, "actor"))
            cost = []
            for holder, value in a.cost.items():
                self.actor_ref(holder, (*path, "cost", holder))
                cost.append(
                    (
                        self.sc_holder(holder),
                        self.expr(
                            value,
                            (*path, "cost", holder),
                            self.global_names,
                            ExprType.NUMBER,
                            finite_is="cost",
                        ),
                    )
                )
            message = self._message(a, aid, actor, path) if a.message is not None else None
            vis = self.visibility(a.visibility, (*path, "visibility"), secret_for=actor)
            out[aid] = c.Action(
                id=aid,
                index=index,
                actor=actor,
                label=a.label,
                text=a.text,
                when=self.expr(a.when, (*path, "when"), self.global_names, ExprType.BOOL),
                effects=self.effects(a.effects, (*path, "effects")),
                delay=self._latency(a.delay, (*path, "delay")),
                visible_to=vis,
                cost=tuple(cost),
                once=a.once if a.once is not None else message is not None,
                message=message,
                escalation=a.escalation,
                sources=self.sources(a.sources, path),
                told=self.told(a.told, self._logged_to(a, vis), path, "action"),
            )
        return out

    def _logged_to(self, a: s.Action, vis: frozenset[str]) -> frozenset[str]:
        """Who sees an action's entry: its visibility, everyone for a public message."""
        channel = self.sc.channels.get(a.message.channel) if a.message is not None else None
        return c.ALL if channel is not None and channel.public else vis

    def told(
        self, told: tuple[s.Told, ...], seen_by: frozenset[str], path: PathT, what: str
    ) -> c.Told:
        """The per-actor texts of ``told`` on an action or event (``what``): each actor
        named once, and only one who sees it (``seen_by``)."""
        out: dict[str, str] = {}
        for i, entry in enumerate(told):
            for j, actor in enumerate(entry.to):
                where = (*path, "told", i, "to", j)
                self.actor_ref(actor, where)
                if not c.can_see(seen_by, actor):
                    self.fail(
                        where,
                        f"{actor!r} cannot see this {what}, so it cannot be told of it; "
                        "add it to 'visibility' or leave it out of 'told'",
                    )
                if actor in out:
                    self.fail(where, f"{actor!r} is told of this {what} twice; name it once")
                out[actor] = entry.text
        return tuple(out.items())

    def sc_holder(self, actor: str) -> str:
        side = self.sc.actors[actor].side
        return side if side is not None else actor

    def _message(self, a: s.Action, aid: str, actor: str, path: PathT) -> c.Message:
        m = a.message
        assert m is not None
        mp: PathT = (*path, "message")
        if m.channel not in self.sc.channels:
            self.fail(
                (*mp, "channel"),
                f"unknown channel {m.channel!r}; defined: {_quoted_list(self.sc.channels)}",
            )
        channel = self.sc.channels[m.channel]
        if actor not in channel.users:
            self.fail(
                (*mp, "channel"),
                f"{actor!r} may not use channel {m.channel!r}; "
                f"its users: {_quoted_list(channel.users)}",
            )
        to = self.actor_ref(m.to, (*mp, "to"), "recipient")
        if to == actor:
            self.fail((*mp, "to"), "a message cannot be sent to its sender")
        for key in ("give", "get"):
            for i, term in enumerate(getattr(m, key)):
                if term not in self.sc.terms:
                    self.fail(
                        (*mp, key, i),
                        f"unknown term {term!r}; defined terms: {_quoted_list(self.sc.terms)}",
                    )
        if m.kind in ("accept", "reject"):
            if m.of is None:
                self.fail(
                    mp,
                    f"an {m.kind} message must say which message it answers: add 'of: <action id>'",
                )
            other = self.sc.actions.get(m.of)
            if other is None or other.message is None:
                self.fail((*mp, "of"), f"{m.of!r} is not an action that sends a message")
            if other.message.to != actor:
                self.fail(
                    (*mp, "of"),
                    f"message {m.of!r} is addressed to {other.message.to!r}, not {actor!r}",
                )
            if other.message.kind not in ("offer", "demand"):
                self.fail(
                    (*mp, "of"),
                    f"{m.of!r} is a {other.message.kind}; only offers and demands can be answered",
                )
            if m.kind == "accept" and (m.give or m.get):
                self.fail(
                    mp,
                    "an accept message takes the terms of the message it accepts; remove give/get",
                )
        elif m.of is not None:
            self.fail((*mp, "of"), "'of' is only for accept and reject messages")
        if m.kind == "offer" and not (m.give or m.get):
            self.fail(mp, "an offer needs terms: give and/or get")
        if m.kind == "demand" and m.give:
            self.fail((*mp, "give"), "a demand only asks (get); make it an offer to give something")
        on_deliver = self.effects(m.on_deliver, (*mp, "on_deliver"))
        on_misread = (
            on_deliver if m.on_misread is None else self.effects(m.on_misread, (*mp, "on_misread"))
        )
        return c.Message(
            channel=m.channel,
            to=to,
            kind=m.kind,
            give=m.give,
            get=m.get,
            of=m.of,
            text=m.text or a.text,
            sender_name=m.sender or self.sc.actors[actor].name,
            misread_kind=m.misread_as.kind,
            misread_text=m.misread_as.text,
            on_deliver=on_deliver,
            on_misread=on_misread,
        )

    def _events(self) -> dict[str, c.Event]:
        out = {}
        for index, (eid, e) in enumerate(self.sc.events.items()):
            path: PathT = ("events", eid)
            actor = self.actor_ref(e.actor, (*path, "actor")) if e.actor is not None else ""
            vis = self.visibility(e.visibility, (*path, "visibility"))
            out[eid] = c.Event(
                id=eid,
                index=index,
                text=e.text,
                actor=actor,
                at_tick=self.tick_at(e.at, (*path, "at")) if e.at is not None else None,
                hazard=(
                    self.expr(
                        e.hazard, (*path, "hazard"), self.global_names, ExprType.NUMBER, "hazard"
                    )
                    if e.hazard is not None
                    else None
                ),
                when=self.expr(e.when, (*path, "when"), self.global_names, ExprType.BOOL),
                once=e.once,
                effects=self.effects(e.effects, (*path, "effects")),
                visible_to=vis,
                sources=self.sources(e.sources, path),
                told=self.told(e.told, vis, path, "event"),
            )
        return out

    def _decisions(self) -> tuple[c.DecisionPoint, ...]:
        out = []
        for did, d in self.sc.decisions.items():
            path: PathT = ("decisions", did)
            actor = self.actor_ref(d.actor, (*path, "actor"))
            schedule: set[int] = set()
            if d.every is not None:
                every = self.ticks(d.every, (*path, "every"))
                if every < 1:
                    self.fail(
                        (*path, "every"),
                        f"'every' must be at least one tick ({self.sc.clock.tick})",
                    )
                first = self.tick_at(d.start, (*path, "start")) if d.start is not None else 0
                schedule.update(range(first, self.horizon_ticks + 1, every))
            elif d.start is not None:
                self.fail((*path, "start"), "'start' only makes sense with 'every'")
            for j, when in enumerate(d.at):
                schedule.add(self.tick_at(when, (*path, "at", j)))
            triggers = set()
            for j, ref in enumerate(d.react_to):
                triggers.add(self._trigger(actor, ref, (*path, "react_to", j)))
            if not schedule and not triggers:
                self.fail(path, "a decision point needs 'every', 'at' or 'react_to'")
            out.append(
                c.DecisionPoint(
                    id=did,
                    actor=actor,
                    schedule=frozenset(schedule),
                    triggers=frozenset(triggers),
                    when=self.rule_expr(d.when, (*path, "when"), actor, ExprType.BOOL),
                    sources=self.sources(d.sources, path),
                )
            )
        return tuple(out)

    def _trigger(self, actor: str, ref: str, path: PathT) -> str:
        if ref in self.sc.events:
            vis = self.sc.events[ref].visibility
            if vis != "public" and not (isinstance(vis, tuple) and actor in vis):
                self.fail(
                    path, f"{actor!r} cannot observe event {ref!r}, so it cannot trigger a decision"
                )
            return ref
        if ref in self.sc.actions:
            act = self.sc.actions[ref]
            delivered_to_actor = act.message is not None and act.message.to == actor
            seen = act.visibility == "public" or act.actor == actor
            seen = seen or (isinstance(act.visibility, tuple) and actor in act.visibility)
            if not (seen or delivered_to_actor):
                self.fail(
                    path,
                    f"{actor!r} cannot observe the secret action {ref!r}, "
                    "so it cannot trigger a decision",
                )
            return ref
        self.fail(
            path,
            f"{ref!r} is neither an event nor an action; 'react_to' lists events and actions "
            f"(events: {_quoted_list(self.sc.events)})",
        )

    def _outcomes(self) -> dict[str, c.Outcome]:
        out = {}
        defaults = [oid for oid, o in self.sc.outcomes.items() if o.default]
        if len(defaults) != 1:
            where: PathT = ("outcomes", defaults[1], "default") if defaults else ("outcomes",)
            self.fail(
                where,
                "exactly one outcome must be 'default: true' (the outcome at the horizon); "
                f"found {len(defaults)}" + (f": {', '.join(defaults)}" if defaults else ""),
                key=not defaults,
            )
        principals = [aid for aid, a in self.sc.actors.items() if a.side is None]
        for index, (oid, o) in enumerate(self.sc.outcomes.items()):
            path: PathT = ("outcomes", oid)
            if o.default and o.when is not None:
                self.fail(
                    (*path, "when"), "the default outcome applies at the horizon; remove 'when'"
                )
            if not o.default and o.when is None:
                self.fail(path, f"outcome {oid!r} needs a 'when' condition (or 'default: true')")
            if o.default and o.pending is not None:
                self.fail(
                    (*path, "pending"),
                    "the default outcome ends the run at the horizon; remove 'pending'",
                )
            for holder in o.utility:
                self.actor_ref(holder, (*path, "utility", holder))
                if self.sc.actors[holder].side is not None:
                    self.fail(
                        (*path, "utility", holder),
                        f"{holder!r} serves side {self.sc.actors[holder].side!r}; "
                        "give the utility to that side",
                        key=True,
                    )
            missing = [p for p in principals if p not in o.utility]
            if missing:
                self.fail(
                    (*path, "utility"), f"utility missing for {_quoted_list(missing, sort=False)}"
                )
            out[oid] = c.Outcome(
                id=oid,
                index=index,
                cls=o.class_,
                label=o.label or oid,
                text=o.text,
                when=(
                    self.expr(o.when, (*path, "when"), self.global_names, ExprType.BOOL)
                    if o.when is not None
                    else None
                ),
                default=o.default,
                utility={
                    h: self.expr(
                        u,
                        (*path, "utility", h),
                        self.global_names,
                        ExprType.NUMBER,
                        finite_is="utility",
                    )
                    for h, u in o.utility.items()
                },
                sources=self.sources(o.sources, path),
                pending=(
                    self.expr(o.pending, (*path, "pending"), self.global_names, ExprType.BOOL)
                    if o.pending is not None
                    else None
                ),
            )
        return out

    def _mechanisms(self) -> dict[str, c.Mechanism]:
        mechanisms = self.sc.mechanisms
        if not mechanisms:
            return {}
        defaults = [mid for mid, m in mechanisms.items() if m.default]
        if len(defaults) != 1:
            where: PathT = ("mechanisms", defaults[1], "default") if defaults else ("mechanisms",)
            self.fail(
                where,
                "exactly one mechanism must be 'default: true' (what produced an outcome no "
                f"other mechanism explains); found {len(defaults)}"
                + (f": {', '.join(defaults)}" if defaults else ""),
                key=not defaults,
            )
        out = {}
        for index, (mid, m) in enumerate(mechanisms.items()):
            path: PathT = ("mechanisms", mid)
            if m.default:
                for key in ("classes", "outcomes", "after", "when"):
                    if getattr(m, key) not in ((), None):
                        self.fail(
                            (*path, key),
                            f"the default mechanism applies where no other does; remove {key!r}",
                        )
            for i, oid in enumerate(m.outcomes):
                if oid not in self.sc.outcomes:
                    self.fail(
                        (*path, "outcomes", i),
                        f"{oid!r} is not an outcome (outcomes: {_quoted_list(self.sc.outcomes)})",
                    )
            for i, ref in enumerate(m.after):
                if ref in self.sc.events and ref in self.sc.actions:
                    self.fail((*path, "after", i), f"{ref!r} is both an event and an action")
                if ref not in self.sc.events and ref not in self.sc.actions:
                    self.fail(
                        (*path, "after", i),
                        f"{ref!r} is neither an event nor an action; 'after' lists the events "
                        "and actions of which one must have happened",
                    )
            applies = frozenset(
                oid
                for oid, o in self.sc.outcomes.items()
                if (not m.classes and not m.outcomes) or o.class_ in m.classes or oid in m.outcomes
            )
            out[mid] = c.Mechanism(
                id=mid,
                index=index,
                label=m.label or mid,
                description=m.description,
                outcomes=applies,
                after=m.after,
                when=(
                    self.expr(m.when, (*path, "when"), self.global_names, ExprType.BOOL)
                    if m.when is not None
                    else None
                ),
                default=m.default,
                sources=self.sources(m.sources, path),
            )
        return out

    def _timeline(self) -> tuple[c.TimelineEntry, ...]:
        out = []
        for i, entry in enumerate(self.sc.timeline):
            path: PathT = ("timeline", i)
            if (
                entry.expect is not None
                and entry.expect not in self.sc.actions
                and entry.expect not in self.sc.events
            ):
                self.fail((*path, "expect"), f"{entry.expect!r} is neither an action nor an event")
            tolerance = self.ticks(entry.tolerance, (*path, "tolerance"))
            when = self.time(entry.at, (*path, "at"))
            clock = entry.clock
            if clock is None:
                day_only = tolerance * self.tick >= timedelta(hours=12)
                clock = "" if day_only else clock_text(when)
            out.append(
                c.TimelineEntry(
                    tick=self.tick_at(entry.at, (*path, "at")),
                    text=entry.text,
                    expect=entry.expect,
                    tolerance_ticks=tolerance,
                    sources=self.sources(entry.sources, path),
                    clock=clock,
                    date=date_text(when),
                )
            )
        return tuple(out)


def compile_scenario(
    scenario: s.Scenario, doc: SourceDoc, applied: Sequence[str] = ()
) -> c.CompiledScenario:
    """Compile a structurally valid scenario, raising a located ScenarioError on any problem."""
    return Compiler(scenario, doc, applied).compile()


def _excerpt(text: str, limit: int = 80) -> str:
    """The start of a long text, for an error message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
