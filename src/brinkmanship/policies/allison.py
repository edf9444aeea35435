"""Allison's Models II and III as policies (Model I, the rational actor, is in
:mod:`brinkmanship.policies.rational`).

- ``organizational`` (Model II): an organisation acts by its standard operating
  procedures — the routines of its ``repertoire`` — repeats what it did last (inertia),
  and carries orders out late or differently (slippage).
- ``political`` (Model III): a body's choice is the outcome of pulling and hauling among
  its members, each pressing the action its stance recommends with its influence; the
  body's decision rule then applies. Stances and influence are scenario data and shift
  with events (a member's weight may depend on state). A member whose stance says nothing
  now abstains; when every member abstains the body follows its standard course, the
  actor's default policy. An action in one of the body's action channels is carried only
  at a decision where its channel is open; elsewhere counsel for it is argument, not a
  choice, and counts as pressing for nothing, and the standard course does not take it
  either (the body waits): a kind of decision is taken in its channel or not at all.
"""

from __future__ import annotations

from brinkmanship.engine import draws
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.rules import first_rule
from brinkmanship.errors import BrinkError
from brinkmanship.policies.defaults import default_data
from brinkmanship.policies.rules import RulesPolicy, data_policy
from brinkmanship.scenario.compiled import CompiledScenario, Repertoire


class Organizational:
    """Routines tried in order, with inertia and slippage."""

    name = "organizational"

    def __init__(self, scenario: CompiledScenario, actor: str) -> None:
        repertoire = scenario.actors[actor].repertoire
        if repertoire is None:
            raise BrinkError(
                f"policy 'organizational' needs a repertoire of routines for {actor!r}; "
                f"the scenario declares none (add 'repertoire:' to the actor)"
            )
        self.repertoire: Repertoire = repertoire
        self.last: str | None = None
        self.delayed: str | None = None

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        rep = self.repertoire
        if self.delayed is not None:
            order, self.delayed = self.delayed, None
            if order in legal:
                return self._done(order, "an order carried out late")
        repeat = self.last is not None and self.last in legal
        if repeat and observation.uniform(draws.INERTIA) < rep.inertia:
            assert self.last is not None
            return self._done(self.last, "does again what it did last")
        rule = first_rule(
            rep.routines,
            observation.values,
            legal.ids,
            lambda i: observation.uniform(draws.routine(i)),
        )
        if rule is None:
            return Choice(WAIT, "no routine applies")
        if observation.uniform(draws.SLIPPAGE) < rep.slippage:
            substitute = rep.substitutes.get(rule.do)
            if substitute is not None and substitute in legal:
                return self._done(substitute, f"ordered to {rule.do}, carried out differently")
            self.delayed = rule.do
            return Choice(WAIT, f"the order to {rule.do} is delayed")
        return self._done(rule.do, rule.why or "standard operating procedure")

    def _done(self, action: str, why: str) -> Choice:
        self.last = action
        return Choice(action, why)


class Political:
    """The influence-weighted plurality of the counsel of the members that have a view
    (a member none of whose stance's rules applies abstains), leaving out counsel for an
    action whose action channel is closed now; ties go to the action listed first. When no
    counsel is left, the body follows its standard course: the actor's default policy."""

    name = "political"

    def __init__(self, scenario: CompiledScenario, actor: str) -> None:
        self.actor = scenario.actors[actor]
        if not self.actor.is_body:
            raise BrinkError(
                f"policy 'political' needs a body with members, and {actor!r} is not one"
            )
        data = default_data(scenario, actor)
        self.standard: RulesPolicy | None = None if data is None else data_policy(data)

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        # every channel is evaluated, in order, as the batch kernel does
        closed = {ch: not ch.open(observation.values) for ch in self.actor.action_channels}
        held = frozenset(a for ch, shut in closed.items() if shut for a in ch.actions)
        tally: dict[str, float] = {}
        backers: dict[str, list[str]] = {}
        argued: list[str] = []
        for counsel in observation.counsel:
            if counsel.abstains:
                continue
            if counsel.action in held:
                argued.append(counsel.name)
                continue
            tally[counsel.action] = tally.get(counsel.action, 0.0) + counsel.weight
            backers.setdefault(counsel.action, []).append(counsel.name)
        if not tally:
            return self._standard_course(observation, legal, argued, held)
        best = max(tally.values())
        winner = next(a for a in legal.ids if tally.get(a) == best)
        names = ", ".join(backers[winner])
        return Choice(winner, f"carried by {names} (influence {best:g} of {sum(tally.values()):g})")

    def _standard_course(
        self,
        observation: Observation,
        legal: LegalActions,
        argued: list[str],
        held: frozenset[str],
    ) -> Choice:
        """What the actor's default policy does (``wait`` where it has none, or where its
        choice is held: taken only in an action channel that is not open now)."""
        why = "no member presses for anything: the standard course"
        if argued:
            why = (
                f"{', '.join(argued)} argue for a choice taken only in its action channel, "
                f"not open now: the standard course"
            )
        if self.standard is None:
            return Choice(WAIT, why)
        choice = self.standard.decide(observation, legal)
        if choice.action in held:
            label = legal.info(choice.action).label
            return Choice(WAIT, f"{why}; held: '{label}' is decided only in its action channel")
        return Choice(choice.action, f"{why} — {choice.why}" if choice.why else why)
