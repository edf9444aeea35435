"""Checks for scenario authors: the two engines play a scenario the same way.

``assert_engines_agree`` plays runs of a scenario on the reference engine and on the
batch engine and raises AssertionError naming the first divergence: the run, the tick,
and what differs (a variable, an effect pending, a message in transit or a cost, with
both values; or an event, a choice, the outcome, the peak escalation or a utility).
A mechanism one engine implements differently from the other shows up here first.
``brink validate --engines FILE`` runs the same check from the command line.

The state is compared at the end of every tick through its digest
(:mod:`brinkmanship.engine.digest`); where the digests first differ, that run is played
again on both engines with every word of the state kept, to name what differs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from brinkmanship.engine.batch.engine import BatchEngine, BatchRuns
from brinkmanship.engine.digest import digest, state_words, words_of
from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import RunState
from brinkmanship.errors import EvaluationError
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

REFERENCE, BATCH = "the reference engine", "the batch engine"

Event = tuple[int, str, str, str]
"""(tick, actor, kind, id) of a logged event."""
ChoiceRow = tuple[int, str, str]
"""(tick, actor, action) of a choice ("wait" for none)."""
Row = tuple[Any, ...]
"""A row of a run's record, its tick first."""


@dataclass(frozen=True)
class Play:
    """One run as an engine reports it."""

    events: tuple[Event, ...]
    choices: tuple[ChoiceRow, ...]
    outcome: str
    tick: int
    peak: float | None
    utilities: Mapping[str, float]
    digests: tuple[tuple[int, int], ...]
    """(tick, digest of the state the tick ended in), tick by tick."""
    words: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    """The words of the state at the end of the ticks asked for, by tick."""
    decided: int = -1
    """The tick the outcome was decided (``tick`` unless it waited on ``pending``)."""
    mechanism: str | None = None
    """The mechanism that produced the outcome (None where the scenario names none)."""


Outcome = Play | str
"""A run played to its end, or the error (a division by zero) that stopped it."""


def reference_play(
    sc: CompiledScenario,
    specs: Mapping[str, str],
    seed: int,
    run: int,
    words_at: int | None = None,
) -> Play:
    """Run ``run`` on the reference engine; ``words_at``: keep the state's words at the end
    of that tick. Raises EvaluationError where the run divides by zero."""
    engine = ReferenceEngine(sc)
    st = engine.start(seed, run)
    digests: list[tuple[int, int]] = []
    words: dict[int, tuple[int, ...]] = {}

    def ended(state: RunState) -> None:
        these = state_words(sc, state)
        digests.append((state.tick, digest(these)))
        if state.tick == words_at:
            words[state.tick] = these

    TickDriver(engine, st, after_tick=ended).play(policy_set(sc, specs).make())
    result = engine.result(st, {})
    return Play(
        events=tuple((e.tick, e.actor, e.kind, e.id) for e in result.events),
        choices=tuple((ch.tick, ch.actor, ch.action) for ch in result.choices),
        outcome=result.outcome.id,
        tick=result.outcome.tick,
        decided=(
            result.outcome.tick
            if result.outcome.decided_tick is None
            else result.outcome.decided_tick
        ),
        mechanism=result.outcome.mechanism,
        peak=result.peak_escalation,
        utilities=dict(result.outcome.utilities),
        digests=tuple(digests),
        words=words,
    )


def batch_plays(engine: BatchEngine, seed: int, runs: range, trace: bool = False) -> list[Play]:
    """Runs ``runs`` on the batch engine, with every word of their states if ``trace``.
    Raises EvaluationError where the first of them divides by zero."""
    batch = engine.run(seed, runs.start, runs.stop, trace=trace, log=True)
    return [_batch_play(engine, batch, i, run) for i, run in enumerate(runs)]


def _batch_play(engine: BatchEngine, batch: BatchRuns, i: int, run: int) -> Play:
    assert batch.log is not None and batch.states is not None
    mine = [e for e in batch.log if e.run == run]
    states = [s for s in batch.states if s.run == run]
    peak = float(batch.peak[i])
    return Play(
        events=tuple((e.tick, e.actor, e.kind, e.id) for e in mine if e.kind != "choice"),
        choices=tuple((e.tick, e.actor, e.id) for e in mine if e.kind == "choice"),
        outcome=engine.outcomes[batch.outcome[i]],
        tick=int(batch.tick[i]),
        decided=int(batch.decided[i]),
        mechanism=None if batch.mechanism[i] < 0 else engine.mechanisms[batch.mechanism[i]],
        peak=None if math.isnan(peak) else peak,
        utilities={h: float(batch.utility[i, j]) for j, h in enumerate(engine.holders)},
        digests=tuple((s.tick, s.digest) for s in states),
        words={s.tick: s.words for s in states if s.words},
    )


def _reference_or_error(
    sc: CompiledScenario, specs: Mapping[str, str], seed: int, run: int
) -> Outcome:
    try:
        return reference_play(sc, specs, seed, run)
    except EvaluationError as err:
        return f"EvaluationError: {err}"


def _batch_or_errors(engine: BatchEngine, seed: int, runs: range) -> list[Outcome]:
    """The batch engine's runs; where one fails, each run alone, to tell which."""
    try:
        return list(batch_plays(engine, seed, runs))
    except EvaluationError:
        pass
    out: list[Outcome] = []
    for run in runs:
        try:
            out += batch_plays(engine, seed, range(run, run + 1))
        except EvaluationError as err:
            out.append(f"EvaluationError: {err}")
    return out


def _same(a: float | None, b: float | None) -> bool:
    """Equal, or both NaN (``inf - inf`` gives NaN on both engines), or both absent."""
    if a is None or b is None:
        return a is None and b is None
    return a == b or (math.isnan(a) and math.isnan(b))


def _first_mismatch(a: Sequence[Row], b: Sequence[Row]) -> int | None:
    """The index where two sequences first differ (one running out counts), or None."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def _tick_at(a: Sequence[Row], b: Sequence[Row], i: int) -> int:
    """The tick of the ``i``-th rows (the earlier, where both have one)."""
    return min(int(seq[i][0]) for seq in (a, b) if i < len(seq))


def _event(row: Sequence[Event], i: int) -> str:
    if i >= len(row):
        return "nothing more"
    _, actor, kind, ident = row[i]
    return f"{kind} {ident!r} ({actor})"


def _choice(row: Sequence[ChoiceRow], i: int) -> str:
    if i >= len(row):
        return "no choice"
    _, actor, action = row[i]
    return f"{actor} {'waits' if action == 'wait' else f'chooses {action!r}'}"


@dataclass
class _Comparison:
    sc: CompiledScenario
    specs: Mapping[str, str]
    seed: int
    engine: BatchEngine

    def run(self, run: int, batch: Outcome, ref: Outcome) -> str | None:
        """The first divergence of one run, or None."""
        if isinstance(batch, str) or isinstance(ref, str):
            if batch == ref:
                return None
            return f"run {run}: {BATCH} {_ending(batch)}, {REFERENCE} {_ending(ref)}"
        found: list[tuple[int, int, str]] = []  # (tick, order within the tick, text)
        i = _first_mismatch(batch.events, ref.events)
        if i is not None:
            text = f"{BATCH} logs {_event(batch.events, i)}, {REFERENCE} {_event(ref.events, i)}"
            found.append((_tick_at(batch.events, ref.events, i), 0, text))
        i = _first_mismatch(batch.choices, ref.choices)
        if i is not None:
            text = (
                f"on {BATCH} {_choice(batch.choices, i)}, on {REFERENCE} {_choice(ref.choices, i)}"
            )
            found.append((_tick_at(batch.choices, ref.choices, i), 1, text))
        i = _first_mismatch(batch.digests, ref.digests)
        if i is not None:
            tick = _tick_at(batch.digests, ref.digests, i)
            found.append((tick, 2, self._state(run, tick)))
        if found:
            tick, _, text = min(found)
            return f"run {run}, tick {tick}: {text}"
        return _ending_differs(run, batch, ref)

    def _state(self, run: int, tick: int) -> str:
        """What differs in the state at the end of ``tick``: the run played again with every
        word of its state kept."""
        mine = batch_plays(self.engine, self.seed, range(run, run + 1), trace=True)[0]
        theirs = reference_play(self.sc, self.specs, self.seed, run, words_at=tick)
        a, b = mine.words.get(tick), theirs.words.get(tick)
        if a is None or b is None:
            return f"the run ends on {BATCH if a is None else REFERENCE} before this tick"
        for word, x, y in zip(words_of(self.sc), a, b, strict=True):
            if x != y:
                here, there = word.value(x), word.value(y)
                return f"{word.label} is {here!r} on {BATCH}, {there!r} on {REFERENCE}"
        return "the state's digests differ, though none of its words does"


def _ending(outcome: Outcome) -> str:
    return f"stops with {outcome}" if isinstance(outcome, str) else "plays to its end"


def _ending_differs(run: int, batch: Play, ref: Play) -> str | None:
    if (batch.outcome, batch.tick) != (ref.outcome, ref.tick):
        return (
            f"run {run}: {BATCH} ends in {batch.outcome!r} at tick {batch.tick}, "
            f"{REFERENCE} in {ref.outcome!r} at tick {ref.tick}"
        )
    if batch.decided != ref.decided:
        return (
            f"run {run}: {BATCH} decides {batch.outcome!r} at tick {batch.decided}, "
            f"{REFERENCE} at tick {ref.decided}"
        )
    if batch.mechanism != ref.mechanism:
        return (
            f"run {run}: {BATCH} attributes {batch.outcome!r} to mechanism "
            f"{batch.mechanism!r}, {REFERENCE} to {ref.mechanism!r}"
        )
    if not _same(batch.peak, ref.peak):
        return f"run {run}: peak escalation {batch.peak} on {BATCH}, {ref.peak} on {REFERENCE}"
    for holder, value in ref.utilities.items():
        if not _same(batch.utilities.get(holder), value):
            return (
                f"run {run}: utility of {holder!r} {batch.utilities.get(holder)!r} on {BATCH}, "
                f"{value!r} on {REFERENCE}"
            )
    return None


def first_divergence(
    sc: CompiledScenario,
    policies: Mapping[str, str] | None = None,
    seed: int = 0,
    runs: int | range = 20,
) -> str | None:
    """Where the two engines first disagree on ``runs`` of ``sc`` (a count from run 0, or a
    range), in one line; None where they agree. ``policies`` overrides actors' policies by
    spec (``{"us": "hawk"}``), as on the command line; the others keep their defaults."""
    window = range(runs) if isinstance(runs, int) else runs
    specs = policy_set(sc, policies).specs
    engine = BatchEngine(sc, batch_forms(sc, specs))
    compare = _Comparison(sc, specs, seed, engine)
    batch = _batch_or_errors(engine, seed, window)
    for run, mine in zip(window, batch, strict=True):
        found = compare.run(run, mine, _reference_or_error(sc, specs, seed, run))
        if found is not None:
            return found
    return None


def assert_engines_agree(
    scenario: CompiledScenario | str,
    policies: Mapping[str, str] | None = None,
    seed: int = 0,
    runs: int | range = 20,
) -> None:
    """Play ``runs`` of ``scenario`` (compiled, or a built-in name or a file's path) on both
    engines; raise AssertionError naming the first divergence (see :func:`first_divergence`)."""
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    found = first_divergence(sc, policies, seed, runs)
    if found is not None:
        raise AssertionError(f"{sc.id} (seed {seed}): {found}")
