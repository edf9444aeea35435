# The arrays are untyped to mypy (numba types them); returns read from them are Any.
# mypy: disable-error-code="no-any-return"
"""The compiled loop of the batch engine: the reference engine's tick, for many runs.

Every function here is compiled by numba (``NUMBA_DISABLE_JIT=1`` runs them as Python, for
debugging). The scenario arrives as flat arrays (:mod:`brinkmanship.engine.batch.tables`):
integers in ``ti``, floats in ``tf``, the run's state in ``si``/``sf``, field ``X`` at offset
``o[X]`` (:mod:`brinkmanship.engine.batch.slots`);
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
from brinkmanship.engine.batch.slots import (
    S_ANSWERED,
    S_ANY_OCCURRED,
    S_ARRIVAL,
    S_CACHE,
    S_CHOICE,
    S_CLOSED,
    S_COSTS,
    S_COUNSEL,
    S_COUNSEL_WEIGHT,
    S_CTX,
    S_DELIV_MISREAD,
    S_DELIVERED,
    S_ENV,
    S_ERR,
    S_FIRED,
    S_HAS_PEAK,
    S_LEGAL,
    S_LOG_N,
    S_LOGGING,
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
    S_TAKEN,
    S_TALLIED,
    S_TALLY,
    S_TFT_LAST,
    S_TICK,
    S_TMP,
    S_TRANSIT_MISREAD,
    S_UTIL,
    S_VALID,
    T_ACT_ACTOR,
    T_ACT_DELAY,
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
    T_CODE,
    T_CONSENT_K,
    T_CONSTS,
    T_COST_EXPR,
    T_COST_HOLDER,
    T_COST_START,
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
    T_FALLBACK,
    T_GET_START,
    T_GET_TERMS,
    T_GIVE_START,
    T_GIVE_TERMS,
    T_HORIZON,
    T_HOURS_SLOT,
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
    T_N_OUTCOMES,
    T_OPPOSED,
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
    T_SUBSTITUTE,
    T_TERM_EFFECTS,
    T_TICK_HOURS,
    T_TICK_SECONDS,
    T_TICK_SLOT,
    T_TRIG_REF,
    T_TRIG_START,
    T_VAR_HI,
    T_VAR_LO,
    T_VAR_SLOT,
    T_VAR_TYPE,
    WS_COUNSEL,
    WS_COUNSEL_WEIGHT,
    WS_LEGAL,
    WS_OCCURRED,
    WT_CH_LATENCY,
    WT_DP_SCHED,
    WT_OPPOSED,
    WT_OUT_UTILITY,
    WT_POL_SITE,
)

NEVER = 1 << 62  # a tick no run reaches: nothing pending, nothing in transit

# Event kinds in the log (decoded by tables.KINDS).
K_START, K_EVENT, K_EFFECT, K_DELIVERY, K_DEAL, K_PLEDGE = 0, 1, 2, 3, 4, 5
K_COUNSEL, K_CONSENT, K_ACTION, K_MESSAGE, K_CHOICE = 6, 7, 8, 9, 10

# Policy kinds.
P_PASSIVE, P_RANDOM, P_RULES, P_SCRIPTED, P_HAWK, P_DOVE = 0, 1, 2, 3, 4, 5
P_TFT, P_ORGANIZATIONAL, P_POLITICAL = 6, 7, 8

# Message kinds.
M_OFFER, M_DEMAND, M_ACCEPT, M_REJECT, M_STATEMENT = 0, 1, 2, 3, 4

# Body rules.
B_NONE, B_LEADER, B_CONSENT, B_VOTE = -1, 0, 1, 2

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_RUN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_TICK_GAMMA = np.uint64(0xD1B54A32D192ED03)
_S11 = np.uint64(11)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_TWO_M53 = 2.0**-53

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
def draw(base: Any, tick: int, run: int) -> float:
    """The uniform of rng.uniform(seed, run, tick, site), given the site's seeded base."""
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
def evaluate(ti: Any, tf: Any, o: Any, si: Any, sf: Any, expr: int) -> float:
    """Run expression ``expr`` on the run's values; a division by zero records ``expr`` as
    the run's error (the first error of a run wins) and gives 0.0."""
    code = o[T_CODE]
    env = o[S_ENV]
    stack = o[S_STACK]
    pc = ti[o[T_STARTS] + expr]
    sp = 0
    while True:
        op = ti[code + pc]
        arg = ti[code + pc + 1]
        pc += 2
        if op == bc.LOAD:
            sf[stack + sp] = sf[env + arg]
            sp += 1
        elif op == bc.CONST:
            sf[stack + sp] = tf[o[T_CONSTS] + arg]
            sp += 1
        elif op == bc.END:
            return sf[stack + 0]
        elif op == bc.CMP:
            sp -= 1
            sf[stack + sp - 1] = 1.0 if _compare(arg, sf[stack + sp - 1], sf[stack + sp]) else 0.0
        elif op == bc.TRUTH:
            sf[stack + sp - 1] = 1.0 if sf[stack + sp - 1] != 0.0 else 0.0
        elif op == bc.AND_KEEP:
            if sf[stack + sp - 1] == 0.0:
                pc = arg
            else:
                sp -= 1
        elif op == bc.OR_KEEP:
            if sf[stack + sp - 1] != 0.0:
                pc = arg
            else:
                sp -= 1
        elif op == bc.JUMP_IF_FALSE:
            sp -= 1
            if sf[stack + sp] == 0.0:
                pc = arg
        elif op == bc.JUMP:
            pc = arg
        elif op == bc.NOT:
            sf[stack + sp - 1] = 1.0 if sf[stack + sp - 1] == 0.0 else 0.0
        elif op == bc.NEG:
            sf[stack + sp - 1] = -sf[stack + sp - 1]
        elif op <= bc.MOD:
            sp -= 1
            a = sf[stack + sp - 1]
            b = sf[stack + sp]
            if op == bc.ADD:
                r = a + b
            elif op == bc.SUB:
                r = a - b
            elif op == bc.MUL:
                r = a * b
            elif b == 0.0:
                if si[o[S_ERR]] < 0:
                    si[o[S_ERR]] = expr
                r = 0.0
            elif op == bc.DIV:
                r = a / b
            elif op == bc.FLOORDIV:
                r = a // b
            else:
                r = a % b
            sf[stack + sp - 1] = r
        elif op == bc.POW:
            x = sf[stack + sp - 1]
            if arg == 0:
                r = 1.0
            else:
                r = x
                for _ in range(arg - 1):
                    r = r * x
            sf[stack + sp - 1] = r
        elif op == bc.MIN2:
            sp -= 1
            if sf[stack + sp] < sf[stack + sp - 1]:
                sf[stack + sp - 1] = sf[stack + sp]
        elif op == bc.MAX2:
            sp -= 1
            if sf[stack + sp] > sf[stack + sp - 1]:
                sf[stack + sp - 1] = sf[stack + sp]
        elif op == bc.ABS:
            sf[stack + sp - 1] = abs(sf[stack + sp - 1])
        elif op == bc.FLOOR:
            sf[stack + sp - 1] = np.floor(sf[stack + sp - 1])
        elif op == bc.CEIL:
            sf[stack + sp - 1] = np.ceil(sf[stack + sp - 1])
        elif op == bc.CLIP:
            sp -= 2
            value = sf[stack + sp - 1]
            low = sf[stack + sp]
            high = sf[stack + sp + 1]
            value = low if low > value else value
            sf[stack + sp - 1] = high if high < value else value
        elif op == bc.CHAIN:
            sp -= 1
            if _compare(arg & 7, sf[stack + sp - 1], sf[stack + sp]):
                sf[stack + sp - 1] = sf[stack + sp]
            else:
                sp -= 1
                pc = arg >> 3


@inline
def value(ti: Any, tf: Any, o: Any, si: Any, sf: Any, expr: int) -> float:
    """Expression ``expr``'s value, evaluated only if a name it reads changed since the
    last evaluation (expressions are pure, so the cached value is the one it would give)."""
    if si[o[S_VALID] + expr]:
        return sf[o[S_CACHE] + expr]
    result = evaluate(ti, tf, o, si, sf, expr)
    sf[o[S_CACHE] + expr] = result
    si[o[S_VALID] + expr] = True
    return result


@inline
def _changed(ti: Any, o: Any, si: Any, slot: int) -> None:
    """Forget the cached values of the expressions that read env slot ``slot``."""
    for k in range(ti[o[T_DEP_START] + slot], ti[o[T_DEP_START] + slot + 1]):
        si[o[S_VALID] + ti[o[T_DEP_EXPR] + k]] = False
    if ti[o[T_OUT_READS] + slot]:
        si[o[S_OUT_DIRTY]] = True


@inline
def _coerce(ti: Any, tf: Any, o: Any, var: int, value: float) -> float:
    kind = ti[o[T_VAR_TYPE] + var]
    if kind == 2:
        return 1.0 if value != 0.0 else 0.0
    if kind == 1:
        value = np.rint(value)
        if value == 0.0:
            value = 0.0  # Python's round() gives an int, which has no negative zero
    low = tf[o[T_VAR_LO] + var]
    high = tf[o[T_VAR_HI] + var]
    value = low if low > value else value
    return high if high < value else value


@jit
def _assign(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, effects: int) -> None:
    """Apply an effect list simultaneously: every right-hand side sees the state before."""
    start = ti[o[T_EFF_START] + effects]
    stop = ti[o[T_EFF_START] + effects + 1]
    for k in range(start, stop):
        sf[o[S_TMP] + k - start] = value(ti, tf, o, si, sf, ti[o[T_EFF_EXPR] + k])
    for k in range(start, stop):
        var = ti[o[T_EFF_VAR] + k]
        slot = ti[o[T_VAR_SLOT] + var]
        new = _coerce(ti, tf, o, var, sf[o[S_TMP] + k - start])
        if new != sf[o[S_ENV] + slot] or math.copysign(1.0, new) != math.copysign(
            1.0, sf[o[S_ENV] + slot]
        ):
            sf[o[S_ENV] + slot] = new
            _changed(ti, o, si, slot)


@inline
def _log(
    ti: Any,
    tf: Any,
    o: Any,
    si: Any,
    sf: Any,
    bases: Any,
    log: Any,
    kind: int,
    actor: int,
    ident: int,
) -> None:
    if si[o[S_LOGGING]]:
        n = si[o[S_LOG_N]]
        if n < log.shape[0]:
            log[n, 0] = si[o[S_CTX]]
            log[n, 1] = si[o[S_TICK]]
            log[n, 2] = kind
            log[n, 3] = actor
            log[n, 4] = ident
        si[o[S_LOG_N]] = n + 1


@inline
def _notify(
    ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, ref: int, mask: int
) -> None:
    """Mark ``ref`` as occurred for the actors in ``mask`` that have it as a trigger."""
    mask &= ti[o[T_REF_TRIGGER_MASK] + ref]
    if mask == 0:
        return
    for a in range(ti[o[T_N_ACTORS]]):
        if (mask >> a) & 1:
            si[o[S_OCCURRED] + (a) * o[WS_OCCURRED] + ref] = True
            si[o[S_ANY_OCCURRED] + a] = True
    si[o[S_OCC_MASK]] |= mask


@jit
def _finish(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, outcome: int) -> None:
    si[o[S_OUTCOME]] = outcome
    for h in range(ti[o[T_N_HOLDERS]]):
        e = ti[o[T_OUT_UTILITY] + (outcome) * o[WT_OUT_UTILITY] + h]
        if e >= 0:
            sf[o[S_UTIL] + h] = value(ti, tf, o, si, sf, e) - sf[o[S_COSTS] + h]
        else:
            sf[o[S_UTIL] + h] = np.nan


@jit
def _check_outcomes(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any) -> None:
    # none held at the last check, and nothing they read has changed since: none holds
    if si[o[S_OUTCOME]] >= 0 or not si[o[S_OUT_DIRTY]]:
        return
    si[o[S_OUT_DIRTY]] = False
    for outcome in range(ti[o[T_N_OUTCOMES]]):
        e = ti[o[T_OUT_WHEN] + outcome]
        if e >= 0 and value(ti, tf, o, si, sf, e) != 0.0:
            _finish(ti, tf, o, si, sf, bases, log, outcome)
            return


@jit
def _track_escalation(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any) -> None:
    if ti[o[T_ESCALATION]] >= 0:
        level = value(ti, tf, o, si, sf, ti[o[T_ESCALATION]])
        if si[o[S_HAS_PEAK]] == 0 or level > sf[o[S_PEAK]]:
            sf[o[S_PEAK]] = level
            si[o[S_HAS_PEAK]] = 1


@inline
def _clamp01(p: float) -> float:
    p = 0.0 if p < 0.0 else p
    return 1.0 if p > 1.0 else p


@jit
def _begin_tick(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any) -> None:
    tick = si[o[S_TICK]]
    run = si[o[S_CTX]]
    sf[o[S_ENV] + ti[o[T_TICK_SLOT]]] = float(tick)
    sf[o[S_ENV] + ti[o[T_HOURS_SLOT]]] = tick * tf[o[T_TICK_HOURS]]
    _changed(ti, o, si, ti[o[T_TICK_SLOT]])
    _changed(ti, o, si, ti[o[T_HOURS_SLOT]])
    # effects whose delay has run out
    if si[o[S_NEXT_PENDING]] == tick:
        soonest = NEVER
        for a in range(ti[o[T_N_ACTIONS]]):
            due = si[o[S_PENDING] + a]
            if due == tick:
                si[o[S_PENDING] + a] = -1
                _assign(ti, tf, o, si, sf, bases, log, ti[o[T_ACT_EFFECTS] + a])
                _log(ti, tf, o, si, sf, bases, log, K_EFFECT, ti[o[T_ACT_ACTOR] + a], a)
            elif due >= 0 and due < soonest:
                soonest = due
        si[o[S_NEXT_PENDING]] = soonest
    # events, in scenario order: the unscheduled ones and those scheduled for this tick
    free = o[T_EV_FREE]
    n_free = ti[free]
    i_free = 0
    i_at = ti[o[T_EV_TICK_START] + tick] if tick <= ti[o[T_HORIZON]] else 0
    stop_at = ti[o[T_EV_TICK_START] + tick + 1] if tick <= ti[o[T_HORIZON]] else 0
    while i_free < n_free or i_at < stop_at:
        if i_at >= stop_at or (i_free < n_free and ti[free + 1 + i_free] < ti[o[T_EV_TICK] + i_at]):
            e = ti[free + 1 + i_free]
            i_free += 1
        else:
            e = ti[o[T_EV_TICK] + i_at]
            i_at += 1
        if ti[o[T_EV_ONCE] + e] and si[o[S_FIRED] + e]:
            continue
        if value(ti, tf, o, si, sf, ti[o[T_EV_WHEN] + e]) == 0.0:
            continue
        if ti[o[T_EV_HAZARD] + e] >= 0:
            p = _clamp01(value(ti, tf, o, si, sf, ti[o[T_EV_HAZARD] + e]))
            if not draw(bases[ti[o[T_EV_SITE] + e]], tick, run) < p:
                continue
        si[o[S_FIRED] + e] = True
        _assign(ti, tf, o, si, sf, bases, log, ti[o[T_EV_EFFECTS] + e])
        _log(ti, tf, o, si, sf, bases, log, K_EVENT, ti[o[T_EV_ACTOR] + e], e)
        _notify(ti, tf, o, si, sf, bases, log, e, ti[o[T_EV_VIS] + e])
    # deliveries
    if si[o[S_NEXT_ARRIVAL]] == tick:
        _deliver(ti, tf, o, si, sf, bases, log)
    _check_outcomes(ti, tf, o, si, sf, bases, log)


@jit
def _deliver(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any) -> None:
    """Deliver the messages arriving now (in action order)."""
    tick = si[o[S_TICK]]
    soonest = NEVER
    for a in range(ti[o[T_N_ACTIONS]]):
        due = si[o[S_ARRIVAL] + a]
        if due != tick:
            if due >= 0 and due < soonest:
                soonest = due
            continue
        si[o[S_ARRIVAL] + a] = -1
        si[o[S_DELIVERED] + a] = True
        si[o[S_DELIV_MISREAD] + a] = si[o[S_TRANSIT_MISREAD] + a]
        m = ti[o[T_ACT_MSG] + a]
        _assign(
            ti,
            tf,
            o,
            si,
            sf,
            bases,
            log,
            ti[o[T_MSG_ON_MISREAD] + m]
            if si[o[S_TRANSIT_MISREAD] + a]
            else ti[o[T_MSG_ON_DELIVER] + m],
        )
        _log(ti, tf, o, si, sf, bases, log, K_DELIVERY, ti[o[T_MSG_TO] + m], a)
        _notify(ti, tf, o, si, sf, bases, log, ti[o[T_N_EVENTS]] + a, ti[o[T_MSG_RECIPIENTS] + m])
        kind = ti[o[T_MSG_KIND] + m]
        if kind == M_ACCEPT and ti[o[T_MSG_OF] + m] >= 0:
            offer = ti[o[T_ACT_MSG] + ti[o[T_MSG_OF] + m]]
            for k in range(ti[o[T_GIVE_START] + offer], ti[o[T_GIVE_START] + offer + 1]):
                _assign(
                    ti, tf, o, si, sf, bases, log, ti[o[T_TERM_EFFECTS] + ti[o[T_GIVE_TERMS] + k]]
                )
            for k in range(ti[o[T_GET_START] + offer], ti[o[T_GET_START] + offer + 1]):
                _assign(
                    ti, tf, o, si, sf, bases, log, ti[o[T_TERM_EFFECTS] + ti[o[T_GET_TERMS] + k]]
                )
            _log(ti, tf, o, si, sf, bases, log, K_DEAL, -1, ti[o[T_MSG_OF] + m])
        elif kind == M_STATEMENT and ti[o[T_GIVE_START] + m + 1] > ti[o[T_GIVE_START] + m]:
            for k in range(ti[o[T_GIVE_START] + m], ti[o[T_GIVE_START] + m + 1]):
                _assign(
                    ti, tf, o, si, sf, bases, log, ti[o[T_TERM_EFFECTS] + ti[o[T_GIVE_TERMS] + k]]
                )
            _log(ti, tf, o, si, sf, bases, log, K_PLEDGE, ti[o[T_ACT_ACTOR] + a], a)
    si[o[S_NEXT_ARRIVAL]] = soonest


@jit
def _is_legal(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, a: int) -> bool:
    if si[o[S_PENDING] + a] >= 0 or si[o[S_ARRIVAL] + a] >= 0:
        return False
    if ti[o[T_ACT_ONCE] + a] and si[o[S_TAKEN] + a] > 0:
        return False
    m = ti[o[T_ACT_MSG] + a]
    if m >= 0 and ti[o[T_MSG_OF] + m] >= 0:
        of = ti[o[T_MSG_OF] + m]
        if not si[o[S_DELIVERED] + of] or si[o[S_ANSWERED] + of]:
            return False
        om = ti[o[T_ACT_MSG] + of]
        perceived = ti[o[T_MSG_KIND] + om]
        if si[o[S_DELIV_MISREAD] + of] and ti[o[T_MSG_MISREAD_KIND] + om] >= 0:
            perceived = ti[o[T_MSG_MISREAD_KIND] + om]
        if perceived != M_OFFER and perceived != M_DEMAND:
            return False
    return value(ti, tf, o, si, sf, ti[o[T_ACT_WHEN] + a]) != 0.0


@jit
def _local(ti: Any, o: Any, actor: int, action: int) -> int:
    """The position of a global action (-1: wait) in the actor's choice space."""
    if action == -1:
        return 0
    if action < 0:
        return -1
    start = ti[o[T_SPACE_START] + actor]
    for k in range(start, ti[o[T_SPACE_START] + actor + 1]):
        if ti[o[T_SPACE] + k] == action:
            return k - start + 1
    return -1


@jit
def _first_rule(
    ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, r: int, first: int, stop: int
) -> int:
    """The first applicable rule of rules[first:stop] for the request ``r`` (-1 if none):
    legal, its condition holding, its probability draw (site ``rule_site``) succeeding."""
    legal = o[S_LEGAL] + r * o[WS_LEGAL]
    for i in range(first, stop):
        local = ti[o[T_RULE_DO] + i]
        if local < 0 or not si[legal + local]:
            continue
        if value(ti, tf, o, si, sf, ti[o[T_RULE_WHEN] + i]) == 0.0:
            continue
        p = value(ti, tf, o, si, sf, ti[o[T_RULE_P] + i])
        if p >= 1.0 or (
            p > 0.0 and draw(bases[ti[o[T_RULE_SITE] + i]], si[o[S_TICK]], si[o[S_CTX]]) < p
        ):
            return i
    return -1


@jit
def _requests(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any) -> None:
    """Who decides now, their legal actions and (bodies) their members' counsel."""
    tick = si[o[S_TICK]]
    n = 0
    candidates = si[o[S_OCC_MASK]]
    if tick < o[WT_DP_SCHED]:
        candidates |= ti[o[T_DP_TICK_MASK] + tick]
    actor = -1
    while candidates >> (actor + 1):
        actor += 1
        if not (candidates >> actor) & 1:
            continue
        due = False
        for d in range(ti[o[T_DP_START] + actor], ti[o[T_DP_START] + actor + 1]):
            hit = (
                ti[o[T_DP_SCHED] + (d) * o[WT_DP_SCHED] + tick] if tick < o[WT_DP_SCHED] else False
            )
            if not hit and si[o[S_ANY_OCCURRED] + actor]:
                for k in range(ti[o[T_TRIG_START] + d], ti[o[T_TRIG_START] + d + 1]):
                    if si[o[S_OCCURRED] + (actor) * o[WS_OCCURRED] + ti[o[T_TRIG_REF] + k]]:
                        hit = True
                        break
            if hit and value(ti, tf, o, si, sf, ti[o[T_DP_WHEN] + d]) != 0.0:
                due = True
                break
        if not due:
            continue
        si[o[S_REQ_ACTOR] + n] = actor
        legal = o[S_LEGAL] + n * o[WS_LEGAL]
        si[legal + 0] = True
        start = ti[o[T_SPACE_START] + actor]
        size = ti[o[T_SPACE_START] + actor + 1] - start
        for k in range(size):
            si[legal + k + 1] = _is_legal(ti, tf, o, si, sf, bases, log, ti[o[T_SPACE] + start + k])
        # members' counsel
        for j in range(ti[o[T_MEM_START] + actor], ti[o[T_MEM_START] + actor + 1]):
            si[o[S_COUNSEL] + (n) * o[WS_COUNSEL] + j - ti[o[T_MEM_START] + actor]] = -1
            if j == ti[o[T_CHAIR] + actor] or ti[o[T_STANCE_START] + j] == ti[o[T_STANCE_STOP] + j]:
                continue
            sf[
                o[S_COUNSEL_WEIGHT] + (n) * o[WS_COUNSEL_WEIGHT] + j - ti[o[T_MEM_START] + actor]
            ] = value(ti, tf, o, si, sf, ti[o[T_MEM_WEIGHT] + j])
            rule = _first_rule(
                ti,
                tf,
                o,
                si,
                sf,
                bases,
                log,
                n,
                ti[o[T_STANCE_START] + j],
                ti[o[T_STANCE_STOP] + j],
            )
            si[o[S_COUNSEL] + (n) * o[WS_COUNSEL] + j - ti[o[T_MEM_START] + actor]] = (
                0 if rule < 0 else ti[o[T_RULE_DO] + rule]
            )
        n += 1
    # triggers are consumed by the asking
    if si[o[S_OCC_MASK]]:
        for actor in range(ti[o[T_N_ACTORS]]):
            if si[o[S_ANY_OCCURRED] + actor]:
                row = o[S_OCCURRED] + actor * o[WS_OCCURRED]
                for ref in range(o[WS_OCCURRED]):
                    si[row + ref] = 0
                si[o[S_ANY_OCCURRED] + actor] = False
        si[o[S_OCC_MASK]] = 0
    si[o[S_N_REQ]] = n


@jit
def _policy(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, r: int) -> int:
    """The actor's policy's proposal (a local index into its choice space)."""
    actor = si[o[S_REQ_ACTOR] + r]
    legal = o[S_LEGAL] + r * o[WS_LEGAL]
    kind = ti[o[T_POL_KIND] + actor]
    tick = si[o[S_TICK]]
    start = ti[o[T_SPACE_START] + actor]
    size = ti[o[T_SPACE_START] + actor + 1] - start + 1
    if kind == P_PASSIVE:
        return 0
    if kind in (P_RULES, P_SCRIPTED):
        if kind == P_SCRIPTED:
            for k in range(ti[o[T_SCRIPT_START] + actor], ti[o[T_SCRIPT_START] + actor + 1]):
                if si[o[S_CLOSED] + k] or ti[o[T_STEP_AT] + k] > tick:
                    continue
                local = ti[o[T_STEP_DO] + k]
                if local >= 0 and si[legal + local]:
                    si[o[S_CLOSED] + k] = True
                    return local
                if ti[o[T_STEP_UNTIL] + k] < 0 or tick >= ti[o[T_STEP_UNTIL] + k]:
                    si[o[S_CLOSED] + k] = True
        rule = _first_rule(
            ti,
            tf,
            o,
            si,
            sf,
            bases,
            log,
            r,
            ti[o[T_PRULE_START] + actor],
            ti[o[T_PRULE_STOP] + actor],
        )
        return 0 if rule < 0 else ti[o[T_RULE_DO] + rule]
    if kind == P_RANDOM:
        count = 0
        for k in range(size):
            if si[legal + k]:
                count += 1
        index = math.floor(
            draw(bases[ti[o[T_POL_SITE] + (actor) * o[WT_POL_SITE]]], tick, si[o[S_CTX]]) * count
        )
        index = min(index, count - 1)
        for k in range(size):
            if si[legal + k]:
                if index == 0:
                    return k
                index -= 1
        return 0
    if kind == P_HAWK:
        if (
            draw(bases[ti[o[T_POL_SITE] + (actor) * o[WT_POL_SITE]]], tick, si[o[S_CTX]])
            >= tf[o[T_POL_THRESHOLD] + actor]
        ):
            return 0
        best = -1
        best_score = 0
        for attempt in range(2):
            above = si[o[S_RUNG] + actor] if attempt == 0 else 0
            for k in range(size):
                score = 0 if k == 0 else ti[o[T_ACT_SCORE] + ti[o[T_SPACE] + start + k - 1]]
                ceiling = ti[o[T_POL_CEILING] + actor]
                if si[legal + k] and above < score <= ceiling and (best < 0 or score < best_score):
                    best = k
                    best_score = score
            if best >= 0:
                break
        if best < 0:
            return 0
        if best_score > si[o[S_RUNG] + actor]:
            si[o[S_RUNG] + actor] = best_score
        return best
    if kind == P_DOVE:
        if (
            draw(bases[ti[o[T_POL_SITE] + (actor) * o[WT_POL_SITE]]], tick, si[o[S_CTX]])
            >= tf[o[T_POL_THRESHOLD] + actor]
        ):
            return 0
        best = -1
        best_score = 0
        for k in range(1, size):
            score = ti[o[T_ACT_SCORE] + ti[o[T_SPACE] + start + k - 1]]
            if (
                si[legal + k]
                and score <= ti[o[T_POL_CEILING] + actor]
                and (best < 0 or score < best_score)
            ):
                best = k
                best_score = score
        return 0 if best < 0 else best
    if kind == P_TFT:
        last = si[o[S_TFT_LAST] + actor]
        si[o[S_TFT_LAST] + actor] = 0
        if last == 0:
            return 0
        if (
            last > 0
            and draw(bases[ti[o[T_POL_SITE] + (actor) * o[WT_POL_SITE]]], tick, si[o[S_CTX]])
            < tf[o[T_POL_FORGIVE] + actor]
        ):
            return 0
        best = -1
        best_gap = 0
        for k in range(size):
            score = 0 if k == 0 else ti[o[T_ACT_SCORE] + ti[o[T_SPACE] + start + k - 1]]
            if si[legal + k] and score * last > 0:
                gap = abs(score - last)
                if best < 0 or gap < best_gap:
                    best = k
                    best_gap = gap
        return 0 if best < 0 else best
    if kind == P_ORGANIZATIONAL:
        delayed = si[o[S_ORG_DELAYED] + actor]
        if delayed >= 0:
            si[o[S_ORG_DELAYED] + actor] = -1
            if si[legal + delayed]:
                si[o[S_ORG_LAST] + actor] = delayed
                return delayed
        last = si[o[S_ORG_LAST] + actor]
        if (
            last >= 0
            and si[legal + last]
            and (
                draw(bases[ti[o[T_POL_SITE] + (actor) * o[WT_POL_SITE]]], tick, si[o[S_CTX]])
                < tf[o[T_REP_INERTIA] + actor]
            )
        ):
            return last
        rule = _first_rule(
            ti,
            tf,
            o,
            si,
            sf,
            bases,
            log,
            r,
            ti[o[T_ROUTINE_START] + actor],
            ti[o[T_ROUTINE_STOP] + actor],
        )
        if rule < 0:
            return 0
        order = ti[o[T_RULE_DO] + rule]
        if (
            draw(bases[ti[o[T_POL_SITE] + (actor) * o[WT_POL_SITE] + 1]], tick, si[o[S_CTX]])
            < tf[o[T_REP_SLIPPAGE] + actor]
        ):
            substitute = ti[o[T_SUBSTITUTE] + rule]  # its place in the choices, or -1
            if substitute >= 0 and si[legal + substitute]:
                si[o[S_ORG_LAST] + actor] = substitute
                return substitute
            si[o[S_ORG_DELAYED] + actor] = order
            return 0
        si[o[S_ORG_LAST] + actor] = order
        return order
    # P_POLITICAL: the influence-weighted plurality of the counsel
    tally = o[S_TALLY]
    for k in range(size):
        sf[tally + k] = 0.0
        si[o[S_TALLIED] + k] = False
    anyone = False
    for j in range(ti[o[T_MEM_START] + actor + 1] - ti[o[T_MEM_START] + actor]):
        c = si[o[S_COUNSEL] + (r) * o[WS_COUNSEL] + j]
        if c >= 0:
            sf[tally + c] += sf[o[S_COUNSEL_WEIGHT] + (r) * o[WS_COUNSEL_WEIGHT] + j]
            si[o[S_TALLIED] + c] = True
            anyone = True
    if not anyone:
        return 0
    top = -math.inf
    found = False
    for k in range(size):
        if si[o[S_TALLIED] + k] and (not found or sf[tally + k] > top):
            top = sf[tally + k]
            found = True
    for k in range(size):
        if si[legal + k] and si[o[S_TALLIED] + k] and sf[tally + k] == top:
            return k
    return 0


@jit
def _body_rule(
    ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, r: int, proposal: int
) -> int:
    """Log counsel, then resolve the body's rule on the policy's proposal."""
    actor = si[o[S_REQ_ACTOR] + r]
    rule = ti[o[T_BODY_RULE] + actor]
    first = ti[o[T_MEM_START] + actor]
    count = ti[o[T_MEM_START] + actor + 1] - first
    if rule == B_NONE:
        return proposal
    if proposal != 0:
        for j in range(count):
            if si[o[S_COUNSEL] + (r) * o[WS_COUNSEL] + j] >= 0:
                _log(ti, tf, o, si, sf, bases, log, K_COUNSEL, actor, first + j)
    if rule == B_LEADER:
        return proposal
    start = ti[o[T_SPACE_START] + actor]
    if rule == B_CONSENT:
        if proposal == 0:
            return 0
        action = ti[o[T_SPACE] + start + proposal - 1]
        if ti[o[T_REQUIRES_ANY] + actor] and not ti[o[T_ACT_REQUIRED] + action]:
            return proposal
        agree = 0
        for j in range(count):
            c = si[o[S_COUNSEL] + (r) * o[WS_COUNSEL] + j]
            if first + j == ti[o[T_PROPOSER] + actor] or c < 0 or c == proposal:
                agree += 1
        _log(ti, tf, o, si, sf, bases, log, K_CONSENT, actor, action)
        if agree >= ti[o[T_CONSENT_K] + actor]:
            return proposal
        fallback = ti[o[T_FALLBACK] + actor]
        return fallback if fallback >= 0 and si[o[S_LEGAL] + r * o[WS_LEGAL] + fallback] else 0
    # B_VOTE: the members' weighted vote; a member without counsel votes the proposal
    size = ti[o[T_SPACE_START] + actor + 1] - start + 1
    tally = o[S_TALLY]
    for k in range(size):
        sf[tally + k] = 0.0
        si[o[S_TALLIED] + k] = False
    for j in range(count):
        c = si[o[S_COUNSEL] + (r) * o[WS_COUNSEL] + j]
        vote = proposal if c < 0 else c
        sf[tally + vote] += value(ti, tf, o, si, sf, ti[o[T_MEM_WEIGHT] + first + j])
        si[o[S_TALLIED] + vote] = True
    best = -math.inf
    found = False
    for k in range(size):
        if si[o[S_TALLIED] + k] and (not found or sf[tally + k] > best):
            best = sf[tally + k]
            found = True
    if sf[tally + proposal] == best and si[o[S_TALLIED] + proposal]:
        return proposal
    for k in range(size):
        if si[o[S_LEGAL] + r * o[WS_LEGAL] + k] and si[o[S_TALLIED] + k] and sf[tally + k] == best:
            return k
    return proposal


@jit
def _take(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any, a: int) -> None:
    tick = si[o[S_TICK]]
    si[o[S_TAKEN] + a] += 1
    for k in range(ti[o[T_COST_START] + a], ti[o[T_COST_START] + a + 1]):
        sf[o[S_COSTS] + ti[o[T_COST_HOLDER] + k]] += value(
            ti, tf, o, si, sf, ti[o[T_COST_EXPR] + k]
        )
    m = ti[o[T_ACT_MSG] + a]
    actor = ti[o[T_ACT_ACTOR] + a]
    _log(ti, tf, o, si, sf, bases, log, K_MESSAGE if m >= 0 else K_ACTION, actor, a)
    # what tit-for-tat players see of the other side's moves
    score = ti[o[T_ACT_SCORE] + a]
    if score != 0:
        seen_by = ti[o[T_ACT_LOG_VIS] + a]
        for other in range(ti[o[T_N_ACTORS]]):
            if (seen_by >> other) & 1 and ti[o[T_OPPOSED] + (other) * o[WT_OPPOSED] + actor]:
                si[o[S_TFT_LAST] + other] = score
    _notify(ti, tf, o, si, sf, bases, log, ti[o[T_N_EVENTS]] + a, ti[o[T_ACT_VIS] + a])
    if ti[o[T_ACT_DELAY] + a] == 0:
        _assign(ti, tf, o, si, sf, bases, log, ti[o[T_ACT_EFFECTS] + a])
    else:
        si[o[S_PENDING] + a] = tick + ti[o[T_ACT_DELAY] + a]
        if si[o[S_PENDING] + a] < si[o[S_NEXT_PENDING]]:
            si[o[S_NEXT_PENDING]] = si[o[S_PENDING] + a]
    if m >= 0:
        ch = ti[o[T_MSG_CHANNEL] + m]
        u = draw(bases[ti[o[T_MSG_LATENCY_SITE] + m]], tick, si[o[S_CTX]])
        kind = ti[o[T_CH_LATENCY_KIND] + ch]
        low = tf[o[T_CH_LATENCY] + (ch) * o[WT_CH_LATENCY]]
        if kind == 0:
            seconds = low
        elif kind == 1:
            seconds = low + u * (tf[o[T_CH_LATENCY] + (ch) * o[WT_CH_LATENCY] + 1] - low)
        else:
            mode = tf[o[T_CH_LATENCY] + (ch) * o[WT_CH_LATENCY] + 1]
            high = tf[o[T_CH_LATENCY] + (ch) * o[WT_CH_LATENCY] + 2]
            width = high - low
            if u * width < mode - low:
                x = low + math.sqrt(u * width * (mode - low))
            else:
                x = high - math.sqrt((1.0 - u) * width * (high - mode))
            seconds = low if x < low else (high if x > high else x)
        ticks = max(1, math.ceil(seconds / tf[o[T_TICK_SECONDS]]))
        misread = False
        if ti[o[T_MSG_MISREADABLE] + m]:
            p = _clamp01(value(ti, tf, o, si, sf, ti[o[T_CH_MISREAD] + ch]))
            misread = draw(bases[ti[o[T_MSG_MISREAD_SITE] + m]], tick, si[o[S_CTX]]) < p
        si[o[S_ARRIVAL] + a] = tick + ticks
        if tick + ticks < si[o[S_NEXT_ARRIVAL]]:
            si[o[S_NEXT_ARRIVAL]] = tick + ticks
        si[o[S_TRANSIT_MISREAD] + a] = misread
        if ti[o[T_MSG_OF] + m] >= 0:
            si[o[S_ANSWERED] + ti[o[T_MSG_OF] + m]] = True


@jit
def _decide_and_apply(ti: Any, tf: Any, o: Any, si: Any, sf: Any, bases: Any, log: Any) -> None:
    n = si[o[S_N_REQ]]
    for r in range(n):
        si[o[S_CHOICE] + r] = _body_rule(
            ti, tf, o, si, sf, bases, log, r, _policy(ti, tf, o, si, sf, bases, log, r)
        )
    for r in range(n):
        actor = si[o[S_REQ_ACTOR] + r]
        local = si[o[S_CHOICE] + r]
        action = -1 if local == 0 else ti[o[T_SPACE] + ti[o[T_SPACE_START] + actor] + local - 1]
        _log(ti, tf, o, si, sf, bases, log, K_CHOICE, actor, action)
        if action >= 0:
            _take(ti, tf, o, si, sf, bases, log, action)


@jit
def _reset(ti: Any, tf: Any, o: Any, si: Any, sf: Any) -> None:
    """A fresh run: the per-run parts of the state (at the front of si and sf) from their
    initial copies in the tables."""
    for k in range(o[S_RESET_I]):
        si[k] = ti[o[T_SI_INIT] + k]
    for k in range(o[S_RESET_F]):
        sf[k] = tf[o[T_SF_INIT] + k]


@jit
def run_block(
    ti: Any,
    tf: Any,
    o: Any,
    si: Any,
    sf: Any,
    bases: Any,
    log: Any,
    first_run: int,
    count: int,
    out: Any,
) -> int:
    """Play runs first_run .. first_run+count-1; returns how many completed (fewer only
    when the event log is full: the caller grows it and continues)."""
    for i in range(count):
        run = first_run + i
        si[o[S_CTX]] = run
        log_mark = si[o[S_LOG_N]]
        _reset(ti, tf, o, si, sf)
        _log(ti, tf, o, si, sf, bases, log, K_START, -1, 0)
        _track_escalation(ti, tf, o, si, sf, bases, log)
        while si[o[S_OUTCOME]] < 0 and si[o[S_ERR]] < 0:
            _begin_tick(ti, tf, o, si, sf, bases, log)
            if si[o[S_OUTCOME]] >= 0 or si[o[S_ERR]] >= 0:
                break
            _requests(ti, tf, o, si, sf, bases, log)
            _decide_and_apply(ti, tf, o, si, sf, bases, log)
            _track_escalation(ti, tf, o, si, sf, bases, log)
            _check_outcomes(ti, tf, o, si, sf, bases, log)
            if si[o[S_OUTCOME]] >= 0:
                break
            if si[o[S_TICK]] >= ti[o[T_HORIZON]]:
                _finish(ti, tf, o, si, sf, bases, log, ti[o[T_DEFAULT_OUTCOME]])
                break
            si[o[S_TICK]] += 1
        if si[o[S_LOGGING]] and si[o[S_LOG_N]] > log.shape[0]:
            si[o[S_LOG_N]] = log_mark
            return i
        out.outcome[i] = si[o[S_OUTCOME]]
        out.tick[i] = si[o[S_TICK]]
        out.peak[i] = sf[o[S_PEAK]]
        out.error[i] = si[o[S_ERR]]
        for h in range(ti[o[T_N_HOLDERS]]):
            out.util[i, h] = sf[o[S_UTIL] + h]
    return count
