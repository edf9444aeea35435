"""Doctrines that work for any scenario, reading the ``escalation`` score of each action
(-10, most conciliatory, to 10, most escalatory)."""

from __future__ import annotations

from collections.abc import Mapping

from brinkmanship.engine import draws
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.scenario.compiled import CompiledScenario


def _scores(scenario: CompiledScenario) -> dict[str, int]:
    return {a.id: a.escalation for a in scenario.actions.values()} | {WAIT: 0}


class Hawk:
    """Climbs the escalation ladder one rung at a time: with probability ``threshold`` it
    takes the legal action with the lowest escalation score above the highest rung it has
    reached (never above ``ceiling``); otherwise it waits."""

    name = "hawk"

    def __init__(
        self, scenario: CompiledScenario, threshold: float = 0.7, ceiling: int = 10
    ) -> None:
        self.scores = _scores(scenario)
        self.threshold = threshold
        self.ceiling = ceiling
        self.rung = 0

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        if observation.uniform(draws.HAWK) >= self.threshold:
            return Choice(WAIT, "holds this rung for now")
        steps = [a for a in legal.ids if self.rung < self.scores[a] <= self.ceiling]
        if not steps:
            steps = [a for a in legal.ids if 0 < self.scores[a] <= self.ceiling]
        if not steps:
            return Choice(WAIT, "no escalation available")
        choice = min(steps, key=lambda a: (self.scores[a], legal.ids.index(a)))
        self.rung = max(self.rung, self.scores[choice])
        return Choice(choice, f"escalates to rung {self.scores[choice]}")


class Dove:
    """With probability ``threshold`` takes the most conciliatory legal action (the lowest
    escalation score); never takes one scored above ``ceiling`` (default 0)."""

    name = "dove"

    def __init__(
        self, scenario: CompiledScenario, threshold: float = 0.7, ceiling: int = 0
    ) -> None:
        self.scores = _scores(scenario)
        self.threshold = threshold
        self.ceiling = ceiling

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        if observation.uniform(draws.DOVE) >= self.threshold:
            return Choice(WAIT, "gives diplomacy time")
        options = [a for a in legal.ids if a != WAIT and self.scores[a] <= self.ceiling]
        if not options:
            return Choice(WAIT, "nothing conciliatory to offer")
        choice = min(options, key=lambda a: (self.scores[a], legal.ids.index(a)))
        return Choice(choice, "de-escalates")


class TitForTat:
    """Responds in kind to the other side's last observed escalation or concession: the
    legal action whose score is closest to it, of the same sign; waits when the other side
    has done nothing new. With probability ``forgiveness`` it lets an escalation pass."""

    name = "tit-for-tat"

    def __init__(self, scenario: CompiledScenario, actor: str, forgiveness: float = 0.0) -> None:
        self.scores = _scores(scenario)
        holder = scenario.actors[actor].holder
        self.others: Mapping[str, bool] = {
            a.id: a.holder != holder for a in scenario.actors.values()
        }
        self.forgiveness = forgiveness
        self.seen_until = 0

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        new = observation.seen[self.seen_until :]
        self.seen_until = len(observation.seen)
        last = 0
        for event in new:
            if event.kind in ("action", "message") and self.others.get(event.actor, False):
                last = self.scores.get(event.id, 0) or last
        if last == 0:
            return Choice(WAIT, "the other side did nothing new")
        if last > 0 and observation.uniform(draws.FORGIVE) < self.forgiveness:
            return Choice(WAIT, "lets it pass")
        same_sign = [a for a in legal.ids if self.scores[a] * last > 0]
        if not same_sign:
            return Choice(WAIT, "no response in kind available")
        choice = min(same_sign, key=lambda a: (abs(self.scores[a] - last), legal.ids.index(a)))
        kind = "escalation" if last > 0 else "concession"
        return Choice(choice, f"answers {kind} ({last:+d}) in kind")
