"""A built-in scenario's runs as its tests read them: a run on the reference engine with the
actors' default policies, and the records of an action or event in it."""

from __future__ import annotations

from brinkmanship.conformance.timeline import KINDS
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult, TrajectoryEvent
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario


def play(sc: CompiledScenario, seed: int = 0, index: int = 0) -> RunResult:
    """Run ``index`` of ``seed``, every actor on its default policy (seed 0, run 0: the
    historical replay)."""
    return ReferenceEngine(sc).run(seed, index, policy_set(sc).make())


def seen(result: RunResult, ident: str, kinds: tuple[str, ...] = KINDS) -> list[TrajectoryEvent]:
    """The records of action or event ``ident`` of the given kinds, in order."""
    return [e for e in result.events if e.id == ident and e.kind in kinds]


def first(result: RunResult, ident: str, kinds: tuple[str, ...] = KINDS) -> TrajectoryEvent:
    """The first record of ``ident``; a run without one fails the test."""
    records = seen(result, ident, kinds)
    assert records, f"{ident} not in the run"
    return records[0]
