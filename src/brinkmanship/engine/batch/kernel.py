"""The compiled loop of the batch engine: the reference engine's tick, for many runs.

Every function here is compiled by numba (``NUMBA_DISABLE_JIT=1`` runs them as Python, for
debugging). The scenario arrives as flat arrays (:mod:`brinkmanship.engine.batch.tables`);
expressions are bytecode (:mod:`brinkmanship.engine.batch.bytecode`). ``run_block`` plays
runs one after another, each to its outcome, reusing one small block of state, so memory
does not grow with the number of runs and a finished run costs nothing more. The order of
every step, evaluation and random draw mirrors :mod:`brinkmanship.engine.reference`
exactly; that is what makes the two engines agree run for run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from brinkmanship.engine.batch import bytecode as bc

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

jit = njit(cache=True, nogil=True)


@jit
def _mix64(x: Any) -> Any:
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@jit
def draw(base: Any, tick: int, run: int) -> float:
    """The uniform of rng.uniform(seed, run, tick, site), given the site's seeded base."""
    state = _mix64(base + np.uint64(tick) * _TICK_GAMMA)
    h = _mix64(state + np.uint64(run) * _RUN_GAMMA)
    return float(h >> _S11) * _TWO_M53


@jit
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
def evaluate(t: Any, expr: int, env: Any, stack: Any, err: Any) -> float:
    """Run expression ``expr`` on ``env``; a division by zero records ``expr`` in ``err``
    (the first error of a run wins) and gives 0.0."""
    code = t.code
    pc = t.starts[expr]
    sp = 0
    while True:
        op = code[pc]
        arg = code[pc + 1]
        pc += 2
        if op == bc.LOAD:
            stack[sp] = env[arg]
            sp += 1
        elif op == bc.CONST:
            stack[sp] = t.consts[arg]
            sp += 1
        elif op == bc.END:
            return stack[0]
        elif op == bc.CMP:
            sp -= 1
            stack[sp - 1] = 1.0 if _compare(arg, stack[sp - 1], stack[sp]) else 0.0
        elif op == bc.TRUTH:
            stack[sp - 1] = 1.0 if stack[sp - 1] != 0.0 else 0.0
        elif op == bc.AND_KEEP:
            if stack[sp - 1] == 0.0:
                pc = arg
            else:
                sp -= 1
        elif op == bc.OR_KEEP:
            if stack[sp - 1] != 0.0:
                pc = arg
            else:
                sp -= 1
        elif op == bc.JUMP_IF_FALSE:
            sp -= 1
            if stack[sp] == 0.0:
                pc = arg
        elif op == bc.JUMP:
            pc = arg
        elif op == bc.NOT:
            stack[sp - 1] = 1.0 if stack[sp - 1] == 0.0 else 0.0
        elif op == bc.NEG:
            stack[sp - 1] = -stack[sp - 1]
        elif op <= bc.MOD:
            sp -= 1
            a = stack[sp - 1]
            b = stack[sp]
            if op == bc.ADD:
                r = a + b
            elif op == bc.SUB:
                r = a - b
            elif op == bc.MUL:
                r = a * b
            elif b == 0.0:
                if err[0] < 0:
                    err[0] = expr
                r = 0.0
            elif op == bc.DIV:
                r = a / b
            elif op == bc.FLOORDIV:
                r = a // b
            else:
                r = a % b
            stack[sp - 1] = r
        elif op == bc.POW:
            x = stack[sp - 1]
            if arg == 0:
                r = 1.0
            else:
                r = x
                for _ in range(arg - 1):
                    r = r * x
            stack[sp - 1] = r
        elif op == bc.MIN2:
            sp -= 1
            if stack[sp] < stack[sp - 1]:
                stack[sp - 1] = stack[sp]
        elif op == bc.MAX2:
            sp -= 1
            if stack[sp] > stack[sp - 1]:
                stack[sp - 1] = stack[sp]
        elif op == bc.ABS:
            stack[sp - 1] = abs(stack[sp - 1])
        elif op == bc.FLOOR:
            stack[sp - 1] = np.floor(stack[sp - 1])
        elif op == bc.CEIL:
            stack[sp - 1] = np.ceil(stack[sp - 1])
        elif op == bc.CLIP:
            sp -= 2
            value = stack[sp - 1]
            low = stack[sp]
            high = stack[sp + 1]
            value = low if low > value else value
            stack[sp - 1] = high if high < value else value
        elif op == bc.CHAIN:
            sp -= 1
            if _compare(arg & 7, stack[sp - 1], stack[sp]):
                stack[sp - 1] = stack[sp]
            else:
                sp -= 1
                pc = arg >> 3


@jit
def _coerce(t: Any, var: int, value: float) -> float:
    kind = t.var_type[var]
    if kind == 2:
        return 1.0 if value != 0.0 else 0.0
    if kind == 1:
        value = np.rint(value)
        if value == 0.0:
            value = 0.0  # Python's round() gives an int, which has no negative zero
    low = t.var_lo[var]
    high = t.var_hi[var]
    value = low if low > value else value
    return high if high < value else value


@jit
def _assign(t: Any, s: Any, effects: int) -> None:
    """Apply an effect list simultaneously: every right-hand side sees the state before."""
    start = t.eff_start[effects]
    stop = t.eff_start[effects + 1]
    for k in range(start, stop):
        s.tmp[k - start] = evaluate(t, t.eff_expr[k], s.env, s.stack, s.err)
    for k in range(start, stop):
        var = t.eff_var[k]
        s.env[t.var_slot[var]] = _coerce(t, var, s.tmp[k - start])


@jit
def _log(t: Any, s: Any, kind: int, actor: int, ident: int) -> None:
    if s.logging:
        n = s.log_n[0]
        if n < s.log.shape[0]:
            s.log[n, 0] = s.ctx[0]
            s.log[n, 1] = s.tick[0]
            s.log[n, 2] = kind
            s.log[n, 3] = actor
            s.log[n, 4] = ident
        s.log_n[0] = n + 1


@jit
def _notify(t: Any, s: Any, ref: int, mask: int) -> None:
    """Mark ``ref`` as occurred for the actors in ``mask`` that have it as a trigger."""
    mask &= t.ref_trigger_mask[ref]
    if mask == 0:
        return
    for a in range(t.n_actors):
        if (mask >> a) & 1:
            s.occurred[a, ref] = True
            s.any_occurred[a] = True


@jit
def _finish(t: Any, s: Any, outcome: int) -> None:
    s.outcome[0] = outcome
    for h in range(t.n_holders):
        e = t.out_utility[outcome, h]
        if e >= 0:
            s.util[h] = evaluate(t, e, s.env, s.stack, s.err) - s.costs[h]
        else:
            s.util[h] = np.nan


@jit
def _check_outcomes(t: Any, s: Any) -> None:
    if s.outcome[0] >= 0:
        return
    for o in range(t.n_outcomes):
        e = t.out_when[o]
        if e >= 0 and evaluate(t, e, s.env, s.stack, s.err) != 0.0:
            _finish(t, s, o)
            return


@jit
def _track_escalation(t: Any, s: Any) -> None:
    if t.escalation >= 0:
        value = evaluate(t, t.escalation, s.env, s.stack, s.err)
        if s.has_peak[0] == 0 or value > s.peak[0]:
            s.peak[0] = value
            s.has_peak[0] = 1


@jit
def _clamp01(p: float) -> float:
    p = 0.0 if 0.0 > p else p
    return 1.0 if 1.0 < p else p


@jit
def _begin_tick(t: Any, s: Any) -> None:
    tick = s.tick[0]
    run = s.ctx[0]
    s.env[t.tick_slot] = float(tick)
    s.env[t.hours_slot] = tick * t.tick_hours
    # effects whose delay has run out
    for a in range(t.n_actions):
        if s.pending[a] == tick:
            s.pending[a] = -1
            _assign(t, s, t.act_effects[a])
            _log(t, s, K_EFFECT, t.act_actor[a], a)
    # events
    for e in range(t.n_events):
        if t.ev_once[e] and s.fired[e]:
            continue
        at = t.ev_at[e]
        if at >= 0 and at != tick:
            continue
        if evaluate(t, t.ev_when[e], s.env, s.stack, s.err) == 0.0:
            continue
        if t.ev_hazard[e] >= 0:
            p = _clamp01(evaluate(t, t.ev_hazard[e], s.env, s.stack, s.err))
            if not draw(s.bases[t.ev_site[e]], tick, run) < p:
                continue
        s.fired[e] = True
        _assign(t, s, t.ev_effects[e])
        _log(t, s, K_EVENT, t.ev_actor[e], e)
        _notify(t, s, e, t.ev_vis[e])
    # deliveries
    for a in range(t.n_actions):
        if s.arrival[a] != tick:
            continue
        s.arrival[a] = -1
        s.delivered[a] = True
        s.deliv_misread[a] = s.transit_misread[a]
        m = t.act_msg[a]
        _assign(t, s, t.msg_on_misread[m] if s.transit_misread[a] else t.msg_on_deliver[m])
        _log(t, s, K_DELIVERY, t.msg_to[m], a)
        _notify(t, s, t.n_events + a, t.msg_recipients[m])
        kind = t.msg_kind[m]
        if kind == M_ACCEPT and t.msg_of[m] >= 0:
            offer = t.act_msg[t.msg_of[m]]
            for k in range(t.give_start[offer], t.give_start[offer + 1]):
                _assign(t, s, t.term_effects[t.give_terms[k]])
            for k in range(t.get_start[offer], t.get_start[offer + 1]):
                _assign(t, s, t.term_effects[t.get_terms[k]])
            _log(t, s, K_DEAL, -1, t.msg_of[m])
        elif kind == M_STATEMENT and t.give_start[m + 1] > t.give_start[m]:
            for k in range(t.give_start[m], t.give_start[m + 1]):
                _assign(t, s, t.term_effects[t.give_terms[k]])
            _log(t, s, K_PLEDGE, t.act_actor[a], a)
    _check_outcomes(t, s)


@jit
def _is_legal(t: Any, s: Any, a: int) -> bool:
    if s.pending[a] >= 0 or s.arrival[a] >= 0:
        return False
    if t.act_once[a] and s.taken[a] > 0:
        return False
    m = t.act_msg[a]
    if m >= 0 and t.msg_of[m] >= 0:
        of = t.msg_of[m]
        if not s.delivered[of] or s.answered[of]:
            return False
        om = t.act_msg[of]
        perceived = t.msg_kind[om]
        if s.deliv_misread[of] and t.msg_misread_kind[om] >= 0:
            perceived = t.msg_misread_kind[om]
        if perceived != M_OFFER and perceived != M_DEMAND:
            return False
    return evaluate(t, t.act_when[a], s.env, s.stack, s.err) != 0.0


@jit
def _local(t: Any, actor: int, action: int) -> int:
    """The position of a global action (-1: wait) in the actor's choice space."""
    if action == -1:
        return 0
    if action < 0:
        return -1
    start = t.space_start[actor]
    for k in range(start, t.space_start[actor + 1]):
        if t.space[k] == action:
            return k - start + 1
    return -1


@jit
def _first_rule(t: Any, s: Any, r: int, first: int, stop: int) -> int:
    """The first applicable rule of rules[first:stop] for the request ``r`` (-1 if none):
    legal, its condition holding, its probability draw (site ``rule_site``) succeeding."""
    legal = s.legal[r]
    actor = s.req_actor[r]
    for i in range(first, stop):
        local = _local(t, actor, t.rule_do[i])
        if local < 0 or not legal[local]:
            continue
        if evaluate(t, t.rule_when[i], s.env, s.stack, s.err) == 0.0:
            continue
        p = evaluate(t, t.rule_p[i], s.env, s.stack, s.err)
        if p >= 1.0 or (
            p > 0.0 and draw(s.bases[t.rule_site[i]], s.tick[0], s.ctx[0]) < p
        ):
            return i
    return -1


@jit
def _requests(t: Any, s: Any) -> None:
    """Who decides now, their legal actions and (bodies) their members' counsel."""
    tick = s.tick[0]
    n = 0
    for actor in range(t.n_actors):
        due = False
        for d in range(t.dp_start[actor], t.dp_start[actor + 1]):
            hit = t.dp_sched[d, tick] if tick < t.dp_sched.shape[1] else False
            if not hit and s.any_occurred[actor]:
                for k in range(t.trig_start[d], t.trig_start[d + 1]):
                    if s.occurred[actor, t.trig_ref[k]]:
                        hit = True
                        break
            if hit and evaluate(t, t.dp_when[d], s.env, s.stack, s.err) != 0.0:
                due = True
                break
        if not due:
            continue
        s.req_actor[n] = actor
        legal = s.legal[n]
        legal[0] = True
        start = t.space_start[actor]
        size = t.space_start[actor + 1] - start
        for k in range(size):
            legal[k + 1] = _is_legal(t, s, t.space[start + k])
        # members' counsel
        for j in range(t.mem_start[actor], t.mem_start[actor + 1]):
            s.counsel[n, j - t.mem_start[actor]] = -1
            if j == t.chair[actor] or t.stance_start[j] == t.stance_stop[j]:
                continue
            s.counsel_weight[n, j - t.mem_start[actor]] = evaluate(
                t, t.mem_weight[j], s.env, s.stack, s.err
            )
            rule = _first_rule(t, s, n, t.stance_start[j], t.stance_stop[j])
            s.counsel[n, j - t.mem_start[actor]] = (
                0 if rule < 0 else _local(t, actor, t.rule_do[rule])
            )
        n += 1
    # triggers are consumed by the asking
    for actor in range(t.n_actors):
        if s.any_occurred[actor]:
            s.occurred[actor, :] = False
            s.any_occurred[actor] = False
    s.n_req[0] = n


@jit
def _policy(t: Any, s: Any, r: int) -> int:
    """The actor's policy's proposal (a local index into its choice space)."""
    actor = s.req_actor[r]
    legal = s.legal[r]
    kind = t.pol_kind[actor]
    tick = s.tick[0]
    start = t.space_start[actor]
    size = t.space_start[actor + 1] - start + 1
    if kind == P_PASSIVE:
        return 0
    if kind == P_RULES or kind == P_SCRIPTED:
        if kind == P_SCRIPTED:
            for k in range(t.script_start[actor], t.script_start[actor + 1]):
                if s.closed[k] or t.step_at[k] > tick:
                    continue
                local = _local(t, actor, t.step_do[k])
                if local >= 0 and legal[local]:
                    s.closed[k] = True
                    return local
                if t.step_until[k] < 0 or tick >= t.step_until[k]:
                    s.closed[k] = True
        rule = _first_rule(t, s, r, t.prule_start[actor], t.prule_stop[actor])
        return 0 if rule < 0 else _local(t, actor, t.rule_do[rule])
    if kind == P_RANDOM:
        count = 0
        for k in range(size):
            if legal[k]:
                count += 1
        index = int(math.floor(draw(s.bases[t.pol_site[actor, 0]], tick, s.ctx[0]) * count))
        index = min(index, count - 1)
        for k in range(size):
            if legal[k]:
                if index == 0:
                    return k
                index -= 1
        return 0
    if kind == P_HAWK:
        if draw(s.bases[t.pol_site[actor, 0]], tick, s.ctx[0]) >= t.pol_threshold[actor]:
            return 0
        best = -1
        best_score = 0
        for attempt in range(2):
            above = s.rung[actor] if attempt == 0 else 0
            for k in range(size):
                score = 0 if k == 0 else t.act_score[t.space[start + k - 1]]
                if legal[k] and above < score <= t.pol_ceiling[actor]:
                    if best < 0 or score < best_score:
                        best = k
                        best_score = score
            if best >= 0:
                break
        if best < 0:
            return 0
        if best_score > s.rung[actor]:
            s.rung[actor] = best_score
        return best
    if kind == P_DOVE:
        if draw(s.bases[t.pol_site[actor, 0]], tick, s.ctx[0]) >= t.pol_threshold[actor]:
            return 0
        best = -1
        best_score = 0
        for k in range(1, size):
            score = t.act_score[t.space[start + k - 1]]
            if legal[k] and score <= t.pol_ceiling[actor] and (best < 0 or score < best_score):
                best = k
                best_score = score
        return 0 if best < 0 else best
    if kind == P_TFT:
        last = s.tft_last[actor]
        s.tft_last[actor] = 0
        if last == 0:
            return 0
        if last > 0 and draw(s.bases[t.pol_site[actor, 0]], tick, s.ctx[0]) < t.pol_forgive[actor]:
            return 0
        best = -1
        best_gap = 0
        for k in range(size):
            score = 0 if k == 0 else t.act_score[t.space[start + k - 1]]
            if legal[k] and score * last > 0:
                gap = abs(score - last)
                if best < 0 or gap < best_gap:
                    best = k
                    best_gap = gap
        return 0 if best < 0 else best
    if kind == P_ORGANIZATIONAL:
        delayed = s.org_delayed[actor]
        if delayed >= 0:
            s.org_delayed[actor] = -1
            if legal[delayed]:
                s.org_last[actor] = delayed
                return delayed
        last = s.org_last[actor]
        if last >= 0 and legal[last]:
            if draw(s.bases[t.pol_site[actor, 0]], tick, s.ctx[0]) < t.rep_inertia[actor]:
                return last
        rule = _first_rule(t, s, r, t.routine_start[actor], t.routine_stop[actor])
        if rule < 0:
            return 0
        order = _local(t, actor, t.rule_do[rule])
        if draw(s.bases[t.pol_site[actor, 1]], tick, s.ctx[0]) < t.rep_slippage[actor]:
            substitute = t.substitute[t.rule_do[rule]] if t.rule_do[rule] >= 0 else -2
            if substitute != -2:
                local = _local(t, actor, substitute)
                if local >= 0 and legal[local]:
                    s.org_last[actor] = local
                    return local
            s.org_delayed[actor] = order
            return 0
        s.org_last[actor] = order
        return order
    # P_POLITICAL: the influence-weighted plurality of the counsel
    tally = s.tally
    for k in range(size):
        tally[k] = 0.0
        s.tallied[k] = False
    anyone = False
    for j in range(t.mem_start[actor + 1] - t.mem_start[actor]):
        c = s.counsel[r, j]
        if c >= 0:
            tally[c] += s.counsel_weight[r, j]
            s.tallied[c] = True
            anyone = True
    if not anyone:
        return 0
    best = -np.inf
    found = False
    for k in range(size):
        if s.tallied[k] and (not found or tally[k] > best):
            best = tally[k]
            found = True
    for k in range(size):
        if legal[k] and s.tallied[k] and tally[k] == best:
            return k
    return 0


@jit
def _body_rule(t: Any, s: Any, r: int, proposal: int) -> int:
    """Log counsel, then resolve the body's rule on the policy's proposal."""
    actor = s.req_actor[r]
    rule = t.body_rule[actor]
    first = t.mem_start[actor]
    count = t.mem_start[actor + 1] - first
    if rule == B_NONE:
        return proposal
    if proposal != 0:
        for j in range(count):
            if s.counsel[r, j] >= 0:
                _log(t, s, K_COUNSEL, actor, first + j)
    if rule == B_LEADER:
        return proposal
    start = t.space_start[actor]
    if rule == B_CONSENT:
        if proposal == 0:
            return 0
        action = t.space[start + proposal - 1]
        if t.requires_any[actor] and not t.act_required[action]:
            return proposal
        agree = 0
        for j in range(count):
            c = s.counsel[r, j]
            if first + j == t.proposer[actor] or c < 0 or c == proposal:
                agree += 1
        _log(t, s, K_CONSENT, actor, action)
        if agree >= t.consent_k[actor]:
            return proposal
        fallback = t.fallback[actor]
        return fallback if fallback >= 0 and s.legal[r][fallback] else 0
    # B_VOTE: the members' weighted vote; a member without counsel votes the proposal
    size = t.space_start[actor + 1] - start + 1
    tally = s.tally
    for k in range(size):
        tally[k] = 0.0
        s.tallied[k] = False
    for j in range(count):
        c = s.counsel[r, j]
        vote = proposal if c < 0 else c
        tally[vote] += evaluate(t, t.mem_weight[first + j], s.env, s.stack, s.err)
        s.tallied[vote] = True
    best = -np.inf
    found = False
    for k in range(size):
        if s.tallied[k] and (not found or tally[k] > best):
            best = tally[k]
            found = True
    if tally[proposal] == best and s.tallied[proposal]:
        return proposal
    for k in range(size):
        if s.legal[r][k] and s.tallied[k] and tally[k] == best:
            return k
    return proposal


@jit
def _take(t: Any, s: Any, a: int) -> None:
    tick = s.tick[0]
    s.taken[a] += 1
    for k in range(t.cost_start[a], t.cost_start[a + 1]):
        s.costs[t.cost_holder[k]] += evaluate(t, t.cost_expr[k], s.env, s.stack, s.err)
    m = t.act_msg[a]
    actor = t.act_actor[a]
    _log(t, s, K_MESSAGE if m >= 0 else K_ACTION, actor, a)
    # what tit-for-tat players see of the other side's moves
    score = t.act_score[a]
    if score != 0:
        seen_by = t.act_log_vis[a]
        for other in range(t.n_actors):
            if (seen_by >> other) & 1 and t.opposed[other, actor]:
                s.tft_last[other] = score
    _notify(t, s, t.n_events + a, t.act_vis[a])
    if t.act_delay[a] == 0:
        _assign(t, s, t.act_effects[a])
    else:
        s.pending[a] = tick + t.act_delay[a]
    if m >= 0:
        ch = t.msg_channel[m]
        u = draw(s.bases[t.msg_latency_site[m]], tick, s.ctx[0])
        kind = t.ch_latency_kind[ch]
        low = t.ch_latency[ch, 0]
        if kind == 0:
            seconds = low
        elif kind == 1:
            seconds = low + u * (t.ch_latency[ch, 1] - low)
        else:
            mode = t.ch_latency[ch, 1]
            high = t.ch_latency[ch, 2]
            width = high - low
            if u * width < mode - low:
                x = low + math.sqrt(u * width * (mode - low))
            else:
                x = high - math.sqrt((1.0 - u) * width * (high - mode))
            seconds = low if x < low else (high if x > high else x)
        ticks = max(1, int(math.ceil(seconds / t.tick_seconds)))
        misread = False
        if t.msg_misreadable[m]:
            p = _clamp01(evaluate(t, t.ch_misread[ch], s.env, s.stack, s.err))
            misread = draw(s.bases[t.msg_misread_site[m]], tick, s.ctx[0]) < p
        s.arrival[a] = tick + ticks
        s.transit_misread[a] = misread
        if t.msg_of[m] >= 0:
            s.answered[t.msg_of[m]] = True


@jit
def _decide_and_apply(t: Any, s: Any) -> None:
    n = s.n_req[0]
    for r in range(n):
        s.choice[r] = _body_rule(t, s, r, _policy(t, s, r))
    for r in range(n):
        actor = s.req_actor[r]
        local = s.choice[r]
        action = -1 if local == 0 else t.space[t.space_start[actor] + local - 1]
        _log(t, s, K_CHOICE, actor, action)
        if action >= 0:
            _take(t, s, action)


@jit
def _reset(t: Any, s: Any, run: int) -> None:
    s.env[:] = t.env_init
    s.fired[:] = False
    s.taken[:] = 0
    s.pending[:] = -1
    s.arrival[:] = -1
    s.transit_misread[:] = False
    s.delivered[:] = False
    s.deliv_misread[:] = False
    s.answered[:] = False
    s.costs[:] = 0.0
    s.occurred[:, :] = False
    s.any_occurred[:] = False
    s.tft_last[:] = 0
    s.rung[:] = 0
    s.org_last[:] = -1
    s.org_delayed[:] = -1
    s.closed[:] = False
    s.tick[0] = 0
    s.outcome[0] = -1
    s.has_peak[0] = 0
    s.peak[0] = np.nan
    s.err[0] = -1


@jit
def run_block(t: Any, s: Any, first_run: int, count: int, out: Any) -> int:
    """Play runs first_run .. first_run+count-1; returns how many completed (fewer only
    when the event log is full: the caller grows it and continues)."""
    for i in range(count):
        run = first_run + i
        s.ctx[0] = run
        log_mark = s.log_n[0]
        _reset(t, s, run)
        _log(t, s, K_START, -1, 0)
        _track_escalation(t, s)
        while s.outcome[0] < 0 and s.err[0] < 0:
            _begin_tick(t, s)
            if s.outcome[0] >= 0 or s.err[0] >= 0:
                break
            _requests(t, s)
            _decide_and_apply(t, s)
            _track_escalation(t, s)
            _check_outcomes(t, s)
            if s.outcome[0] >= 0:
                break
            if s.tick[0] >= t.horizon:
                _finish(t, s, t.default_outcome)
                break
            s.tick[0] += 1
        if s.logging and s.log_n[0] > s.log.shape[0]:
            s.log_n[0] = log_mark
            return i
        out.outcome[i] = s.outcome[0]
        out.tick[i] = s.tick[0]
        out.peak[i] = s.peak[0]
        out.error[i] = s.err[0]
        out.util[i, :] = s.util
    return count
