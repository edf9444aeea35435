"""Parameters set at run time (``CompiledScenario.with_parameters``, ``BatchEngine.
with_parameters``: no validation, compilation or table building again) give exactly what a
document with those values, compiled from scratch, gives — on both engines, for cuba-1962
and for generated scenarios."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.errors import BrinkError, EvaluationError
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import build, read_source
from brinkmanship.scenario.schema import VarType
from brinkmanship.scenario.yamlsource import SourceDoc
from brinkmanship.testing import batch_plays, reference_play
from scenario_strategies import Doc, load_document, scenario_documents

T = TypeVar("T")


def with_values_in_the_document(doc: SourceDoc, values: dict[str, float]) -> SourceDoc:
    """The other way to set parameters: write them into the document before compiling."""
    data = copy.deepcopy(doc.data)
    for name, value in values.items():
        data["parameters"][name]["value"] = value
    return dataclasses.replace(doc, data=data)


def assert_same_runs(
    fresh: CompiledScenario, base: CompiledScenario, values: dict[str, float], runs: range
) -> None:
    quick = base.with_parameters(values)
    assert quick.parameter_env() == fresh.parameter_env()
    assert {n: (v.initial, v.prior) for n, v in quick.variables.items()} == {
        n: (v.initial, v.prior) for n, v in fresh.variables.items()
    }
    specs = policy_set(fresh).specs
    engine = BatchEngine(base, batch_forms(base, specs)).with_parameters(quick)
    fresh_engine = BatchEngine(fresh, batch_forms(fresh, specs))
    assert played(partial(batch_plays, engine, 5, runs)) == played(
        partial(batch_plays, fresh_engine, 5, runs)
    )
    for run in runs[:3]:
        assert played(partial(reference_play, quick, specs, 5, run)) == played(
            partial(reference_play, fresh, specs, 5, run)
        )


def played(play: Callable[[], T]) -> T | str:
    """What a run gives, or the error that stopped it (a division by zero, say)."""
    try:
        return play()
    except EvaluationError as exc:
        return str(exc)


@functools.cache
def cuba() -> CompiledScenario:
    return build(read_source("cuba-1962"))


def cuba_values(sc: CompiledScenario) -> st.SearchStrategy[dict[str, float]]:
    """Values inside the declared ranges; a parameter an int variable starts from (a count)
    stays whole."""
    counts = {
        name
        for v in sc.variables.values()
        if v.type is VarType.INT
        for name in v.initial_expr.expression.names
    }

    def value(name: str, lo: float, hi: float) -> st.SearchStrategy[float]:
        if name in counts:
            return st.integers(math.ceil(lo), math.floor(hi)).map(float)
        return st.floats(lo, hi, allow_nan=False).map(lambda x: float(f"{x:.6g}"))

    return st.fixed_dictionaries(
        {},
        optional={n: value(n, *p.range) for n, p in sc.parameters.items() if p.range is not None},
    )


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cuba_at_other_values_equals_a_document_with_them(data: st.DataObject) -> None:
    values = data.draw(cuba_values(cuba()), label="values")
    fresh = build(with_values_in_the_document(read_source("cuba-1962"), values))
    assert_same_runs(fresh, cuba(), values, range(0, 40))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=scenario_documents(), data=st.data())
def test_generated_scenarios_at_other_values_equal_documents_with_them(
    doc: Doc, data: st.DataObject
) -> None:
    base = load_document(doc)
    values = {
        name: data.draw(
            st.floats(*(p.range or (-4.0, 4.0)), allow_nan=False).map(lambda x: round(x, 3)),
            label=name,
        )
        for name, p in base.parameters.items()
    }
    values = {n: v for n, v in values.items() if _in_range(base, n, v)}
    changed = copy.deepcopy(doc)
    for name, value in values.items():
        changed["parameters"][name]["value"] = value
    try:
        fresh = load_document(changed)
    except BrinkError:  # e.g. an int variable's initial value no longer whole: both refuse
        with pytest.raises(BrinkError):
            base.with_parameters(values)
        return
    assert_same_runs(fresh, base, values, range(0, 6))


def _in_range(sc: CompiledScenario, name: str, value: float) -> bool:
    bounds = sc.parameters[name].range
    return bounds is None or bounds[0] <= value <= bounds[1]


def test_bad_values_are_refused_with_one_message() -> None:
    with pytest.raises(BrinkError, match="unknown parameter 'p_nothing'"):
        cuba().with_parameters({"p_nothing": 0.1})
    with pytest.raises(BrinkError, match=r"lies outside its range \[0, 0.2\]"):
        cuba().with_parameters({"p_arkhipov_consent": 0.5})
    not_whole = r"'ships_en_route'.* not whole \(with ships_en_route_n=22.5\)"
    with pytest.raises(BrinkError, match=not_whole):
        cuba().with_parameters({"ships_en_route_n": 22.5, "p_accident": 0.00001})


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_value_that_is_not_a_finite_number_is_refused_with_or_without_a_range(
    value: float,
) -> None:
    sc = cuba()
    rangeless = dataclasses.replace(
        sc,
        parameters={name: dataclasses.replace(p, range=None) for name, p in sc.parameters.items()},
    )
    name = next(iter(sc.parameters))
    for scenario in (sc, rangeless):
        with pytest.raises(BrinkError, match=rf"parameter '{name}': value .* not a finite number"):
            scenario.with_parameters({name: value})
