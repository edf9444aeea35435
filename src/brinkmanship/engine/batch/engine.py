"""The batch engine: many runs of one configuration through the compiled kernel.

Same inputs as the reference engine (a compiled scenario, one policy per actor, a seed,
run indices) and, run for run, the same outcomes, times and events; see
``tests/test_batch_engine.py`` for the differential tests that hold it to that.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from brinkmanship.engine.batch import kernel, slots
from brinkmanship.engine.batch.bytecode import Program
from brinkmanship.engine.batch.fields import Output, Tables
from brinkmanship.engine.batch.forms import BatchForm
from brinkmanship.engine.batch.packing import new_output, new_state, pack
from brinkmanship.engine.batch.tables import (
    KINDS,
    Layout,
    build,
    initial_environment,
    latency_seconds,
)
from brinkmanship.engine.rng import MASK64
from brinkmanship.engine.trajectory import NARRATOR
from brinkmanship.errors import EvaluationError
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.expressions import Expression

BLOCK = 4096
"""Runs per kernel call: bounds the result arrays a call fills, not the total."""

LOG_ROWS_PER_RUN = 512
STALE_KERNEL = (
    "the batch kernel was compiled for another layout of its arrays (numba's cache keeps "
    "constants from an older brinkmanship/engine/batch/slots.py): delete the __pycache__ "
    "folder next to brinkmanship/engine/batch/kernel.py"
)


@dataclass(frozen=True)
class LoggedEvent:
    """One entry of a run's record as the kernel logs it (texts are the reference's job)."""

    run: int
    tick: int
    actor: str
    kind: str
    id: str


@dataclass(frozen=True)
class TickState:
    """The state a tick ended in, as the kernel logged it: its digest and, when traced,
    its words (:mod:`brinkmanship.engine.digest`), each as an unsigned 64-bit number."""

    run: int
    tick: int
    digest: int
    words: tuple[int, ...] = ()


@dataclass
class BatchRuns:
    """Results of runs ``start .. stop-1``: arrays over runs, outcome by index."""

    start: int
    outcome: npt.NDArray[np.int64]
    tick: npt.NDArray[np.int64]
    decided: npt.NDArray[np.int64]
    """The tick each run's outcome was decided (its ``tick`` unless it waited on
    ``pending``)."""
    mechanism: npt.NDArray[np.int64]
    """The mechanism that produced each run's outcome, by index into ``Layout.mechanisms``
    (-1 where the scenario names none)."""
    peak: npt.NDArray[np.float64]
    utility: npt.NDArray[np.float64]
    log: list[LoggedEvent] | None = None
    states: list[TickState] | None = None
    """With the log: the state each tick of each run ended in."""

    def __len__(self) -> int:
        return len(self.outcome)


class BatchEngine:
    """Compiles a scenario and its policies once; runs blocks of runs through the kernel.

    ``policies`` gives each actor's policy in its batch form; the policies layer resolves
    spec strings to forms (``brinkmanship.policies.registry.batch_forms``)."""

    def __init__(self, scenario: CompiledScenario, policies: Mapping[str, BatchForm]) -> None:
        self.sc = scenario
        self.tables: Tables
        self.layout: Layout
        self.tables, self.layout = build(scenario, policies)

    def with_parameters(self, scenario: CompiledScenario) -> BatchEngine:
        """An engine for ``scenario``, this engine's scenario with other parameter values
        (:meth:`CompiledScenario.with_parameters`), sharing every table but the initial
        environment: no validation, compilation or table building again."""
        if list(scenario.parameters) != list(self.sc.parameters) or list(
            scenario.variables
        ) != list(self.sc.variables):
            raise ValueError("with_parameters needs the same scenario with other parameters")
        other = copy.copy(self)
        other.sc = scenario
        other.tables = self.tables._replace(
            env_init=initial_environment(scenario),
            act_delay=latency_seconds([a.delay for a in scenario.actions.values()]),
            ch_latency=latency_seconds([ch.latency for ch in scenario.channels.values()]),
        )
        return other

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self.layout.outcomes

    @property
    def mechanisms(self) -> tuple[str, ...]:
        return self.layout.mechanisms

    @property
    def holders(self) -> tuple[str, ...]:
        return self.layout.holders

    def run(
        self, seed: int, start: int, stop: int, *, log: bool = False, trace: bool = False
    ) -> BatchRuns:
        """Play runs ``start .. stop-1`` with ``seed``; ``log`` keeps every event and the
        digest of the state each tick ends in, ``trace`` (which implies ``log``) every word
        of that state too."""
        log = log or trace
        count = max(0, stop - start)
        out = new_output(self.tables, count)
        rows: list[npt.NDArray[np.int64]] = []
        capacity = LOG_ROWS_PER_RUN * min(count, 64) if log else 0
        p = pack(self.tables, new_state(self.tables, self.layout, seed, capacity, trace))
        done = 0
        while done < count:
            block = min(BLOCK, count - done)
            window = slice(done, done + block)
            part = Output(
                out.outcome[window],
                out.tick[window],
                out.decided[window],
                out.mechanism[window],
                out.peak[window],
                out.error[window],
                out.util[window],
            )
            p.reset_log()
            finished = kernel.run_block(p.ti, p.tf, start + done, block, part)
            if finished < 0:
                raise RuntimeError(STALE_KERNEL)
            if log:
                rows.append(p.log_rows())
                if finished == 0:  # one run did not fit: grow the log and replay it
                    capacity *= 2
                    state = new_state(self.tables, self.layout, seed, capacity, trace)
                    p = pack(self.tables, state)
            done += finished
        self._raise_first_error(out.error, start)
        events, states = self._decode(np.concatenate(rows)) if rows else ([], [])
        return BatchRuns(
            start=start,
            outcome=out.outcome,
            tick=out.tick,
            decided=out.decided,
            mechanism=out.mechanism,
            peak=out.peak,
            utility=out.util,
            log=events if log else None,
            states=states if log else None,
        )

    def _raise_first_error(self, errors: npt.NDArray[np.int64], start: int) -> None:
        failed = np.flatnonzero(errors >= 0)
        if len(failed):
            raise EvaluationError(self.layout.errors[int(errors[failed[0]])])

    def _decode(self, rows: npt.NDArray[np.int64]) -> tuple[list[LoggedEvent], list[TickState]]:
        lay = self.layout
        out = []
        states: list[TickState] = []
        words: list[int] = []
        for run, tick, kind, actor, ident in rows.tolist():
            name = KINDS[kind]
            if name == "word":
                words.append(ident & MASK64)
                continue
            if name == "digest":
                states.append(TickState(run, tick, ident & MASK64, tuple(words)))
                words = []
                continue
            if name == "start":
                label = self.sc.id
            elif name == "event":
                label = lay.events[ident]
            elif name == "counsel":
                label = lay.members[ident]
            elif name == "choice" and ident < 0:
                label = "wait"
            else:
                label = lay.actions[ident]
            who = NARRATOR if actor < 0 else lay.actors[actor]
            out.append(LoggedEvent(run, tick, who, name, label))
        return out, states


def evaluate_expression(expression: Expression, env: Mapping[str, float]) -> float:
    """Evaluate one expression with the kernel's evaluator (as the batch engine does);
    a division by zero raises the same EvaluationError as the scalar evaluator."""
    names = sorted(env)
    program = Program({name: i for i, name in enumerate(names)})
    program.add(expression)
    code, consts, starts = program.arrays()
    n = slots.N_SLOTS
    o = np.zeros(n, dtype=np.int64)
    o[slots.T_CODE] = n
    o[slots.T_STARTS] = n + len(code)
    o[slots.S_ERR] = n + len(code) + len(starts)
    o[slots.S_TIME_READ] = o[slots.S_ERR] + 1
    o[slots.T_TICK_SLOT] = o[slots.S_ERR] + 2  # holds len(names): no clock among the names
    o[slots.T_CONSTS] = 0
    o[slots.S_ENV] = len(consts)
    o[slots.S_STACK] = len(consts) + len(names)
    ti = np.concatenate([o, code, starts, [-1, 0, len(names)]]).astype(np.int64)
    depth = len(code) // 2 + 2
    env_values = np.array([env[name] for name in names], dtype=np.float64)
    tf = np.concatenate([consts, env_values, np.zeros(depth)])
    value = float(kernel.evaluate(ti, tf, 0))
    if ti[o[slots.S_ERR]] >= 0:
        raise EvaluationError([*program.messages, *program.nan_messages][ti[o[slots.S_ERR]]])
    return value
