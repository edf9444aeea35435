"""Compare the batch engine with the reference engine, run for run: the same outcome, time,
peak escalation, utilities, the same sequence of events and choices, the same state at the
end of every tick (its digest, :mod:`brinkmanship.engine.digest`), and the same
evaluation error (a division by zero) on the same runs. Shared by the differential tests."""

from __future__ import annotations

import math
from collections.abc import Mapping

from brinkmanship.engine.batch.engine import BatchEngine, BatchRuns
from brinkmanship.engine.digest import digest, state_words
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import EvaluationError
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from stepping import play

Record = tuple[list[tuple[int, str, str, str]], list[tuple[int, str, str]]]
Digests = list[tuple[int, int]]
"""(tick, digest of the state the tick ended in), tick by tick."""
Reference = tuple[Record, str, int, float | None, dict[str, float], Digests]


def reference_record(
    sc: CompiledScenario, specs: Mapping[str, str], seed: int, run: int
) -> Reference:
    """One reference run: its record, outcome id and tick, peak escalation, utilities, and
    the digest of its state at the end of every tick."""
    engine = ReferenceEngine(sc)
    policies = policy_set(sc, specs).make()
    st = engine.start(seed, run)
    digests: Digests = []
    while not st.finished:
        tick = st.tick
        play(engine, st, policies, until=tick + 1)
        digests.append((tick, digest(state_words(sc, st))))
    result = engine.result(st, {})
    events = [(e.tick, e.actor, e.kind, e.id) for e in result.events]
    choices = [(ch.tick, ch.actor, ch.action) for ch in result.choices]
    return (
        (events, choices),
        result.outcome.id,
        result.outcome.tick,
        result.peak_escalation,
        dict(result.outcome.utilities),
        digests,
    )


def batch_digests(runs: BatchRuns, run: int) -> Digests:
    """The digests of the states the batch engine logged for ``run``, tick by tick."""
    assert runs.states is not None
    return [(s.tick, s.digest) for s in runs.states if s.run == run]


def first_difference(batch: Digests, reference: Digests) -> str:
    """Where two runs' states first differ."""
    for (tick, mine), (_, theirs) in zip(batch, reference, strict=False):
        if mine != theirs:
            return f"the state at the end of tick {tick} differs"
    return f"{len(batch)} ticks on the batch engine, {len(reference)} on the reference"


def batch_record(runs: BatchRuns, run: int) -> Record:
    """The events and choices the batch engine logged for ``run``."""
    assert runs.log is not None
    mine = [e for e in runs.log if e.run == run]
    events = [(e.tick, e.actor, e.kind, e.id) for e in mine if e.kind != "choice"]
    choices = [(e.tick, e.actor, e.id) for e in mine if e.kind == "choice"]
    return events, choices


def _reference_or_error(
    sc: CompiledScenario, specs: Mapping[str, str], seed: int, run: int
) -> Reference | str:
    try:
        return reference_record(sc, specs, seed, run)
    except EvaluationError as err:
        return f"EvaluationError: {err}"


def _assert_run(
    engine: BatchEngine, batch: BatchRuns, i: int, run: int, expected: Reference, where: str
) -> None:
    record, outcome, tick, peak, utilities, digests = expected
    assert engine.outcomes[batch.outcome[i]] == outcome, where
    assert batch.tick[i] == tick, where
    assert batch_record(batch, run) == record, where
    mine = batch_digests(batch, run)
    assert mine == digests, f"{where}: {first_difference(mine, digests)}"
    if peak is None:
        assert math.isnan(batch.peak[i]), where
    else:
        assert _same(batch.peak[i], peak), where
    for holder, value in utilities.items():
        assert _same(batch.utility[i, engine.holders.index(holder)], value), (where, holder)


def _same(a: float, b: float) -> bool:
    """Equal, or both NaN (an expression such as ``inf - inf`` gives NaN on both engines)."""
    return bool(a == b or (math.isnan(a) and math.isnan(b)))


def assert_identical(
    sc: CompiledScenario, overrides: Mapping[str, str], seed: int, runs: range
) -> None:
    """Runs ``runs`` agree on both engines; a run whose expressions divide by zero raises
    the same EvaluationError on both (the batch engine raises the first failing run's)."""
    specs = policy_set(sc, overrides).specs
    engine = BatchEngine(sc, batch_forms(sc, specs))
    expected = [_reference_or_error(sc, specs, seed, run) for run in runs]
    errors = [e for e in expected if isinstance(e, str)]
    where = f"{sc.id} {sc.applied} {dict(specs)} seed {seed} runs {runs}"
    try:
        batch = engine.run(seed, runs.start, runs.stop, log=True)
    except EvaluationError as err:
        assert errors, f"{where}: only the batch engine raised EvaluationError: {err}"
        assert f"EvaluationError: {err}" == errors[0], where
    else:
        assert not errors, f"{where}: only the reference engine raised {errors[0]}"
        for i, (run, exp) in enumerate(zip(runs, expected, strict=True)):
            assert not isinstance(exp, str)
            _assert_run(engine, batch, i, run, exp, f"{where} run {run}")
        return
    for run, exp in zip(runs, expected, strict=True):  # some run failed: one at a time
        here = f"{where} run {run}"
        try:
            one = engine.run(seed, run, run + 1, log=True)
        except EvaluationError as err:
            assert f"EvaluationError: {err}" == exp, f"{here}: batch raised {err}"
        else:
            assert not isinstance(exp, str), f"{here}: only the reference raised {exp}"
            _assert_run(engine, one, 0, run, exp, here)


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
