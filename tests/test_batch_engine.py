"""The batch engine against the reference engine, run for run: the same outcome, time,
peak escalation, utilities, and the same sequence of events and choices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from batch_compare import assert_identical, policy_choices
from brinkmanship.analysis.montecarlo import Job, run_chunk, run_many
from brinkmanship.engine.batch import engine as batch_engine
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.batch.forms import ReferenceOnly
from brinkmanship.errors import BrinkError
from brinkmanship.policies.registry import BUILTINS, PolicySpec, batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.testing import batch_plays, reference_play
from golden import POLICY_SETS

HOSTILE = Path(__file__).parent / "data" / "hostile.yaml"


@pytest.mark.parametrize("name", list(POLICY_SETS))
def test_every_intervention_and_policy_set_matches_the_reference(name: str) -> None:
    base = load_scenario(name)
    for overrides in POLICY_SETS[name]:
        assert_identical(base, overrides, seed=11, runs=range(0, 6))
    for intervention in base.interventions:
        sc = load_scenario(name, [intervention])
        assert_identical(sc, {}, seed=5, runs=range(3, 6))
        assert_identical(sc, POLICY_SETS[name][1], seed=6, runs=range(0, 2))


@st.composite
def configurations(draw: st.DrawFn, name: str) -> tuple[CompiledScenario, dict[str, str]]:
    base = load_scenario(name)
    params: dict[str, float] = {}
    for pname, info in base.parameters.items():
        if info.range is not None and draw(st.booleans()):
            low, high = info.range
            params[pname] = draw(st.floats(low, high, allow_nan=False))
    names = sorted(base.interventions)
    chosen = draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []
    try:
        sc = load_scenario(name, chosen, params)
    except BrinkError:  # conflicting interventions or a value a variable cannot take
        assume(False)
    specs = {a: draw(st.sampled_from(policy_choices(sc, a))) for a in sc.actors}
    return sc, specs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config=configurations("standoff"),
    seed=st.integers(0, 2**63 - 1),
    first=st.integers(0, 2**32),
)
def test_random_configurations_of_standoff_match(
    config: tuple[CompiledScenario, dict[str, str]], seed: int, first: int
) -> None:
    sc, specs = config
    assert_identical(sc, specs, seed, range(first, first + 3))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configurations("cuba-1962"), seed=st.integers(0, 2**63 - 1))
def test_random_configurations_of_cuba_match(
    config: tuple[CompiledScenario, dict[str, str]], seed: int
) -> None:
    sc, specs = config
    assert_identical(sc, specs, seed, range(0, 2))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configurations("able-archer-1983"), seed=st.integers(0, 2**63 - 1))
def test_random_configurations_of_able_archer_match(
    config: tuple[CompiledScenario, dict[str, str]], seed: int
) -> None:
    sc, specs = config
    assert_identical(sc, specs, seed, range(0, 2))


def test_blocks_and_chunks_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = load_scenario("cuba-1962")
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc).specs))
    whole = engine.run(3, 0, 200)
    monkeypatch.setattr(batch_engine, "BLOCK", 7)
    parts = [engine.run(3, s, min(s + 45, 200)) for s in range(0, 200, 45)]
    assert np.array_equal(np.concatenate([p.outcome for p in parts]), whole.outcome)
    assert np.array_equal(np.concatenate([p.tick for p in parts]), whole.tick)
    assert np.array_equal(np.concatenate([p.utility for p in parts]), whole.utility)


def test_a_full_log_grows_and_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = load_scenario("standoff")
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc).specs))
    roomy = engine.run(1, 0, 20, log=True)
    monkeypatch.setattr(batch_engine, "LOG_ROWS_PER_RUN", 1)
    cramped = engine.run(1, 0, 20, log=True)
    assert cramped.log == roomy.log
    assert np.array_equal(cramped.outcome, roomy.outcome)


def test_monte_carlo_is_the_same_on_both_engines_and_any_workers() -> None:
    ref = Job("standoff", 9, engine="reference")
    batch = Job("standoff", 9, engine="batch")
    assert batch.resolved_engine() == "batch"
    expected = run_chunk(ref, 0, 120)
    assert run_chunk(batch, 0, 120) == expected
    assert run_many(batch, 120, workers=2, chunk=50) == expected


def test_auto_falls_back_and_batch_refuses_policies_that_need_python() -> None:
    job = Job("cuba-1962", 0, policies=(("us", "rational"),))
    assert job.resolved_engine() == "reference"
    with pytest.raises(BrinkError, match=r"'rational' for 'us'.*--engine reference"):
        Job("cuba-1962", 0, policies=(("us", "rational"),), engine="batch").resolved_engine()
    with pytest.raises(BrinkError, match="unknown engine 'fast'"):
        Job("cuba-1962", 0, engine="fast").resolved_engine()
    sc = load_scenario("cuba-1962")
    specs = policy_set(sc, {"us": "rational"}).specs
    refusal = "'rational' for 'us' cannot run on the batch engine: it looks ahead"
    with pytest.raises(BrinkError, match=refusal):
        BatchEngine(sc, batch_forms(sc, specs))


def test_every_policy_with_a_batch_form_is_played_on_both_engines() -> None:
    """A built-in that declares a batch form is among the differential tests' choices."""
    sc = load_scenario("cuba-1962")
    played = {PolicySpec.parse(p).name for actor in sc.actors for p in policy_choices(sc, actor)}
    batch = {name for name, b in BUILTINS.items() if not isinstance(b.batch, ReferenceOnly)}
    assert batch == played - set().union(*(a.policies for a in sc.actors.values()))
    assert {"rational", "llm"}.isdisjoint(batch)


def test_a_run_ending_on_an_event_counts_its_last_state_in_the_peak() -> None:
    """hostile.yaml's index is 1, and 3 once the coin lands heads (an event that ends the
    run): heads runs peak at 3 on both engines, tails runs at 1."""
    sc = load_scenario(str(HOSTILE), ["loaded"])
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc).specs))
    runs = engine.run(3, 0, 200)
    heads = runs.outcome == engine.outcomes.index("heads")
    assert heads.any() and not heads.all()
    assert set(runs.peak[heads].tolist()) == {3.0}
    assert set(runs.peak[~heads].tolist()) == {1.0}
    assert_identical(sc, {}, seed=3, runs=range(0, 40))


def test_a_divergence_that_changes_no_event_is_caught_by_the_state_digest() -> None:
    sc = load_scenario("standoff")
    specs = policy_set(sc, {}).specs
    reference = reference_play(sc, specs, seed=11, run=0)
    engine = BatchEngine(sc, batch_forms(sc, specs))
    assert batch_plays(engine, 11, range(1))[0] == reference
    tension = list(sc.variables).index("tension")
    engine.tables.env_init[engine.tables.var_slot[tension]] += 1e-9  # a wrong start value
    batch = batch_plays(engine, 11, range(1))[0]
    # nothing the run logs or ends with shows it
    assert (batch.events, batch.choices) == (reference.events, reference.choices)
    assert (batch.outcome, batch.tick, batch.utilities) == (
        reference.outcome,
        reference.tick,
        reference.utilities,
    )
    # its state does, from the first tick on
    assert len(batch.digests) == len(reference.digests) == reference.tick + 1
    assert batch.digests[0][0] == reference.digests[0][0] == 0
    assert batch.digests[0][1] != reference.digests[0][1]
