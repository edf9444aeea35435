"""A fuzzer of the YAML loader, the scenario pipeline and the expression language (issue 18):
whatever the text or structure, the answer is a result or a BrinkError, never another
exception. Examples are bounded so that the whole file runs in well under 30 s."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.engine.batch.engine import evaluate_expression
from brinkmanship.errors import BrinkError, EvaluationError
from brinkmanship.scenario.expressions import ExprType, evaluate, parse_expression
from brinkmanship.scenario.loader import validate_source
from brinkmanship.scenario.yamlsource import SourceDoc, load_yaml

BASE = Path(__file__).resolve().parent / "broken" / "valid" / "base.yaml"
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=20)

# --------------------------------------------------------------------------- YAML text

YAML_PIECES = [
    *"{}[]:,-&*<>!|'\"#?%@`~.\\\n \t",
    "<<: ",
    "&a ",
    "*a",
    "*b",
    "&b ",
    "!!binary ",
    "!!python/object ",
    "---\n",
    "...\n",
    "key: ",
    "  ",
    "- ",
    "0x",
    "1e999",
    ".inf",
    ".nan",
    "9" * 120,
    "\u00e9",
    "\x1b",
    "\ud800",
    "\ufeff",
    "\x85",
    "yes",
    "null",
    "2030-01-01",
    "13:45",
]


@FAST
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=60).map("".join))
def test_yaml_text_gives_data_or_a_scenario_error(text: str) -> None:
    try:
        doc = load_yaml(text, "fuzz.yaml")
    except BrinkError as err:
        assert "\n" not in str(err), str(err)
        return
    assert isinstance(doc.data, dict)


@FAST
@given(st.text(max_size=200))
def test_any_text_gives_data_or_a_scenario_error(text: str) -> None:
    try:
        load_yaml(text, "fuzz.yaml")
    except BrinkError as err:
        assert "\n" not in str(err), str(err)


# --------------------------------------------------------------------------- structures

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["tension + 1", "1 / 0", "1h", "10000000000000d", "blue", "red", "patrol"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


BASE_DATA = yaml.safe_load(BASE.read_text(encoding="utf-8"))
BASE_PATHS = [p for p in _paths(BASE_DATA) if p]


def _replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return dict(data)


@SLOW
@given(st.sampled_from(BASE_PATHS), VALUES)
def test_a_scenario_with_any_value_anywhere_compiles_or_says_why(
    path: tuple[Any, ...], value: Any
) -> None:
    """One value of the valid base scenario replaced by anything: through YAML text (the
    loader) and the whole pipeline (schema, compiler, interventions)."""
    data = _replaced(path, value)
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    try:
        doc = load_yaml(text, "fuzz.yaml")
        validate_source(doc)
    except BrinkError as err:
        assert "\n" not in str(err), str(err)


@SLOW
@given(st.sampled_from(BASE_PATHS), VALUES)
def test_plain_data_compiles_or_says_why(path: tuple[Any, ...], value: Any) -> None:
    """The same without YAML: values YAML would not produce (NaN keys' neighbours, tuples)."""
    try:
        validate_source(SourceDoc("fuzz.yaml", _replaced(path, value)))
    except BrinkError as err:
        assert "\n" not in str(err), str(err)


# --------------------------------------------------------------------------- expressions

NAMES = {"x": ExprType.NUMBER, "y": ExprType.NUMBER, "flag": ExprType.BOOL}
EXPR_PIECES = [
    *"xy()+-*/%<>=!,.~&|^@[]{}:;'\"\\0123456789 ",
    "flag",
    "**",
    "//",
    "==",
    "<=",
    " and ",
    " or ",
    "not ",
    " if ",
    " else ",
    "abs(",
    "min(",
    "max(",
    "clip(",
    "floor(",
    "ceil(",
    "__import__",
    "lambda",
    "1e308",
    "1e-308",
    "True",
    "False",
    "9" * 60,
]


def _number_tree() -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.sampled_from(["x", "y", "0", "1", "2.5", "1e308", "1e-308", "0.0"]),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%"]), inner)
        return st.one_of(
            binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda a: f"-{a}"),
            st.tuples(inner, st.integers(0, 8)).map(lambda t: f"({t[0]}) ** {t[1]}"),
            st.tuples(st.sampled_from(["abs", "floor", "ceil"]), inner).map(
                lambda t: f"{t[0]}({t[1]})"
            ),
            st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            st.tuples(inner, inner, inner).map(lambda t: f"clip({t[0]}, {t[1]}, {t[2]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} > {t[2]} else 0)"),
        )

    return st.recursive(leaves, extend, max_leaves=10)


ENV = st.fixed_dictionaries(
    {
        "x": st.floats(allow_nan=True, allow_infinity=True),
        "y": st.floats(allow_nan=True, allow_infinity=True),
        "flag": st.sampled_from([0.0, 1.0]),
    }
)


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _check(source: str, env: dict[str, float]) -> None:
    """Parse and evaluate on both evaluators: the same value, or the same BrinkError."""
    try:
        expr = parse_expression(source, NAMES)
    except BrinkError as err:
        assert "\n" not in str(err), str(err)
        return
    results: list[float | str] = []
    for evaluator in (evaluate, evaluate_expression):
        try:
            results.append(evaluator(expr, env))
        except EvaluationError as err:
            results.append(str(err))
    scalar, kernel = results
    if isinstance(scalar, float) and isinstance(kernel, float):
        assert _same(scalar, kernel), (source, env, scalar, kernel)
    else:
        assert scalar == kernel, (source, env, scalar, kernel)


@FAST
@given(st.lists(st.sampled_from(EXPR_PIECES), max_size=30).map("".join), ENV)
def test_expression_text_parses_or_says_why(source: str, env: dict[str, float]) -> None:
    _check(source, env)


@FAST
@given(_number_tree(), ENV)
def test_expression_trees_evaluate_alike_or_fail_alike(source: str, env: dict[str, float]) -> None:
    _check(source, env)
