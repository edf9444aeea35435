"""The batch engine against the reference engine on generated scenarios: for random but
valid scenario documents (``scenario_strategies``), several seeds and run indices and a
random mix of policies, both engines give the same outcomes, times, peaks, utilities,
events and choices, the same state at the end of every tick, and the same division-by-zero
errors on the same runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from batch_compare import assert_identical, policy_choices, reference_record
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import EvaluationError
from brinkmanship.policies.registry import batch_forms, policy_set
from scenario_strategies import Doc, load_document, scenario_documents


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    doc=scenario_documents(),
    data=st.data(),
    seeds=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=2),
    first=st.integers(0, 2**32),
)
def test_generated_scenarios_match_the_reference(
    doc: Doc, data: st.DataObject, seeds: list[int], first: int
) -> None:
    sc = load_document(doc)
    specs = {a: data.draw(st.sampled_from(policy_choices(sc, a)), label=a) for a in sc.actors}
    for seed in seeds:
        assert_identical(sc, specs, seed, range(first, first + 3))


def unlogged_and_logged(
    engine: BatchEngine, seed: int, runs: range
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The results of ``runs`` played without a log and with one (or the error each
    raised): the kernel skips work whose only reader is the log (a leader's counsel)."""
    out: list[tuple[object, ...]] = []
    for log in (False, True):
        try:
            r = engine.run(seed, runs.start, runs.stop, log=log)
        except EvaluationError as error:
            out.append((str(error),))
            continue
        columns = (r.outcome, r.tick, r.decided, r.mechanism, r.peak, r.utility)
        out.append(tuple(c.tobytes() for c in columns))
    return out[0], out[1]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=scenario_documents(), data=st.data(), seed=st.integers(0, 2**63 - 1))
def test_runs_without_a_log_match_runs_with_one(doc: Doc, data: st.DataObject, seed: int) -> None:
    """The differential tests compare logged batch runs with the reference engine; a run
    without a log (``brink mc``) must give the same results and the same errors."""
    sc = load_document(doc)
    specs = {a: data.draw(st.sampled_from(policy_choices(sc, a)), label=a) for a in sc.actors}
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc, specs).specs))
    unlogged, logged = unlogged_and_logged(engine, seed, range(6))
    assert unlogged == logged


EXPRESSION_FORMS = {
    "add": r" \+ ",
    "divide": r" / ",
    "floor-divide": r" // ",
    "modulo": r" % ",
    "power": r" \*\* ",
    "negate": r"\(-",
    "chain": r" <=? \S.* (<|<=|!=) ",
    "equal": r" (==|!=) ",
    "and": r" and ",
    "or": r" or ",
    "not": r"\(not ",
    "if-else": r" if .* else ",
    **{f: rf"\b{f}\(" for f in ("min", "max", "abs", "floor", "ceil", "clip")},
}


MECHANISM_KEYS = ("classes", "outcomes", "after", "when")


def _expressions(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _expressions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _expressions(value)


def _features(doc: Doc) -> set[str]:
    """The mechanisms one document uses, by name."""
    out: set[str] = set()
    for var in doc["state"].values():
        out.add(f"var:{var['type']}")
        out.add(f"visibility:{var['visibility'] if isinstance(var['visibility'], str) else 'list'}")
        if isinstance(var["initial"], str):
            out.add("initial-expression")
    out |= {"parameter-range" for p in doc["parameters"].values() if "range" in p}
    for ch in doc["channels"].values():
        lat = ch["latency"]
        out.add(f"latency:{next(iter(lat)) if isinstance(lat, dict) else 'text'}")
        out |= {"public-channel"} if ch["public"] else set()
    for act in doc["actions"].values():
        delay = act.get("delay", "0h")
        if isinstance(delay, dict):
            out.add(f"delay:{next(iter(delay))}")
        elif delay not in ("0h", "PT0M"):
            out.add("delay")
        out |= {"cost"} if act.get("cost") else set()
        out |= {f"once:{act['once']}"} if "once" in act else set()
        msg = act.get("message")
        if msg is not None:
            out.add(f"message:{msg['kind']}")
            out |= {"pledge"} if msg["kind"] == "statement" and msg.get("give") else set()
            out |= {"misread-kind"} if "kind" in msg.get("misread_as", {}) else set()
            out |= {"on-misread"} if "on_misread" in msg else set()
    for ev in doc["events"].values():
        out.add("event:" + "+".join(k for k in ("at", "hazard", "when") if k in ev))
        out |= {"repeatable-event"} if ev.get("once") is False else set()
    for point in doc["decisions"].values():
        out |= {f"decision:{k}" for k in ("every", "start", "at", "react_to", "when") if k in point}
    for actor in doc["actors"].values():
        out |= {"side"} if "side" in actor else set()
        out |= {f"body:{actor['rule']['kind']}"} if "rule" in actor else set()
        out |= {"repertoire"} if "repertoire" in actor else set()
        out |= {"action-channel"} if "action_channels" in actor else set()
        out |= (
            {"attends"} if any("attends" in m for m in actor.get("members", {}).values()) else set()
        )
        for pol in actor["policies"].values():
            out |= {"script"} if pol["script"] else set()
            out |= {"until"} if any("until" in step for step in pol["script"]) else set()
            out |= {"rule-p"} if any("p" in rule for rule in pol["rules"]) else set()
    out |= {"escalation-metric"} if "metrics" in doc else set()
    out |= {"conditional-outcome"} if len(doc["outcomes"]) > 1 else set()
    out |= {"pending-outcome"} if any("pending" in o for o in doc["outcomes"].values()) else set()
    for mechanism in doc.get("mechanisms", {}).values():
        out |= {f"mechanism:{k}" for k in MECHANISM_KEYS if k in mechanism}
    texts = list(_expressions(doc))
    out |= {
        name for name, form in EXPRESSION_FORMS.items() if any(re.search(form, t) for t in texts)
    }
    return out


def test_the_strategy_reaches_every_mechanism() -> None:
    """Generated documents (a fixed sequence, at most 300, stopping once all is seen) use
    every mechanism at least once, every one compiles, and playing them concludes deals,
    pledges and consents and divides by zero. Hypothesis draws constants from the modules
    imported so far, so the sequence depends on what else the test run imported: the bound
    leaves room for that, instead of a count that happens to suffice in one import order."""
    expected = {"var:bool", "var:int", "var:float", "visibility:hidden", "visibility:list"}
    expected |= {"initial-expression", "parameter-range", "public-channel", "delay", "cost"}
    expected |= {f"latency:{k}" for k in ("text", "fixed", "uniform", "triangular")}
    expected |= {"delay:uniform", "delay:triangular"}
    expected |= {"once:True", "once:False", "pledge", "misread-kind", "on-misread"}
    expected |= {f"message:{k}" for k in ("offer", "demand", "accept", "reject", "statement")}
    expected |= {"event:at", "event:hazard", "event:at+hazard", "event:when", "repeatable-event"}
    expected |= {f"decision:{k}" for k in ("every", "start", "at", "react_to", "when")}
    expected |= {"side", "body:leader", "body:consent", "body:vote", "repertoire", "attends"}
    expected |= {"action-channel"}
    expected |= {"script", "until", "rule-p", "escalation-metric", "conditional-outcome"}
    expected |= {"pending-outcome", "played:waited"}
    expected |= {f"mechanism:{k}" for k in MECHANISM_KEYS}
    expected |= {"played:attributed", "played:by-default"}
    expected |= set(EXPRESSION_FORMS) | {"division-by-zero"}
    expected |= {f"played:{k}" for k in ("effect", "delivery", "deal", "pledge", "consent")}
    seen: set[str] = set()

    @settings(
        max_examples=300, derandomize=True, database=None, deadline=None, phases=[Phase.generate]
    )
    @given(doc=scenario_documents())
    def collect(doc: Doc) -> None:
        if expected <= seen:
            return
        seen.update(_features(doc))
        sc = load_document(doc)
        specs = policy_set(sc, {a: "random" for a in sc.actors}).specs
        for run in range(3):
            try:
                record, played = reference_record(sc, specs, 7, run)
            except EvaluationError:
                seen.add("division-by-zero")
                continue
            seen.update(f"played:{kind}" for _, _, kind, _ in record[0])
            if played.decided < played.tick:
                seen.add("played:waited")  # an outcome decided, and the run went on
            if played.mechanism is not None:
                default = next(m for m, d in doc["mechanisms"].items() if d.get("default"))
                by_default = played.mechanism == default
                seen.add("played:by-default" if by_default else "played:attributed")

    collect()
    assert expected <= seen, sorted(expected - seen)


def _growing(target: Doc) -> Doc:
    """A scenario whose unbounded float ``v`` overflows to inf at tick 3, and a variable
    ``w`` of the given type (an event sets it each tick, after ``v`` has grown)."""
    return {
        "id": "overflow",
        "title": "A value that overflows",
        "clock": {"start": "2030-01-01T00:00", "horizon": "2030-01-01T08:00", "timezone": "UTC"},
        "state": {"v": {"type": "float", "initial": 2}, "w": {"initial": 0, **target}},
        "actors": {"a": {"name": "A"}, "b": {"name": "B"}},
        "events": {"grow": {"text": "v grows", "once": False, "effects": {"v": "v ** 8"}}},
        "decisions": {"d": {"actor": "a", "every": "1h"}},
        "outcomes": {"end": {"class": "unresolved", "default": True, "utility": {"a": 1, "b": 0}}},
    }


def _assign_w(expr: str) -> Doc:
    return {"text": "w is set", "once": False, "effects": {"w": expr}}


@pytest.mark.parametrize(
    ("variable", "expr"),
    [
        ({"type": "int"}, "v"),  # inf into an unbounded int
        ({"type": "int", "min": 0, "max": 5}, "v - v"),  # NaN into a bounded int
        ({"type": "float", "min": 0, "max": 5}, "v - v"),  # NaN into a bounded float
    ],
)
def test_an_overflow_into_a_variable_is_the_same_on_both_engines(variable: Doc, expr: str) -> None:
    """A variable given a value it cannot hold (NaN, or infinity in an int) stops the run
    with the same EvaluationError, naming the variable, on both engines. (The reference
    engine's ``round`` once raised a bare OverflowError / ValueError here, a traceback,
    while the batch engine carried on.)"""
    doc = _growing(variable)
    doc["events"]["set"] = _assign_w(expr)
    sc = load_document(doc)
    assert_identical(sc, {}, 1, range(0, 2))
    with pytest.raises(EvaluationError, match="variable 'w' was given"):
        ReferenceEngine(sc).run(1, 0, policy_set(sc, {}).make())
