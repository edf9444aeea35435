"""The order of a tick, written once: every caller that plays reference-engine runs (``brink
run`` and ``mc``, the evaluation, the report, the game, the environments, Model I's
lookahead) plays its ticks through a :class:`TickDriver`. The batch kernel's ``run_block``
is the only other statement of this order.

Each tick, in this order:

1. the clock advances (``tick``, ``hours``);
2. effects of earlier actions whose delay has run out land;
3. events are drawn, in scenario order: scheduled ones at their time, hazards with their
   per-tick probability, condition triggers when their condition first holds;
4. messages whose latency has run out are delivered (possibly misread); an acceptance
   concludes its deal;
5. outcomes are checked; when one holds, the run ends here;
6. every actor whose decision point is due decides, all on the same state: a body's
   members give counsel, the policy chooses, the body's rule resolves; then the choices
   are applied in actor order (effects land now or after a delay, messages leave; one of
   no latency, a meeting in person, is delivered at once, as in step 4);
7. outcomes are checked again; at the horizon the default outcome applies.

Steps 1-5 are :meth:`ReferenceEngine.begin_tick
<brinkmanship.engine.reference.ReferenceEngine.begin_tick>`, step 6 ``requests``, ``decide``
and ``apply``, step 7 ``end_tick``.

A tick *ends* in the state after step 6, or after step 5 when an outcome holds then. The
peak escalation (the scenario's ``metrics.escalation``) is read on the state a run starts in
(by ``start``) and on the state every tick ends in; a caller that wants its own series (an
alert level, the index tick by tick) is shown the same states through the driver's hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from brinkmanship.engine.observation import Choice
from brinkmanship.engine.policy import Policy
from brinkmanship.engine.state import DecisionRequest, RunState

Choices = list[tuple[str, Choice]]
Hook = Callable[[RunState], None]
Pause = Callable[[Sequence[DecisionRequest]], bool]


class Phases(Protocol):
    """What a tick is made of: the reference engine's phase methods."""

    def begin_tick(self, st: RunState) -> None: ...

    def requests(self, st: RunState) -> list[DecisionRequest]: ...

    def decide(self, st: RunState, request: DecisionRequest, policy: Policy) -> Choice: ...

    def apply(self, st: RunState, choices: Choices) -> None: ...

    def end_tick(self, st: RunState) -> None: ...

    def track_escalation(self, st: RunState) -> None: ...


class TickDriver:
    """Plays the ticks of one run in the order above.

    ``after_events`` is shown the state after steps 1-5 of every tick, ``after_tick`` the
    state every tick ends in (``st.tick`` is still that tick's). A caller that must wait
    for a choice from outside (a player, a learner) passes ``pause`` to :meth:`play`: the
    driver stops at the decision point of a tick whose requests it accepts, keeps them in
    :attr:`due`, and :meth:`resume` finishes that tick.
    """

    def __init__(
        self,
        engine: Phases,
        st: RunState,
        *,
        after_events: Hook | None = None,
        after_tick: Hook | None = None,
    ) -> None:
        self.engine = engine
        self.state = st
        self.after_events = after_events
        self.after_tick = after_tick
        self.due: list[DecisionRequest] = []
        """The requests of the tick paused at its decision point (empty when not paused)."""
        self.paused = False

    @classmethod
    def deciding(cls, engine: Phases, st: RunState) -> TickDriver:
        """A driver paused at the decision point of ``st``'s tick, for a state built there
        (steps 1-5 behind it), such as a world sampled from what an actor observes."""
        driver = cls(engine, st)
        driver.due, driver.paused = engine.requests(st), True
        return driver

    def play(
        self,
        policies: Mapping[str, Policy],
        *,
        until: int | None = None,
        pause: Pause | None = None,
    ) -> None:
        """Play ticks until the run ends, or (with ``until``) before tick ``until`` begins,
        or (with ``pause``) at the decision point of a tick whose requests ``pause``
        accepts. Every request is decided by the policy of its actor in ``policies``."""
        if self.paused:
            raise RuntimeError("the driver is paused at a decision point: resume it first")
        engine, st = self.engine, self.state
        while not st.finished and (until is None or st.tick < until):
            engine.begin_tick(st)
            if self.after_events is not None:
                self.after_events(st)
            if st.finished:
                self._ended(st)
                return
            requests = engine.requests(st)
            if pause is not None and pause(requests):
                self.due, self.paused = requests, True
                return
            self._finish(requests, policies, ())

    def resume(
        self, policies: Mapping[str, Policy], made: Sequence[tuple[str, Choice]] = ()
    ) -> None:
        """Finish the paused tick: each request is decided by its actor's policy in
        ``policies``, except the actors of ``made``, choices already made outside the
        engine's decision step (a lookahead's own move), which are applied first."""
        if not self.paused:
            raise RuntimeError("the driver is not paused at a decision point")
        requests, self.due, self.paused = self.due, [], False
        self._finish(requests, policies, made)

    def _finish(
        self,
        requests: Sequence[DecisionRequest],
        policies: Mapping[str, Policy],
        made: Sequence[tuple[str, Choice]],
    ) -> None:
        """Steps 6 (the decisions and their application) and 7 of the current tick."""
        engine, st = self.engine, self.state
        choices = list(made)
        asked = {actor for actor, _ in made}
        for r in requests:
            if r.actor not in asked:
                choices.append((r.actor, engine.decide(st, r, policies[r.actor])))
        engine.apply(st, choices)
        self._ended(st)
        engine.end_tick(st)

    def _ended(self, st: RunState) -> None:
        self.engine.track_escalation(st)
        if self.after_tick is not None:
            self.after_tick(st)
