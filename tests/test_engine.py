"""The reference engine: determinism, the tick order, bodies, messages, visibility."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.policy import Policy
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.errors import IllegalChoiceError
from brinkmanship.narrative import jsonl_lines
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

STANDOFF = Path(__file__).resolve().parents[1] / "src/brinkmanship/scenarios/standoff.yaml"
HOSTILE = Path(__file__).parent / "data" / "hostile.yaml"


def run(
    sc: CompiledScenario,
    seed: int,
    run_index: int = 0,
    overrides: dict[str, str] | None = None,
    **more: str,
) -> RunResult:
    policies = policy_set(sc, {**(overrides or {}), **more})
    return ReferenceEngine(sc).run(seed, run_index, policies.make(), dict(policies.specs))


def test_same_seed_same_trajectory(standoff: CompiledScenario) -> None:
    for seed in range(5):
        a = list(jsonl_lines(run(standoff, seed)))
        b = list(jsonl_lines(run(standoff, seed)))
        assert a == b


def test_seeds_and_runs_change_the_trajectory(standoff: CompiledScenario) -> None:
    trajectories = {tuple(jsonl_lines(run(standoff, seed))) for seed in range(8)}
    trajectories |= {tuple(jsonl_lines(run(standoff, 0, i))) for i in range(1, 8)}
    assert len(trajectories) > 8


def test_jsonl_contract(standoff: CompiledScenario) -> None:
    lines = list(jsonl_lines(run(standoff, 1)))
    events = [json.loads(line) for line in lines]
    for e in events[:-1]:
        assert set(e) == {"time", "actor", "kind", "id", "text", "sources"}
        assert all(s in standoff.bibliography for s in e["sources"])
    last = events[-1]
    assert last["kind"] == "outcome"
    assert last["id"] in standoff.outcomes
    assert last["class"] == standoff.outcomes[last["id"]].cls.value
    times = [e["time"] for e in events]
    assert times == sorted(times)


def test_outcomes_vary_over_runs(standoff: CompiledScenario) -> None:
    outcomes = Counter(run(standoff, 7, i).outcome.id for i in range(60))
    assert len(outcomes) >= 2, outcomes


class Recorder:
    """Wraps a policy and records every observation it is given."""

    def __init__(self, inner: Policy) -> None:
        self.inner = inner
        self.name = inner.name
        self.seen: list[tuple[Observation, LegalActions]] = []

    def decide(self, observation: Observation, legal: LegalActions) -> Choice | str:
        self.seen.append((observation, legal))
        return self.inner.decide(observation, legal)


def test_observations_hold_only_visible_state(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    for seed in range(3):
        policies = {a: Recorder(p) for a, p in policy_set(standoff).make().items()}
        engine.run(seed, 0, dict(policies))
        for actor, rec in policies.items():
            assert rec.seen, f"{actor} never decided"
            visible = {
                v.name
                for v in standoff.variables.values()
                if "*" in v.visible_to or actor in v.visible_to
            }
            for obs, legal in rec.seen:
                assert set(obs.state) == visible
                hidden = set(standoff.variables) - visible
                assert not hidden & set(obs.values)
                assert legal.ids[0] == WAIT
                assert len(legal.mask) == len(legal.space)
                assert all(e.kind != "start" or e.id == standoff.id for e in obs.seen)
    assert "launchers" not in {
        v for v in standoff.variables if "west" in standoff.variables[v].visible_to
    }


def test_secret_action_is_not_seen_by_the_other_side(standoff: CompiledScenario) -> None:
    engine = ReferenceEngine(standoff)
    policies = {a: Recorder(p) for a, p in policy_set(standoff).make().items()}
    result = engine.run(0, 0, dict(policies))
    assert any(e.id == "reinforce" for e in result.events)
    for obs, _ in policies["west"].seen:
        assert all(e.id != "reinforce" for e in obs.seen)
    assert any(e.id == "reinforce" for obs, _ in policies["east"].seen for e in obs.seen)


class Fixed:
    """Returns one action id regardless of legality (to provoke errors)."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.name = f"fixed-{action}"

    def decide(self, observation: Observation, legal: LegalActions) -> str:
        return self.action


def test_illegal_choice_is_an_error_naming_policy_actor_time(standoff: CompiledScenario) -> None:
    policies = policy_set(standoff).make()
    policies["west"] = Fixed("strike")  # illegal before warships are deployed
    with pytest.raises(IllegalChoiceError) as info:
        ReferenceEngine(standoff).run(0, 0, policies)
    message = str(info.value)
    assert "fixed-strike" in message and "'west'" in message and "2031-06-01T06:00" in message
    assert "legal choices: wait" in message


def test_consent_rule_needs_k_members(standoff: CompiledScenario) -> None:
    """With three officers, a warning shot needs all three; with two-officers, two."""

    def count_consents(sc: CompiledScenario) -> tuple[int, int]:
        granted = refused = 0
        for i in range(40):
            result = run(sc, 11, i, patrol="standing_orders")
            for e in result.events:
                if e.kind == "consent":
                    if "refused" in e.text:
                        refused += 1
                    else:
                        granted += 1
        return granted, refused

    three = count_consents(standoff)
    two = count_consents(load_scenario("standoff", ["two-officers"]))
    assert sum(three) > 0 and sum(two) > 0
    assert two[0] / sum(two) > three[0] / sum(three)
    sc2 = load_scenario("standoff", ["two-officers"])
    assert sc2.actors["patrol"].rule is not None and sc2.actors["patrol"].rule.k == 2
    assert [m.id for m in sc2.actors["patrol"].members] == ["captain", "officer"]


def test_counsel_reaches_the_leader(standoff: CompiledScenario) -> None:
    policies = {a: Recorder(p) for a, p in policy_set(standoff).make().items()}
    ReferenceEngine(standoff).run(0, 0, dict(policies))
    counsel = [obs.counsel for obs, _ in policies["west"].seen]
    assert all({c.member for c in cs} == {"defence", "foreign"} for cs in counsel)
    assert all(obs.member == "premier" for obs, _ in policies["west"].seen)
    recommended = {c.action for cs in counsel for c in cs}
    assert "deploy_warships" in recommended
    for cs in counsel:
        for c in cs:
            assert c.action == WAIT or c.why


def test_vote_goes_to_the_heavier_side(standoff: CompiledScenario) -> None:
    """North (weight 2) mediates; South (hawk_mood, 1) condemns; islands follow the policy."""
    results = [run(standoff, 5, i) for i in range(20)]
    council = [e for r in results for e in r.events if e.actor == "council" and e.kind == "action"]
    assert council, "the council never acted"
    assert {e.id for e in council} <= {"mediate", "condemn"}
    assert any(e.id == "mediate" for e in council)


def test_message_latency_and_misreading(standoff: CompiledScenario) -> None:
    latencies = []
    misreads = 0
    for i in range(150):
        result = run(standoff, 21, i)
        sent = {e.id: e.tick for e in result.events if e.kind == "message"}
        for e in result.events:
            if e.kind == "delivery" and e.id == "send_offer":
                latencies.append(e.tick - sent["send_offer"])
                misreads += "misread" in e.text
    assert latencies
    assert min(latencies) >= 10 and max(latencies) <= 14
    assert len(set(latencies)) >= 3
    share = misreads / len(latencies)
    assert 0.03 < share < 0.35, share


def test_deal_applies_the_terms(standoff: CompiledScenario) -> None:
    for i in range(30):
        result = run(standoff, 2, i)
        if any(e.kind == "deal" for e in result.events):
            assert result.outcome.id in ("settlement", "climb_down")
            deal_tick = next(e.tick for e in result.events if e.kind == "deal")
            assert result.outcome.tick == deal_tick
            return
    pytest.fail("no deal in 30 runs")


def test_delayed_effects_land_after_the_delay(standoff: CompiledScenario) -> None:
    result = run(standoff, 0)
    taken = next(e.tick for e in result.events if e.kind == "action" and e.id == "deploy_warships")
    landed = next(e.tick for e in result.events if e.kind == "effect" and e.id == "deploy_warships")
    assert landed - taken == 12


def test_hazard_frequency_matches_probability(standoff: CompiledScenario) -> None:
    """`cooling` fires with p=0.03 per tick while tension > 1: count against exposure."""
    fired = exposure = 0
    for i in range(40):
        result = run(standoff, 3, i, west="cautious")
        fired += sum(1 for e in result.events if e.id == "cooling")
        exposure += result.outcome.tick
    rate = fired / exposure
    assert 0.01 < rate < 0.04, rate


def test_interventions_do_not_shift_other_draws(tmp_path: Path) -> None:
    """Adding an event that changes nothing leaves every other entry of the trajectory as it was."""
    text = STANDOFF.read_text(encoding="utf-8")
    text = text.replace(
        "interventions:\n",
        "interventions:\n"
        "  extra-event:\n"
        "    description: adds an event that changes nothing\n"
        "    patch:\n"
        "      events:\n"
        "        omen: {text: 'An omen.', hazard: '0.2', once: false, sources: [T1]}\n",
        1,
    )
    path = tmp_path / "standoff-extra.yaml"
    path.write_text(text, encoding="utf-8")
    base = load_scenario(str(path))
    extra = load_scenario(str(path), ["extra-event"])
    for seed in range(4):
        a = run(base, seed)
        b = run(extra, seed)
        assert any(e.id == "omen" for e in b.events)
        assert [e for e in b.events if e.id != "omen"] == list(a.events)
        assert a.outcome == b.outcome


def test_horizon_gives_the_default_outcome(standoff: CompiledScenario) -> None:
    result = run(standoff, 0, overrides={a: "passive" for a in standoff.actors})
    assert result.outcome.id == "unresolved"
    assert result.outcome.tick == standoff.horizon_ticks
    assert result.outcome.time == "2031-06-15T06:00+00:00"


def test_costs_reduce_utility(standoff: CompiledScenario) -> None:
    result = run(standoff, 0)
    assert result.outcome.id == "settlement"
    west_costs = sum(
        float(expr.source)
        for e in result.events
        if e.kind in ("action", "message") and e.actor == "west"
        for holder, expr in standoff.actions[e.id].cost
        if holder == "west"
    )
    assert west_costs > 0
    assert result.outcome.utilities["west"] == pytest.approx(5 - west_costs)


def test_scripted_step_with_until_waits_for_legality(standoff: CompiledScenario) -> None:
    """The blockade step (until +24 h) happens once warships are in the strait."""
    result = run(standoff, 0)
    blockade = next(e for e in result.events if e.id == "declare_blockade" and e.kind == "action")
    warships = next(e for e in result.events if e.id == "deploy_warships" and e.kind == "effect")
    assert blockade.tick >= warships.tick
    assert "stop shipments" in blockade.text


def test_choices_replay_the_run(standoff: CompiledScenario) -> None:
    """A game is its inputs: replaying the recorded choices reproduces the trajectory."""
    original = run(standoff, 4)

    class Replay:
        name = "replay"

        def __init__(self, actor: str) -> None:
            self.queue = [c for c in original.choices if c.actor == actor]

        def decide(self, observation: Observation, legal: LegalActions) -> Choice:
            record = self.queue.pop(0)
            assert record.tick == observation.tick
            return Choice(record.action, record.why)

    # Bodies may turn a proposal into another choice (consent, vote); replay only leaders.
    policies = policy_set(standoff).make()
    policies["west"] = Replay("west")
    policies["east"] = Replay("east")
    replayed = ReferenceEngine(standoff).run(4, 0, policies)
    assert replayed.events == original.events


def test_peak_escalation_counts_the_state_a_run_ends_in() -> None:
    """hostile.yaml's index is 1, and 3 once the coin lands heads: a run that ends on that
    event (heads) peaks at 3, one that reaches the horizon (tails) at 1."""
    sc = load_scenario(str(HOSTILE), ["loaded"])
    results = [run(sc, 3, i) for i in range(40)]
    peaks = {(r.outcome.id, r.peak_escalation) for r in results}
    assert peaks == {("heads", 3.0), ("tails", 1.0)}


def test_a_general_war_peaks_at_the_index_of_its_last_state() -> None:
    """In cuba-1962 general war is drawn at the start of a tick and ends the run then: its
    +20 counts in the peak, which is the index on the final state (the highest it gets)."""
    sc = load_scenario("cuba-1962")
    assert sc.escalation is not None
    engine = ReferenceEngine(sc)
    policies = policy_set(sc, {"us": "hawk"})
    wars = 0
    for i in range(60):
        st = engine.start(0, i)
        TickDriver(engine, st).play(policies.make())
        result = engine.result(st, policies.specs)
        last = sc.escalation(st.env)
        assert result.peak_escalation is not None and result.peak_escalation >= last
        if result.outcome.id == "general_war":
            wars += 1
            assert result.peak_escalation == last >= 20
    assert wars > 0
