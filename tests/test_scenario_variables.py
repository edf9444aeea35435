"""Every variable of a built-in scenario is read (issue 19: "every variable the scenario
shows is read by some decision or removed").

A variable is *read* when a compiled expression of the scenario names it: a rule, a script
step's premise, a member's stance or attendance, an action's precondition or cost, an
event's trigger or hazard, a decision point, an outcome's condition or utility, a mechanism,
a channel's misread chance or a metric; an effect that assigns another variable from it
counts only if that other variable is read in turn. Three things do not count: the
variable's own initial value, the effects that update it from itself, and the scenario's
``presentation`` (display only: a variable a screen shows but nothing else reads is
scenery, and the issue asks that it be read by a decision or removed). A variable read only
under an intervention counts: the base scenario and each intervention alone are walked."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pytest

from brinkmanship.scenario.compiled import Assign, CompiledScenario, Expr, Variable
from brinkmanship.scenario.expressions import ExprType, parse_expression
from brinkmanship.scenario.loader import builtin_names, load_scenario


@dataclass
class Reads:
    """What a scenario's expressions name: outside effects, and inside each effect."""

    direct: set[str] = field(default_factory=set)
    assigned: list[tuple[str, frozenset[str]]] = field(default_factory=list)


def _walk(node: object, reads: Reads) -> None:
    if isinstance(node, Expr):
        reads.direct |= node.expression.names
    elif isinstance(node, Assign):
        reads.assigned.append((node.var, node.expr.expression.names))
    elif isinstance(node, Variable):
        return  # its initial value is its own
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name != "presentation":
                _walk(getattr(node, f.name), reads)
    elif isinstance(node, Mapping):
        for value in node.values():
            _walk(value, reads)
    elif isinstance(node, tuple | list | set | frozenset):
        for item in node:
            _walk(item, reads)


def reads_of(sc: CompiledScenario) -> Reads:
    """Every name the scenario's compiled expressions read (presentation excepted)."""
    reads = Reads()
    _walk(sc, reads)
    return reads


def unread(variants: list[CompiledScenario]) -> list[str]:
    """The variables of ``variants[0]`` that no variant reads, in declaration order."""
    live: set[str] = set()
    assigned: list[tuple[str, frozenset[str]]] = []
    for sc in variants:
        reads = reads_of(sc)
        live |= reads.direct
        assigned += reads.assigned
    grown = True
    while grown:
        before = len(live)
        for var, names in assigned:
            if var in live:
                live |= names - {var}
        grown = len(live) > before
    return [name for name in variants[0].variables if name not in live]


def variants(name: str) -> list[CompiledScenario]:
    """A built-in scenario and the scenario under each of its interventions alone."""
    base = load_scenario(name)
    return [base, *(load_scenario(name, [i]) for i in base.interventions)]


@pytest.mark.parametrize("name", builtin_names())
def test_every_variable_is_read(name: str) -> None:
    assert unread(variants(name)) == []


def _expr(source: str, names: list[str]) -> Expr:
    expression = parse_expression(source, dict.fromkeys(names, ExprType.NUMBER))
    return Expr(expression, lambda env: 0.0)


def _with(sc: CompiledScenario, new: list[str], effects: list[Assign]) -> CompiledScenario:
    """``sc`` with variables ``new`` (copies of its first) and ``effects`` added to an action."""
    first = next(iter(sc.variables.values()))
    variables = dict(sc.variables)
    for name in new:
        variables[name] = replace(first, name=name, index=len(variables))
    action = next(iter(sc.actions.values()))
    changed = replace(action, effects=(*action.effects, *effects))
    return replace(sc, variables=variables, actions={**sc.actions, action.id: changed})


def test_unread_finds_a_variable_read_only_by_itself_or_by_an_unread_one() -> None:
    sc = load_scenario("standoff")
    assert unread([_with(sc, ["extra"], [])]) == ["extra"]
    own = Assign("extra", _expr("extra + 1", ["extra"]))
    assert unread([_with(sc, ["extra"], [own])]) == ["extra"]
    chain = Assign("other", _expr("extra", ["extra"]))
    assert unread([_with(sc, ["extra", "other"], [chain])]) == ["extra", "other"]
    live = next(v for v in sc.variables if v in reads_of(sc).direct)
    feeds = Assign(live, _expr(f"{live} + extra", [live, "extra"]))
    assert unread([_with(sc, ["extra"], [feeds])]) == []
