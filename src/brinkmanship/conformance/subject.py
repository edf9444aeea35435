"""What the conformance checks look at: a scenario's document, its compiled form, its
historical replay and one run under each of its interventions, each made once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import build, read_source, validate_source
from brinkmanship.scenario.yamlsource import SourceDoc

SEED = 0
REPLAY_RUN = 0
"""The historical replay: the actors' default policies, seed 0, run 0, no intervention."""
INTERVENTION_RUN = 1
"""The run each intervention is played on (seed 0)."""


def play(sc: CompiledScenario, run: int) -> RunResult:
    """Run ``run`` of seed 0 on the reference engine, every actor on its default policy."""
    return ReferenceEngine(sc).run(SEED, run, policy_set(sc).make())


@dataclass
class Subject:
    """A scenario under check. Raises BrinkError (from :meth:`load`) where the file is not a
    valid scenario: the checks start from a scenario that compiles."""

    ref: str
    """The built-in name or file path it was loaded from."""
    doc: SourceDoc
    scenario: CompiledScenario
    _variants: dict[str, CompiledScenario] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, ref: str) -> Subject:
        doc = read_source(ref)
        return cls(ref, doc, validate_source(doc))

    def variant(self, intervention: str) -> CompiledScenario:
        """The scenario with one intervention applied."""
        if intervention not in self._variants:
            self._variants[intervention] = build(self.doc, [intervention])
        return self._variants[intervention]

    @cached_property
    def replay(self) -> RunResult:
        """The historical replay."""
        return play(self.scenario, REPLAY_RUN)

    @cached_property
    def runs(self) -> dict[str, RunResult]:
        """The replay (under "") and one run under each intervention applied alone."""
        out = {"": self.replay}
        for name in self.scenario.interventions:
            out[name] = play(self.variant(name), INTERVENTION_RUN)
        return out


def run_name(intervention: str) -> str:
    """How a failure names a run of :attr:`Subject.runs`."""
    if not intervention:
        return "the replay"
    return f"run {INTERVENTION_RUN} under {intervention}"
