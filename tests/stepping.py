"""Playing a reference-engine run tick by tick from a test, as ``ReferenceEngine.run`` does,
with a look at the state between a tick's choices and its end."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from brinkmanship.engine.observation import Choice
from brinkmanship.engine.policy import Policy
from brinkmanship.engine.reference import ReferenceEngine, RunState

Choices = Sequence[tuple[str, Choice]]


def play(
    engine: ReferenceEngine,
    st: RunState,
    policies: Mapping[str, Policy],
    until: int | None = None,
    applied: Callable[[Choices], None] | None = None,
) -> None:
    """Play ``st`` until it finishes or (with ``until``) reaches that tick; ``applied`` sees
    each tick's choices once they are applied, before the tick ends."""
    while not st.finished and (until is None or st.tick < until):
        engine.begin_tick(st)
        if st.finished:
            break
        choices = [(r.actor, engine.decide(st, r, policies[r.actor])) for r in engine.requests(st)]
        engine.apply(st, choices)
        if applied is not None:
            applied(choices)
        engine.end_tick(st)
