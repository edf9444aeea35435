"""Forces that cannot hear (fact sheet F7, F8): after a deal, the submarines and the forces
in Cuba go on until Moscow's order reaches them, and the run goes on with them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from batch_compare import assert_identical
from brinkmanship.engine.batch.engine import BatchEngine, BatchRuns
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

NUCLEAR = ("tactical_nuclear_use", "general_nuclear_war")
RUNS = 4000


def _batch(sc: CompiledScenario, runs: int = RUNS, seed: int = 0) -> BatchRuns:
    specs = policy_set(sc, {}).specs
    return BatchEngine(sc, batch_forms(sc, specs)).run(seed, 0, runs)


def _ids(sc: CompiledScenario, batch: BatchRuns) -> list[str]:
    names = tuple(sc.outcomes)
    return [names[i] for i in batch.outcome.tolist()]


@pytest.fixture(scope="module")
def baseline(cuba: CompiledScenario) -> BatchRuns:
    return _batch(cuba)


def test_foxtrots_are_forced_up_after_the_deal(cuba: CompiledScenario) -> None:
    """F8: B-130 and B-36 were forced up on 30 and 31 October, after the acceptance of
    28 October; the baseline has runs in which a Foxtrot surfaces after its deal."""
    engine = ReferenceEngine(cuba)
    after = 0
    for run in range(6):
        result = engine.run(0, run, policy_set(cuba, {}).make())
        deal = next((e.tick for e in result.events if e.kind == "deal"), None)
        if deal is None:
            continue
        up = [e.tick for e in result.events if e.id == "foxtrot_surface" and e.kind == "action"]
        after += sum(t > deal for t in up)
    assert after > 0


def test_settlements_wait_for_the_forces_to_hear(
    cuba: CompiledScenario, baseline: BatchRuns
) -> None:
    settled = np.isin(baseline.outcome, [list(cuba.outcomes).index("settlement")])
    waited = baseline.tick[settled] - baseline.decided[settled]
    assert (waited > 0).mean() > 0.9  # the subs hear of it days later, in most runs
    assert np.median(waited) > 24


def test_an_incident_after_a_deal_is_its_own_outcome(
    cuba: CompiledScenario, baseline: BatchRuns
) -> None:
    ids = _ids(cuba, baseline)
    runs = [i for i, o in enumerate(ids) if o == "incident_after_deal"]
    assert runs, "no nuclear incident after a deal in the baseline sample"
    result = ReferenceEngine(cuba).run(0, runs[0], policy_set(cuba, {}).make())
    assert result.outcome.id == "incident_after_deal"
    assert result.outcome.cls == "tactical_nuclear_use"
    deal = next(e.tick for e in result.events if e.kind == "deal")
    fired = [
        e
        for e in result.events
        if (e.kind, e.id) in (("event", "foxtrot_incident"), ("action", "b59_nuclear_torpedo"))
    ]
    assert fired and fired[0].tick > deal


def test_public_trade_is_not_made_safer_by_ending_at_the_deal(
    cuba: CompiledScenario, baseline: BatchRuns
) -> None:
    """Before the forces could fail to hear, public-trade's runs ended at the deal, so the
    submarine hazards stopped there and nuclear use fell (3.9% -> 2.3% at 5000 runs). Now the
    boats are hunted until they hear of it: nuclear use after a deal occurs under
    public-trade too, and the paired difference from the baseline is not significantly
    negative."""
    trade = load_scenario("cuba-1962", ["public-trade"])
    pt = _batch(trade)
    assert "incident_after_deal" in _ids(trade, pt)
    classes = {o.id: o.cls.value for o in cuba.outcomes.values()}

    def nuclear(sc: CompiledScenario, batch: BatchRuns) -> np.ndarray:
        return np.array([classes[o] in NUCLEAR for o in _ids(sc, batch)], dtype=float)

    diff = nuclear(trade, pt) - nuclear(cuba, baseline)
    z = diff.mean() / (diff.std(ddof=1) / math.sqrt(len(diff)))
    assert z > -3, z


def test_engines_agree_past_the_deal(cuba: CompiledScenario) -> None:
    assert_identical(cuba, {}, 0, range(8))
    assert_identical(load_scenario("cuba-1962", ["public-trade"]), {}, 1, range(8))
