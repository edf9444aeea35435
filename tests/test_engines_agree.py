"""brinkmanship.testing.assert_engines_agree: the built-in scenarios agree on both engines,
and a deliberately broken engine is caught, its first divergence named (run, tick, what
differs, both values)."""

from __future__ import annotations

from typing import Any

import pytest

from brinkmanship.engine.batch import engine as batch_engine
from brinkmanship.engine.batch.fields import Tables
from brinkmanship.engine.batch.tables import Layout, build
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import RunState
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import builtin_names, load_scenario
from brinkmanship.testing import assert_engines_agree, first_divergence


@pytest.mark.parametrize("name", builtin_names())
def test_the_builtin_scenarios_agree(name: str) -> None:
    assert_engines_agree(name, runs=4)
    assert_engines_agree(name, seed=9, runs=range(10, 12))


def test_policies_override_the_defaults() -> None:
    assert_engines_agree("standoff", {"west": "hawk", "east": "tit-for-tat"}, seed=3, runs=3)


def test_a_wrong_value_in_the_batch_tables_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong_start(sc: CompiledScenario, *policies: Any) -> tuple[Tables, Layout]:
        tables, layout = build(sc, *policies)
        tension = list(sc.variables).index("tension")
        tables.env_init[tables.var_slot[tension]] += 1e-9
        return tables, layout

    monkeypatch.setattr(batch_engine, "build", wrong_start)
    with pytest.raises(AssertionError) as caught:
        assert_engines_agree("standoff", seed=11, runs=3)
    assert str(caught.value) == (
        "standoff (seed 11): run 0, tick 0: variable 'tension' is 3.000000001 on the batch "
        "engine, 3.0 on the reference engine"
    )


def test_a_wrong_state_on_the_reference_engine_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    apply = ReferenceEngine.apply

    def nudged(self: ReferenceEngine, st: RunState, *choices: Any) -> None:
        apply(self, st, *choices)
        if st.run == 1 and st.tick == 5:
            st.env["hawk_mood"] += 0.5

    monkeypatch.setattr(ReferenceEngine, "apply", nudged)
    found = first_divergence(load_scenario("standoff"), seed=4, runs=range(3))
    assert found is not None
    prefix, values = found.split(": variable 'hawk_mood' is ")
    assert prefix == "run 1, tick 5"
    batch, reference = (float(v.split(" on ")[0]) for v in values.split(", "))
    assert reference == batch + 0.5
