"""The two policies that live in scenario data: ordered rules, and scripts with rules
as their fallback off the script."""

from __future__ import annotations

from brinkmanship.engine import draws
from brinkmanship.engine.batch import forms
from brinkmanship.engine.batch.forms import BatchForm
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.rules import first_rule
from brinkmanship.scenario.compiled import PolicyData


class RulesPolicy:
    """Ordered ``when → do`` rules (optionally with a probability); waits if none applies."""

    def __init__(self, data: PolicyData) -> None:
        self.data = data
        self.name = data.name

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        rule = first_rule(
            self.data.rules,
            observation.values,
            legal.ids,
            lambda i: observation.uniform(draws.rule(self.name, i)),
        )
        if rule is None:
            return Choice(WAIT)
        return Choice(rule.do, rule.why)


class ScriptedPolicy(RulesPolicy):
    """Does each script step at the first decision point at or after its time where its
    action is legal and its premise holds; when no step applies (the run has left the
    script, or the world a step assumes) it follows its rules."""

    def __init__(self, data: PolicyData, start_tick: int = 0) -> None:
        super().__init__(data)
        self.closed: set[int] = {s.index for s in data.script if s.at_tick < start_tick}

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        for step in self.data.script:
            if step.index in self.closed or step.at_tick > observation.tick:
                continue
            if step.do in legal and step.when(observation.values):
                self.closed.add(step.index)
                return Choice(step.do, step.why)
            if step.until_tick is None or observation.tick >= step.until_tick:
                self.closed.add(step.index)
        return super().decide(observation, legal)


def data_policy(data: PolicyData, start_tick: int = 0) -> RulesPolicy:
    """The policy object for a scenario's data policy; script steps due before
    ``start_tick`` count as past (for policies started mid-run, as in a lookahead)."""
    return ScriptedPolicy(data, start_tick) if data.script else RulesPolicy(data)


def data_batch_form(data: PolicyData) -> BatchForm:
    """How a scenario data policy runs on the batch engine."""
    return BatchForm(forms.SCRIPTED if data.script else forms.RULES, data=data)
