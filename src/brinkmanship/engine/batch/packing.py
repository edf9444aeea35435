"""A run's fresh state, and tables and state packed into the kernel's two flat arrays.

Where each field goes follows from its declaration in :mod:`fields` (its storage, whether
it is a matrix, whether it is per-run state); :mod:`slots` numbers the offsets.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from brinkmanship.engine import rng
from brinkmanship.engine.batch import kernel as k
from brinkmanship.engine.batch import slots
from brinkmanship.engine.batch.bytecode import CONST, LOAD
from brinkmanship.engine.batch.fields import (
    F64,
    I64,
    PER_RUN,
    Output,
    State,
    Tables,
    float_fields,
    matrix_fields,
)
from brinkmanship.engine.batch.tables import Layout

TABLE_FLOATS = float_fields(Tables)
STATE_FLOATS = float_fields(State)
STATE_ORDER = PER_RUN + tuple(n for n in State._fields if n not in (*PER_RUN, "bases", "log"))
"""The state's fields in the order they are laid out: the per-run ones first (what a run
resets), then the rest; the draw-site states and the log come after, on their own."""


def stack_size(tables: Tables) -> int:
    """An upper bound on the evaluation stack: the pushes of the longest expression."""
    code = tables.code
    ops = code[0::2]
    pushes = (ops == CONST) | (ops == LOAD)
    bounds = [*list(tables.starts), len(ops) * 2]
    most = 1
    for start, stop in itertools.pairwise(bounds):
        most = max(most, int(pushes[start // 2 : stop // 2].sum()))
    return most + 2


class Packed(NamedTuple):
    """What the kernel takes: every integer (offsets, tables, state, draw-site states, event
    log) in ``ti``, every float in ``tf``; see :mod:`slots`."""

    ti: I64
    tf: F64

    @property
    def log_count(self) -> int:
        """Rows the kernel logged since the count was last reset (may exceed capacity)."""
        return int(self.ti[self.ti[slots.S_LOG_N]])

    def reset_log(self) -> None:
        self.ti[self.ti[slots.S_LOG_N]] = 0

    def log_rows(self) -> I64:
        """The logged rows that fit, as (run, tick, kind, actor, id)."""
        start = int(self.ti[slots.S_LOG])
        rows = min(self.log_count, int(self.ti[slots.S_LOG_CAP]))
        flat_rows: I64 = self.ti[start : start + 5 * rows]
        out: I64 = flat_rows.reshape(rows, 5).copy()
        return out


def new_state(
    tables: Tables, layout: Layout, seed: int, log_capacity: int = 0, trace: bool = False
) -> State:
    """Fresh state for ``seed``, with room for ``log_capacity`` log rows (0: no log);
    ``trace`` logs every word of the state each tick, not only its digest."""
    t = tables
    n_a = t.n_actors
    spaces = np.diff(t.space_start)
    max_space = int(spaces.max()) + 1 if len(spaces) else 1
    max_members = int(np.diff(t.mem_start).max()) if len(t.mem_start) > 1 else 0
    effects = np.diff(t.eff_start)
    bases = np.array([rng.seeded_site(seed, s) for s in layout.sites] or [0], dtype=np.uint64)
    n_act = max(1, t.n_actions)
    return State(
        env=t.env_init.copy(),
        tmp=np.zeros(max(1, int(effects.max()) if len(effects) else 1)),
        stack=np.zeros(stack_size(t)),
        err=np.full(1, -1, dtype=np.int64),
        fired=np.zeros(max(1, t.n_events), dtype=np.bool_),
        taken=np.zeros(n_act, dtype=np.int64),
        pending=np.full(n_act, -1, dtype=np.int64),
        arrival=np.full(n_act, -1, dtype=np.int64),
        transit_misread=np.zeros(n_act, dtype=np.bool_),
        delivered=np.zeros(n_act, dtype=np.bool_),
        deliv_misread=np.zeros(n_act, dtype=np.bool_),
        answered=np.zeros(n_act, dtype=np.bool_),
        costs=np.zeros(max(1, t.n_holders)),
        occurred=np.zeros((n_a, max(1, t.n_events + t.n_actions)), dtype=np.bool_),
        any_occurred=np.zeros(n_a, dtype=np.bool_),
        tft_last=np.zeros(n_a, dtype=np.int64),
        rung=np.zeros(n_a, dtype=np.int64),
        org_last=np.full(n_a, -1, dtype=np.int64),
        org_delayed=np.full(n_a, -1, dtype=np.int64),
        closed=np.zeros(max(1, int(t.script_start[-1])), dtype=np.bool_),
        tick=np.zeros(1, dtype=np.int64),
        outcome=np.full(1, -1, dtype=np.int64),
        decided=np.full(1, -1, dtype=np.int64),
        decided_at=np.full(1, -1, dtype=np.int64),
        mechanism=np.full(1, -1, dtype=np.int64),
        has_peak=np.zeros(1, dtype=np.int64),
        peak=np.full(1, np.nan),
        util=np.zeros(max(1, t.n_holders)),
        ctx=np.zeros(2, dtype=np.int64),
        bases=bases,
        logging=k.LOG_NONE if log_capacity <= 0 else k.LOG_TRACE if trace else k.LOG_EVENTS,
        log=np.zeros((max(1, log_capacity), 5), dtype=np.int64),
        log_n=np.zeros(1, dtype=np.int64),
        req_actor=np.zeros(n_a, dtype=np.int64),
        legal=np.zeros((n_a, max_space), dtype=np.bool_),
        counsel=np.full((n_a, max(1, max_members)), -1, dtype=np.int64),
        counsel_weight=np.zeros((n_a, max(1, max_members))),
        n_req=np.zeros(1, dtype=np.int64),
        choice=np.zeros(n_a, dtype=np.int64),
        tally=np.zeros(max_space),
        tallied=np.zeros(max_space, dtype=np.bool_),
        valid=np.zeros(max(1, len(t.starts)), dtype=np.bool_),
        cache=np.zeros(max(1, len(t.starts))),
        time_read=np.zeros(max(1, len(t.starts)), dtype=np.bool_),
        occ_mask=np.zeros(1, dtype=np.int64),
        next_pending=np.full(1, k.NEVER, dtype=np.int64),
        next_arrival=np.full(1, k.NEVER, dtype=np.int64),
        out_dirty=np.ones(1, dtype=np.int64),
        free_dirty=np.ones(1, dtype=np.int64),
        live=np.zeros(max(1, int(t.ev_free[0])), dtype=np.int64),
        live_n=np.zeros(1, dtype=np.int64),
    )


def new_output(tables: Tables, count: int) -> Output:
    """Result arrays for ``count`` runs."""
    return Output(
        outcome=np.zeros(count, dtype=np.int64),
        tick=np.zeros(count, dtype=np.int64),
        decided=np.zeros(count, dtype=np.int64),
        mechanism=np.zeros(count, dtype=np.int64),
        peak=np.zeros(count),
        error=np.zeros(count, dtype=np.int64),
        util=np.zeros((count, max(1, tables.n_holders))),
    )


def _flat(value: Any, is_float: bool) -> npt.NDArray[Any]:
    arr = np.atleast_1d(np.asarray(value)).reshape(-1)
    return arr.astype(np.float64 if is_float else np.int64)


def pack(tables: Tables, state: State) -> Packed:
    """Lay tables and state out in the kernel's two flat arrays (see ``slots``)."""
    o = np.zeros(slots.N_SLOTS, dtype=np.int64)
    o[slots.LAYOUT] = slots.LAYOUT_KEY
    ints: list[npt.NDArray[Any]] = [o]
    floats: list[npt.NDArray[Any]] = []
    sizes = {False: slots.N_SLOTS, True: 0}

    def put(slot: int, value: Any, is_float: bool) -> None:
        arr = _flat(value, is_float)
        o[slot] = sizes[is_float]
        (floats if is_float else ints).append(arr)
        sizes[is_float] += len(arr)

    for name, value in tables._asdict().items():
        put(slots.table(name), value, name in TABLE_FLOATS)
    for name in matrix_fields(Tables):
        o[slots.table_width(name)] = getattr(tables, name).shape[1]
    # the state: the per-run part first, and a copy of its initial values in the tables
    state_i: list[npt.NDArray[Any]] = []
    state_f: list[npt.NDArray[Any]] = []
    local = {False: 0, True: 0}
    for name in STATE_ORDER:
        is_float = name in STATE_FLOATS
        arr = _flat(getattr(state, name), is_float)
        o[slots.state(name)] = local[is_float]
        (state_f if is_float else state_i).append(arr)
        local[is_float] += len(arr)
    reset_i = sum(_flat(getattr(state, n), False).size for n in PER_RUN if n not in STATE_FLOATS)
    reset_f = sum(_flat(getattr(state, n), True).size for n in PER_RUN if n in STATE_FLOATS)
    o[slots.S_RESET_I], o[slots.S_RESET_F] = reset_i, reset_f
    all_i, all_f = np.concatenate(state_i), np.concatenate(state_f)
    put(slots.T_SI_INIT, all_i[:reset_i], False)
    put(slots.T_SF_INIT, all_f[:reset_f], True)
    base = dict(sizes)
    for name in STATE_ORDER:
        o[slots.state(name)] += base[name in STATE_FLOATS]
    put(slots.S_STATE_I, all_i, False)
    put(slots.S_STATE_F, all_f, True)
    put(slots.S_BASES, state.bases.view(np.int64), False)
    put(slots.S_LOG, state.log, False)
    o[slots.S_LOG_CAP] = len(state.log) if state.logging else 0
    for name in matrix_fields(State):
        o[slots.state_width(name)] = getattr(state, name).shape[1]
    ti = np.concatenate(ints)
    ti[: slots.N_SLOTS] = o
    return Packed(ti=ti, tf=np.concatenate(floats))
