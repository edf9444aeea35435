"""Compare the batch engine with the reference engine, run for run: the same outcome, time,
peak escalation, utilities, the same sequence of events and choices, the same state at the
end of every tick (its digest, :mod:`brinkmanship.engine.digest`), and the same
evaluation error (a division by zero) on the same runs. Shared by the differential tests;
the comparison is :mod:`brinkmanship.testing`'s, the one scenario authors run."""

from __future__ import annotations

from collections.abc import Mapping

from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.testing import ChoiceRow, Event, Play, first_divergence, reference_play

Record = tuple[tuple[Event, ...], tuple[ChoiceRow, ...]]


def reference_record(
    sc: CompiledScenario, specs: Mapping[str, str], seed: int, run: int
) -> tuple[Record, Play]:
    """One reference run: its record (events, choices), and the whole of it."""
    played = reference_play(sc, specs, seed, run)
    return (played.events, played.choices), played


def assert_identical(
    sc: CompiledScenario, overrides: Mapping[str, str], seed: int, runs: range
) -> None:
    """Runs ``runs`` agree on both engines; a run whose expressions divide by zero raises
    the same EvaluationError on both."""
    found = first_divergence(sc, overrides, seed, runs)
    assert found is None, f"{sc.id} {sc.applied} {dict(overrides)} seed {seed}: {found}"


def policy_choices(sc: CompiledScenario, actor: str) -> list[str]:
    """Policy specs the batch engine runs for ``actor``: the scenario's own, the built-in
    doctrines (some with parameters), and Allison's models where the actor has what they need."""
    a = sc.actors[actor]
    out = [*a.policies, "random", "passive", "hawk", "dove", "tit-for-tat"]
    out += ["hawk:threshold=0.4,ceiling=5", "dove:threshold=1,ceiling=-2"]
    out += ["tit-for-tat:forgiveness=0.5"]
    if a.repertoire is not None:
        out.append("organizational")
    if a.is_body:
        out.append("political")
    return out
