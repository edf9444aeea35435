"""A small, safe expression language for scenario files.

Expressions are a subset of Python's expression syntax: they are parsed with
``ast.parse(..., mode="eval")`` and checked node by node against a whitelist; nothing is ever
handed to ``eval``, ``exec`` or ``compile``. The checked tree is compiled twice:

* :func:`compile_scalar` into a tree of closures over Python floats, built once, which the
  reference engine evaluates one run at a time;
* :mod:`brinkmanship.engine.batch.bytecode` into bytecode for the batch kernel's stack
  machine.

Both give bit-identical results and raise the same :class:`EvaluationError` (division by
zero). Every value is a float64; bools are 1.0 / 0.0 at the boundaries.
"""

from __future__ import annotations

import ast
import difflib
import enum
import math
import operator
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from brinkmanship.errors import EvaluationError, ExpressionError

__all__ = [
    "FUNCTIONS",
    "MAX_POWER",
    "MAX_SOURCE_LENGTH",
    "ExprType",
    "Expression",
    "ScalarEnv",
    "compile_scalar",
    "division_message",
    "evaluate",
    "is_leaf",
    "nan_message",
    "parse_expression",
]

MAX_SOURCE_LENGTH = 2000
"""Longest accepted expression source, in characters."""

MAX_POWER = 8
"""Largest literal exponent accepted by ``**``."""

MAX_DEPTH = 100
"""Deepest accepted nesting; keeps compiling and evaluating far from the recursion limit."""

FUNCTIONS: tuple[str, ...] = ("abs", "ceil", "clip", "floor", "max", "min")
"""The only functions an expression may call, by bare name."""

_MAX_NAMES_LISTED = 20

_FUNCTION_EXAMPLES = {
    "abs": "abs(x)",
    "ceil": "ceil(x)",
    "clip": "clip(x, 0, 1)",
    "floor": "floor(x)",
    "max": "max(a, b)",
    "min": "min(a, b)",
}


class ExprType(enum.Enum):
    """The type of an expression's value."""

    NUMBER = "number"
    BOOL = "bool"


ScalarEnv: TypeAlias = Mapping[str, float]
"""Values of the names for one run: Python floats, bools as 0.0 / 1.0 (any nonzero is true).

Evaluation does not convert values, so give floats, not ints; a missing name is a KeyError.
"""

# --- The checked tree ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Const:
    value: float | bool  # a bool for BOOL literals, a float otherwise


@dataclass(frozen=True, slots=True)
class _Var:
    name: str
    type: ExprType


@dataclass(frozen=True, slots=True)
class _Unary:
    op: str  # "-" or "not" (unary "+" is dropped while checking)
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str  # "+", "-", "*", "/", "//" or "%"
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Power:
    base: _Node
    exponent: int


@dataclass(frozen=True, slots=True)
class _Compare:
    ops: tuple[str, ...]
    operands: tuple[_Node, ...]  # one more than ops


@dataclass(frozen=True, slots=True)
class _Logic:
    op: str  # "and" or "or"
    operands: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _IfElse:
    cond: _Node
    then: _Node
    orelse: _Node
    type: ExprType


@dataclass(frozen=True, slots=True)
class _Call:
    func: str
    args: tuple[_Node, ...]


_Node: TypeAlias = _Const | _Var | _Unary | _Binary | _Power | _Compare | _Logic | _IfElse | _Call


def _node_type(node: _Node) -> ExprType:
    if isinstance(node, _Const):
        return ExprType.BOOL if isinstance(node.value, bool) else ExprType.NUMBER
    if isinstance(node, (_Var, _IfElse)):
        return node.type
    if isinstance(node, _Unary):
        return ExprType.BOOL if node.op == "not" else ExprType.NUMBER
    if isinstance(node, (_Compare, _Logic)):
        return ExprType.BOOL
    return ExprType.NUMBER


@dataclass(frozen=True)
class Expression:
    """A parsed, whitelisted and type-checked expression, ready to be compiled."""

    source: str
    type: ExprType
    names: frozenset[str]
    """The variable names the expression references."""
    _tree: _Node = field(repr=False)
    _scalar: Callable[[ScalarEnv], float] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, object]:
        # The cached closure cannot be pickled; it is rebuilt on demand.
        state = dict(self.__dict__)
        state["_scalar"] = None
        return state


# --- Parsing and checking --------------------------------------------------------------------


def parse_expression(
    source: str | int | float | bool,
    names: Mapping[str, ExprType],
    expected: ExprType | None = None,
) -> Expression:
    """Parse, whitelist and type-check `source` against the known `names`.

    Numbers and bools given directly (YAML scalars) are turned into their source text first.
    Raises ExpressionError whose `offset` is the 0-based index in the source text of the
    offending part (its column, for a one-line source).
    """
    text = _source_text(source)
    if len(text) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(text)} characters; at most {MAX_SOURCE_LENGTH})",
            MAX_SOURCE_LENGTH,
        )
    # Python rejects leading whitespace as an indent, so strip it and shift every offset.
    body = text.lstrip()
    if not body.strip():
        raise ExpressionError("empty expression; write a number, a name or a formula", 0)
    lead = len(text) - len(body)
    tree = _parse(body, lead)
    checker = _Checker(body, lead, names)
    node, result_type = checker.check(tree.body, 0)
    if expected is not None and result_type is not expected:
        shown = _shorten(text.strip())
        if expected is ExprType.BOOL:
            message = (
                f"expected a bool condition, got a number; compare it, e.g. {_parens(shown)} > 0"
            )
        else:
            message = f"expected a number, got a bool; write (1 if {_parens(shown)} else 0)"
        raise ExpressionError(message, lead)
    return Expression(text, result_type, frozenset(checker.used), node)


def _source_text(source: object) -> str:
    if isinstance(source, bool):
        return "True" if source else "False"
    if isinstance(source, int):
        try:
            return str(source)
        except ValueError:  # more digits than int -> str allows
            raise ExpressionError("number is too large", 0) from None
    if isinstance(source, float):
        if not math.isfinite(source):
            raise ExpressionError(f"a number must be finite, got {source!r}", 0)
        return repr(source)
    if isinstance(source, str):
        return source
    raise ExpressionError(
        f"expected an expression (text or a number), got {type(source).__name__}", 0
    )


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


_SYNTAX_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"&&"), "use 'and' instead of '&&'"),
    (re.compile(r"\|\|"), "use 'or' instead of '||'"),
    (re.compile(r"!(?!=)"), "use 'not' instead of '!'"),
    (re.compile(r":="), "assignment (':=') is not allowed"),
    (re.compile(r"(?<![=!<>:])=(?!=)"), "use '==' to compare"),
    (re.compile(r"\?"), "use 'a if condition else b' instead of '?:'"),
)


def _parse(body: str, lead: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            # Warnings such as "invalid decimal literal" (in '1if') become SyntaxErrors.
            warnings.simplefilter("error", SyntaxWarning)
            warnings.simplefilter("error", DeprecationWarning)
            # The trailing newline makes CPython report errors at the end of input at a column.
            return ast.parse(body + "\n", mode="eval")
    except SyntaxError as error:  # IndentationError included
        message = f"syntax error: {error.msg}"
        starts = _line_starts(body)
        line = min(max(error.lineno or 1, 1), len(starts))
        offset = starts[line - 1] + max((error.offset or 1) - 1, 0)
        for pattern, hint in _SYNTAX_HINTS:
            found = pattern.search(body)
            if found:
                message, offset = f"{message}; {hint}", found.start()
                break
        raise ExpressionError(message, lead + min(offset, len(body))) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(
            "expression could not be parsed (invalid characters, or too complex)", lead
        ) from None


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parens(text: str) -> str:
    return text if re.fullmatch(r"[\w.]+", text) else f"({text})"


def _type_name(t: ExprType) -> str:
    return "a bool" if t is ExprType.BOOL else "a number"


def _known_names_message(name: str, names: Sequence[str]) -> str:
    known = sorted(names)
    if known:
        shown = ", ".join(known[:_MAX_NAMES_LISTED])
        if len(known) > _MAX_NAMES_LISTED:
            shown += ", …"
        message = f"unknown name '{name}'; known names: {shown}"
    else:
        message = f"unknown name '{name}'; no names are defined here"
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        message += f"; did you mean '{close[0]}'?"
    return message


_ARITHMETIC: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}

_FORBIDDEN_OPERATORS: dict[type[ast.operator], tuple[str, str]] = {
    ast.BitAnd: ("&", "'&' is not allowed; use 'and' to combine conditions"),
    ast.BitOr: ("|", "'|' is not allowed; use 'or' to combine conditions"),
    ast.BitXor: ("^", "'^' is not allowed; use '!=' for either-but-not-both, '**' for powers"),
    ast.LShift: ("<<", "'<<' (bit shift) is not allowed; multiply instead"),
    ast.RShift: (">>", "'>>' (bit shift) is not allowed; divide instead"),
    ast.MatMult: ("@", "'@' (matrix multiplication) is not allowed; use '*'"),
}

_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}

_FORBIDDEN_COMPARISONS: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Is: ("is", "'is' is not allowed; use '==' to compare values"),
    ast.IsNot: ("is", "'is not' is not allowed; use '!=' to compare values"),
    ast.In: ("in", "'in' is not allowed; write comparisons joined by 'or', e.g. x == 1 or x == 2"),
    ast.NotIn: ("not", "'not in' is not allowed; write comparisons joined by 'and', e.g. x != 1"),
}

_FORBIDDEN_NODES: dict[type[ast.expr], str] = {
    ast.Attribute: "attribute access ('{src}') is not allowed; use a plain name",
    ast.Subscript: "subscripts ('{src}') are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.List: "lists are not allowed; an expression gives a single value",
    ast.Tuple: "tuples ('{src}') are not allowed; an expression gives a single value",
    ast.Dict: "dicts are not allowed; an expression gives a single value",
    ast.Set: "sets are not allowed; an expression gives a single value",
    ast.JoinedStr: "f-strings are not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed; use '==' to compare",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
}

_Checked: TypeAlias = tuple[_Node, ExprType]


class _Checker:
    """Walks the Python AST once, rejecting anything off the whitelist, and builds a _Node."""

    def __init__(self, text: str, lead: int, names: Mapping[str, ExprType]) -> None:
        self.text = text
        self.lead = lead
        self.names = names
        self.used: set[str] = set()
        self.starts = _line_starts(text)

    # Positions and messages.

    def _index(self, lineno: int, col_bytes: int) -> int:
        """Index in self.text of an AST position (1-based line, UTF-8 byte column)."""
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.text)
        line = self.text[start:end].encode("utf-8")
        return start + len(line[:col_bytes].decode("utf-8", errors="ignore"))

    def offset(self, node: ast.expr | ast.keyword) -> int:
        return self.lead + self._index(node.lineno, node.col_offset)

    def op_offset(self, whole: ast.expr, left: ast.expr, right: ast.expr, symbol: str) -> int:
        """Offset of an operator written between two operands, or of `whole` if not found."""
        if left.end_lineno is not None and left.end_col_offset is not None:
            start = self._index(left.end_lineno, left.end_col_offset)
            stop = self._index(right.lineno, right.col_offset)
            found = self.text.find(symbol, start, stop)
            if found >= 0 and "#" not in self.text[start:found]:
                return self.lead + found
        return self.offset(whole)

    def error(self, node: ast.expr | ast.keyword, message: str) -> ExpressionError:
        return ExpressionError(message, self.offset(node))

    def show(self, node: ast.expr) -> str:
        return _shorten(ast.get_source_segment(self.text, node) or type(node).__name__)

    def need_number(self, node: ast.expr, t: ExprType, what: str) -> None:
        if t is not ExprType.NUMBER:
            text = self.show(node)
            raise self.error(
                node,
                f"{what} needs numbers, but '{text}' is a bool; "
                f"write (1 if {self._as_operand(node, text)} else 0)",
            )

    def need_bool(self, node: ast.expr, t: ExprType, what: str) -> None:
        if t is not ExprType.BOOL:
            text = self.show(node)
            raise self.error(
                node,
                f"{what} needs bools, but '{text}' is a number; "
                f"compare it, e.g. {self._as_operand(node, text)} > 0",
            )

    @staticmethod
    def _as_operand(node: ast.expr, text: str) -> str:
        return f"({text})" if isinstance(node, ast.IfExp) else text

    # The walk.

    def check(self, node: ast.expr, depth: int) -> _Checked:
        if depth > MAX_DEPTH:
            raise self.error(
                node, f"expression is nested too deeply (more than {MAX_DEPTH} levels)"
            )
        depth += 1
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.BoolOp):
            return self.logic(node, depth)
        if isinstance(node, ast.Compare):
            return self.compare(node, depth)
        if isinstance(node, ast.IfExp):
            return self.if_else(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        template = _FORBIDDEN_NODES.get(type(node), f"{type(node).__name__} is not allowed")
        raise self.error(node, template.format(src=self.show(node)))

    def constant(self, node: ast.Constant) -> _Checked:
        value = node.value
        if isinstance(value, bool):
            return _Const(value), ExprType.BOOL
        if isinstance(value, int):
            try:
                return _Const(float(value)), ExprType.NUMBER
            except OverflowError:
                raise self.error(node, f"number {self.show(node)} is too large") from None
        if isinstance(value, float):
            return _Const(value), ExprType.NUMBER
        if isinstance(value, complex):
            message = f"complex numbers ('{self.show(node)}') are not allowed"
        elif isinstance(value, str):
            message = (
                f"text in quotes ({self.show(node)}) is not allowed; "
                "names and numbers are written without quotes"
            )
        elif isinstance(value, bytes):
            message = "bytes literals are not allowed"
        elif value is None:
            message = "None is not allowed; an expression gives a number or a bool"
        else:
            message = f"'{self.show(node)}' is not allowed"
        raise self.error(node, message)

    def name(self, node: ast.Name) -> _Checked:
        if node.id in self.names:
            t = self.names[node.id]
            self.used.add(node.id)
            return _Var(node.id, t), t
        if node.id in FUNCTIONS:
            raise self.error(
                node,
                f"'{node.id}' is a function; call it, e.g. {_FUNCTION_EXAMPLES[node.id]}",
            )
        raise self.error(node, _known_names_message(node.id, list(self.names)))

    def unary(self, node: ast.UnaryOp, depth: int) -> _Checked:
        if isinstance(node.op, ast.Invert):
            raise self.error(node, "'~' is not allowed; use 'not' to negate a condition")
        operand, t = self.check(node.operand, depth)
        if isinstance(node.op, ast.Not):
            self.need_bool(node.operand, t, "'not'")
            return _Unary("not", operand), ExprType.BOOL
        self.need_number(node.operand, t, "'-'" if isinstance(node.op, ast.USub) else "'+'")
        if isinstance(node.op, ast.UAdd):
            return operand, ExprType.NUMBER
        if isinstance(operand, _Const) and isinstance(operand.value, float):
            return _Const(-operand.value), ExprType.NUMBER
        return _Unary("-", operand), ExprType.NUMBER

    def binary(self, node: ast.BinOp, depth: int) -> _Checked:
        forbidden = _FORBIDDEN_OPERATORS.get(type(node.op))
        if forbidden is not None:
            symbol, message = forbidden
            raise ExpressionError(message, self.op_offset(node, node.left, node.right, symbol))
        left, left_type = self.check(node.left, depth)
        if isinstance(node.op, ast.Pow):
            self.need_number(node.left, left_type, "'**'")
            exponent = node.right
            if not (
                isinstance(exponent, ast.Constant)
                and type(exponent.value) is int
                and 0 <= exponent.value <= MAX_POWER
            ):
                raise self.error(
                    exponent,
                    f"'**' takes only a whole-number literal exponent from 0 to {MAX_POWER}, "
                    f"e.g. x ** 2; '{self.show(exponent)}' is not one",
                )
            return _Power(left, exponent.value), ExprType.NUMBER
        symbol = _ARITHMETIC[type(node.op)]
        self.need_number(node.left, left_type, f"'{symbol}'")
        right, right_type = self.check(node.right, depth)
        self.need_number(node.right, right_type, f"'{symbol}'")
        return _Binary(symbol, left, right), ExprType.NUMBER

    def logic(self, node: ast.BoolOp, depth: int) -> _Checked:
        symbol = "and" if isinstance(node.op, ast.And) else "or"
        operands: list[_Node] = []
        for value in node.values:
            operand, t = self.check(value, depth)
            self.need_bool(value, t, f"'{symbol}'")
            operands.append(operand)
        return _Logic(symbol, tuple(operands)), ExprType.BOOL

    def compare(self, node: ast.Compare, depth: int) -> _Checked:
        previous = node.left
        previous_node, previous_type = self.check(previous, depth)
        operands = [previous_node]
        symbols: list[str] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            forbidden = _FORBIDDEN_COMPARISONS.get(type(op))
            if forbidden is not None:
                word, message = forbidden
                raise ExpressionError(message, self.op_offset(node, previous, comparator, word))
            symbol = _COMPARISONS[type(op)]
            operand, t = self.check(comparator, depth)
            if symbol in ("==", "!="):
                if t is not previous_type:
                    raise self.error(
                        comparator,
                        f"'{symbol}' compares values of the same type, but "
                        f"'{self.show(previous)}' is {_type_name(previous_type)} and "
                        f"'{self.show(comparator)}' is {_type_name(t)}",
                    )
            else:
                self.need_number(previous, previous_type, f"'{symbol}'")
                self.need_number(comparator, t, f"'{symbol}'")
            symbols.append(symbol)
            operands.append(operand)
            previous, previous_type = comparator, t
        return _Compare(tuple(symbols), tuple(operands)), ExprType.BOOL

    def if_else(self, node: ast.IfExp, depth: int) -> _Checked:
        then, then_type = self.check(node.body, depth)
        cond, cond_type = self.check(node.test, depth)
        if cond_type is not ExprType.BOOL:
            text = self.show(node.test)
            raise self.error(
                node.test,
                "condition must be a bool, got a number; "
                f"compare it, e.g. {self._as_operand(node.test, text)} > 0",
            )
        orelse, orelse_type = self.check(node.orelse, depth)
        if orelse_type is not then_type:
            raise self.error(
                node.orelse,
                "both branches of 'if ... else' must have the same type, but "
                f"'{self.show(node.body)}' is {_type_name(then_type)} and "
                f"'{self.show(node.orelse)}' is {_type_name(orelse_type)}",
            )
        return _IfElse(cond, then, orelse, then_type), then_type

    def call(self, node: ast.Call, depth: int) -> _Checked:
        allowed = ", ".join(FUNCTIONS)
        func = node.func
        if isinstance(func, ast.Attribute):
            raise self.error(
                node,
                f"method calls ('{self.show(func)}(...)') are not allowed; "
                f"the only functions are {allowed}, called by name, e.g. max(a, b)",
            )
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Lambda):
                self.check(func, depth)  # reports the lambda itself
            raise self.error(
                node, f"only the functions {allowed} can be called, by name, e.g. max(a, b)"
            )
        if func.id not in FUNCTIONS:
            raise self.error(
                node, f"calls to '{func.id}' are not allowed; the only functions are {allowed}"
            )
        name = func.id
        example = _FUNCTION_EXAMPLES[name]
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(arg, f"'*' unpacking is not allowed; write {example}")
        if node.keywords:
            keyword = node.keywords[0]
            if keyword.arg is None:
                raise self.error(keyword, f"'**' unpacking is not allowed; write {example}")
            raise self.error(
                keyword,
                f"keyword arguments ('{keyword.arg}=') are not allowed; "
                f"{name}() takes positional arguments, e.g. {example}",
            )
        args: list[_Node] = []
        for arg in node.args:
            checked, t = self.check(arg, depth)
            self.need_number(arg, t, f"'{name}'")
            args.append(checked)
        count = len(args)
        if name in ("min", "max"):
            if count < 2:
                raise self.error(
                    node, f"{name}() needs at least 2 arguments, got {count}; e.g. {example}"
                )
        else:
            wanted = 3 if name == "clip" else 1
            if count != wanted:
                plural = "s" if wanted > 1 else ""
                raise self.error(
                    node,
                    f"{name}() takes {wanted} argument{plural}, got {count}; e.g. {example}",
                )
        return _Call(name, tuple(args)), ExprType.NUMBER


# --- Scalar evaluator ------------------------------------------------------------------------

_ScalarFn: TypeAlias = Callable[[ScalarEnv], float]
_ScalarPred: TypeAlias = Callable[[ScalarEnv], bool]


def _floor(x: float) -> float:
    if not math.isfinite(x):
        return x
    result = float(math.floor(x))
    # math.floor gives an int, which loses the sign of zero; C floor (and NumPy) keep it.
    return result if result != 0.0 else math.copysign(0.0, x)


def _ceil(x: float) -> float:
    if not math.isfinite(x):
        return x
    result = float(math.ceil(x))
    return result if result != 0.0 else math.copysign(0.0, x)


_SCALAR_ARITHMETIC: dict[str, Callable[[_ScalarFn, _ScalarFn], _ScalarFn]] = {
    "+": lambda f, g: lambda env: f(env) + g(env),
    "-": lambda f, g: lambda env: f(env) - g(env),
    "*": lambda f, g: lambda env: f(env) * g(env),
}

_SCALAR_ARITHMETIC_CONST: dict[str, Callable[[_ScalarFn, float], _ScalarFn]] = {
    "+": lambda f, c: lambda env: f(env) + c,
    "-": lambda f, c: lambda env: f(env) - c,
    "*": lambda f, c: lambda env: f(env) * c,
    "/": lambda f, c: lambda env: f(env) / c,
}

_SCALAR_COMPARE: dict[str, Callable[[_ScalarFn, _ScalarFn], _ScalarPred]] = {
    "<": lambda f, g: lambda env: f(env) < g(env),
    "<=": lambda f, g: lambda env: f(env) <= g(env),
    ">": lambda f, g: lambda env: f(env) > g(env),
    ">=": lambda f, g: lambda env: f(env) >= g(env),
    "==": lambda f, g: lambda env: f(env) == g(env),
    "!=": lambda f, g: lambda env: f(env) != g(env),
}

_SCALAR_COMPARE_CONST: dict[str, Callable[[_ScalarFn, float], _ScalarPred]] = {
    "<": lambda f, c: lambda env: f(env) < c,
    "<=": lambda f, c: lambda env: f(env) <= c,
    ">": lambda f, c: lambda env: f(env) > c,
    ">=": lambda f, c: lambda env: f(env) >= c,
    "==": lambda f, c: lambda env: f(env) == c,
    "!=": lambda f, c: lambda env: f(env) != c,
}

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class _ScalarCompiler:
    """Builds closures over Python floats; BOOL nodes become predicates returning bool."""

    def __init__(self, division_message: str) -> None:
        self.division_message = division_message

    def operand(self, node: _Node) -> _ScalarFn:
        """A closure for a node of either type (predicates are valid float closures)."""
        if _node_type(node) is ExprType.BOOL:
            return self.boolean(node)
        return self.number(node)

    def number(self, node: _Node) -> _ScalarFn:
        if isinstance(node, _Const):
            value = float(node.value)
            return lambda env: value
        if isinstance(node, _Var):
            name = node.name
            return lambda env: env[name]
        if isinstance(node, _Unary):
            operand = self.number(node.operand)
            return lambda env: -operand(env)
        if isinstance(node, _Binary):
            return self.binary(node)
        if isinstance(node, _Power):
            return self.power(node)
        if isinstance(node, _Call):
            return self.call(node)
        if isinstance(node, _IfElse):
            cond = self.boolean(node.cond)
            then = self.number(node.then)
            orelse = self.number(node.orelse)
            return lambda env: then(env) if cond(env) else orelse(env)
        raise AssertionError(f"not a number node: {node!r}")

    def binary(self, node: _Binary) -> _ScalarFn:
        left = self.number(node.left)
        right = node.right
        if isinstance(right, _Const) and node.op in _SCALAR_ARITHMETIC_CONST:
            constant = float(right.value)
            if node.op != "/" or constant != 0.0:
                return _SCALAR_ARITHMETIC_CONST[node.op](left, constant)
        g = self.number(right)
        if node.op in _SCALAR_ARITHMETIC:
            return _SCALAR_ARITHMETIC[node.op](left, g)
        message = self.division_message
        # Checking the divisor first also covers NumPy scalars in the env, which would not raise.
        if node.op == "/":

            def quotient(env: ScalarEnv) -> float:
                a, b = left(env), g(env)
                if b == 0.0:
                    raise EvaluationError(message)
                return a / b

            return quotient
        if node.op == "//":

            def floor_quotient(env: ScalarEnv) -> float:
                a, b = left(env), g(env)
                if b == 0.0:
                    raise EvaluationError(message)
                return a // b

            return floor_quotient

        def remainder(env: ScalarEnv) -> float:
            a, b = left(env), g(env)
            if b == 0.0:
                raise EvaluationError(message)
            return a % b

        return remainder

    def power(self, node: _Power) -> _ScalarFn:
        base = self.number(node.base)
        exponent = node.exponent
        if exponent == 1:
            return base
        if exponent == 0:

            def one(env: ScalarEnv) -> float:
                base(env)  # evaluated all the same, for its errors
                return 1.0

            return one
        if exponent == 2:

            def square(env: ScalarEnv) -> float:
                x = base(env)
                return x * x

            return square

        def power(env: ScalarEnv) -> float:
            x = base(env)
            result = x
            for _ in range(exponent - 1):
                result = result * x
            return result

        return power

    def call(self, node: _Call) -> _ScalarFn:
        args = [self.number(arg) for arg in node.args]
        if node.func == "abs":
            (x,) = args
            return lambda env: abs(x(env))
        if node.func == "floor":
            (x,) = args
            return lambda env: _floor(x(env))
        if node.func == "ceil":
            (x,) = args
            return lambda env: _ceil(x(env))
        if node.func == "clip":
            x, lo, hi = args

            def clip(env: ScalarEnv) -> float:
                value, low, high = x(env), lo(env), hi(env)
                value = low if low > value else value
                return high if high < value else value

            return clip
        # min/max keep the earlier operand unless a later one is strictly smaller/larger,
        # exactly like the builtins; the batch bytecode folds the same way.
        smaller = node.func == "min"
        if len(args) == 2:
            f, g = args
            if smaller:

                def minimum(env: ScalarEnv) -> float:
                    a, b = f(env), g(env)
                    return b if b < a else a

                return minimum

            def maximum(env: ScalarEnv) -> float:
                a, b = f(env), g(env)
                return b if b > a else a

            return maximum
        first, rest = args[0], args[1:]

        def extreme(env: ScalarEnv) -> float:
            result = first(env)
            for f in rest:
                value = f(env)
                if (value < result) if smaller else (value > result):
                    result = value
            return result

        return extreme

    def boolean(self, node: _Node) -> _ScalarPred:
        if isinstance(node, _Const):
            flag = bool(node.value)
            return lambda env: flag
        if isinstance(node, _Var):
            name = node.name
            return lambda env: env[name] != 0.0
        if isinstance(node, _Unary):
            operand = self.boolean(node.operand)
            return lambda env: not operand(env)
        if isinstance(node, _Compare):
            return self.compare(node)
        if isinstance(node, _Logic):
            return self.logic(node)
        if isinstance(node, _IfElse):
            cond = self.boolean(node.cond)
            then = self.boolean(node.then)
            orelse = self.boolean(node.orelse)
            return lambda env: then(env) if cond(env) else orelse(env)
        raise AssertionError(f"not a bool node: {node!r}")

    def compare(self, node: _Compare) -> _ScalarPred:
        if len(node.ops) == 1:
            op = node.ops[0]
            left, right = node.operands
            f = self.operand(left)
            if isinstance(right, _Const):
                return _SCALAR_COMPARE_CONST[op](f, right.value)
            return _SCALAR_COMPARE[op](f, self.operand(right))
        first = self.operand(node.operands[0])
        steps = [
            (_OPERATORS[op], self.operand(operand))
            for op, operand in zip(node.ops, node.operands[1:], strict=True)
        ]

        def chain(env: ScalarEnv) -> bool:
            # Like Python: each operand is evaluated once, and not at all after a false link.
            left = first(env)
            for holds, f in steps:
                right = f(env)
                if not holds(left, right):
                    return False
                left = right
            return True

        return chain

    def logic(self, node: _Logic) -> _ScalarPred:
        parts = [self.boolean(operand) for operand in node.operands]
        if len(parts) == 2:
            f, g = parts
            if node.op == "and":
                return lambda env: f(env) and g(env)
            return lambda env: f(env) or g(env)
        if node.op == "and":

            def all_of(env: ScalarEnv) -> bool:
                return all(f(env) for f in parts)

            return all_of

        def any_of(env: ScalarEnv) -> bool:
            return any(f(env) for f in parts)

        return any_of


def division_message(expr: Expression, at: str = "") -> str:
    """The error of a division by zero in `expr`, which is written at `at` (file:line:column)."""
    message = f"division by zero in '{expr.source.strip()}'"
    return f"{at}: {message}" if at else message


def nan_message(expr: Expression, what: str, at: str = "", finite: bool = False) -> str:
    """The error of `expr`, a `what` (such as a probability), evaluating to NaN (or, if
    `finite`, to NaN or infinity)."""
    bad = "NaN or infinite (not a finite number)" if finite else "NaN (not a number)"
    message = f"{what} '{expr.source.strip()}' is {bad}"
    return f"{at}: {message}" if at else message


def is_leaf(expr: Expression) -> str | None:
    """The name `expr` is if it is a single name, "" if a single literal, else None: a
    leaf computes nothing, so it is finite wherever its name's value is."""
    tree = expr._tree
    if isinstance(tree, _Var):
        return tree.name
    return "" if isinstance(tree, _Const) else None


def compile_scalar(
    expr: Expression, at: str = "", nan_error: str = "", finite: bool = False
) -> Callable[[ScalarEnv], float]:
    """Compile to a function of one run's values; BOOL expressions give 1.0 or 0.0.

    Raises EvaluationError when evaluated on a division by zero, naming `at` (the
    expression's file:line:column) if given, and with `nan_error` as the message where the
    value is NaN (or, if `finite`, infinite too), if given; a missing name is a KeyError.
    """
    compiler = _ScalarCompiler(division_message(expr, at))
    if expr.type is ExprType.BOOL:
        predicate = compiler.boolean(expr._tree)
        return lambda env: 1.0 if predicate(env) else 0.0
    function = compiler.number(expr._tree)
    if not nan_error:
        return function

    def checked(env: ScalarEnv) -> float:
        value = function(env)
        if value != value or (finite and math.isinf(value)):  # NaN, infinity
            raise EvaluationError(nan_error)
        return value

    return checked


def evaluate(expr: Expression, env: ScalarEnv) -> float:
    """Evaluate `expr` for one run; the compiled function is cached on the expression."""
    function = expr._scalar
    if function is None:
        function = compile_scalar(expr)
        object.__setattr__(expr, "_scalar", function)
    return function(env)
