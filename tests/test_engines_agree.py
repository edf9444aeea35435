"""brinkmanship.testing.assert_engines_agree and ``brink validate --engines``: the built-in
scenarios agree on both engines, and a deliberately broken engine is caught, its first
divergence named (run, tick, what differs, both values)."""

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
from cli_runner import run_brink


@pytest.mark.parametrize("name", builtin_names())
def test_the_builtin_scenarios_agree(name: str) -> None:
    assert_engines_agree(name, runs=4)
    assert_engines_agree(name, seed=9, runs=range(10, 12))


def test_policies_override_the_defaults() -> None:
    assert_engines_agree("standoff", {"west": "hawk", "east": "tit-for-tat"}, seed=3, runs=3)


def wrong_start(sc: CompiledScenario, *policies: Any) -> tuple[Tables, Layout]:
    """The batch tables, with a start value of standoff's tension off by 1e-9."""
    tables, layout = build(sc, *policies)
    tension = list(sc.variables).index("tension")
    tables.env_init[tables.var_slot[tension]] += 1e-9
    return tables, layout


def test_a_wrong_value_in_the_batch_tables_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_validate_engines_reports_agreement(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_brink(
        ["validate", "--engines", "standoff", "--runs", "3"], capsys, monkeypatch
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "standoff: 3 runs agree on both engines"


def test_validate_engines_reports_the_first_divergence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_engine, "build", wrong_start)
    code, out, err = run_brink(["validate", "--engines", "standoff"], capsys, monkeypatch)
    assert (code, err) == (1, "")
    assert out.splitlines()[-1] == (
        "standoff: the engines diverge: run 0, tick 0: variable 'tension' is 3.000000001 on "
        "the batch engine, 3.0 on the reference engine"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0", "standoff"], "error: --runs must be at least 1, got 0\n"),
        (["no-such-scenario.yaml"], "no-such-scenario.yaml: no such file\n"),
    ],
)
def test_validate_engines_refuses_bad_input_in_one_line(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_brink(["validate", "--engines", *args], capsys, monkeypatch)
    assert (code, out, err) == (2, "", message)
