"""The batch kernel's data, declared once: the scenario's tables, a run's state, a block's
results.

Each field's annotation says how it is stored: ``F64``, ``Float2D`` and ``float`` in the
float array, everything else in the integer array; a ``...2D`` field is a matrix, stored
row by row with its row width in a slot of its own (``WT_X`` for a table, ``WS_X`` for the
state). :mod:`slots` numbers every field from these declarations, so a field added here is
laid out, packed and given its slot without further bookkeeping.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
U64 = npt.NDArray[np.uint64]
Int2D = npt.NDArray[np.int64]
Float2D = npt.NDArray[np.float64]
Bool2D = npt.NDArray[np.bool_]

FLOAT_TYPES = frozenset({"F64", "Float2D", "float"})
MATRIX_TYPES = frozenset({"Int2D", "Float2D", "Bool2D"})
_KNOWN_TYPES = FLOAT_TYPES | MATRIX_TYPES | {"I64", "B", "U64", "int", "bool"}


class Tables(NamedTuple):
    """The scenario as arrays (see the module docstring); field names follow the kernel."""

    code: I64
    consts: F64
    starts: I64
    env_init: F64
    tick_slot: int
    hours_slot: int
    tick_hours: float
    tick_seconds: float
    horizon: int
    escalation: int
    var_slot: I64
    var_type: I64
    var_lo: F64
    var_hi: F64
    eff_start: I64
    eff_var: I64
    eff_expr: I64
    n_actors: int
    n_holders: int
    n_actions: int
    n_events: int
    n_outcomes: int
    n_variables: int
    space_start: I64
    space: I64
    opposed: Bool2D
    ref_trigger_mask: I64
    ev_once: B
    ev_at: I64
    ev_when: I64
    ev_hazard: I64
    ev_effects: I64
    ev_actor: I64
    ev_vis: I64
    ev_site: I64
    act_actor: I64
    act_when: I64
    act_effects: I64
    act_delay_kind: I64
    act_delay: Float2D
    act_delay_site: I64
    act_vis: I64
    act_log_vis: I64
    act_once: B
    act_msg: I64
    act_score: I64
    act_required: B
    cost_start: I64
    cost_holder: I64
    cost_expr: I64
    msg_channel: I64
    msg_to: I64
    msg_kind: I64
    msg_of: I64
    msg_misread_kind: I64
    msg_misreadable: B
    msg_on_deliver: I64
    msg_on_misread: I64
    msg_recipients: I64
    msg_latency_site: I64
    msg_misread_site: I64
    give_start: I64
    give_terms: I64
    get_start: I64
    get_terms: I64
    ch_latency_kind: I64
    ch_latency: Float2D
    ch_misread: I64
    term_effects: I64
    dp_start: I64
    dp_when: I64
    dp_sched: Bool2D
    trig_start: I64
    trig_ref: I64
    out_when: I64
    out_pending: I64
    out_utility: Int2D
    default_outcome: int
    n_mechanisms: int
    mech_out: Bool2D
    mech_after_start: I64
    mech_after: I64
    mech_when: I64
    default_mechanism: int
    mem_start: I64
    mem_weight: I64
    mem_attends: I64
    stance_start: I64
    stance_stop: I64
    chair: I64
    body_rule: I64
    consent_k: I64
    proposer: I64
    requires_any: B
    fallback: I64
    chan_start: I64
    """Each actor's action channels, as a range of ``chan_when``."""
    chan_when: I64
    act_chan: I64
    """The action channel of each action (its index in ``chan_when``), or -1."""
    rule_when: I64
    rule_do: I64
    rule_p: I64
    rule_site: I64
    pol_kind: I64
    pol_threshold: F64
    pol_ceiling: I64
    pol_forgive: F64
    pol_site: Int2D
    prule_start: I64
    prule_stop: I64
    script_start: I64
    step_at: I64
    step_until: I64
    step_do: I64
    step_when: I64
    routine_start: I64
    routine_stop: I64
    rep_inertia: F64
    rep_slippage: F64
    substitute: I64
    dep_start: I64
    dep_expr: I64
    ev_free: I64
    ev_tick_start: I64
    ev_tick: I64
    dp_tick_mask: I64
    out_reads: B
    expr_out: B
    free_reads: B
    expr_free: B
    counsel_may_fail: B
    expr_may_fail: B
    var_err: I64
    """The error of each assignment (by its place in the effect lists) given NaN."""


class State(NamedTuple):
    """One run's mutable state (reused run after run) and the event log of a block."""

    env: F64
    tmp: F64
    stack: F64
    err: I64
    fired: B
    taken: I64
    pending: I64
    arrival: I64
    transit_misread: B
    delivered: B
    deliv_misread: B
    answered: B
    costs: F64
    occurred: Bool2D
    any_occurred: B
    tft_last: I64
    rung: I64
    org_last: I64
    org_delayed: I64
    closed: B
    tick: I64
    outcome: I64
    decided: I64
    decided_at: I64
    mechanism: I64
    has_peak: I64
    peak: F64
    util: F64
    ctx: I64
    bases: U64
    logging: int
    log: Int2D
    log_n: I64
    req_actor: I64
    legal: Bool2D
    counsel: Int2D
    counsel_weight: Float2D
    n_req: I64
    choice: I64
    tally: F64
    tallied: B
    valid: B
    cache: F64
    time_read: B
    occ_mask: I64
    next_pending: I64
    next_arrival: I64
    out_dirty: I64
    free_dirty: I64
    live: I64
    live_n: I64


class Output(NamedTuple):
    """Per-run results of a block."""

    outcome: I64
    tick: I64
    decided: I64
    mechanism: I64
    peak: F64
    error: I64
    util: F64


PER_RUN = (
    "valid",
    "occ_mask",
    "next_pending",
    "next_arrival",
    "out_dirty",
    "free_dirty",
    "err",
    "fired",
    "taken",
    "pending",
    "arrival",
    "transit_misread",
    "delivered",
    "deliv_misread",
    "answered",
    "occurred",
    "any_occurred",
    "tft_last",
    "rung",
    "org_last",
    "org_delayed",
    "closed",
    "tick",
    "outcome",
    "decided",
    "decided_at",
    "mechanism",
    "has_peak",
    "env",
    "costs",
    "peak",
    "util",
)
"""The state a run starts afresh: laid out first and reset from a copy of its initial
values at the start of every run; the rest is scratch space or lasts the whole block."""


def _annotations(record: type[Any]) -> dict[str, str]:
    # the declared names (under postponed evaluation a NamedTuple keeps them as ForwardRefs)
    annotations = {
        f: str(getattr(t, "__forward_arg__", t)) for f, t in record.__annotations__.items()
    }
    unknown = {f: t for f, t in annotations.items() if t not in _KNOWN_TYPES}
    if unknown:
        raise TypeError(f"{record.__name__}: fields of no known storage: {unknown}")
    return annotations


def float_fields(record: type[Any]) -> frozenset[str]:
    """The fields of ``record`` (Tables or State) stored in the float array."""
    return frozenset(f for f, t in _annotations(record).items() if t in FLOAT_TYPES)


def matrix_fields(record: type[Any]) -> tuple[str, ...]:
    """The two-dimensional fields of ``record`` (Tables or State), in field order."""
    return tuple(f for f, t in _annotations(record).items() if t in MATRIX_TYPES)


if not set(PER_RUN) <= set(State._fields):  # pragma: no cover - a typo here fails at import
    raise TypeError(f"PER_RUN names no State field: {set(PER_RUN) - set(State._fields)}")
