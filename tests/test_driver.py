"""The tick driver: the one statement of a tick's order, its hooks, pausing and resuming."""

from __future__ import annotations

import pytest

from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import RunState
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario


class Refuses:
    """A policy that must not be asked."""

    name = "refuses"

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        raise AssertionError(f"{observation.actor} was asked")


def test_hooks_see_every_tick_and_the_peak_is_read_on_the_states_ticks_end_in(
    standoff: CompiledScenario,
) -> None:
    index = standoff.escalation
    assert index is not None
    engine = ReferenceEngine(standoff)
    for run in range(20):
        st = engine.start(3, run)
        values = [index(st.env)]
        begun: list[int] = []
        ended: list[int] = []

        def tick_end(st: RunState, ended: list[int] = ended, values: list[float] = values) -> None:
            ended.append(st.tick)
            values.append(index(st.env))

        def events(st: RunState, begun: list[int] = begun) -> None:
            begun.append(st.tick)

        driver = TickDriver(engine, st, after_events=events, after_tick=tick_end)
        driver.play(policy_set(standoff).make())
        assert st.outcome is not None
        assert begun == ended == list(range(st.outcome.tick + 1))
        assert st.peak_escalation == max(values)


def test_pausing_at_every_decision_point_plays_the_same_run(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    specs = policy_set(standoff).specs
    for run in range(10):
        whole = engine.run(5, run, policy_set(standoff, specs).make(), specs)
        policies = policy_set(standoff, specs).make()
        st = engine.start(5, run)
        driver = TickDriver(engine, st)
        pauses = 0
        driver.play(policies, pause=lambda due: bool(due))
        while driver.paused:
            pauses += 1
            driver.resume(policies)
            driver.play(policies, pause=lambda due: bool(due))
        assert pauses == len({c.tick for c in whole.choices})
        assert engine.result(st, specs) == whole


def test_until_stops_before_that_tick_begins(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    st = engine.start(0, 0)
    ended: list[int] = []
    TickDriver(engine, st, after_tick=lambda st: ended.append(st.tick)).play(
        policy_set(standoff).make(), until=3
    )
    assert (st.tick, st.finished, ended) == (3, False, [0, 1, 2])


def test_a_paused_driver_must_be_resumed_and_only_a_paused_one(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    driver = TickDriver(engine, engine.start(0, 0))
    with pytest.raises(RuntimeError, match="not paused"):
        driver.resume({})
    driver.play({}, pause=lambda due: True)
    assert driver.paused
    with pytest.raises(RuntimeError, match="resume it first"):
        driver.play({})


def test_choices_made_outside_are_applied_first_and_their_actors_not_asked(
    standoff: CompiledScenario,
) -> None:
    engine = ReferenceEngine(standoff)
    st = engine.start(0, 0)
    driver = TickDriver(engine, st)
    policies = policy_set(standoff).make()
    driver.play(policies, pause=lambda due: len(due) > 1)
    actors = [r.actor for r in driver.due]
    last = actors[-1]
    policies[last] = Refuses()
    driver.resume(policies, made=[(last, Choice(WAIT, "made outside"))])
    tick = [c for c in st.choices if c.tick == st.tick - 1]
    assert [c.actor for c in tick] == [last, *actors[:-1]]
    assert tick[0].why == "made outside"
