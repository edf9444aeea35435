"""Which of a scenario's conditions read which names, so that one run can keep their values.

Expressions are pure functions of the names they read (``Expression.names``), so a value
computed once holds until one of those names changes; re-evaluating it would give the same
value (and an evaluation that failed stopped the run, so nothing failing is ever kept). The
reference engine keeps, per run, the values of the conditions it evaluates every tick
(events' ``when`` and hazards, outcomes' ``when``, actions' ``when``, the escalation index)
in :attr:`RunState.cache <brinkmanship.engine.state.RunState.cache>`, keyed by
:func:`id` of the compiled expression (the engine holds the scenario, so ids are stable),
and forgets them with :meth:`ConditionIndex.forget` when a name they read changes.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from brinkmanship.scenario import compiled as c

CLOCK = ("tick", "hours")
"""The names the clock changes every tick."""


class ConditionIndex:
    """For one scenario: the cached expressions that read each name, and the names the
    outcomes' conditions read."""

    def __init__(self, cached: Iterable[c.Expr], outcomes: Iterable[c.Expr]) -> None:
        readers: dict[str, dict[int, None]] = {}
        for expr in cached:
            for name in expr.expression.names:
                readers.setdefault(name, {})[id(expr)] = None
        self.readers: dict[str, tuple[int, ...]] = {n: tuple(r) for n, r in readers.items()}
        """Per name, the keys of the cached expressions that read it."""
        self.outcome_reads: frozenset[str] = frozenset(
            name for expr in outcomes for name in expr.expression.names
        )
        """The names an outcome's condition reads: a change means outcomes need a check."""

    def forget(self, cache: MutableMapping[int, float], name: str) -> bool:
        """Drop from ``cache`` the values that read ``name``; whether outcomes need a check."""
        for key in self.readers.get(name, ()):
            cache.pop(key, None)
        return name in self.outcome_reads
