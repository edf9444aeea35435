"""Rule matching: the first of an ordered list of ``when → do`` rules that applies. Data
policies, members' stances and Model II's routines all choose this way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from brinkmanship.scenario.compiled import Rule


def first_rule(
    rules: Sequence[Rule],
    values: Mapping[str, float],
    legal: Sequence[str],
    uniform: Callable[[int], float],
) -> Rule | None:
    """The first rule whose action is legal (a stance's ``no_view`` always is), whose
    condition holds and whose probability draw succeeds; ``uniform(rule_index)`` gives that
    rule's draw."""
    for rule in rules:
        if not (rule.no_view or rule.do in legal) or not rule.when(values):
            continue
        p = rule.p(values)
        if p >= 1.0 or (p > 0.0 and uniform(rule.index) < p):
            return rule
    return None
