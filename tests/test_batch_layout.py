"""The batch kernel's layout: every field declared in ``fields`` has its slot, and ``pack``
puts each field where its slot says; arrays packed for another numbering are refused."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.engine.batch import kernel, slots
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.batch.fields import PER_RUN, State, Tables, float_fields, matrix_fields
from brinkmanship.engine.batch.packing import new_output, new_state, pack
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.loader import load_scenario

DOCTRINES = {"us": "tit-for-tat", "su": "dove", "cuba": "hawk", "navy": "organizational"}


def engine() -> BatchEngine:
    sc = load_scenario("cuba-1962")
    return BatchEngine(sc, batch_forms(sc, policy_set(sc, DOCTRINES).specs))


def test_slots_are_numbered_from_the_fields() -> None:
    names = list(slots.SLOTS)
    assert len(set(slots.SLOTS.values())) == len(names) == slots.N_SLOTS
    assert sorted(slots.SLOTS.values()) == list(range(slots.N_SLOTS))
    for f in Tables._fields:
        assert getattr(slots, f"T_{f.upper()}") == slots.table(f)
    for f in State._fields:
        assert getattr(slots, f"S_{f.upper()}") == slots.state(f)
    assert {n[3:].lower() for n in names if n.startswith("WT_")} == set(matrix_fields(Tables))
    assert {n[3:].lower() for n in names if n.startswith("WS_")} == set(matrix_fields(State))
    with pytest.raises(AttributeError, match="no slot 'T_NOTHING'"):
        _ = slots.T_NOTHING


def test_pack_puts_every_field_at_its_slot() -> None:
    e = engine()
    state = new_state(e.tables, e.layout, seed=3, log_capacity=8)
    p = pack(e.tables, state)
    floats = float_fields(Tables)
    for name, value in e.tables._asdict().items():
        flat = np.atleast_1d(np.asarray(value)).reshape(-1)
        start = int(p.ti[slots.table(name)])
        stored = (p.tf if name in floats else p.ti)[start : start + flat.size]
        assert np.array_equal(stored, flat.astype(stored.dtype)), name
    for name in matrix_fields(Tables):
        assert p.ti[slots.table_width(name)] == getattr(e.tables, name).shape[1], name
    state_floats = float_fields(State)
    for name in State._fields:
        if name in ("bases", "log"):
            continue
        flat = np.atleast_1d(np.asarray(getattr(state, name))).reshape(-1)
        start = int(p.ti[slots.state(name)])
        stored = (p.tf if name in state_floats else p.ti)[start : start + flat.size]
        assert np.array_equal(stored, flat.astype(stored.dtype), equal_nan=True), name
    # the per-run state comes first, and its initial copy holds the same values
    reset = sum(getattr(state, n).size for n in PER_RUN if n not in state_floats)
    assert p.ti[slots.S_RESET_I] == reset
    first_i, init_i = int(p.ti[slots.S_STATE_I]), int(p.ti[slots.T_SI_INIT])
    assert np.array_equal(p.ti[first_i : first_i + reset], p.ti[init_i : init_i + reset])
    assert p.ti[slots.S_LOG_CAP] == 8


def test_arrays_of_another_layout_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    e = engine()
    p = pack(e.tables, new_state(e.tables, e.layout, seed=0))
    assert kernel.run_block(p.ti, p.tf, 0, 1, new_output(e.tables, 1)) == 1
    # as if the kernel had been compiled (and cached) for another numbering of the slots
    monkeypatch.setattr(slots, "LAYOUT_KEY", slots.LAYOUT_KEY + 1)
    p = pack(e.tables, new_state(e.tables, e.layout, seed=0))
    assert kernel.run_block(p.ti, p.tf, 0, 1, new_output(e.tables, 1)) == -1
    with pytest.raises(RuntimeError, match="delete the __pycache__"):
        e.run(0, 0, 1)
