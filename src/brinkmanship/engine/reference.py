"""The reference engine: one run at a time, step by step, written to be read.

The order of a tick, and when the peak escalation is read, are the tick driver's
(:mod:`brinkmanship.engine.driver`); the engine gives it the phases (``begin_tick``,
``requests``, ``decide``, ``apply``, ``end_tick``).

All randomness comes from :mod:`brinkmanship.engine.rng`, a pure function of
(seed, run, tick, site), so the batch engine can draw the same numbers.

Work that cannot change is skipped, exactly: the conditions evaluated every tick keep their
values until a name they read changes (:mod:`brinkmanship.engine.condition_cache`; the
clock changes ``tick`` and ``hours`` every tick), outcomes are checked only after a name
their conditions read changed, and only the events that can happen now (unscheduled ones
and those scheduled for this tick) are looked at. Every expression that is evaluated is
evaluated where it always was, so errors (a division by zero) arise at the same point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace

from brinkmanship.engine import draws, rng
from brinkmanship.engine.condition_cache import CLOCK, ConditionIndex
from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import (
    WAIT,
    ActionInfo,
    Choice,
    Counsel,
    LegalActions,
    Letter,
    Observation,
    SeenEvent,
)
from brinkmanship.engine.policy import Policy, as_choice
from brinkmanship.engine.rules import first_rule
from brinkmanship.engine.state import DecisionRequest, RunState, Transit
from brinkmanship.engine.trajectory import (
    NARRATOR,
    ChoiceRecord,
    OutcomeResult,
    RunResult,
    TrajectoryEvent,
)
from brinkmanship.errors import IllegalChoiceError
from brinkmanship.scenario import compiled as c
from brinkmanship.scenario.timeutil import moment_text
from brinkmanship.version import __version__
from brinkmanship.wording import in_sentence, proper_words, with_article, within

EVERYONE = frozenset({"*"})
COUNSEL_VERB = "recommends:"
MESSAGE_NOUN = {
    "offer": "offer",
    "demand": "demand",
    "accept": "acceptance",
    "reject": "refusal",
    "statement": "statement",
}
MISREADABLE = frozenset({"offer", "demand", "statement"})
"""Kinds of message a recipient can misread; an acceptance or refusal is unmistakable."""


class ReferenceEngine:
    """Runs a compiled scenario one run at a time."""

    def __init__(self, scenario: c.CompiledScenario) -> None:
        self.sc = scenario
        self.params = scenario.parameter_env()
        self.visible: dict[str, tuple[c.Variable, ...]] = {
            a: tuple(v for v in scenario.variables.values() if c.can_see(v.visible_to, a))
            for a in scenario.actors
        }
        self.decision_points: dict[str, tuple[c.DecisionPoint, ...]] = {
            a: tuple(d for d in scenario.decisions if d.actor == a) for a in scenario.actors
        }
        self.asked_at: dict[str, frozenset[int]] = {
            a: frozenset().union(*(d.schedule for d in points))
            for a, points in self.decision_points.items()
        }
        """Per actor, the ticks at which one of its decision points is scheduled."""
        self.asked_on: dict[str, frozenset[str]] = {
            a: frozenset().union(*(d.triggers for d in points))
            for a, points in self.decision_points.items()
        }
        """Per actor, what happening asks it to decide."""
        self.proper = proper_words(
            [a.name for a in scenario.actors.values()]
            + [m.name for a in scenario.actors.values() for m in a.members]
        )
        """Words of the actors' and members' names that keep their capital in a sentence."""
        self.space: dict[str, tuple[str, ...]] = {
            a: (WAIT, *actor.actions) for a, actor in scenario.actors.items()
        }
        events = tuple(scenario.events.values())
        self.unscheduled = tuple(e for e in events if e.at_tick is None)
        self.events_at: dict[int, tuple[c.Event, ...]] = {
            t: tuple(e for e in events if e.at_tick in (None, t))
            for t in {e.at_tick for e in events if e.at_tick is not None}
        }
        """Per tick with scheduled events: the events to look at, in scenario order."""
        outcome_conditions = [
            e for o in scenario.outcomes.values() for e in (o.when, o.pending) if e is not None
        ]
        self.conditions = ConditionIndex(
            [
                *(e.when for e in events),
                *(e.hazard for e in events if e.hazard is not None),
                *outcome_conditions,
                *(a.when for a in scenario.actions.values()),
                *([scenario.escalation] if scenario.escalation is not None else []),
            ],
            outcome_conditions,
        )

    # ------------------------------------------------------------------ runs

    def start(self, seed: int, run: int = 0) -> RunState:
        """A new run at tick 0, before anything has happened."""
        env = dict(self.params)
        env.update({v.name: v.initial for v in self.sc.variables.values()})
        env.update(tick=0.0, hours=0.0)
        st = RunState(seed=seed, run=run, tick=0, env=env)
        st.costs = {a.holder: 0.0 for a in self.sc.actors.values()}
        st.occurred = {a: set() for a in self.sc.actors}
        self._log(st, NARRATOR, "start", self.sc.id, self.sc.title, self.sc.sources, EVERYONE)
        self.track_escalation(st)
        return st

    def run(
        self,
        seed: int,
        run: int,
        policies: Mapping[str, Policy],
        names: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Play one run to its outcome with the given policies (one per actor);
        ``names`` are the policy specs to record (default: each policy's name)."""
        missing = [a for a in self.sc.actors if a not in policies]
        if missing:
            raise ValueError(f"no policy for actor(s) {', '.join(missing)}")
        st = self.start(seed, run)
        TickDriver(self, st).play(policies)
        if names is None:
            names = {a: getattr(p, "name", type(p).__name__) for a, p in policies.items()}
        return self.result(st, names)

    def result(self, st: RunState, policy_names: Mapping[str, str]) -> RunResult:
        assert st.outcome is not None
        return RunResult(
            scenario=self.sc.id,
            seed=st.seed,
            run=st.run,
            interventions=self.sc.applied,
            policies=dict(policy_names),
            events=tuple(st.events),
            choices=tuple(st.choices),
            outcome=st.outcome,
            version=__version__,
            peak_escalation=st.peak_escalation,
        )

    # ---------------------------------------------------------------- phases

    def begin_tick(self, st: RunState) -> None:
        """Steps 1-5: clock, due effects, events, deliveries, outcome check."""
        t = st.tick
        st.env["tick"] = float(t)
        st.env["hours"] = t * self.sc.tick_hours
        for name in CLOCK:
            st.outcomes_dirty |= self.conditions.forget(st.cache, name)
        self._land_effects(st)
        self._draw_events(st)
        self._deliver_messages(st)
        self._check_outcomes(st)

    def requests(self, st: RunState) -> list[DecisionRequest]:
        """Step 6a: who decides now, with observations (counsel included) and legal actions."""
        occurred = st.occurred
        st.occurred = {a: set() for a in self.sc.actors}
        out = []
        for actor in self.sc.actors.values():
            happened = occurred[actor.id]
            if st.tick not in self.asked_at[actor.id] and not happened & self.asked_on[actor.id]:
                continue
            points = [
                dp
                for dp in self.decision_points[actor.id]
                if st.tick in dp.schedule or dp.triggers & happened
            ]
            if not points:
                continue
            values = self._visible_values(st, actor.id)
            if not any(dp.when(values) for dp in points):
                continue
            legal = self.legal_actions(st, actor.id)
            obs = self.observe(st, actor.id, values)
            if actor.is_body:
                obs = replace(obs, member=actor.chair, counsel=self._counsel(st, actor, obs, legal))
            out.append(DecisionRequest(actor.id, obs, legal))
        return out

    def decide(self, st: RunState, request: DecisionRequest, policy: Policy) -> Choice:
        """Step 6b: ask the policy, check the answer, resolve the body's rule."""
        proposal = as_choice(policy.decide(request.observation, request.legal))
        if proposal.action not in request.legal:
            raise IllegalChoiceError(
                f"policy {getattr(policy, 'name', type(policy).__name__)!r} for actor "
                f"{request.actor!r} chose {proposal.action!r} at {self.sc.iso(st.tick)}, which is "
                f"not legal then; legal choices: {', '.join(request.legal.ids)}"
            )
        actor = self.sc.actors[request.actor]
        if actor.rule is not None and proposal.action != WAIT:
            self._log_counsel(st, actor, request.observation)
        if actor.rule is None or actor.rule.kind == "leader":
            return proposal
        if actor.rule.kind == "consent":
            return self._consent(st, actor, actor.rule, proposal, request)
        return self._vote(st, actor, proposal, request)

    def _log_counsel(self, st: RunState, actor: c.Actor, obs: Observation) -> None:
        """Record, before a body acts, what each member recommended and why."""
        audience = frozenset({actor.id})
        sources = {m.id: m.sources or actor.sources for m in actor.members}
        for cn in obs.counsel:
            if cn.abstains:
                continue
            label = self.sc.actions[cn.action].label if cn.action != WAIT else WAIT
            label = in_sentence(label, self.proper)
            text = f"{cn.name} {COUNSEL_VERB} {label}" + (f" — {cn.why}" if cn.why else "")
            self._log(st, actor.id, "counsel", cn.member, text, sources[cn.member], audience)

    def apply(self, st: RunState, choices: list[tuple[str, Choice]]) -> None:
        """Step 6c: carry out the choices, in actor order."""
        for actor_id, choice in choices:
            st.choices.append(ChoiceRecord(st.tick, actor_id, choice.action, choice.why))
            if choice.action != WAIT:
                self._take(st, self.sc.actions[choice.action], choice)

    def end_tick(self, st: RunState) -> None:
        """Step 7: outcomes, the horizon, and the next tick."""
        self._check_outcomes(st)
        if st.finished:
            return
        if st.tick >= self.sc.horizon_ticks:
            last = self.sc.default_outcome if st.decided is None else self.sc.outcomes[st.decided]
            self._finish(st, last)
            return
        st.tick += 1

    # ------------------------------------------------------------- mechanics

    def _value(self, st: RunState, expr: c.Expr) -> float:
        """``expr`` evaluated now, one of the conditions in ``self.conditions``: its value is
        kept until a name it reads changes, since evaluating it again would give the same."""
        key = id(expr)
        value = st.cache.get(key)
        if value is None:
            value = st.cache[key] = expr(st.env)
        return value

    def track_escalation(self, st: RunState) -> None:
        """Read the escalation index on the state now into the run's peak."""
        if self.sc.escalation is not None:
            value = self._value(st, self.sc.escalation)
            if st.peak_escalation is None or value > st.peak_escalation:
                st.peak_escalation = value

    def _log(
        self,
        st: RunState,
        actor: str,
        kind: str,
        ident: str,
        text: str,
        sources: tuple[str, ...],
        visible_to: frozenset[str],
        told: c.Told = (),
    ) -> None:
        st.events.append(
            TrajectoryEvent(
                st.tick, self.sc.iso(st.tick), actor, kind, ident, text, sources, visible_to, told
            )
        )

    def _assign(self, st: RunState, effects: c.Effects) -> None:
        """Apply effects simultaneously: all right-hand sides see the state before any lands."""
        values = [a.expr(st.env) for a in effects]
        env = st.env
        for assign, value in zip(effects, values, strict=True):
            old = env[assign.var]
            new = env[assign.var] = self.sc.variables[assign.var].coerce(value, assign.expr.at)
            if new != old or math.copysign(1.0, new) != math.copysign(1.0, old):
                st.outcomes_dirty |= self.conditions.forget(st.cache, assign.var)

    def _notify(self, st: RunState, ref: str, visible_to: frozenset[str]) -> None:
        for actor in self.sc.actors:
            if c.can_see(visible_to, actor):
                st.occurred[actor].add(ref)

    def _land_effects(self, st: RunState) -> None:
        if st.tick not in st.pending.values():
            return
        for action in self.sc.actions.values():
            if st.pending.get(action.id) == st.tick:
                del st.pending[action.id]
                self._assign(st, action.effects)
                self._log(
                    st,
                    action.actor,
                    "effect",
                    action.id,
                    f"Carried out: {action.label}.",
                    action.sources,
                    action.visible_to,
                )
                self._notify(st, action.id, action.visible_to)

    def _draw_events(self, st: RunState) -> None:
        for event in self.events_at.get(st.tick, self.unscheduled):
            if event.once and event.id in st.fired:
                continue
            if not self._value(st, event.when):
                continue
            if event.hazard is not None:
                p = min(max(self._value(st, event.hazard), 0.0), 1.0)
                if not rng.uniform(st.seed, st.run, st.tick, draws.event(event.id)) < p:
                    continue
            st.fired.add(event.id)
            self._assign(st, event.effects)
            self._log(
                st,
                event.actor or NARRATOR,
                "event",
                event.id,
                event.text,
                event.sources,
                event.visible_to,
                event.told,
            )
            self._notify(st, event.id, event.visible_to)

    def _deliver_messages(self, st: RunState) -> None:
        if all(t.arrival_tick != st.tick for t in st.in_transit.values()):
            return
        for action in self.sc.actions.values():
            transit = st.in_transit.get(action.id)
            if transit is None or transit.arrival_tick != st.tick:
                continue
            del st.in_transit[action.id]
            st.delivered[action.id] = transit
            message = action.message
            assert message is not None
            self._assign(st, message.on_misread if transit.misread else message.on_deliver)
            channel = self.sc.channels[message.channel]
            note = ""
            if transit.misread:
                as_kind = f" as a {message.misread_kind}" if message.misread_kind else ""
                note = f" It is misread{as_kind}."
            sent = (
                ""
                if transit.sent_tick == st.tick
                else f", sent {moment_text(self.sc.time_of(transit.sent_tick))}"
            )
            noun = with_article(MESSAGE_NOUN[message.kind])
            letter = f"{noun} from {within(message.sender_name)}"
            to = self.sc.actors[message.to].name
            text = (
                f"{letter[:1].upper()}{letter[1:]} to {within(to)} reaches every side by "
                f"{channel.label}{sent}.{note}"
                if channel.public
                else f"{to} receives {letter} by {channel.label}{sent}.{note}"
            )
            # the sender learns when a private message arrives only if it was there (in
            # person), or from what follows; a public one reaches every side, the sender too
            recipients = self.sc.recipients(message)
            hearers = recipients | {action.actor} if channel.in_person else recipients
            self._log(st, message.to, "delivery", action.id, text, action.sources, hearers)
            self._notify(st, action.id, recipients)
            audience = recipients | {action.actor}
            if message.kind == "accept" and message.of is not None:
                self._conclude(st, action, self.sc.actions[message.of], audience)
            elif message.kind == "statement" and message.give:
                self._pledge(st, action, message, audience)

    def _conclude(
        self, st: RunState, accept: c.Action, offer_action: c.Action, audience: frozenset[str]
    ) -> None:
        offer = offer_action.message
        assert offer is not None
        terms = [self.sc.terms[t] for t in (*offer.give, *offer.get)]
        for term in terms:
            self._assign(st, term.effects)
        labels = "; ".join(t.label for t in terms)
        sources = tuple(
            dict.fromkeys(
                (*offer_action.sources, *accept.sources, *(s for t in terms for s in t.sources))
            )
        )
        self._log(
            st, NARRATOR, "deal", offer_action.id, f"Deal concluded: {labels}.", sources, audience
        )

    def _pledge(
        self, st: RunState, action: c.Action, message: c.Message, audience: frozenset[str]
    ) -> None:
        """A statement that gives terms is a unilateral pledge: its terms take effect."""
        terms = [self.sc.terms[t] for t in message.give]
        for term in terms:
            self._assign(st, term.effects)
        labels = "; ".join(t.label for t in terms)
        text = f"{self.sc.actors[action.actor].name} pledges: {labels}."
        self._log(st, action.actor, "pledge", action.id, text, action.sources, audience)

    def _check_outcomes(self, st: RunState) -> None:
        """The first outcome (in file order) whose condition holds is decided; once one is
        decided, only those before it are looked at, and it ends the run when its ``pending``
        stops holding."""
        # nothing they read has changed since the last check: it would find the same
        if st.finished or not st.outcomes_dirty:
            return
        st.outcomes_dirty = False
        decided = None if st.decided is None else self.sc.outcomes[st.decided]
        for outcome in self.sc.outcomes.values():
            if decided is not None and outcome.index >= decided.index:
                break
            if outcome.when is not None and self._value(st, outcome.when):
                self._decide(st, outcome)
                return
        if (
            decided is not None
            and decided.pending is not None
            and not self._value(st, decided.pending)
        ):
            self._finish(st, decided)

    def _decide(self, st: RunState, outcome: c.Outcome) -> None:
        """``outcome``'s condition holds: it ends the run now, or waits while its
        ``pending`` holds."""
        if outcome.pending is not None and self._value(st, outcome.pending):
            st.decided, st.decided_tick = outcome.id, st.tick
            st.mechanism = self._mechanism(st, outcome)
        else:
            self._finish(st, outcome)

    def _mechanism(self, st: RunState, outcome: c.Outcome) -> str | None:
        """The first mechanism that applies to ``outcome`` on the state now, or the
        default one (None where the scenario names none)."""
        for m in self.sc.mechanisms.values():
            if m.default or outcome.id not in m.outcomes:
                continue
            if m.after and not any(r in st.fired or st.taken.get(r, 0) > 0 for r in m.after):
                continue
            if m.when is None or m.when(st.env):
                return m.id
        default = self.sc.default_mechanism
        return None if default is None else default.id

    def _finish(self, st: RunState, outcome: c.Outcome) -> None:
        decided_tick = st.decided_tick if outcome.id == st.decided else None
        if outcome.id != st.decided:
            st.mechanism = self._mechanism(st, outcome)
        utilities = {
            holder: expr(st.env) - st.costs.get(holder, 0.0)
            for holder, expr in outcome.utility.items()
        }
        st.outcome = OutcomeResult(
            id=outcome.id,
            cls=outcome.cls.value,
            label=outcome.label,
            tick=st.tick,
            time=self.sc.iso(st.tick),
            text=outcome.text or outcome.label,
            sources=outcome.sources,
            utilities=utilities,
            decided_tick=decided_tick,
            decided_time=None if decided_tick is None else self.sc.iso(decided_tick),
            mechanism=st.mechanism,
        )

    # -------------------------------------------------------------- deciding

    def legal_actions(self, st: RunState, actor_id: str) -> LegalActions:
        """``wait`` plus every action of the actor that may be taken now."""
        legal = [ActionInfo(WAIT, "Wait", "Do nothing for now.")]
        for action_id in self.sc.actors[actor_id].actions:
            action = self.sc.actions[action_id]
            if self._is_legal(st, action):
                legal.append(ActionInfo(action.id, action.label, action.text_for(actor_id)))
        return LegalActions(actor_id, tuple(legal), self.space[actor_id])

    def _is_legal(self, st: RunState, action: c.Action) -> bool:
        if action.id in st.pending or action.id in st.in_transit:
            return False
        if action.once and st.taken.get(action.id, 0) > 0:
            return False
        message = action.message
        if message is not None and message.of is not None:
            answered_to = st.delivered.get(message.of)
            if answered_to is None or message.of in st.answered:
                return False
            perceived = self._perceived_kind(message.of, answered_to.misread)
            if perceived not in ("offer", "demand"):
                return False
        return self._value(st, action.when) != 0.0

    def _perceived_kind(self, action_id: str, misread: bool) -> str:
        message = self.sc.actions[action_id].message
        assert message is not None
        if misread and message.misread_kind is not None:
            return message.misread_kind
        return message.kind

    def _visible_values(self, st: RunState, actor: str) -> dict[str, float]:
        values = dict(self.params)
        values["tick"] = st.env["tick"]
        values["hours"] = st.env["hours"]
        for var in self.visible[actor]:
            values[var.name] = st.env[var.name]
        return values

    def observe(
        self, st: RunState, actor: str, values: Mapping[str, float] | None = None
    ) -> Observation:
        """What ``actor`` knows now: visible state, its inbox, the events it could see."""
        if values is None:
            values = self._visible_values(st, actor)
        inbox = []
        for action_id, transit in st.delivered.items():
            action = self.sc.actions[action_id]
            message = action.message
            assert message is not None
            if not c.can_see(self.sc.recipients(message), actor):
                continue
            text = message.text
            if transit.misread and message.misread_text:
                text = message.misread_text
            inbox.append(
                Letter(
                    id=action_id,
                    sender=action.actor,
                    channel=message.channel,
                    kind=self._perceived_kind(action_id, transit.misread),
                    terms_give=message.give,
                    terms_get=message.get,
                    text=text,
                    sent=self.sc.iso(transit.sent_tick),
                    arrived=self.sc.iso(transit.arrival_tick),
                )
            )
        seen = self._seen(st, actor)
        seed, run, tick = st.seed, st.run, st.tick

        def uniform(site: str) -> float:
            return rng.uniform(seed, run, tick, draws.policy(actor, site))

        return Observation(
            actor=actor,
            member=None,
            tick=st.tick,
            time=self.sc.time_of(st.tick),
            iso=self.sc.iso(st.tick),
            values=values,
            state={v.name: v.typed(values[v.name]) for v in self.visible[actor]},
            inbox=tuple(inbox),
            seen=seen,
            counsel=(),
            _uniform=uniform,
        )

    @staticmethod
    def _seen(st: RunState, actor: str) -> tuple[SeenEvent, ...]:
        """The events ``actor`` could see so far, scanning only those logged since last time."""
        known = st.seen.setdefault(actor, [])
        events = st.events
        for i in range(st.seen_upto.get(actor, 0), len(events)):
            e = events[i]
            if e.seen_by(actor):
                known.append(SeenEvent(e.time, e.kind, e.actor, e.id, e.text_for(actor)))
        st.seen_upto[actor] = len(events)
        return tuple(known)

    def _counsel(
        self, st: RunState, actor: c.Actor, obs: Observation, legal: LegalActions
    ) -> tuple[Counsel, ...]:
        out = []
        for member in actor.members:
            if member.id == actor.chair or not member.present(obs.values) or not member.stance:
                continue
            weight = member.weight(st.env)
            rule = first_rule(
                member.stance, obs.values, legal.ids, self._stance_draw(st, actor.id, member.id)
            )
            if rule is None or rule.no_view:  # not logged, left out of Model III's tally
                why = "" if rule is None else rule.why
                out.append(Counsel(member.id, member.name, WAIT, why, weight, True))
            else:
                out.append(Counsel(member.id, member.name, rule.do, rule.why, weight))
        return tuple(out)

    @staticmethod
    def _stance_draw(st: RunState, actor: str, member: str) -> Callable[[int], float]:
        def draw(rule_index: int) -> float:
            return rng.uniform(st.seed, st.run, st.tick, draws.stance(actor, member, rule_index))

        return draw

    def _consent(
        self,
        st: RunState,
        actor: c.Actor,
        rule: c.BodyRule,
        proposal: Choice,
        request: DecisionRequest,
    ) -> Choice:
        needs_consent = proposal.action != WAIT and (
            not rule.requires or proposal.action in rule.requires
        )
        if not needs_consent:
            return proposal
        counsel = {cn.member: cn.action for cn in request.observation.counsel}
        present = [m for m in actor.members if m.present(request.observation.values)]
        agree = [
            m.id
            for m in present
            if m.id == rule.proposer or counsel.get(m.id, proposal.action) == proposal.action
        ]
        refuse = [m.name for m in present if m.id not in agree]
        label = self.sc.actions[proposal.action].label
        body = frozenset({actor.id})  # a vote inside the body: others see only what it does
        if len(agree) >= rule.k:
            text = f"{label}: {len(agree)} of {len(present)} consent ({rule.k} needed)."
            self._log(st, actor.id, "consent", proposal.action, text, actor.sources, body)
            return proposal
        fallback = rule.fallback if rule.fallback in request.legal else WAIT
        why = f"refused by {', '.join(refuse)}" if refuse else "too few attend"
        text = (
            f"{label}: proposed, but only {len(agree)} of {len(present)} consent "
            f"({rule.k} needed); "
            f"{why}."
        )
        self._log(st, actor.id, "consent", proposal.action, text, actor.sources, body)
        return Choice(fallback, f"consent {why}" if refuse else "too few attend to consent")

    def _vote(
        self, st: RunState, actor: c.Actor, proposal: Choice, request: DecisionRequest
    ) -> Choice:
        counsel = {cn.member: cn.action for cn in request.observation.counsel}
        tally: dict[str, float] = {}
        for member in actor.members:
            if not member.present(request.observation.values):
                continue
            vote = counsel.get(member.id, proposal.action)
            tally[vote] = tally.get(vote, 0.0) + member.weight(st.env)
        if not tally:  # nobody present: the proposal stands
            return proposal
        best = max(tally.values())
        winners = [a for a in request.legal.ids if tally.get(a) == best]
        winner = proposal.action if proposal.action in winners else winners[0]
        if winner == proposal.action:
            return proposal
        return Choice(winner, f"carried by weighted vote ({best:g})")

    def _take(self, st: RunState, action: c.Action, choice: Choice) -> None:
        st.taken[action.id] = st.taken.get(action.id, 0) + 1
        for holder, expr in action.cost:
            st.costs[holder] = st.costs.get(holder, 0.0) + expr(st.env)
        text = with_reason(action.text or action.label, choice.why)
        message = action.message
        self._log(
            st,
            action.actor,
            "message" if message else "action",
            action.id,
            text,
            action.sources,
            self.sc.witnesses(action),
            action.told,
        )
        self._notify(st, action.id, action.visible_to)
        delay = self._delay_ticks(st, action)
        if delay == 0:
            self._assign(st, action.effects)
        else:
            st.pending[action.id] = st.tick + delay
        if message is not None:
            self._send(st, action, message)

    def _delay_ticks(self, st: RunState, action: c.Action) -> int:
        """The ticks before ``action``'s effects land: fixed, or drawn now."""
        u = 0.0
        if action.delay.drawn:
            u = rng.uniform(st.seed, st.run, st.tick, draws.delay(action.id))
        return self.sc.ticks_of(latency_seconds(action.delay, u))

    def _send(self, st: RunState, action: c.Action, message: c.Message) -> None:
        channel = self.sc.channels[message.channel]
        u = rng.uniform(st.seed, st.run, st.tick, draws.latency(action.id))
        seconds = latency_seconds(channel.latency, u)
        ticks = self.sc.ticks_of(seconds)
        misread = False
        if message.kind in MISREADABLE:
            p = min(max(channel.misread(st.env), 0.0), 1.0)
            misread = rng.uniform(st.seed, st.run, st.tick, draws.misread(action.id)) < p
        st.in_transit[action.id] = Transit(action.id, st.tick, st.tick + ticks, misread)
        if message.of is not None:
            st.answered.add(message.of)
        if ticks == 0:  # no latency (a meeting in person): heard in the hour it is sent
            self._deliver_messages(st)


def with_reason(text: str, why: str) -> str:
    """An action's text with its policy's reason as a sentence of its own: "Soviet forces
    raise their readiness. Reason: answer the US alert." (the text alone without one)."""
    if not why:
        return text
    body = text.rstrip()
    if not body.rstrip(")").endswith((".", "!", "?")):
        body += "."
    reason = why.rstrip().rstrip(".")
    return f"{body}{REASON}{reason}."


REASON = " Reason: "
"""Where :func:`with_reason` sets a policy's reason after its action's text."""


def without_reason(text: str, plain: str) -> str:
    """An act's ``text`` as :func:`with_reason` wrote it, without the reason: what another
    side sees of the act (``plain`` is the action's own text)."""
    cut = text.find(REASON, max(0, len(plain.rstrip()) - 1))
    return text if cut < 0 else text[:cut]


def latency_seconds(latency: c.Latency, u: float) -> float:
    """A latency drawn from its distribution with the uniform ``u``."""
    if latency.kind == "fixed":
        return latency.seconds[0]
    if latency.kind == "uniform":
        low, high = latency.seconds
        return rng.uniform_between(u, low, high)
    low, mode, high = latency.seconds
    return rng.triangular(u, low, mode, high)
