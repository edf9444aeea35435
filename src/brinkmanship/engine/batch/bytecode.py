"""Expressions as flat bytecode for the compiled batch kernel.

Each checked expression tree becomes a short program for a stack machine: operands are
pushed, operators pop and push, and jumps give ``and``/``or``/``if``/chained comparisons
the same short-circuit order as the scalar evaluator, so that the kernel evaluates exactly
the operations the reference engine evaluates (division-by-zero errors included). Boolean
values are 1.0 and 0.0 throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from brinkmanship.scenario.compiled import Expr
from brinkmanship.scenario.expressions import (
    Expression,
    ExprType,
    _Binary,
    _Call,
    _Compare,
    _Const,
    _IfElse,
    _Logic,
    _Node,
    _node_type,
    _Power,
    _Unary,
    _Var,
    division_message,
    is_leaf,
)

# Opcodes (the kernel's ``evaluate`` switches on these).
CONST, LOAD, TRUTH, NEG, NOT = 0, 1, 2, 3, 4
ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW = 5, 6, 7, 8, 9, 10, 11
ABS, FLOOR, CEIL, CLIP, MIN2, MAX2 = 12, 13, 14, 15, 16, 17
CMP = 18  # arg: comparison code
CHAIN = 19  # arg: jump target * 8 + comparison code
JUMP, JUMP_IF_FALSE, AND_KEEP, OR_KEEP = 20, 21, 22, 23
END = 24
NAN_CHECK = 25  # arg: the error (index into messages + nan_messages) if the top is NaN
FINITE_CHECK = 26  # the same, if the top is NaN or infinite

COMPARISONS = {"<": 0, "<=": 1, ">": 2, ">=": 3, "==": 4, "!=": 5}
_BINARY = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "//": FLOORDIV, "%": MOD}
_CALL = {"abs": ABS, "floor": FLOOR, "ceil": CEIL}


@dataclass
class Program:
    """All expressions of a scenario in one code array, with a constant pool."""

    names: Mapping[str, int]
    code: list[int] = field(default_factory=list)
    consts: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    """The division-by-zero error of each expression, by id."""
    reads: list[set[int]] = field(default_factory=list)
    """The names (by index) each expression reads: its value changes only with theirs."""
    may_fail: list[bool] = field(default_factory=list)
    """Whether each expression can fail: it divides (a division by zero), or its value is
    checked (NaN, infinity) and it is not a leaf that passes the check always."""
    nan_messages: list[str] = field(default_factory=list)
    """The error of each NaN-checked expression (a probability) or finite-checked one (a
    weight), in the order added; the kernel reports it as ``len(messages) + j``."""
    _nan_args: list[int] = field(default_factory=list)
    _seen: dict[int, int] = field(default_factory=dict)

    def add(self, expr: Expr | Expression | None) -> int:
        """The id of ``expr`` in this program (-1 for none); each object is compiled once."""
        if expr is None:
            return -1
        key = id(expr)
        if key in self._seen:
            return self._seen[key]
        expression = expr.expression if isinstance(expr, Expr) else expr
        index = len(self.starts)
        self.starts.append(len(self.code))
        self.reads.append(set())
        self.may_fail.append(False)
        self._emit(expression._tree)
        if isinstance(expr, Expr) and expr.nan_error:
            self._nan_args.append(self._op(FINITE_CHECK if expr.finite else NAN_CHECK))
            self.nan_messages.append(expr.nan_error)
            # a single name or literal is never NaN (no name holds NaN, literals are
            # finite); it is infinite only as a float without bounds, which the compiler
            # finite-checks: a check on any other leaf cannot fail
            self.may_fail[-1] |= expr.finite or is_leaf(expression) is None
        self.code += [END, 0]
        at = expr.at if isinstance(expr, Expr) else ""
        self.messages.append(division_message(expression, at))
        self._seen[key] = index
        return index

    def arrays(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """(code, constants, start of each expression), as the kernel takes them."""
        for j, at in enumerate(self._nan_args):
            self.code[at] = len(self.messages) + j
        return (
            np.asarray(self.code, dtype=np.int64),
            np.asarray(self.consts or [0.0], dtype=np.float64),
            np.asarray(self.starts or [0], dtype=np.int64),
        )

    # ---------------------------------------------------------------- emitting

    def _op(self, op: int, arg: int = 0) -> int:
        self.code += [op, arg]
        return len(self.code) - 1  # position of the argument, for patching jumps

    def _patch(self, at: int) -> None:
        self.code[at] = len(self.code)

    def _const(self, value: float) -> None:
        self.consts.append(float(value))
        self._op(CONST, len(self.consts) - 1)

    def _emit(self, node: _Node) -> None:
        if isinstance(node, _Const):
            self._const(float(node.value))
        elif isinstance(node, _Var):
            self._op(LOAD, self.names[node.name])
            self.reads[-1].add(self.names[node.name])
            if node.type is ExprType.BOOL:
                self._op(TRUTH)
        elif isinstance(node, _Unary):
            self._emit(node.operand)
            self._op(NOT if node.op == "not" else NEG)
        elif isinstance(node, _Binary):
            self._emit(node.left)
            self._emit(node.right)
            self._op(_BINARY[node.op])
            if node.op in ("/", "//", "%"):
                self.may_fail[-1] = True
        elif isinstance(node, _Power):
            self._emit(node.base)
            self._op(POW, node.exponent)
        elif isinstance(node, _Call):
            self._call(node)
        elif isinstance(node, _Compare):
            self._compare(node)
        elif isinstance(node, _Logic):
            self._logic(node)
        elif isinstance(node, _IfElse):
            self._emit(node.cond)
            to_else = self._op(JUMP_IF_FALSE)
            self._emit(node.then)
            to_end = self._op(JUMP)
            self._patch(to_else)
            self._emit(node.orelse)
            self._patch(to_end)
        else:  # pragma: no cover - the checker admits no other node
            raise AssertionError(f"unknown expression node {node!r}")

    def _call(self, node: _Call) -> None:
        if node.func in ("min", "max"):
            # Fold left, keeping the earlier operand on ties, like the builtins.
            op = MIN2 if node.func == "min" else MAX2
            self._emit(node.args[0])
            for arg in node.args[1:]:
                self._emit(arg)
                self._op(op)
            return
        for arg in node.args:
            self._emit(arg)
        self._op(CLIP if node.func == "clip" else _CALL[node.func])

    def _compare(self, node: _Compare) -> None:
        self._emit(node.operands[0])
        exits: list[tuple[int, int]] = []
        last = len(node.ops) - 1
        for i, (op, operand) in enumerate(zip(node.ops, node.operands[1:], strict=True)):
            self._emit(operand)
            if i < last:  # a false link leaves 0.0 and skips the remaining operands
                exits.append((self._op(CHAIN), COMPARISONS[op]))
            else:
                self._op(CMP, COMPARISONS[op])
        if exits:
            to_end = self._op(JUMP)
            for at, comparison in exits:
                self.code[at] = len(self.code) * 8 + comparison
            self._const(0.0)
            self._patch(to_end)

    def _logic(self, node: _Logic) -> None:
        op = AND_KEEP if node.op == "and" else OR_KEEP
        exits: list[int] = []
        for i, operand in enumerate(node.operands):
            self._emit(operand)
            if _node_type(operand) is not ExprType.BOOL:  # pragma: no cover - checker
                raise AssertionError("logic operands are boolean")
            if i < len(node.operands) - 1:
                exits.append(self._op(op))
        for at in exits:
            self._patch(at)
