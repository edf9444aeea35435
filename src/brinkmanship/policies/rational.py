"""Allison's Model I: a unitary rational actor.

At each decision it estimates the expected utility of every legal choice by Monte Carlo
lookahead through the reference engine, from its *beliefs*: the state it can see, with
every variable hidden from it drawn from that variable's ``prior`` (the scenario's
statement of what an outsider could believe). It never reads hidden state. In the
lookahead the other actors follow their default policies, and so does the actor itself
after its first move; runs that reach no outcome within the horizon are valued by the
scenario's default (horizon) outcome, or by ``goal`` when one is given. Each candidate
choice is evaluated on the same sampled worlds (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from brinkmanship.engine import draws, rng
from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.policy import Policy
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import RunState, Transit
from brinkmanship.errors import BrinkError, ExpressionError
from brinkmanship.policies.defaults import default_data
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.expressions import ExprType, compile_scalar, parse_expression


class Rational:
    """Picks the legal choice with the highest estimated expected utility."""

    name = "rational"

    def __init__(
        self,
        scenario: CompiledScenario,
        actor: str,
        horizon: int = 48,
        samples: int = 8,
        goal: str | None = None,
    ) -> None:
        self.sc = scenario
        self.actor = actor
        self.holder = scenario.actors[actor].holder
        self.horizon = horizon
        self.samples = samples
        self.engine = ReferenceEngine(scenario)
        self.goal = _compile_goal(scenario, goal) if goal else None
        self.taken: list[str] = []

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        if len(legal) == 1:
            return Choice(WAIT, "nothing else is possible")
        seed = int(observation.uniform(draws.RATIONAL) * 2**62)
        scores = {
            action: sum(self._rollout(observation, action, seed, k) for k in range(self.samples))
            / self.samples
            for action in legal.ids
        }
        best = max(scores.values())
        choice = next(a for a in legal.ids if scores[a] == best)
        runner_up = max((v for a, v in scores.items() if a != choice), default=best)
        if choice != WAIT:
            self.taken.append(choice)
        return Choice(choice, f"expected utility {best:.2f} (next best {runner_up:.2f})")

    def _belief(self, obs: Observation, seed: int, run: int) -> RunState:
        """A world consistent with what the actor knows, hidden values drawn from priors."""
        env = dict(self.sc.parameter_env())
        for var in self.sc.variables.values():
            if var.name in obs.values:
                env[var.name] = obs.values[var.name]
            else:
                low, high = var.prior
                u = rng.uniform(seed, run, 0, draws.belief(var.name))
                env[var.name] = var.coerce(rng.uniform_between(u, low, high))
        env["tick"] = obs.values["tick"]
        env["hours"] = obs.values["hours"]
        st = RunState(seed=seed, run=run, tick=obs.tick, env=env)
        st.costs = {a.holder: 0.0 for a in self.sc.actors.values()}
        st.occurred = {a: set() for a in self.sc.actors}
        st.fired = {e.id for e in obs.seen if e.kind == "event"}
        for action in self.taken:
            st.taken[action] = st.taken.get(action, 0) + 1
        for letter in obs.inbox:
            message = self.sc.actions[letter.id].message
            misread = message is not None and message.kind != letter.kind
            st.delivered[letter.id] = Transit(letter.id, obs.tick, obs.tick, misread)
        return st

    def _rollout(self, obs: Observation, first: str, seed: int, run: int) -> float:
        st = self._belief(obs, seed, run)
        policies = self._models(obs.tick)
        engine = self.engine
        # The actor moves now (if its move is possible in this sampled world); whoever
        # else is due this tick decides by its model.
        move = first if first in engine.legal_actions(st, self.actor) else WAIT
        driver = TickDriver.deciding(engine, st)
        driver.resume(policies, made=[(self.actor, Choice(move))])
        driver.play(policies, until=obs.tick + self.horizon + 1)
        return self._value(st)

    def _models(self, tick: int) -> dict[str, Policy]:
        """How the actor expects everyone (itself included, after this move) to behave."""
        models: dict[str, Policy] = {}
        for actor_id in self.sc.actors:
            data = default_data(self.sc, actor_id)
            models[actor_id] = data_policy(data, start_tick=tick) if data else _Waiter()
        return models

    def _value(self, st: RunState) -> float:
        if self.goal is not None:
            return self.goal(st.env)
        if st.outcome is not None:
            return st.outcome.utilities.get(self.holder, 0.0)
        default = self.sc.default_outcome.utility.get(self.holder)
        value = default(st.env) if default is not None else 0.0
        return value - st.costs.get(self.holder, 0.0)


class _Waiter:
    name = "passive"

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        return Choice(WAIT)


def _compile_goal(scenario: CompiledScenario, goal: str) -> Callable[[Mapping[str, float]], float]:
    names = {p: ExprType.NUMBER for p in scenario.parameters}
    names.update(tick=ExprType.NUMBER, hours=ExprType.NUMBER)
    for var in scenario.variables.values():
        names[var.name] = ExprType.BOOL if var.type.value == "bool" else ExprType.NUMBER
    try:
        return compile_scalar(parse_expression(goal, names, ExprType.NUMBER))
    except ExpressionError as exc:
        raise BrinkError(f"policy 'rational': goal {goal!r}: {exc.message}") from None
