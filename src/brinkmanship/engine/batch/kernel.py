# The arrays are untyped to mypy (numba types them); returns read from them are Any.
# mypy: disable-error-code="no-any-return"
"""The compiled loop of the batch engine: the reference engine's tick, for many runs.

Every function here is compiled by numba (``NUMBA_DISABLE_JIT=1`` runs them as Python, for
debugging). Everything arrives in two flat arrays (:mod:`brinkmanship.engine.batch.tables`):
every integer in ``ti`` (first the offsets, then the tables, the run's state, the draw-site
states and the event log) and every float in ``tf``; field ``X`` starts at ``ti[X]``
(:mod:`brinkmanship.engine.batch.slots`). Two arrays because numba passes each array as
seven machine words on every call between these functions;
expressions are bytecode (:mod:`brinkmanship.engine.batch.bytecode`). ``run_block`` plays
runs one after another, each to its outcome, reusing one small block of state, so memory
does not grow with the number of runs and a finished run costs nothing more. The order of
every step, evaluation and random draw mirrors :mod:`brinkmanship.engine.reference`
exactly; that is what makes the two engines agree run for run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from brinkmanship.engine.batch import bytecode as bc
from brinkmanship.engine.batch.forms import (
    DOVE,
    HAWK,
    ORGANIZATIONAL,
    POLITICAL,
    RANDOM,
    RULES,
    SCRIPTED,
    TIT_FOR_TAT,
)
from brinkmanship.engine.batch.slots import (
    LAYOUT,
    LAYOUT_KEY,
    S_ANSWERED,
    S_ANY_OCCURRED,
    S_ARRIVAL,
    S_BASES,
    S_CACHE,
    S_CHOICE,
    S_CLOSED,
    S_COSTS,
    S_COUNSEL,
    S_COUNSEL_WEIGHT,
    S_CTX,
    S_DECIDED,
    S_DECIDED_AT,
    S_DELIV_MISREAD,
    S_DELIVERED,
    S_ENV,
    S_ERR,
    S_FIRED,
    S_FREE_DIRTY,
    S_HAS_PEAK,
    S_LEGAL,
    S_LIVE,
    S_LIVE_N,
    S_LOG,
    S_LOG_CAP,
    S_LOG_N,
    S_LOGGING,
    S_MECHANISM,
    S_N_REQ,
    S_NEXT_ARRIVAL,
    S_NEXT_PENDING,
    S_OCC_MASK,
    S_OCCURRED,
    S_ORG_DELAYED,
    S_ORG_LAST,
    S_OUT_DIRTY,
    S_OUTCOME,
    S_PEAK,
    S_PENDING,
    S_REQ_ACTOR,
    S_RESET_F,
    S_RESET_I,
    S_RUNG,
    S_STACK,
    S_STATE_F,
    S_STATE_I,
    S_TAKEN,
    S_TALLIED,
    S_TALLY,
    S_TFT_LAST,
    S_TICK,
    S_TIME_READ,
    S_TMP,
    S_TRANSIT_MISREAD,
    S_UTIL,
    S_VALID,
    T_ACT_ACTOR,
    T_ACT_CHAN,
    T_ACT_DELAY,
    T_ACT_DELAY_KIND,
    T_ACT_DELAY_SITE,
    T_ACT_EFFECTS,
    T_ACT_LOG_VIS,
    T_ACT_MSG,
    T_ACT_ONCE,
    T_ACT_REQUIRED,
    T_ACT_SCORE,
    T_ACT_VIS,
    T_ACT_WHEN,
    T_BODY_RULE,
    T_CH_LATENCY,
    T_CH_LATENCY_KIND,
    T_CH_MISREAD,
    T_CHAIR,
    T_CHAN_START,
    T_CHAN_WHEN,
    T_CODE,
    T_CONSENT_K,
    T_CONSTS,
    T_COST_EXPR,
    T_COST_HOLDER,
    T_COST_START,
    T_COUNSEL_MAY_FAIL,
    T_DEFAULT_MECHANISM,
    T_DEFAULT_OUTCOME,
    T_DEP_EXPR,
    T_DEP_START,
    T_DP_SCHED,
    T_DP_START,
    T_DP_TICK_MASK,
    T_DP_WHEN,
    T_EFF_EXPR,
    T_EFF_START,
    T_EFF_VAR,
    T_ESCALATION,
    T_EV_ACTOR,
    T_EV_EFFECTS,
    T_EV_FREE,
    T_EV_HAZARD,
    T_EV_ONCE,
    T_EV_SITE,
    T_EV_TICK,
    T_EV_TICK_START,
    T_EV_VIS,
    T_EV_WHEN,
    T_EXPR_FREE,
    T_EXPR_MAY_FAIL,
    T_EXPR_OUT,
    T_FALLBACK,
    T_FREE_READS,
    T_GET_START,
    T_GET_TERMS,
    T_GIVE_START,
    T_GIVE_TERMS,
    T_HORIZON,
    T_HOURS_SLOT,
    T_MECH_AFTER,
    T_MECH_AFTER_START,
    T_MECH_OUT,
    T_MECH_WHEN,
    T_MEM_ATTENDS,
    T_MEM_START,
    T_MEM_WEIGHT,
    T_MSG_CHANNEL,
    T_MSG_KIND,
    T_MSG_LATENCY_SITE,
    T_MSG_MISREAD_KIND,
    T_MSG_MISREAD_SITE,
    T_MSG_MISREADABLE,
    T_MSG_OF,
    T_MSG_ON_DELIVER,
    T_MSG_ON_MISREAD,
    T_MSG_RECIPIENTS,
    T_MSG_TO,
    T_N_ACTIONS,
    T_N_ACTORS,
    T_N_EVENTS,
    T_N_HOLDERS,
    T_N_MECHANISMS,
    T_N_OUTCOMES,
    T_N_VARIABLES,
    T_OPPOSED,
    T_OUT_PENDING,
    T_OUT_READS,
    T_OUT_UTILITY,
    T_OUT_WHEN,
    T_POL_CEILING,
    T_POL_FORGIVE,
    T_POL_KIND,
    T_POL_SITE,
    T_POL_THRESHOLD,
    T_PROPOSER,
    T_PRULE_START,
    T_PRULE_STOP,
    T_REF_TRIGGER_MASK,
    T_REP_INERTIA,
    T_REP_SLIPPAGE,
    T_REQUIRES_ANY,
    T_ROUTINE_START,
    T_ROUTINE_STOP,
    T_RULE_DO,
    T_RULE_P,
    T_RULE_SITE,
    T_RULE_WHEN,
    T_SCRIPT_START,
    T_SF_INIT,
    T_SI_INIT,
    T_SPACE,
    T_SPACE_START,
    T_STANCE_START,
    T_STANCE_STOP,
    T_STARTS,
    T_STEP_AT,
    T_STEP_DO,
    T_STEP_UNTIL,
    T_STEP_WHEN,
    T_SUBSTITUTE,
    T_TERM_EFFECTS,
    T_TICK_HOURS,
    T_TICK_SECONDS,
    T_TICK_SLOT,
    T_TRIG_REF,
    T_TRIG_START,
    T_VAR_ERR,
    T_VAR_HI,
    T_VAR_LO,
    T_VAR_SLOT,
    T_VAR_TYPE,
    WS_COUNSEL,
    WS_COUNSEL_WEIGHT,
    WS_LEGAL,
    WS_OCCURRED,
    WT_ACT_DELAY,
    WT_CH_LATENCY,
    WT_DP_SCHED,
    WT_MECH_OUT,
    WT_OPPOSED,
    WT_OUT_UTILITY,
    WT_POL_SITE,
)

NEVER = 1 << 62  # a tick no run reaches: nothing pending, nothing in transit
UNKNOWN = 2  # legality not yet worked out

# Event kinds in the log (decoded by tables.KINDS).
K_START, K_EVENT, K_EFFECT, K_DELIVERY, K_DEAL, K_PLEDGE = 0, 1, 2, 3, 4, 5
K_COUNSEL, K_CONSENT, K_ACTION, K_MESSAGE, K_CHOICE = 6, 7, 8, 9, 10
K_DIGEST, K_WORD = 11, 12  # the state at the end of a tick (see _log_state)

# What the log holds (State.logging): nothing, events and a digest of the state each
# tick, or these and every word of that state.
LOG_NONE, LOG_EVENTS, LOG_TRACE = 0, 1, 2

# Message kinds.
M_OFFER, M_DEMAND, M_ACCEPT, M_REJECT, M_STATEMENT = 0, 1, 2, 3, 4

# Body rules.
B_NONE, B_LEADER, B_CONSENT, B_VOTE = -1, 0, 1, 2

# A member's counsel, where it is not a place in the body's choices (0: wait).
NO_COUNSEL = -1  # the chair, or a member without a stance: it gives none
ABSTAIN = -2  # none of its stance's rules applies: waiting to a consent or vote rule
ABSENT = -3  # its ``attends`` is false: neither counsels, consents nor votes

# A rule's action (``rule_do``), where it is not a place in the actor's choices.
NOT_CHOICE = -1  # not among them now: the rule never applies
NO_VIEW = -2  # a stance's ``no_view``: always legal; the member then abstains

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_RUN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_TICK_GAMMA = np.uint64(0xD1B54A32D192ED03)
_S11 = np.uint64(11)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_TWO_M53 = 2.0**-53
_DIGEST_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # engine/digest.py's GAMMA

# Without numba's runtime (NRT): the kernel allocates nothing, and with it every call
# between these functions paid atomic reference counts on each array argument, which was
# most of the kernel's time. An allocation would be a compile error, never a silent leak.
_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "_nrt": False}
jit: Callable[[Callable[..., Any]], Any] = njit(**_OPTIONS)
# Small functions called at many sites are inlined in numba's IR: a call passes every
# array as seven machine words, which cost more than their bodies.
inline: Callable[[Callable[..., Any]], Any] = njit(inline="always", **_OPTIONS)


@inline
def _mix64(x: Any) -> Any:
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@inline
def draw(ti: Any, site: int, tick: int, run: int) -> float:
    """The uniform of rng.uniform(seed, run, tick, site), from the site's seeded base."""
    base = np.uint64(ti[ti[S_BASES] + site])
    state = _mix64(base + np.uint64(tick) * _TICK_GAMMA)
    h = _mix64(state + np.uint64(run) * _RUN_GAMMA)
    return float(h >> _S11) * _TWO_M53


@inline
def _compare(kind: int, a: float, b: float) -> bool:
    if kind == 0:
        return a < b
    if kind == 1:
        return a <= b
    if kind == 2:
        return a > b
    if kind == 3:
        return a >= b
    if kind == 4:
        return a == b
    return a != b


@jit
def evaluate(ti: Any, tf: Any, expr: int) -> float:
    """Run expression ``expr`` on the run's values; a division by zero records ``expr`` as
    the run's error (the first error of a run wins) and gives 0.0."""
    code = ti[T_CODE]
    env = ti[S_ENV]
    stack = ti[S_STACK]
    pc = ti[ti[T_STARTS] + expr]
    sp = 0
    time_first = ti[ti[T_TICK_SLOT]]  # tick and hours are the last names
    reads_time = False
    while True:
        op = ti[code + pc]
        arg = ti[code + pc + 1]
        pc += 2
        if op == bc.LOAD:
            tf[stack + sp] = tf[env + arg]
            sp += 1
            if arg >= time_first:
                reads_time = True
        elif op == bc.CONST:
            tf[stack + sp] = tf[ti[T_CONSTS] + arg]
            sp += 1
        elif op == bc.NAN_CHECK or op == bc.FINITE_CHECK:
            top = tf[stack + sp - 1]
            bad = math.isnan(top) or (op == bc.FINITE_CHECK and math.isinf(top))
            if bad and ti[ti[S_ERR]] < 0:
                ti[ti[S_ERR]] = arg
        elif op == bc.END:
            ti[ti[S_TIME_READ] + expr] = reads_time
            return tf[stack + 0]
        elif op == bc.CMP:
            sp -= 1
            tf[stack + sp - 1] = 1.0 if _compare(arg, tf[stack + sp - 1], tf[stack + sp]) else 0.0
        elif op == bc.TRUTH:
            tf[stack + sp - 1] = 1.0 if tf[stack + sp - 1] != 0.0 else 0.0
        elif op == bc.AND_KEEP:
            if tf[stack + sp - 1] == 0.0:
                pc = arg
            else:
                sp -= 1
        elif op == bc.OR_KEEP:
            if tf[stack + sp - 1] != 0.0:
                pc = arg
            else:
                sp -= 1
        elif op == bc.JUMP_IF_FALSE:
            sp -= 1
            if tf[stack + sp] == 0.0:
                pc = arg
        elif op == bc.JUMP:
            pc = arg
        elif op == bc.NOT:
            tf[stack + sp - 1] = 1.0 if tf[stack + sp - 1] == 0.0 else 0.0
        elif op == bc.NEG:
            tf[stack + sp - 1] = -tf[stack + sp - 1]
        elif op <= bc.MOD:
            sp -= 1
            a = tf[stack + sp - 1]
            b = tf[stack + sp]
            if op == bc.ADD:
                r = a + b
            elif op == bc.SUB:
                r = a - b
            elif op == bc.MUL:
                r = a * b
            elif b == 0.0:
                if ti[ti[S_ERR]] < 0:
                    ti[ti[S_ERR]] = expr
                r = 0.0
            elif op == bc.DIV:
                r = a / b
            elif op == bc.FLOORDIV:
                r = a // b
            else:
                r = a % b
            tf[stack + sp - 1] = r
        elif op == bc.POW:
            x = tf[stack + sp - 1]
            if arg == 0:
                r = 1.0
            else:
                r = x
                for _ in range(arg - 1):
                    r = r * x
            tf[stack + sp - 1] = r
        elif op == bc.MIN2:
            sp -= 1
            if tf[stack + sp] < tf[stack + sp - 1]:
                tf[stack + sp - 1] = tf[stack + sp]
        elif op == bc.MAX2:
            sp -= 1
            if tf[stack + sp] > tf[stack + sp - 1]:
                tf[stack + sp - 1] = tf[stack + sp]
        elif op == bc.ABS:
            tf[stack + sp - 1] = abs(tf[stack + sp - 1])
        elif op == bc.FLOOR:
            tf[stack + sp - 1] = np.floor(tf[stack + sp - 1])
        elif op == bc.CEIL:
            tf[stack + sp - 1] = np.ceil(tf[stack + sp - 1])
        elif op == bc.CLIP:
            sp -= 2
            value = tf[stack + sp - 1]
            low = tf[stack + sp]
            high = tf[stack + sp + 1]
            value = low if low > value else value
            tf[stack + sp - 1] = high if high < value else value
        elif op == bc.CHAIN:
            sp -= 1
            if _compare(arg & 7, tf[stack + sp - 1], tf[stack + sp]):
                tf[stack + sp - 1] = tf[stack + sp]
            else:
                sp -= 1
                pc = arg >> 3


@inline
def value(ti: Any, tf: Any, expr: int) -> float:
    """Expression ``expr``'s value, evaluated only if a name it reads changed since the
    last evaluation (expressions are pure, so the cached value is the one it would give)."""
    if ti[ti[S_VALID] + expr]:
        return tf[ti[S_CACHE] + expr]
    result = evaluate(ti, tf, expr)
    tf[ti[S_CACHE] + expr] = result
    ti[ti[S_VALID] + expr] = True
    return result


@inline
def _known_false(ti: Any, tf: Any, expr: int) -> bool:
    """Whether expression ``expr`` holds a cached value of false: a test that evaluates
    nothing, so a caller may reject on it before tests that cost more (legality) without
    changing what is evaluated or drawn."""
    return ti[ti[S_VALID] + expr] != 0 and tf[ti[S_CACHE] + expr] == 0.0


@inline
def _known_illegal(ti: Any, tf: Any, r: int, k: int) -> bool:
    """Whether choice ``k`` of request ``r`` is an action whose condition holds a cached
    value of false: illegal, known without working out the rest of its legality."""
    if k == 0:
        return False
    actor = ti[ti[S_REQ_ACTOR] + r]
    a = ti[ti[T_SPACE] + ti[ti[T_SPACE_START] + actor] + k - 1]
    return _known_false(ti, tf, ti[ti[T_ACT_WHEN] + a])


@inline
def _changed(ti: Any, slot: int) -> None:
    """Forget the cached values of the expressions that read env slot ``slot``."""
    for k in range(ti[ti[T_DEP_START] + slot], ti[ti[T_DEP_START] + slot + 1]):
        ti[ti[S_VALID] + ti[ti[T_DEP_EXPR] + k]] = False
    if ti[ti[T_OUT_READS] + slot]:
        ti[ti[S_OUT_DIRTY]] = True
    if ti[ti[T_FREE_READS] + slot]:
        ti[ti[S_FREE_DIRTY]] = True


@inline
def _time_passed(ti: Any) -> None:
    """Forget the cached values that read the clock when they were last evaluated (one
    that did not, short-circuited past it, holds until a name it read changes)."""
    dep_expr = ti[T_DEP_EXPR]  # offsets read once: numba reloads them after a store to ti
    time_read = ti[S_TIME_READ]
    valid = ti[S_VALID]
    for slot in (ti[ti[T_TICK_SLOT]], ti[ti[T_HOURS_SLOT]]):
        for k in range(ti[ti[T_DEP_START] + slot], ti[ti[T_DEP_START] + slot + 1]):
            e = ti[dep_expr + k]
            if ti[time_read + e] and ti[valid + e]:
                ti[valid + e] = False
                if ti[ti[T_EXPR_OUT] + e]:
                    ti[ti[S_OUT_DIRTY]] = True
                if ti[ti[T_EXPR_FREE] + e]:
                    ti[ti[S_FREE_DIRTY]] = True


@inline
def _coerce(ti: Any, tf: Any, var: int, value: float) -> float:
    kind = ti[ti[T_VAR_TYPE] + var]
    if kind == 2:
        return 1.0 if value != 0.0 else 0.0
    if kind == 1:
        value = np.rint(value)
        if value == 0.0:
            value = 0.0  # Python's round() gives an int, which has no negative zero
    low = tf[ti[T_VAR_LO] + var]
    high = tf[ti[T_VAR_HI] + var]
    value = low if low > value else value
    return high if high < value else value


@jit
def _assign(ti: Any, tf: Any, effects: int) -> None:
    """Apply an effect list simultaneously: every right-hand side sees the state before."""
    start = ti[ti[T_EFF_START] + effects]
    stop = ti[ti[T_EFF_START] + effects + 1]
    for k in range(start, stop):
        tf[ti[S_TMP] + k - start] = value(ti, tf, ti[ti[T_EFF_EXPR] + k])
    for k in range(start, stop):
        var = ti[ti[T_EFF_VAR] + k]
        slot = ti[ti[T_VAR_SLOT] + var]
        raw = tf[ti[S_TMP] + k - start]
        if math.isnan(raw) or (ti[ti[T_VAR_TYPE] + var] == 1 and math.isinf(raw)):
            if ti[ti[S_ERR]] < 0:  # a value no variable can hold: the run's error
                ti[ti[S_ERR]] = ti[ti[T_VAR_ERR] + k]
            continue
        new = _coerce(ti, tf, var, raw)
        if new != tf[ti[S_ENV] + slot] or math.copysign(1.0, new) != math.copysign(
            1.0, tf[ti[S_ENV] + slot]
        ):
            tf[ti[S_ENV] + slot] = new
            _changed(ti, slot)


@inline
def _log(
    ti: Any,
    tf: Any,
    kind: int,
    actor: int,
    ident: int,
) -> None:
    if ti[ti[S_LOGGING]]:
        n = ti[ti[S_LOG_N]]
        if n < ti[S_LOG_CAP]:
            row = ti[S_LOG] + n * 5
            ti[row] = ti[ti[S_CTX]]
            ti[row + 1] = ti[ti[S_TICK]]
            ti[row + 2] = kind
            ti[row + 3] = actor
            ti[row + 4] = ident
        ti[ti[S_LOG_N]] = n + 1


@inline
def _fold(h: Any, word: Any) -> Any:
    return _mix64((h ^ word) + _DIGEST_GAMMA)


@jit
def _log_state(ti: Any, tf: Any) -> None:
    """Log the state a tick ends in: its digest, and with LOG_TRACE each of its words
    (actor: the word's place), as :mod:`brinkmanship.engine.digest` reads them from the
    reference engine's state."""
    trace = ti[ti[S_LOGGING]] == LOG_TRACE
    bits = tf.view(np.uint64)
    h = np.uint64(0)
    place = 0
    for v in range(ti[ti[T_N_VARIABLES]]):
        word = bits[ti[S_ENV] + ti[ti[T_VAR_SLOT] + v]]
        h = _fold(h, word)
        if trace:
            _log(ti, tf, K_WORD, place, np.int64(word))
        place += 1
    for a in range(ti[ti[T_N_ACTIONS]]):
        arrival = ti[ti[S_ARRIVAL] + a]
        misread = ti[ti[S_TRANSIT_MISREAD] + a] if arrival >= 0 else 0
        for value in (ti[ti[S_PENDING] + a], arrival, misread):
            h = _fold(h, np.uint64(value))
            if trace:
                _log(ti, tf, K_WORD, place, value)
            place += 1
    for holder in range(ti[ti[T_N_HOLDERS]]):
        word = bits[ti[S_COSTS] + holder]
        h = _fold(h, word)
        if trace:
            _log(ti, tf, K_WORD, place, np.int64(word))
        place += 1
    _log(ti, tf, K_DIGEST, -1, np.int64(h))


@inline
def _notify(ti: Any, tf: Any, ref: int, mask: int) -> None:
    """Mark ``ref`` as occurred for the actors in ``mask`` that have it as a trigger."""
    mask &= ti[ti[T_REF_TRIGGER_MASK] + ref]
    if mask == 0:
        return
    for a in range(ti[ti[T_N_ACTORS]]):
        if (mask >> a) & 1:
            ti[ti[S_OCCURRED] + (a) * ti[WS_OCCURRED] + ref] = True
            ti[ti[S_ANY_OCCURRED] + a] = True
    ti[ti[S_OCC_MASK]] |= mask


@jit
def _happened(ti: Any, m: int) -> bool:
    """Whether one of mechanism ``m``'s events or actions has happened (true if it names
    none)."""
    first = ti[ti[T_MECH_AFTER_START] + m]
    stop = ti[ti[T_MECH_AFTER_START] + m + 1]
    if stop == first:
        return True
    n_events = ti[ti[T_N_EVENTS]]
    for k in range(first, stop):
        ref = ti[ti[T_MECH_AFTER] + k]
        if ref < n_events:
            if ti[ti[S_FIRED] + ref]:
                return True
        elif ti[ti[S_TAKEN] + ref - n_events] > 0:
            return True
    return False


@jit
def _mechanism(ti: Any, tf: Any, outcome: int) -> int:
    """The first mechanism that applies to ``outcome`` on the state now, or the default
    one (-1 where the scenario names none)."""
    default = ti[ti[T_DEFAULT_MECHANISM]]
    for m in range(ti[ti[T_N_MECHANISMS]]):
        if m == default or not ti[ti[T_MECH_OUT] + (m) * ti[WT_MECH_OUT] + outcome]:
            continue
        if not _happened(ti, m):
            continue
        e = ti[ti[T_MECH_WHEN] + m]
        if e < 0 or value(ti, tf, e) != 0.0:
            return m
    return default


@jit
def _finish(ti: Any, tf: Any, outcome: int) -> None:
    ti[ti[S_OUTCOME]] = outcome
    if ti[ti[S_DECIDED]] != outcome:
        ti[ti[S_DECIDED_AT]] = ti[ti[S_TICK]]
        ti[ti[S_MECHANISM]] = _mechanism(ti, tf, outcome)
    for h in range(ti[ti[T_N_HOLDERS]]):
        e = ti[ti[T_OUT_UTILITY] + (outcome) * ti[WT_OUT_UTILITY] + h]
        if e >= 0:
            tf[ti[S_UTIL] + h] = value(ti, tf, e) - tf[ti[S_COSTS] + h]
        else:
            tf[ti[S_UTIL] + h] = np.nan


@jit
def _check_outcomes(ti: Any, tf: Any) -> None:
    # none held at the last check, and nothing they read has changed since: none holds
    if ti[ti[S_OUTCOME]] >= 0 or not ti[ti[S_OUT_DIRTY]]:
        return
    ti[ti[S_OUT_DIRTY]] = False
    decided = ti[ti[S_DECIDED]]
    for outcome in range(decided if decided >= 0 else ti[ti[T_N_OUTCOMES]]):
        e = ti[ti[T_OUT_WHEN] + outcome]
        if e >= 0 and value(ti, tf, e) != 0.0:
            # decided: it ends the run now, or waits while its pending condition holds
            p = ti[ti[T_OUT_PENDING] + outcome]
            if p >= 0 and value(ti, tf, p) != 0.0:
                ti[ti[S_DECIDED]] = outcome
                ti[ti[S_DECIDED_AT]] = ti[ti[S_TICK]]
                ti[ti[S_MECHANISM]] = _mechanism(ti, tf, outcome)
            else:
                _finish(ti, tf, outcome)
            return
    if decided >= 0 and value(ti, tf, ti[ti[T_OUT_PENDING] + decided]) == 0.0:
        _finish(ti, tf, decided)


@jit
def _track_escalation(ti: Any, tf: Any) -> None:
    if ti[ti[T_ESCALATION]] >= 0:
        level = value(ti, tf, ti[ti[T_ESCALATION]])
        if ti[ti[S_HAS_PEAK]] == 0 or level > tf[ti[S_PEAK]]:
            tf[ti[S_PEAK]] = level
            ti[ti[S_HAS_PEAK]] = 1


@inline
def _clamp01(p: float) -> float:
    p = 0.0 if p < 0.0 else p
    return 1.0 if p > 1.0 else p


@jit
def _begin_tick(ti: Any, tf: Any) -> None:
    tick = ti[ti[S_TICK]]
    run = ti[ti[S_CTX]]
    tf[ti[S_ENV] + ti[ti[T_TICK_SLOT]]] = float(tick)
    tf[ti[S_ENV] + ti[ti[T_HOURS_SLOT]]] = tick * tf[ti[T_TICK_HOURS]]
    _time_passed(ti)
    # effects whose delay has run out
    if ti[ti[S_NEXT_PENDING]] == tick:
        soonest = NEVER
        for a in range(ti[ti[T_N_ACTIONS]]):
            due = ti[ti[S_PENDING] + a]
            if due == tick:
                ti[ti[S_PENDING] + a] = -1
                _assign(ti, tf, ti[ti[T_ACT_EFFECTS] + a])
                _log(ti, tf, K_EFFECT, ti[ti[T_ACT_ACTOR] + a], a)
                _notify(ti, tf, ti[ti[T_N_EVENTS]] + a, ti[ti[T_ACT_VIS] + a])
            elif due >= 0 and due < soonest:
                soonest = due
        ti[ti[S_NEXT_PENDING]] = soonest
    # events, in scenario order: the unscheduled ones and those scheduled for this tick.
    # An unscheduled event passed over at the last look (fired once, or its condition
    # false) is passed over again while nothing its expressions read has changed and no
    # unscheduled event has fired since (``free_dirty``): its condition is still false, in
    # the cache, so only the others (``live``) are looked at. Once something changes, the
    # rest of the look goes through every unscheduled event.
    free = ti[T_EV_FREE]
    n_free = ti[free]
    live = ti[S_LIVE]
    n_live = ti[ti[S_LIVE_N]]
    sparse = not ti[ti[S_FREE_DIRTY]]
    ti[ti[S_FREE_DIRTY]] = False
    kept = 0  # the new list of live events, written over the old one behind the reading
    last_free = -1
    i_free = 0
    i_at = ti[ti[T_EV_TICK_START] + tick] if tick <= ti[ti[T_HORIZON]] else 0
    stop_at = ti[ti[T_EV_TICK_START] + tick + 1] if tick <= ti[ti[T_HORIZON]] else 0
    while True:
        if sparse and ti[ti[S_FREE_DIRTY]]:
            sparse = False
            i_free = 0
            while i_free < n_free and ti[free + 1 + i_free] <= last_free:
                i_free += 1
        if sparse:
            next_free = ti[live + i_free] if i_free < n_live else NEVER
        else:
            next_free = ti[free + 1 + i_free] if i_free < n_free else NEVER
        next_at = ti[ti[T_EV_TICK] + i_at] if i_at < stop_at else NEVER
        if next_free == NEVER and next_at == NEVER:
            break
        is_free = next_free < next_at
        if is_free:
            e = next_free
            i_free += 1
            last_free = e
        else:
            e = next_at
            i_at += 1
        if ti[ti[T_EV_ONCE] + e] and ti[ti[S_FIRED] + e]:
            continue
        if value(ti, tf, ti[ti[T_EV_WHEN] + e]) == 0.0:
            continue
        if is_free:
            ti[live + kept] = e
            kept += 1
        if ti[ti[T_EV_HAZARD] + e] >= 0:
            p = _clamp01(value(ti, tf, ti[ti[T_EV_HAZARD] + e]))
            if not draw(ti, ti[ti[T_EV_SITE] + e], tick, run) < p:
                continue
        if is_free:
            ti[ti[S_FREE_DIRTY]] = True
        ti[ti[S_FIRED] + e] = True
        _assign(ti, tf, ti[ti[T_EV_EFFECTS] + e])
        _log(ti, tf, K_EVENT, ti[ti[T_EV_ACTOR] + e], e)
        _notify(ti, tf, e, ti[ti[T_EV_VIS] + e])
    ti[ti[S_LIVE_N]] = kept
    # deliveries
    if ti[ti[S_NEXT_ARRIVAL]] == tick:
        _deliver(ti, tf)
    _check_outcomes(ti, tf)
    if ti[ti[S_OUTCOME]] >= 0:  # the run ends on this tick's events: its last state counts
        _track_escalation(ti, tf)


@jit
def _deliver(ti: Any, tf: Any) -> None:
    """Deliver the messages arriving now (in action order)."""
    tick = ti[ti[S_TICK]]
    soonest = NEVER
    for a in range(ti[ti[T_N_ACTIONS]]):
        due = ti[ti[S_ARRIVAL] + a]
        if due != tick:
            if due >= 0 and due < soonest:
                soonest = due
            continue
        ti[ti[S_ARRIVAL] + a] = -1
        ti[ti[S_DELIVERED] + a] = True
        ti[ti[S_DELIV_MISREAD] + a] = ti[ti[S_TRANSIT_MISREAD] + a]
        m = ti[ti[T_ACT_MSG] + a]
        _assign(
            ti,
            tf,
            ti[ti[T_MSG_ON_MISREAD] + m]
            if ti[ti[S_TRANSIT_MISREAD] + a]
            else ti[ti[T_MSG_ON_DELIVER] + m],
        )
        _log(ti, tf, K_DELIVERY, ti[ti[T_MSG_TO] + m], a)
        _notify(ti, tf, ti[ti[T_N_EVENTS]] + a, ti[ti[T_MSG_RECIPIENTS] + m])
        kind = ti[ti[T_MSG_KIND] + m]
        if kind == M_ACCEPT and ti[ti[T_MSG_OF] + m] >= 0:
            offer = ti[ti[T_ACT_MSG] + ti[ti[T_MSG_OF] + m]]
            for k in range(ti[ti[T_GIVE_START] + offer], ti[ti[T_GIVE_START] + offer + 1]):
                _assign(ti, tf, ti[ti[T_TERM_EFFECTS] + ti[ti[T_GIVE_TERMS] + k]])
            for k in range(ti[ti[T_GET_START] + offer], ti[ti[T_GET_START] + offer + 1]):
                _assign(ti, tf, ti[ti[T_TERM_EFFECTS] + ti[ti[T_GET_TERMS] + k]])
            _log(ti, tf, K_DEAL, -1, ti[ti[T_MSG_OF] + m])
        elif kind == M_STATEMENT and ti[ti[T_GIVE_START] + m + 1] > ti[ti[T_GIVE_START] + m]:
            for k in range(ti[ti[T_GIVE_START] + m], ti[ti[T_GIVE_START] + m + 1]):
                _assign(ti, tf, ti[ti[T_TERM_EFFECTS] + ti[ti[T_GIVE_TERMS] + k]])
            _log(ti, tf, K_PLEDGE, ti[ti[T_ACT_ACTOR] + a], a)
    ti[ti[S_NEXT_ARRIVAL]] = soonest


@jit
def _is_legal(ti: Any, tf: Any, a: int) -> bool:
    if ti[ti[S_PENDING] + a] >= 0 or ti[ti[S_ARRIVAL] + a] >= 0:
        return False
    if ti[ti[T_ACT_ONCE] + a] and ti[ti[S_TAKEN] + a] > 0:
        return False
    m = ti[ti[T_ACT_MSG] + a]
    if m >= 0 and ti[ti[T_MSG_OF] + m] >= 0:
        of = ti[ti[T_MSG_OF] + m]
        if not ti[ti[S_DELIVERED] + of] or ti[ti[S_ANSWERED] + of]:
            return False
        om = ti[ti[T_ACT_MSG] + of]
        perceived = ti[ti[T_MSG_KIND] + om]
        if ti[ti[S_DELIV_MISREAD] + of] and ti[ti[T_MSG_MISREAD_KIND] + om] >= 0:
            perceived = ti[ti[T_MSG_MISREAD_KIND] + om]
        if perceived != M_OFFER and perceived != M_DEMAND:
            return False
    return value(ti, tf, ti[ti[T_ACT_WHEN] + a]) != 0.0


@inline
def _legal(ti: Any, tf: Any, r: int, k: int) -> bool:
    """Whether choice ``k`` (local; 0 is wait) of request ``r`` is legal. Worked out when
    first asked: nothing legality reads changes between the requests and the last choice."""
    at = ti[S_LEGAL] + r * ti[WS_LEGAL] + k
    if ti[at] == UNKNOWN:
        actor = ti[ti[S_REQ_ACTOR] + r]
        ti[at] = _is_legal(ti, tf, ti[ti[T_SPACE] + ti[ti[T_SPACE_START] + actor] + k - 1])
    return ti[at] != 0


@jit
def _local(ti: Any, actor: int, action: int) -> int:
    """The position of a global action (-1: wait) in the actor's choice space."""
    if action == -1:
        return 0
    if action < 0:
        return -1
    start = ti[ti[T_SPACE_START] + actor]
    for k in range(start, ti[ti[T_SPACE_START] + actor + 1]):
        if ti[ti[T_SPACE] + k] == action:
            return k - start + 1
    return -1


@jit
def _first_rule(ti: Any, tf: Any, r: int, first: int, stop: int) -> int:
    """The first applicable rule of rules[first:stop] for the request ``r`` (-1 if none):
    legal (a stance's NO_VIEW always is), its condition holding, its probability draw (site
    ``rule_site``) succeeding."""
    # most rules are rejected by their own or their action's condition already known
    # false, without working out their legality (worked out only when first asked, it
    # evaluates nothing that can fail, so leaving it unasked changes nothing). The scan
    # reads its tables' offsets once: numba reloads ``ti[X]`` after every store to ``ti``.
    rule_do = ti[T_RULE_DO]
    rule_when = ti[T_RULE_WHEN]
    valid = ti[S_VALID]
    cache = ti[S_CACHE]
    act_when = ti[T_ACT_WHEN]
    space = ti[T_SPACE] + ti[ti[T_SPACE_START] + ti[ti[S_REQ_ACTOR] + r]] - 1
    for i in range(first, stop):
        local = ti[rule_do + i]
        if local == NOT_CHOICE:
            continue
        when = ti[rule_when + i]
        if ti[valid + when] and tf[cache + when] == 0.0:
            continue
        if local > 0:
            condition = ti[act_when + ti[space + local]]
            if ti[valid + condition] and tf[cache + condition] == 0.0:
                continue
        if local != NO_VIEW and not _legal(ti, tf, r, local):
            continue
        if value(ti, tf, when) == 0.0:
            continue
        p = value(ti, tf, ti[ti[T_RULE_P] + i])
        if p >= 1.0 or (
            p > 0.0 and draw(ti, ti[ti[T_RULE_SITE] + i], ti[ti[S_TICK]], ti[ti[S_CTX]]) < p
        ):
            return i
    return -1


@jit
def _counsel(ti: Any, tf: Any, n: int, actor: int) -> None:
    """The counsel of the members of ``actor``, the body deciding in request ``n``."""
    first = ti[ti[T_MEM_START] + actor]
    counsel = ti[S_COUNSEL] + n * ti[WS_COUNSEL] - first
    for j in range(first, ti[ti[T_MEM_START] + actor + 1]):
        ti[counsel + j] = NO_COUNSEL
        if j == ti[ti[T_CHAIR] + actor]:
            continue
        attends = ti[ti[T_MEM_ATTENDS] + j]
        if attends >= 0 and value(ti, tf, attends) == 0.0:
            ti[counsel + j] = ABSENT
            continue
        if ti[ti[T_STANCE_START] + j] == ti[ti[T_STANCE_STOP] + j]:
            continue
        tf[ti[S_COUNSEL_WEIGHT] + n * ti[WS_COUNSEL_WEIGHT] + j - first] = value(
            ti, tf, ti[ti[T_MEM_WEIGHT] + j]
        )
        rule = _first_rule(
            ti,
            tf,
            n,
            ti[ti[T_STANCE_START] + j],
            ti[ti[T_STANCE_STOP] + j],
        )
        do = NO_VIEW if rule < 0 else ti[ti[T_RULE_DO] + rule]
        ti[counsel + j] = ABSTAIN if do == NO_VIEW else do


@jit
def _requests(ti: Any, tf: Any) -> None:
    """Who decides now, their legal actions and (bodies) their members' counsel."""
    tick = ti[ti[S_TICK]]
    n = 0
    candidates = ti[ti[S_OCC_MASK]]
    if tick < ti[WT_DP_SCHED]:
        candidates |= ti[ti[T_DP_TICK_MASK] + tick]
    actor = -1
    while candidates >> (actor + 1):
        actor += 1
        if not (candidates >> actor) & 1:
            continue
        due = False
        for d in range(ti[ti[T_DP_START] + actor], ti[ti[T_DP_START] + actor + 1]):
            hit = (
                ti[ti[T_DP_SCHED] + (d) * ti[WT_DP_SCHED] + tick]
                if tick < ti[WT_DP_SCHED]
                else False
            )
            if not hit and ti[ti[S_ANY_OCCURRED] + actor]:
                for k in range(ti[ti[T_TRIG_START] + d], ti[ti[T_TRIG_START] + d + 1]):
                    if ti[ti[S_OCCURRED] + (actor) * ti[WS_OCCURRED] + ti[ti[T_TRIG_REF] + k]]:
                        hit = True
                        break
            if hit and value(ti, tf, ti[ti[T_DP_WHEN] + d]) != 0.0:
                due = True
                break
        if not due:
            continue
        ti[ti[S_REQ_ACTOR] + n] = actor
        legal = ti[S_LEGAL] + n * ti[WS_LEGAL]
        ti[legal + 0] = True
        start = ti[ti[T_SPACE_START] + actor]
        size = ti[ti[T_SPACE_START] + actor + 1] - start
        space = ti[T_SPACE] + start
        may_fail = ti[T_EXPR_MAY_FAIL]
        act_when = ti[T_ACT_WHEN]
        for k in range(size):
            a = ti[space + k]
            if ti[may_fail + ti[act_when + a]]:
                ti[legal + k + 1] = _is_legal(ti, tf, a)  # now, where its error would arise
            else:
                ti[legal + k + 1] = UNKNOWN  # when a policy or counsel asks
        n += 1
        # members' counsel, unless nothing reads it: a leader's body under a policy other
        # than political only logs it, and none of the expressions it evaluates can fail
        if (
            ti[ti[S_LOGGING]] == LOG_NONE
            and ti[ti[T_BODY_RULE] + actor] == B_LEADER
            and ti[ti[T_POL_KIND] + actor] != POLITICAL
            and not ti[ti[T_COUNSEL_MAY_FAIL] + actor]
        ):
            continue
        _counsel(ti, tf, n - 1, actor)
    # triggers are consumed by the asking
    if ti[ti[S_OCC_MASK]]:
        for actor in range(ti[ti[T_N_ACTORS]]):
            if ti[ti[S_ANY_OCCURRED] + actor]:
                row = ti[S_OCCURRED] + actor * ti[WS_OCCURRED]
                for ref in range(ti[WS_OCCURRED]):
                    ti[row + ref] = 0
                ti[ti[S_ANY_OCCURRED] + actor] = False
        ti[ti[S_OCC_MASK]] = 0
    ti[ti[S_N_REQ]] = n


@inline
def _choices(ti: Any, actor: int) -> tuple[int, int]:
    """Where the actor's choice space starts in ``space``, and its size with wait."""
    start = ti[ti[T_SPACE_START] + actor]
    return start, ti[ti[T_SPACE_START] + actor + 1] - start + 1


@inline
def _score(ti: Any, start: int, k: int) -> int:
    """The escalation score of choice ``k`` (0 for wait)."""
    return 0 if k == 0 else ti[ti[T_ACT_SCORE] + ti[ti[T_SPACE] + start + k - 1]]


@inline
def _policy_draw(ti: Any, actor: int, site: int) -> float:
    """The draw at the actor's policy's own site ``site`` (forms.SITES) this tick."""
    return draw(
        ti, ti[ti[T_POL_SITE] + actor * ti[WT_POL_SITE] + site], ti[ti[S_TICK]], ti[ti[S_CTX]]
    )


@jit
def _data_policy(ti: Any, tf: Any, r: int, actor: int) -> int:
    """RULES, SCRIPTED: the actor's scenario data policy: its script steps due now whose
    premise holds (none for a rules policy), then its rules."""
    tick = ti[ti[S_TICK]]
    for k in range(ti[ti[T_SCRIPT_START] + actor], ti[ti[T_SCRIPT_START] + actor + 1]):
        if ti[ti[S_CLOSED] + k] or ti[ti[T_STEP_AT] + k] > tick:
            continue
        local = ti[ti[T_STEP_DO] + k]
        when = ti[ti[T_STEP_WHEN] + k]
        if (
            local >= 0
            and not _known_false(ti, tf, when)
            and not _known_illegal(ti, tf, r, local)
            and _legal(ti, tf, r, local)
            and value(ti, tf, when) != 0.0
        ):
            ti[ti[S_CLOSED] + k] = True
            return local
        if ti[ti[T_STEP_UNTIL] + k] < 0 or tick >= ti[ti[T_STEP_UNTIL] + k]:
            ti[ti[S_CLOSED] + k] = True
    rule = _first_rule(
        ti,
        tf,
        r,
        ti[ti[T_PRULE_START] + actor],
        ti[ti[T_PRULE_STOP] + actor],
    )
    return 0 if rule < 0 else ti[ti[T_RULE_DO] + rule]


@inline
def _random(ti: Any, tf: Any, r: int, actor: int) -> int:
    """RANDOM: uniform over the legal choices."""
    size = _choices(ti, actor)[1]
    count = 0
    for k in range(size):
        if _legal(ti, tf, r, k):
            count += 1
    index = min(math.floor(_policy_draw(ti, actor, 0) * count), count - 1)
    for k in range(size):
        if _legal(ti, tf, r, k):
            if index == 0:
                return k
            index -= 1
    return 0


@inline
def _hawk(ti: Any, tf: Any, r: int, actor: int) -> int:
    """HAWK: one rung up the escalation ladder, with probability ``threshold``."""
    if _policy_draw(ti, actor, 0) >= tf[ti[T_POL_THRESHOLD] + actor]:
        return 0
    start, size = _choices(ti, actor)
    ceiling = ti[ti[T_POL_CEILING] + actor]
    best = -1
    best_score = 0
    for attempt in range(2):
        above = ti[ti[S_RUNG] + actor] if attempt == 0 else 0
        for k in range(size):
            score = _score(ti, start, k)
            # cheap tests first: legality is worked out on demand
            if (
                above < score <= ceiling
                and (best < 0 or score < best_score)
                and _legal(ti, tf, r, k)
            ):
                best = k
                best_score = score
        if best >= 0:
            break
    if best < 0:
        return 0
    if best_score > ti[ti[S_RUNG] + actor]:
        ti[ti[S_RUNG] + actor] = best_score
    return best


@inline
def _dove(ti: Any, tf: Any, r: int, actor: int) -> int:
    """DOVE: the most conciliatory legal action, with probability ``threshold``."""
    if _policy_draw(ti, actor, 0) >= tf[ti[T_POL_THRESHOLD] + actor]:
        return 0
    start, size = _choices(ti, actor)
    best = -1
    best_score = 0
    for k in range(1, size):
        score = _score(ti, start, k)
        if (
            score <= ti[ti[T_POL_CEILING] + actor]
            and (best < 0 or score < best_score)
            and _legal(ti, tf, r, k)
        ):
            best = k
            best_score = score
    return 0 if best < 0 else best


@inline
def _tit_for_tat(ti: Any, tf: Any, r: int, actor: int) -> int:
    """TIT_FOR_TAT: the answer in kind to the other side's last move."""
    last = ti[ti[S_TFT_LAST] + actor]
    ti[ti[S_TFT_LAST] + actor] = 0
    if last == 0:
        return 0
    if last > 0 and _policy_draw(ti, actor, 0) < tf[ti[T_POL_FORGIVE] + actor]:
        return 0
    start, size = _choices(ti, actor)
    best = -1
    best_gap = 0
    for k in range(size):
        score = _score(ti, start, k)
        gap = abs(score - last)
        if score * last > 0 and (best < 0 or gap < best_gap) and _legal(ti, tf, r, k):
            best = k
            best_gap = gap
    return 0 if best < 0 else best


@inline
def _organizational(ti: Any, tf: Any, r: int, actor: int) -> int:
    """ORGANIZATIONAL: routines with inertia (draw site 0) and slippage (site 1)."""
    delayed = ti[ti[S_ORG_DELAYED] + actor]
    if delayed >= 0:
        ti[ti[S_ORG_DELAYED] + actor] = -1
        if _legal(ti, tf, r, delayed):
            ti[ti[S_ORG_LAST] + actor] = delayed
            return delayed
    last = ti[ti[S_ORG_LAST] + actor]
    if (
        last >= 0
        and _legal(ti, tf, r, last)
        and _policy_draw(ti, actor, 0) < tf[ti[T_REP_INERTIA] + actor]
    ):
        return last
    rule = _first_rule(
        ti,
        tf,
        r,
        ti[ti[T_ROUTINE_START] + actor],
        ti[ti[T_ROUTINE_STOP] + actor],
    )
    if rule < 0:
        return 0
    order = ti[ti[T_RULE_DO] + rule]
    if _policy_draw(ti, actor, 1) < tf[ti[T_REP_SLIPPAGE] + actor]:
        substitute = ti[ti[T_SUBSTITUTE] + rule]  # its place in the choices, or -1
        if substitute >= 0 and _legal(ti, tf, r, substitute):
            ti[ti[S_ORG_LAST] + actor] = substitute
            return substitute
        ti[ti[S_ORG_DELAYED] + actor] = order
        return 0
    ti[ti[S_ORG_LAST] + actor] = order
    return order


@inline
def _political(ti: Any, tf: Any, r: int, actor: int) -> int:
    """POLITICAL: the influence-weighted plurality of the counsel of members with a view,
    leaving out counsel for an action whose action channel is closed; when none is left,
    the standard course (the default data policy's tables), which waits where its choice's
    channel is closed."""
    # every channel is evaluated, in order, as the reference does (an error arises alike)
    for ch in range(ti[ti[T_CHAN_START] + actor], ti[ti[T_CHAN_START] + actor + 1]):
        value(ti, tf, ti[ti[T_CHAN_WHEN] + ch])
    start, size = _choices(ti, actor)
    tally = ti[S_TALLY]
    for k in range(size):
        tf[tally + k] = 0.0
        ti[ti[S_TALLIED] + k] = False
    anyone = False
    for j in range(ti[ti[T_MEM_START] + actor + 1] - ti[ti[T_MEM_START] + actor]):
        c = ti[ti[S_COUNSEL] + (r) * ti[WS_COUNSEL] + j]
        if c > 0:
            ch = ti[ti[T_ACT_CHAN] + ti[ti[T_SPACE] + start + c - 1]]
            if ch >= 0 and value(ti, tf, ti[ti[T_CHAN_WHEN] + ch]) == 0.0:
                continue  # argued outside its channel: presses for nothing
        if c >= 0:
            tf[tally + c] += tf[ti[S_COUNSEL_WEIGHT] + (r) * ti[WS_COUNSEL_WEIGHT] + j]
            ti[ti[S_TALLIED] + c] = True
            anyone = True
    if not anyone:
        k = _data_policy(ti, tf, r, actor)
        if k > 0:
            ch = ti[ti[T_ACT_CHAN] + ti[ti[T_SPACE] + start + k - 1]]
            if ch >= 0 and value(ti, tf, ti[ti[T_CHAN_WHEN] + ch]) == 0.0:
                return 0  # the standard course's choice waits for its channel
        return k
    top = -math.inf
    found = False
    for k in range(size):
        if ti[ti[S_TALLIED] + k] and (not found or tf[tally + k] > top):
            top = tf[tally + k]
            found = True
    for k in range(size):
        if ti[ti[S_TALLIED] + k] and tf[tally + k] == top and _legal(ti, tf, r, k):
            return k
    return 0


@jit
def _policy(ti: Any, tf: Any, r: int) -> int:
    """The actor's policy's proposal (a local index into its choice space): one function
    per doctrine code (:mod:`brinkmanship.engine.batch.forms`); PASSIVE waits. The
    doctrines are inlined into this body (see ``inline``); rules and scripts are not, as
    the political doctrine calls them too."""
    actor = ti[ti[S_REQ_ACTOR] + r]
    kind = ti[ti[T_POL_KIND] + actor]
    if kind in (RULES, SCRIPTED):
        return _data_policy(ti, tf, r, actor)
    if kind == RANDOM:
        return _random(ti, tf, r, actor)
    if kind == HAWK:
        return _hawk(ti, tf, r, actor)
    if kind == DOVE:
        return _dove(ti, tf, r, actor)
    if kind == TIT_FOR_TAT:
        return _tit_for_tat(ti, tf, r, actor)
    if kind == ORGANIZATIONAL:
        return _organizational(ti, tf, r, actor)
    if kind == POLITICAL:
        return _political(ti, tf, r, actor)
    return 0


@jit
def _body_rule(ti: Any, tf: Any, r: int, proposal: int) -> int:
    """Log counsel, then resolve the body's rule on the policy's proposal."""
    actor = ti[ti[S_REQ_ACTOR] + r]
    rule = ti[ti[T_BODY_RULE] + actor]
    first = ti[ti[T_MEM_START] + actor]
    count = ti[ti[T_MEM_START] + actor + 1] - first
    if rule == B_NONE:
        return proposal
    if proposal != 0:
        for j in range(count):
            if ti[ti[S_COUNSEL] + (r) * ti[WS_COUNSEL] + j] >= 0:  # a view, wait included
                _log(ti, tf, K_COUNSEL, actor, first + j)
    if rule == B_LEADER:
        return proposal
    start = ti[ti[T_SPACE_START] + actor]
    if rule == B_CONSENT:
        if proposal == 0:
            return 0
        action = ti[ti[T_SPACE] + start + proposal - 1]
        if ti[ti[T_REQUIRES_ANY] + actor] and not ti[ti[T_ACT_REQUIRED] + action]:
            return proposal
        agree = 0
        for j in range(count):
            c = ti[ti[S_COUNSEL] + (r) * ti[WS_COUNSEL] + j]
            if c != ABSENT and (
                first + j == ti[ti[T_PROPOSER] + actor] or c in (NO_COUNSEL, proposal)
            ):
                agree += 1
        _log(ti, tf, K_CONSENT, actor, action)
        if agree >= ti[ti[T_CONSENT_K] + actor]:
            return proposal
        fallback = ti[ti[T_FALLBACK] + actor]
        return fallback if fallback >= 0 and _legal(ti, tf, r, fallback) else 0
    # B_VOTE: the members' weighted vote; a member without counsel votes the proposal, one
    # that abstains votes to wait, an absent one does not vote
    size = ti[ti[T_SPACE_START] + actor + 1] - start + 1
    tally = ti[S_TALLY]
    for k in range(size):
        tf[tally + k] = 0.0
        ti[ti[S_TALLIED] + k] = False
    for j in range(count):
        c = ti[ti[S_COUNSEL] + (r) * ti[WS_COUNSEL] + j]
        if c == ABSENT:
            continue
        vote = proposal if c == NO_COUNSEL else (0 if c == ABSTAIN else c)
        tf[tally + vote] += value(ti, tf, ti[ti[T_MEM_WEIGHT] + first + j])
        ti[ti[S_TALLIED] + vote] = True
    best = -math.inf
    found = False
    for k in range(size):
        if ti[ti[S_TALLIED] + k] and (not found or tf[tally + k] > best):
            best = tf[tally + k]
            found = True
    if tf[tally + proposal] == best and ti[ti[S_TALLIED] + proposal]:
        return proposal
    for k in range(size):
        if ti[ti[S_TALLIED] + k] and tf[tally + k] == best and _legal(ti, tf, r, k):
            return k
    return proposal


@inline
def _drawn_seconds(tf: Any, kind: int, row: int, u: float) -> float:
    """A latency or delay in seconds (``tf[row:row + 3]``: low, mode or high, high) drawn
    with the uniform ``u`` (as :func:`reference.latency_seconds`)."""
    low = tf[row]
    if kind == 0:
        return low
    if kind == 1:
        return low + u * (tf[row + 1] - low)
    mode = tf[row + 1]
    high = tf[row + 2]
    width = high - low
    if u * width < mode - low:
        x = low + math.sqrt(u * width * (mode - low))
    else:
        x = high - math.sqrt((1.0 - u) * width * (high - mode))
    return low if x < low else (high if x > high else x)


@jit
def _take(ti: Any, tf: Any, a: int) -> None:
    tick = ti[ti[S_TICK]]
    ti[ti[S_TAKEN] + a] += 1
    for k in range(ti[ti[T_COST_START] + a], ti[ti[T_COST_START] + a + 1]):
        tf[ti[S_COSTS] + ti[ti[T_COST_HOLDER] + k]] += value(ti, tf, ti[ti[T_COST_EXPR] + k])
    m = ti[ti[T_ACT_MSG] + a]
    actor = ti[ti[T_ACT_ACTOR] + a]
    _log(ti, tf, K_MESSAGE if m >= 0 else K_ACTION, actor, a)
    # what tit-for-tat players see of the other side's moves
    score = ti[ti[T_ACT_SCORE] + a]
    if score != 0:
        seen_by = ti[ti[T_ACT_LOG_VIS] + a]
        for other in range(ti[ti[T_N_ACTORS]]):
            if (seen_by >> other) & 1 and ti[ti[T_OPPOSED] + (other) * ti[WT_OPPOSED] + actor]:
                ti[ti[S_TFT_LAST] + other] = score
    _notify(ti, tf, ti[ti[T_N_EVENTS]] + a, ti[ti[T_ACT_VIS] + a])
    kind = ti[ti[T_ACT_DELAY_KIND] + a]
    u = draw(ti, ti[ti[T_ACT_DELAY_SITE] + a], tick, ti[ti[S_CTX]]) if kind != 0 else 0.0
    seconds = _drawn_seconds(tf, kind, ti[T_ACT_DELAY] + (a) * ti[WT_ACT_DELAY], u)
    delay = math.ceil(seconds / tf[ti[T_TICK_SECONDS]])
    if delay == 0:
        _assign(ti, tf, ti[ti[T_ACT_EFFECTS] + a])
    else:
        ti[ti[S_PENDING] + a] = tick + delay
        if ti[ti[S_PENDING] + a] < ti[ti[S_NEXT_PENDING]]:
            ti[ti[S_NEXT_PENDING]] = ti[ti[S_PENDING] + a]
    if m >= 0:
        ch = ti[ti[T_MSG_CHANNEL] + m]
        u = draw(ti, ti[ti[T_MSG_LATENCY_SITE] + m], tick, ti[ti[S_CTX]])
        kind = ti[ti[T_CH_LATENCY_KIND] + ch]
        seconds = _drawn_seconds(tf, kind, ti[T_CH_LATENCY] + (ch) * ti[WT_CH_LATENCY], u)
        ticks = math.ceil(seconds / tf[ti[T_TICK_SECONDS]])
        misread = False
        if ti[ti[T_MSG_MISREADABLE] + m]:
            p = _clamp01(value(ti, tf, ti[ti[T_CH_MISREAD] + ch]))
            misread = draw(ti, ti[ti[T_MSG_MISREAD_SITE] + m], tick, ti[ti[S_CTX]]) < p
        ti[ti[S_ARRIVAL] + a] = tick + ticks
        if tick + ticks < ti[ti[S_NEXT_ARRIVAL]]:
            ti[ti[S_NEXT_ARRIVAL]] = tick + ticks
        ti[ti[S_TRANSIT_MISREAD] + a] = misread
        if ti[ti[T_MSG_OF] + m] >= 0:
            ti[ti[S_ANSWERED] + ti[ti[T_MSG_OF] + m]] = True
        if ticks == 0:  # no latency (a meeting in person): heard in the hour it is sent
            _deliver(ti, tf)


@jit
def _decide_and_apply(ti: Any, tf: Any) -> None:
    n = ti[ti[S_N_REQ]]
    for r in range(n):
        ti[ti[S_CHOICE] + r] = _body_rule(ti, tf, r, _policy(ti, tf, r))
    for r in range(n):
        actor = ti[ti[S_REQ_ACTOR] + r]
        local = ti[ti[S_CHOICE] + r]
        action = -1 if local == 0 else ti[ti[T_SPACE] + ti[ti[T_SPACE_START] + actor] + local - 1]
        _log(ti, tf, K_CHOICE, actor, action)
        if action >= 0:
            _take(ti, tf, action)


@jit
def _reset(ti: Any, tf: Any) -> None:
    """A fresh run: the per-run parts of the state (at the front of the state) from their
    initial copies in the tables."""
    # the offsets read once: numba reloads ``ti[X]`` after every store to ``ti``
    state, init = ti[S_STATE_I], ti[T_SI_INIT]
    for k in range(ti[S_RESET_I]):
        ti[state + k] = ti[init + k]
    state, init = ti[S_STATE_F], ti[T_SF_INIT]
    for k in range(ti[S_RESET_F]):
        tf[state + k] = tf[init + k]


@jit
def run_block(
    ti: Any,
    tf: Any,
    first_run: int,
    count: int,
    out: Any,
) -> int:
    """Play runs first_run .. first_run+count-1; returns how many completed (fewer only
    when the event log is full: the caller grows it and continues), or -1 for arrays laid
    out for another numbering of the slots than this compiled kernel's.

    Each tick follows the order stated in :mod:`brinkmanship.engine.driver` (the reference
    engine's tick driver), with the peak escalation read where the driver reads it; this
    loop is the only other statement of that order, and must change with it."""
    if ti[LAYOUT] != LAYOUT_KEY:
        return -1
    for i in range(count):
        run = first_run + i
        ti[ti[S_CTX]] = run
        log_mark = ti[ti[S_LOG_N]]
        _reset(ti, tf)
        _log(ti, tf, K_START, -1, 0)
        _track_escalation(ti, tf)
        while ti[ti[S_OUTCOME]] < 0 and ti[ti[S_ERR]] < 0:
            _begin_tick(ti, tf)
            if ti[ti[S_OUTCOME]] >= 0 or ti[ti[S_ERR]] >= 0:
                break
            _requests(ti, tf)
            _decide_and_apply(ti, tf)
            _track_escalation(ti, tf)
            _check_outcomes(ti, tf)
            if ti[ti[S_OUTCOME]] >= 0:
                break
            if ti[ti[S_TICK]] >= ti[ti[T_HORIZON]]:
                last = ti[ti[S_DECIDED]]
                _finish(ti, tf, last if last >= 0 else ti[ti[T_DEFAULT_OUTCOME]])
                break
            if ti[ti[S_LOGGING]]:
                _log_state(ti, tf)
            ti[ti[S_TICK]] += 1
        if ti[ti[S_LOGGING]]:  # the tick the run ended on
            _log_state(ti, tf)
        if ti[ti[S_LOGGING]] and ti[ti[S_LOG_N]] > ti[S_LOG_CAP]:
            ti[ti[S_LOG_N]] = log_mark
            return i
        out.outcome[i] = ti[ti[S_OUTCOME]]
        out.tick[i] = ti[ti[S_TICK]]
        out.decided[i] = ti[ti[S_DECIDED_AT]]
        out.mechanism[i] = ti[ti[S_MECHANISM]]
        out.peak[i] = tf[ti[S_PEAK]]
        out.error[i] = ti[ti[S_ERR]]
        for h in range(ti[ti[T_N_HOLDERS]]):
            out.util[i, h] = tf[ti[S_UTIL] + h]
    return count
