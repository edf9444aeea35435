"""Tests of the scenario expression language: whitelist, types, and the two evaluators (the
scalar closures and the batch kernel's bytecode)."""

from __future__ import annotations

import contextlib
import functools
import math
import pickle
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brinkmanship.engine.batch.engine import evaluate_expression
from brinkmanship.errors import EvaluationError, ExpressionError
from brinkmanship.scenario.expressions import (
    MAX_SOURCE_LENGTH,
    Expression,
    ExprType,
    ScalarEnv,
    compile_scalar,
    evaluate,
    parse_expression,
)

NUMBER, BOOL = ExprType.NUMBER, ExprType.BOOL

# x, y, z vary by lane (one lane, one run's values); k and c are the same on every lane,
# like parameters.
NUMBER_NAMES = ("x", "y", "z", "k")
BOOL_NAMES = ("a", "b", "c")
NAMES = {**dict.fromkeys(NUMBER_NAMES, NUMBER), **dict.fromkeys(BOOL_NAMES, BOOL)}


def parse(source: str | float | bool, expected: ExprType | None = None) -> Expression:
    return parse_expression(source, NAMES, expected)


def same(a: float, b: float) -> bool:
    """Bit-identical, except that any two NaNs count as equal."""
    if math.isnan(a) and math.isnan(b):
        return True
    return bool(np.float64(a).tobytes() == np.float64(b).tobytes())


Lanes = Mapping[str, npt.NDArray[np.float64] | float]
"""Values of the names on n lanes: arrays of shape (n,), or floats for the same on every lane."""


def lane_env(env: Lanes, i: int) -> dict[str, float]:
    return {
        name: float(value[i]) if isinstance(value, np.ndarray) else float(value)
        for name, value in env.items()
    }


def run_both(source: str, **values: float | list[float]) -> list[float]:
    """Evaluate on every lane with both evaluators, check they agree, return the results."""
    lengths = {len(v) for v in values.values() if isinstance(v, list)}
    n = lengths.pop() if lengths else 3
    env: dict[str, npt.NDArray[np.float64] | float] = {
        name: np.array(v, dtype=np.float64) if isinstance(v, list) else float(v)
        for name, v in values.items()
    }
    expr = parse(source)
    scalar = [compile_scalar(expr)(lane_env(env, i)) for i in range(n)]
    for i in range(n):
        assert isinstance(scalar[i], float)
        bytecode = evaluate_expression(expr, lane_env(env, i))
        assert same(bytecode, scalar[i]), (source, i, bytecode, scalar[i])
    return scalar


def value_of(source: str, **values: float) -> float:
    results = run_both(source, **values)
    assert all(same(r, results[0]) for r in results)
    return results[0]


def error_of(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    return caught.value


# --- Allowed constructs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", 1.0),
        ("2.5", 2.5),
        ("1_000", 1000.0),
        ("0x10", 16.0),
        ("1e999", math.inf),
        ("-3", -3.0),
        ("+3", 3.0),
        ("--3", 3.0),
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("7 - 10", -3.0),
        ("10 / 4", 2.5),
        ("7 // 2", 3.0),
        ("-7 // 2", -4.0),
        ("7.5 // -2", -4.0),
        ("-7 % 3", 2.0),
        ("7 % -3", -2.0),
        ("5.5 % 2", 1.5),
        ("2 ** 3", 8.0),
        ("2 ** 0", 1.0),
        ("2 ** 1", 2.0),
        ("-2 ** 2", -4.0),
        ("2 ** 8", 256.0),
        ("min(3, 1, 2)", 1.0),
        ("max(3, 1, 2)", 3.0),
        ("min(4, 5)", 4.0),
        ("max(4, 5)", 5.0),
        ("clip(5, 0, 1)", 1.0),
        ("clip(-5, 0, 1)", 0.0),
        ("clip(0.25, 0, 1)", 0.25),
        ("abs(-2.5)", 2.5),
        ("floor(-2.5)", -3.0),
        ("ceil(-2.5)", -2.0),
        ("floor(2.5)", 2.0),
        ("ceil(2.5)", 3.0),
        ("1 if True else 2", 1.0),
        ("1 if False else 2", 2.0),
        ("1 if 2 > 3 else 2 if 3 > 2 else 4", 2.0),
        ("1e308 * 10", math.inf),
        ("-1e308 * 10", -math.inf),
        ("1e308 ** 2", math.inf),
    ],
)
def test_number_expressions(source: str, expected: float) -> None:
    assert parse(source).type is NUMBER
    assert same(value_of(source), expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("True", 1.0),
        ("False", 0.0),
        ("not True", 0.0),
        ("not not True", 1.0),
        ("1 < 2", 1.0),
        ("2 < 1", 0.0),
        ("1 <= 1", 1.0),
        ("1 > 1", 0.0),
        ("1 >= 1", 1.0),
        ("1 == 1.0", 1.0),
        ("1 != 1", 0.0),
        ("True == True", 1.0),
        ("True != False", 1.0),
        ("1 < 2 < 3", 1.0),
        ("1 < 3 < 2", 0.0),
        ("3 > 2 >= 2 == 2 != 5", 1.0),
        ("True and False", 0.0),
        ("True and True and True", 1.0),
        ("False or False or True", 1.0),
        ("False or False", 0.0),
        ("not (1 > 2) and 2 > 1", 1.0),
        ("True if 1 > 2 else False", 0.0),
    ],
)
def test_bool_expressions(source: str, expected: float) -> None:
    assert parse(source).type is BOOL
    assert same(value_of(source), expected)


def test_names_and_bool_names() -> None:
    assert value_of("x * y + k", x=2.0, y=3.0, k=0.5) == 6.5
    assert value_of("a and not b", a=1.0, b=0.0) == 1.0
    assert value_of("x if c else y", x=1.0, y=2.0, c=0.0) == 2.0
    # A bool name holding a value other than 0/1 counts as true everywhere.
    assert value_of("a == True", a=2.0) == 1.0
    assert value_of("(1 if a else 0) + x", a=1.0, x=4.0) == 5.0


def test_names_per_lane() -> None:
    results = run_both(
        "max(x, y) if a else min(x, y)", x=[1.0, 2.0, 3.0], y=[3.0, 0.0, 3.0], a=[1.0, 0.0, 1.0]
    )
    assert results == [3.0, 0.0, 3.0]
    assert run_both("x < y < z", x=[1.0, 1.0, 1.0], y=[2.0, 0.0, 2.0], z=[3.0, 3.0, 1.0]) == [
        1.0,
        0.0,
        0.0,
    ]


def test_signed_zero_and_ties_are_identical() -> None:
    assert str(value_of("floor(-0.0)")) == "-0.0"
    assert str(value_of("ceil(-0.5)")) == "-0.0"
    assert str(value_of("ceil(0.5)")) == "1.0"
    assert str(value_of("abs(-0.0)")) == "0.0"
    assert str(value_of("-0.0")) == "-0.0"
    # min/max keep the first of equal operands, like the builtins.
    assert str(value_of("min(0.0, -0.0)")) == "0.0"
    assert str(value_of("min(-0.0, 0.0)")) == "-0.0"
    assert str(value_of("max(0.0, -0.0)")) == "0.0"
    assert str(value_of("min(0.0, 1, -0.0)")) == "0.0"
    assert str(value_of("max(-0.0, -1, 0.0, -2)")) == "-0.0"
    assert str(value_of("clip(-0.0, 0.0, 1.0)")) == "-0.0"
    assert str(value_of("clip(0.0, -1.0, -0.0)")) == "0.0"
    assert str(value_of("clip(0.0, -0.0, 1.0)")) == "0.0"


def test_nan_and_infinity_agree() -> None:
    run_both("x - x", x=[math.inf, -math.inf, 1.0])
    run_both("min(x, 1)", x=[math.nan, 0.0, 2.0])
    run_both("max(1, x)", x=[math.nan, 0.0, 2.0])
    run_both("x // 3 + x % 3", x=[math.inf, -math.inf, math.nan])
    run_both("floor(x) + ceil(x) + abs(x)", x=[math.inf, -math.inf, math.nan])
    run_both("x > 0 or x <= 0", x=[math.nan, 1.0, -1.0])


def test_parse_from_yaml_scalars() -> None:
    three = parse_expression(3, {})
    assert (three.source, three.type) == ("3", NUMBER)
    assert evaluate(three, {}) == 3.0
    half = parse_expression(-0.5, {})
    assert (half.source, evaluate(half, {})) == ("-0.5", -0.5)
    tiny = parse_expression(1.5e-7, {})
    assert evaluate(tiny, {}) == 1.5e-7
    yes = parse_expression(True, {})
    assert (yes.source, yes.type, evaluate(yes, {})) == ("True", BOOL, 1.0)
    no = parse_expression(False, {}, BOOL)
    assert (no.source, evaluate(no, {})) == ("False", 0.0)
    for bad in (math.nan, math.inf):
        with pytest.raises(ExpressionError, match="finite"):
            parse_expression(bad, {})
    with pytest.raises(ExpressionError, match="got NoneType"):
        parse_expression(cast(Any, None), {})


def test_expression_fields() -> None:
    expr = parse("x + (1 if a else 0) + k")
    assert expr.source == "x + (1 if a else 0) + k"
    assert expr.type is NUMBER
    assert expr.names == frozenset({"x", "a", "k"})
    assert parse("1 + 2").names == frozenset()
    assert parse("  x > 1  ").names == frozenset({"x"})
    assert parse("x + 1") == parse("x + 1")
    assert hash(parse("x + 1")) == hash(parse("x + 1"))
    assert parse("x + 1") != parse("x + 2")
    # The same text means something else when a name has another type.
    assert parse_expression("p == q", {"p": NUMBER, "q": NUMBER}) != parse_expression(
        "p == q", {"p": BOOL, "q": BOOL}
    )


def test_evaluate_caches_and_expressions_pickle() -> None:
    expr = parse("x * 2")
    assert evaluate(expr, {"x": 1.5}) == 3.0
    assert evaluate(expr, {"x": 2.5}) == 5.0
    clone = pickle.loads(pickle.dumps(expr))
    assert clone == expr
    assert evaluate(clone, {"x": 4.0}) == 8.0


def test_multi_line_and_padded_sources() -> None:
    assert evaluate(parse("(x +\n 1)"), {"x": 1.0}) == 2.0
    assert evaluate(parse("\n  x * 2  \n"), {"x": 1.0}) == 2.0
    error = error_of("  x + a")
    assert error.offset == 6
    error = error_of("(x +\n a)")
    assert error.offset == 6


# --- Division by zero ------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["x / y", "x // y", "x % y", "1 / 0", "(1 % 0) ** 0"])
def test_division_by_zero_raises_in_both(source: str) -> None:
    expr = parse(source)
    message = f"division by zero in '{source}'"
    with pytest.raises(EvaluationError) as caught:
        evaluate(expr, {"x": 1.0, "y": 0.0})
    assert str(caught.value) == message
    with pytest.raises(EvaluationError) as caught:
        evaluate_expression(expr, {"x": 1.0, "y": 0.0})
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "source",
    [
        "x / y if y != 0 else 0",
        "0 if y == 0 else x / y",
        "y != 0 and x / y > 1",
        "y == 0 or x / y > 1",
        "a and (y != 0 and x % y > 0 or y == 0)",
        "y != 0 < x // y",
        "0 < abs(y) < x / y < 100",
        "(x / y if y != 0 else 0) if y > -1 else x / y",
        "(x / y if y != 0 else 0) if x > 0 else 1 / 0",
        "1 / 0 if False else 1",
        "(0 if y == 0 else x / y) ** 2",
    ],
)
def test_guarded_division_never_raises(source: str) -> None:
    results = run_both(source, x=[1.0, 2.0, 3.0], y=[0.0, 2.0, -0.0], a=[1.0, 1.0, 0.0])
    assert all(math.isfinite(r) for r in results)


def test_division_raises_only_where_it_is_evaluated() -> None:
    assert run_both("x / y if a else 0", x=[1.0, 1.0], y=[0.0, 1.0], a=[0.0, 1.0]) == [0.0, 1.0]
    expr = parse("x / y if a else 0")
    bad = {"x": 1.0, "y": 0.0, "a": 1.0}
    with pytest.raises(EvaluationError):
        evaluate(expr, bad)
    with pytest.raises(EvaluationError):
        evaluate_expression(expr, bad)


# --- Rejected constructs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fragment", "offset"),
    [
        ("x + x.real", "attribute access", 4),
        ("x[0]", "subscripts", 0),
        ("1 + foo(x)", "calls to 'foo' are not allowed", 4),
        ("__import__('os')", "calls to '__import__'", 0),
        ("eval('1')", "calls to 'eval'", 0),
        ("open('f')", "calls to 'open'", 0),
        ("x.hex()", "method calls", 0),
        ("min(x)(y)", "can be called, by name", 0),
        ("min(x, key=y)", "keyword arguments ('key=')", 7),
        ("max(*x)", "'*' unpacking", 4),
        ("max(x, **y)", "'**' unpacking", 7),
        ("lambda: 1", "lambda", 0),
        ("min(t for t in x)", "generator", 3),
        ("x + [t for t in x][0]", "subscripts", 4),
        ("[t for t in x]", "comprehensions", 0),
        ("{t for t in x}", "comprehensions", 0),
        ("{t: t for t in x}", "comprehensions", 0),
        ("'text'", "quotes", 0),
        ("x + 'x'", "quotes", 4),
        ("x + f'{x}'", "f-strings", 4),
        ("b'x'", "bytes", 0),
        ("None", "None is not allowed", 0),
        ("...", "'...' is not allowed", 0),
        ("[x, y]", "lists", 0),
        ("x, y", "tuples", 0),
        ("{x: y}", "dicts", 0),
        ("{x}", "sets", 0),
        ("(y := 1)", "':='", 1),
        ("x + 1j", "complex", 4),
        ("a & b", "use 'and'", 2),
        ("a | b", "use 'or'", 2),
        ("a ^ b", "'^' is not allowed", 2),
        ("~a", "use 'not'", 0),
        ("x << 2", "bit shift", 2),
        ("x >> 2", "bit shift", 2),
        ("x @ y", "matrix", 2),
        ("(x) & (y)", "'&'", 4),
        ("x is y", "'is' is not allowed", 2),
        ("x is not y", "'is not'", 2),
        ("x in y", "'in' is not allowed", 2),
        ("x not in y", "'not in'", 2),
        ("1 < x in y", "'in'", 6),
        ("x ** y", "exponent", 5),
        ("x ** 9", "0 to 8", 5),
        ("x ** -1", "0 to 8", 5),
        ("x ** 2.0", "whole-number", 5),
        ("x ** True", "whole-number", 5),
        ("await x", "'await'", 0),
        ("(yield)", "'yield'", 1),
        ("min(x)", "at least 2 arguments, got 1", 0),
        ("clip(x, 0)", "takes 3 arguments, got 2", 0),
        ("abs(x, y)", "takes 1 argument, got 2", 0),
        ("floor()", "got 0", 0),
        ("min", "'min' is a function; call it", 0),
        ("x + clip", "'clip' is a function", 4),
        ("9" * 400, "too large", 0),
    ],
)
def test_rejected_constructs(source: str, fragment: str, offset: int) -> None:
    error = error_of(source)
    assert fragment in error.message
    assert error.offset == offset, error.message


@pytest.mark.parametrize(
    ("source", "fragment", "offset"),
    [
        ("", "empty", 0),
        ("   ", "empty", 0),
        ("x +", "syntax error", 3),
        ("x + (y", "never closed", 4),
        ("x y", "syntax error", 2),
        ("x = 1", "use '=='", 2),
        ("a && b", "use 'and'", 2),
        ("a || b", "use 'or'", 2),
        ("!a", "use 'not'", 0),
        ("a ? x : y", "if", 2),
        ("x := 1", "':='", 2),
        ("1if a else 2", "invalid decimal literal", 0),
        ("x" * (MAX_SOURCE_LENGTH + 1), "too long", MAX_SOURCE_LENGTH),
    ],
)
def test_malformed_sources(source: str, fragment: str, offset: int) -> None:
    error = error_of(source)
    assert fragment in error.message
    assert error.offset == offset, error.message


def test_null_byte() -> None:
    error = error_of("x\x00")
    assert "null bytes" in error.message or "could not be parsed" in error.message
    assert 0 <= error.offset <= 2


def test_nesting_limit() -> None:
    assert "nested too deeply" in error_of("-" * 150 + "x").message
    assert "nested too deeply" in error_of(" + ".join(["x"] * 150)).message
    assert value_of(" + ".join(["x"] * 50), x=1.0) == 50.0


# --- Types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fragment", "offset"),
    [
        ("x + a", "'+' needs numbers, but 'a' is a bool; write (1 if a else 0)", 4),
        ("-a", "'-' needs numbers", 1),
        ("+a", "'+' needs numbers", 1),
        ("a * 2", "'*' needs numbers", 0),
        ("a ** 2", "'**' needs numbers", 0),
        ("x / (x > 1)", "'x > 1' is a bool; write (1 if x > 1 else 0)", 5),
        (
            "1 + (a if b else c)",
            "write (1 if (a if b else c) else 0)",
            5,
        ),
        ("x if x else y", "condition must be a bool, got a number; compare it, e.g. x > 0", 5),
        ("1 if x + 1 else 2", "e.g. x + 1 > 0", 5),
        ("a and x", "'and' needs bools, but 'x' is a number; compare it, e.g. x > 0", 6),
        ("x or a", "'or' needs bools", 0),
        ("not x", "'not' needs bools", 4),
        ("a < b", "'<' needs numbers", 0),
        ("x < 1 < a", "'<' needs numbers", 8),
        ("x >= True", "'>=' needs numbers", 5),
        (
            "x == a",
            "'==' compares values of the same type, but 'x' is a number and 'a' is a bool",
            5,
        ),
        ("a != 1", "'!=' compares values of the same type", 5),
        ("x if a else b", "both branches", 12),
        ("min(x, a)", "'min' needs numbers", 7),
        ("clip(x, 0, b)", "'clip' needs numbers", 11),
        ("abs(a)", "'abs' needs numbers", 4),
        ("floor(a)", "'floor' needs numbers", 6),
    ],
)
def test_type_errors(source: str, fragment: str, offset: int) -> None:
    error = error_of(source)
    assert fragment in error.message
    assert error.offset == offset, error.message


def test_result_types() -> None:
    assert parse("x").type is NUMBER
    assert parse("a").type is BOOL
    assert parse("a if a else b").type is BOOL
    assert parse("1 if a else x").type is NUMBER
    assert parse("a == b").type is BOOL
    assert parse("min(x, 1)").type is NUMBER


def test_expected_type() -> None:
    assert parse("x > 1", BOOL).type is BOOL
    assert parse("x + 1", NUMBER).type is NUMBER
    error = error_of_expected("x + 1", BOOL)
    assert error.message == "expected a bool condition, got a number; compare it, e.g. (x + 1) > 0"
    assert error.offset == 0
    error = error_of_expected("a", NUMBER)
    assert error.message == "expected a number, got a bool; write (1 if a else 0)"


def error_of_expected(source: str, expected: ExprType) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(source, expected)
    return caught.value


def test_unknown_names() -> None:
    error = error_of("x + tension")
    assert error.message == "unknown name 'tension'; known names: a, b, c, k, x, y, z"
    assert error.offset == 4
    many = {f"v{i:02d}": NUMBER for i in range(30)}
    with pytest.raises(ExpressionError) as caught:
        parse_expression("v1", many)
    message = caught.value.message
    assert message.startswith("unknown name 'v1'; known names: v00, v01, v02")
    assert "v19, …" in message
    assert "v20" not in message.split(";")[1]
    assert "did you mean" in message
    with pytest.raises(ExpressionError, match="did you mean 'tension'"):
        parse_expression("tensoin > 1", {"tension": NUMBER, "alerted": BOOL})
    with pytest.raises(ExpressionError, match="no names are defined"):
        parse_expression("x", {})


# --- Property tests --------------------------------------------------------------------------

ARITHMETIC = ("+", "-", "*", "/", "//", "%")
ORDERINGS = ("<", "<=", ">", ">=", "==", "!=")

NUMBER_LITERALS = st.one_of(
    st.integers(0, 12).map(str),
    st.sampled_from(
        ["0.0", "0.5", "2.5", "1e308", "1e-308", "5e-324", "1e999", "1152921504606846976"]
    ),
    st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).map(repr),
)


def grow(
    leaf: st.SearchStrategy[str], *compounds: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """A leaf half of the time (nested one_of would flatten, diluting the leaves)."""
    compound = st.one_of(*compounds)
    return st.booleans().flatmap(lambda stop: leaf if stop else compound)


@functools.cache
def numbers(depth: int) -> st.SearchStrategy[str]:
    # Mostly names, whose lanes vary (and hold zeros), rather than literals.
    leaf = st.integers(0, 9).flatmap(
        lambda i: st.sampled_from(NUMBER_NAMES) if i < 6 else NUMBER_LITERALS
    )
    if depth == 0:
        return leaf
    sub, cond = numbers(depth - 1), bools(depth - 1)
    return grow(
        leaf,
        st.builds("(-{})".format, sub),
        st.builds("(+{})".format, sub),
        st.builds("({} {} {})".format, sub, st.sampled_from(ARITHMETIC), sub),
        st.builds("({} ** {})".format, sub, st.integers(0, 8)),
        st.builds(
            lambda f, args: f"{f}({', '.join(args)})",
            st.sampled_from(["min", "max"]),
            st.lists(sub, min_size=2, max_size=4),
        ),
        st.builds("clip({}, {}, {})".format, sub, sub, sub),
        st.builds("{}({})".format, st.sampled_from(["abs", "floor", "ceil"]), sub),
        st.builds("({} if {} else {})".format, sub, cond, sub),
        # Divisions guarded against zero, to exercise short-circuiting in both evaluators.
        st.builds(
            lambda n, op, d, other: f"({n} {op} {d} if {d} != 0 else {other})",
            sub,
            st.sampled_from(["/", "//", "%"]),
            sub,
            sub,
        ),
    )


@functools.cache
def bools(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from((*BOOL_NAMES, "True", "False"))
    if depth == 0:
        return leaf
    sub, num = bools(depth - 1), numbers(depth - 1)
    return grow(
        leaf,
        st.builds("(not {})".format, sub),
        st.builds(
            lambda op, parts: "(" + f" {op} ".join(parts) + ")",
            st.sampled_from(["and", "or"]),
            st.lists(sub, min_size=2, max_size=4),
        ),
        st.builds(
            lambda first, rest: "(" + first + "".join(f" {op} {n}" for op, n in rest) + ")",
            num,
            st.lists(st.tuples(st.sampled_from(ORDERINGS), num), min_size=1, max_size=3),
        ),
        st.builds("({} {} {})".format, sub, st.sampled_from(["==", "!="]), sub),
        st.builds("({} if {} else {})".format, sub, sub, sub),
        st.builds(
            lambda d, op, n, cmp, other: f"({d} != 0 and {n} {op} {d} {cmp} {other})",
            num,
            st.sampled_from(["/", "//", "%"]),
            num,
            st.sampled_from(ORDERINGS),
            num,
        ),
        st.builds(
            lambda d, cmp, n, op: f"({d} != 0 {cmp} {n} {op} {d})",
            num,
            st.sampled_from(ORDERINGS),
            num,
            st.sampled_from(["/", "//", "%"]),
        ),
        st.builds(
            lambda d, op, n, other: f"({d} == 0 or {other} < {n} {op} {d})",
            num,
            st.sampled_from(["/", "//", "%"]),
            num,
            num,
        ),
    )


typed_sources = (
    st.integers(1, 5)
    .flatmap(
        lambda depth: st.one_of(
            numbers(depth).map(lambda s: (s, NUMBER)),
            bools(depth).map(lambda s: (s, BOOL)),
        )
    )
    .filter(lambda typed: len(typed[0]) <= MAX_SOURCE_LENGTH)
)

# Zeros of both signs and fractions in (-1, 1) are where floor/ceil/min/max and masks differ.
SPECIAL_FLOATS = [0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 2.0, 0.25, -0.25, 0.75, -0.75, 3.0, 7.0]
SPECIAL_FLOATS += [1e308, -1e308, 1e-308, -5e-324, math.inf, -math.inf]
FLOATS = st.one_of(
    st.sampled_from(SPECIAL_FLOATS),
    st.integers(-10, 10).map(float),
    st.floats(width=64),
)
UNIT = st.sampled_from([0.0, 1.0])


@st.composite
def environments(draw: st.DrawFn) -> tuple[int, Lanes]:
    n = draw(st.integers(1, 50))
    env: dict[str, npt.NDArray[np.float64] | float] = {}
    for name in ("x", "y", "z"):
        env[name] = np.array(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype=np.float64)
    for name in ("a", "b"):
        env[name] = np.array(draw(st.lists(UNIT, min_size=n, max_size=n)), dtype=np.float64)
    env["k"] = draw(FLOATS)
    env["c"] = draw(UNIT)
    return n, env


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed=typed_sources)
def test_generated_expressions_have_the_intended_type(typed: tuple[str, ExprType]) -> None:
    source, intended = typed
    expr = parse(source)
    assert expr.type is intended
    assert expr.names <= set(NAMES)
    assert parse(source, intended).type is intended


@settings(max_examples=100, deadline=None)
@given(typed=typed_sources, lanes=environments())
def test_evaluate_matches_compile_scalar(
    typed: tuple[str, ExprType], lanes: tuple[int, Lanes]
) -> None:
    expr = parse(typed[0])
    env: ScalarEnv = lane_env(lanes[1], 0)
    try:
        expected = compile_scalar(expr)(env)
    except EvaluationError:
        with pytest.raises(EvaluationError):
            evaluate(expr, env)
        return
    assert same(evaluate(expr, env), expected)
    assert same(evaluate(expr, env), expected)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed=typed_sources, lanes=environments())
def test_batch_kernel_bytecode_matches_scalar_bit_for_bit(
    typed: tuple[str, ExprType], lanes: tuple[int, Lanes]
) -> None:
    """The batch engine's compiled bytecode evaluator against the scalar closures: the
    same bits, and a division by zero exactly where the scalar code meets one."""
    source, intended = typed
    expr = parse(source)
    for i in range(min(lanes[0], 5)):
        env = lane_env(lanes[1], i)
        try:
            expected = compile_scalar(expr)(env)
        except EvaluationError as scalar_error:
            event("division by zero")
            with pytest.raises(EvaluationError) as caught:
                evaluate_expression(expr, env)
            assert str(caught.value) == str(scalar_error)
            continue
        event("evaluated")
        got = evaluate_expression(expr, env)
        assert same(got, expected), (source, env, got, expected)
        if intended is BOOL:
            assert expected in (0.0, 1.0)


FUZZ_TOKENS = [
    *NUMBER_NAMES,
    *BOOL_NAMES,
    "nope",
    "1",
    "2.5",
    "0",
    "1e999",
    "9" * 30,
    "0x1f",
    "1j",
    "True",
    "None",
    "...",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "(",
    ")",
    ",",
    "<",
    "<=",
    "==",
    "!=",
    "=",
    ":=",
    "and",
    "or",
    "not",
    "if",
    "else",
    "is",
    "in",
    "for",
    "lambda",
    ":",
    "min",
    "max",
    "clip",
    "abs",
    "floor",
    "ceil",
    "__import__",
    "eval",
    "'s'",
    "f'{x}'",
    "b'x'",
    "[",
    "]",
    "{",
    "}",
    ".",
    "&",
    "|",
    "^",
    "~",
    "@",
    "!",
    "?",
    ";",
    "#",
    "\\",
    "\n",
    "\t",
    "é",
    "yield",
    "await",
]


@settings(max_examples=500, deadline=None)
@given(
    source=st.one_of(
        st.builds(
            lambda sep, tokens: sep.join(tokens),
            st.sampled_from(["", " "]),
            st.lists(st.sampled_from(FUZZ_TOKENS), max_size=12),
        ),
        st.text(max_size=30),
    )
)
def test_fuzzed_sources_fail_only_with_expression_errors(source: str) -> None:
    try:
        expr = parse(source)
    except ExpressionError as error:
        assert 0 <= error.offset <= len(source)
        assert error.message
        return
    env = {"x": 1.5, "y": 0.0, "z": -2.0, "k": 3.0, "a": 1.0, "b": 0.0, "c": 1.0}
    with contextlib.suppress(EvaluationError):
        assert isinstance(evaluate(expr, env), float)
    with contextlib.suppress(EvaluationError):
        assert isinstance(evaluate_expression(expr, env), float)
