"""The built-in scenario ``cuba-1962``: the historical replay, its sources, the errors it
must never repeat, its interventions, and the model-validity claims (paired runs with
common random numbers)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from brinkmanship.analysis.montecarlo import Job, run_chunk
from brinkmanship.conformance.known_errors import known_errors
from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import RunState
from brinkmanship.engine.trajectory import RunResult, TrajectoryEvent
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario, read_source, validate_source

SCENARIO = "cuba-1962"
INTERVENTIONS = {
    "no-arkhipov",
    "hotline",
    "airstrike",
    "invasion",
    "blockade",
    "do-nothing",
    "no-secret-deal",
    "public-trade",
    "local-authority",
    "slow-letters",
}
NUCLEAR = {"tactical_nuclear_use", "general_nuclear_war"}
VALIDITY_RUNS = 600
"""Paired runs per arm of the validity tests (seed 0, run indices 0..N-1). About 60 ms a run."""


def run(sc: CompiledScenario, seed: int = 0, index: int = 0) -> RunResult:
    return ReferenceEngine(sc).run(seed, index, policy_set(sc).make())


@pytest.fixture(scope="module")
def replay(cuba: CompiledScenario) -> RunResult:
    """The default run: historical policies, seed 0, run 0."""
    return run(cuba)


# ----------------------------------------------------------------------- validity of the file


def test_validates_base_and_every_intervention() -> None:
    sc = validate_source(read_source(SCENARIO))
    assert sc.id == SCENARIO
    assert {"us", "su", "cuba"} <= set(sc.actors)
    assert isinstance(sc.zone, ZoneInfo) and sc.zone.key == "America/New_York"


def test_principal_and_subordinate_actors(cuba: CompiledScenario) -> None:
    for principal in ("us", "su", "cuba", "un"):
        assert cuba.actors[principal].holder == principal
    for sub, side in (
        ("jcs", "us"),
        ("sac", "us"),
        ("navy", "us"),
        ("gsfk", "su"),
        ("airdef", "su"),
        ("b59", "su"),
        ("foxtrots", "su"),
    ):
        assert cuba.actors[sub].holder == side
    excomm = {m.id for m in cuba.actors["us"].members}
    assert {
        "mcnamara",
        "rfk",
        "rusk",
        "bundy",
        "mccone",
        "taylor",
        "dillon",
        "stevenson",
        "sorensen",
    } <= excomm
    b59 = cuba.actors["b59"]
    assert b59.rule is not None and b59.rule.kind == "consent" and b59.rule.k == 3
    roles = {m.id: m.role for m in b59.members}
    assert roles == {
        "savitsky": "captain",
        "maslennikov": "political officer",
        "arkhipov": "flotilla chief of staff",
    }


def test_hidden_state_is_hidden_from_the_us(cuba: CompiledScenario) -> None:
    for name in ("tactical_warheads", "soviet_troops", "mrbm_ready", "cuban_armed"):
        seen_by = cuba.variables[name].visible_to
        assert "us" not in seen_by and "*" not in seen_by, name
    assert cuba.variables["soviet_troops"].initial == 41900
    assert cuba.variables["soviet_troops_est"].visible_to >= {"us"}


# ----------------------------------------------------------------------- the historical replay


def first(
    result: RunResult, ident: str, kinds: tuple[str, ...] = ("action", "message", "event")
) -> TrajectoryEvent:
    for event in result.events:
        if event.id == ident and event.kind in kinds:
            return event
    raise AssertionError(f"{ident} not in the replay")


# (id, documented local time, tolerance in hours): section A of the fact sheet
KEY_EVENTS = [
    ("bundy_briefs", "1962-10-16T08:45", 1),
    ("us_convene_excomm", "1962-10-16T11:45", 1),
    ("su_gromyko_defensive", "1962-10-18T12:00", 12),
    ("jcs_press_strike", "1962-10-19T12:00", 12),
    ("nsc_meeting", "1962-10-20T14:30", 1),
    ("us_choose_quarantine", "1962-10-20T17:00", 3),
    ("us_rusk_dobrynin", "1962-10-22T18:00", 0),
    ("us_address", "1962-10-22T19:00", 0),
    ("aleksandrovsk", "1962-10-23T05:45", 1),
    ("navy_quarantine_line", "1962-10-24T10:00", 0),
    ("sac_defcon2", "1962-10-24T12:00", 12),
    ("su_ships_halt", "1962-10-24T12:00", 12),
    ("navy_let_through", "1962-10-25T12:00", 12),
    ("us_un_photographs", "1962-10-25T12:00", 12),
    ("navy_board", "1962-10-26T12:00", 12),
    ("su_letter1", "1962-10-26T10:00", 0),
    ("su_fomin_feeler", "1962-10-26T13:00", 0),
    ("letter1_sections", "1962-10-26T18:00", 0),
    ("us_scali_reply", "1962-10-26T19:45", 1),
    ("su_letter2", "1962-10-27T10:00", 2),
    ("airdef_shoot_u2", "1962-10-27T11:00", 1),
    ("maultsby_strays", "1962-10-27T12:00", 12),
    ("rf8_fired_on", "1962-10-27T15:41", 1),
    ("us_reply_letter1", "1962-10-27T18:00", 6),
    ("us_rfk_dobrynin", "1962-10-27T19:45", 1),
    ("b59_corner", "1962-10-27T21:00", 4),
    ("su_accept_reply", "1962-10-28T09:00", 1),
]


def test_replay_key_events_at_documented_times_in_order(replay: RunResult) -> None:
    ticks = []
    for ident, when, tolerance in KEY_EVENTS:
        event = first(replay, ident)
        got = datetime.fromisoformat(event.time)
        want = datetime.fromisoformat(when).replace(tzinfo=got.tzinfo)
        hours = abs((got - want).total_seconds()) / 3600
        assert hours <= tolerance, f"{ident} at {event.time}, documented {when}"
        ticks.append((event.tick, ident))
    documented_order = [
        "bundy_briefs",
        "us_convene_excomm",
        "us_choose_quarantine",
        "us_rusk_dobrynin",
        "us_address",
        "navy_quarantine_line",
        "navy_let_through",
        "navy_board",
        "su_letter1",
        "su_fomin_feeler",
        "us_scali_reply",
        "su_letter2",
        "airdef_shoot_u2",
        "rf8_fired_on",
        "us_rfk_dobrynin",
        "b59_corner",
        "su_accept_reply",
    ]
    at = {ident: tick for tick, ident in ticks}
    assert [at[i] for i in documented_order] == sorted(at[i] for i in documented_order)


LETTERS_22_25 = [
    ("us_rusk_dobrynin", None),
    ("su_letter_23", "us_rusk_dobrynin"),
    ("us_letter_23", "su_letter_23"),
    ("su_letter_24", "us_letter_23"),
    ("us_letter_25", "su_letter_24"),
    ("su_letter1", "us_letter_25"),
]
"""The letters of 22-25 October (F11) and the one each answers."""


def test_replay_letters_of_22_to_25_october_answer_each_other(replay: RunResult) -> None:
    """Each letter is sent after the one it answers was delivered (F11); U Thant's appeal
    is answered by both after it is heard, and the first letter follows Khrushchev's
    acceptance of it."""
    for letter, answers in LETTERS_22_25:
        sent = first(replay, letter, ("message",))
        if answers is not None:
            assert first(replay, answers, ("delivery",)).tick <= sent.tick, letter
    appeal = first(replay, "un_thant_appeal", ("delivery",))
    for answer in ("su_accept_thant", "us_decline_thant"):
        assert appeal.tick <= first(replay, answer, ("message",)).tick
    accepted = first(replay, "su_accept_thant", ("delivery",))
    assert accepted.tick <= first(replay, "su_letter1", ("message",)).tick


def test_replay_first_letter_is_about_twelve_hours_in_transit(replay: RunResult) -> None:
    sent = first(replay, "su_letter1", ("message",))
    arrived = first(replay, "su_letter1", ("delivery",))
    hours = arrived.tick - sent.tick
    assert 11 <= hours <= 13
    assert arrived.time.startswith("1962-10-26T2")  # complete after 9 p.m.


def test_replay_b59_arkhipov_refuses_and_it_surfaces(replay: RunResult) -> None:
    consent = first(replay, "b59_nuclear_torpedo", ("consent",))
    assert "refused by Vasili Arkhipov" in consent.text
    assert "Maslennikov" not in consent.text.split("refused by")[1]
    assert first(replay, "b59_surface", ("action",)).time.startswith("1962-10-27")


def test_replay_ends_in_the_historical_settlement(replay: RunResult) -> None:
    outcome = replay.outcome
    assert outcome.id == "settlement" and outcome.cls == "settlement"
    # decided with the deal; the run goes on until the forces at sea have heard of it (F8)
    assert outcome.decided_time == "1962-10-28T09:00-05:00"
    assert outcome.decided_tick is not None and outcome.tick > outcome.decided_tick
    kinds = {e.kind for e in replay.events}
    assert {"counsel", "consent", "deal", "pledge", "delivery"} <= kinds
    pledge = next(e for e in replay.events if e.kind == "pledge")
    assert "secret" in pledge.text and pledge.visible_to <= {"us", "su"}
    # the replay never leaves the historical path
    for event in replay.events:
        assert not event.text.startswith(("In this run", "Counterfactual")), event.text


def test_fomins_feeler_is_said_to_be_his_not_khrushchevs(
    cuba: CompiledScenario, replay: RunResult
) -> None:
    """F4: Feklisov ('Fomin') acted on his own initiative; the message's ``sender``."""
    delivered = first(replay, "su_fomin_feeler", ("delivery",))
    assert delivered.text.startswith("President Kennedy receives an offer from Fomin by")
    assert cuba.sender_name("su_fomin_feeler") == "Fomin"
    assert cuba.sender_name("su_letter1") == cuba.actors["su"].name == "Khrushchev"


def test_jsonl_contract(replay: RunResult) -> None:
    for event in replay.events:
        assert set(event.to_json()) == {"time", "actor", "kind", "id", "text", "sources"}
    assert replay.outcome.to_json()["class"] == "settlement"


# ----------------------------------------------------------------------- the settlement's facts


def test_the_settlement_says_what_followed(cuba: CompiledScenario) -> None:
    """The timeline, the sources and the fact sheet's known errors (section E, the
    corrections of F) are checked for every scenario by tests/test_conformance.py; here,
    what the historical outcome must say."""
    settlement = cuba.outcomes["settlement"].text
    assert "secretly" in settlement  # E8: the Turkey trade was secret
    assert "20 November" in settlement  # E10: the quarantine was lifted on 20 November
    assert "Cold War lasts until 1989-91" in settlement  # E3


def test_cuba_keeps_its_fact_sheets_errors() -> None:
    assert {f"E{i}" for i in range(1, 17)} <= set(known_errors(read_source(SCENARIO)))


# ----------------------------------------------------------------------- interventions


def test_exactly_the_ten_interventions(cuba: CompiledScenario) -> None:
    assert set(cuba.interventions) == INTERVENTIONS
    for info in cuba.interventions.values():
        assert info.description and info.sources


def test_unknown_intervention_lists_the_ten() -> None:
    with pytest.raises(UnknownNameError) as err:
        load_scenario(SCENARIO, ["no-such-thing"])
    for name in INTERVENTIONS:
        assert name in str(err.value)


@pytest.mark.parametrize(
    "pair",
    [
        ("do-nothing", "airstrike"),
        ("do-nothing", "invasion"),
        ("airstrike", "blockade"),
        ("no-secret-deal", "public-trade"),
        ("public-trade", "do-nothing"),
    ],
)
def test_contradicting_interventions_are_refused(pair: tuple[str, str]) -> None:
    with pytest.raises(BrinkError, match="contradict"):
        load_scenario(SCENARIO, list(pair))


@pytest.mark.parametrize(
    ("name", "outcome_id"),
    [
        ("do-nothing", "missiles_stay"),
        ("public-trade", "public_trade"),
        ("airstrike", None),
        ("invasion", "air_strike_war"),  # run 0: Moscow offers under fire before the landing
        ("blockade", None),
        ("no-secret-deal", None),
        ("local-authority", "settlement"),
        ("hotline", "settlement"),
        ("slow-letters", None),
        ("no-arkhipov", None),
    ],
)
def test_each_intervention_runs(name: str, outcome_id: str | None) -> None:
    sc = load_scenario(SCENARIO, [name])
    assert sc.applied == (name,)
    result = run(sc)
    if outcome_id is not None:
        assert result.outcome.id == outcome_id
    if name in ("airstrike", "invasion"):
        assert any(e.id == "us_execute_chosen_strike" for e in result.events)
    if name == "invasion":
        assert any(e.id == "us_order_invasion" for e in result.events)


US_ATTACKS = {
    "us_execute_chosen_strike",
    "us_order_airstrike",
    "us_strike_sam_sites",
    "us_strike_and_invade",
}
NO_ALERT_ORDERS = {"jcs": "passive", "sac": "passive"}
"""The Joint Chiefs and SAC never raise the alert themselves: only an attack can."""


@pytest.mark.parametrize(
    ("interventions", "params", "policies", "runs", "attacks"),
    [
        (
            ["no-secret-deal"],
            {"p_strike_if_no_deal": 0.05, "p_accept_without_jupiters": 0.2},
            NO_ALERT_ORDERS,
            20,
            # no deadline binds: it runs from the Chiefs' recommendation, which they never make
            {"us_strike_sam_sites"},
        ),
        (["invasion"], {}, NO_ALERT_ORDERS, 3, {"us_execute_chosen_strike"}),
        (["airstrike"], {}, NO_ALERT_ORDERS, 3, {"us_execute_chosen_strike"}),
        ([], {}, {**NO_ALERT_ORDERS, "us": "hawk"}, 5, {"us_order_airstrike"}),
        ([], {}, {"us": "hawk"}, 5, {"us_order_airstrike"}),
    ],
)
def test_every_us_attack_puts_us_forces_at_defcon_3_or_higher(
    interventions: list[str],
    params: dict[str, float],
    policies: dict[str, str],
    runs: int,
    attacks: set[str],
) -> None:
    """After any US attack on Cuba, US forces and SAC are at DEFCON 3 or higher (lower
    numbers), as for the quarantine on 22 October, whoever ordered the alert or not."""
    sc = load_scenario(SCENARIO, interventions, params)
    engine = ReferenceEngine(sc)
    made = policy_set(sc, policies)
    seen: set[str] = set()
    for index in range(runs):
        st = engine.start(0, index)

        def check(st: RunState, index: int = index) -> None:
            seen.update({c.action for c in st.choices if c.tick == st.tick} & US_ATTACKS)
            if st.env["us_attacked"]:
                assert st.env["defcon_us"] <= 3 and st.env["defcon_sac"] <= 3, (index, st.tick)

        TickDriver(engine, st, after_tick=check).play(made.make())
    assert seen == attacks


def test_no_arkhipov_patch_makes_two_officers_enough() -> None:
    b59 = load_scenario(SCENARIO, ["no-arkhipov"]).actors["b59"]
    assert {m.id for m in b59.members} == {"savitsky", "maslennikov"}
    assert b59.rule is not None and b59.rule.k == 2


def test_hotline_and_slow_letters_change_latency() -> None:
    hot = load_scenario(SCENARIO, ["hotline"])
    letter = hot.actions["su_letter1"].message
    assert letter is not None and letter.channel == "hotline"
    slow = load_scenario(SCENARIO, ["slow-letters"])
    base = load_scenario(SCENARIO)
    for ch in ("letter", "cable", "rfk_dobrynin", "castro_cable", "embassy_telegram"):
        assert slow.channels[ch].latency.seconds == tuple(
            2 * s for s in base.channels[ch].latency.seconds
        )


# ----------------------------------------------------------------------- model validity


def outcomes(interventions: list[str], n: int = VALIDITY_RUNS) -> list[str]:
    """The outcome class of runs 0..n-1 of seed 0 (the batch engine: identical run for run
    to the reference engine, and fast enough for runs enough for |z| > 3)."""
    classes = {o.id: o.cls.value for o in load_scenario(SCENARIO).outcomes.values()}
    job = Job(SCENARIO, seed=0, interventions=tuple(interventions), engine="batch")
    return [classes[r.outcome] for r in run_chunk(job, 0, n)]


@pytest.fixture(scope="module")
def baseline() -> list[str]:
    return outcomes([])


def mcnemar_z(base: list[str], other: list[str]) -> float:
    """Paired z for 'nuclear use' (same seed and run index in both arms: common random
    numbers). b: nuclear only with the intervention; c: only in the baseline."""
    b = sum(1 for x, y in zip(base, other, strict=True) if y in NUCLEAR and x not in NUCLEAR)
    c = sum(1 for x, y in zip(base, other, strict=True) if x in NUCLEAR and y not in NUCLEAR)
    return (b - c) / math.sqrt(b + c) if b + c else 0.0


def test_settlement_is_the_most_common_baseline_outcome(baseline: list[str]) -> None:
    counts = Counter(baseline)
    assert counts.most_common(1)[0][0] == "settlement"
    assert counts["settlement"] / len(baseline) > 0.5


@pytest.mark.parametrize("name", ["airstrike", "no-arkhipov"])
def test_nuclear_use_is_likelier_than_in_the_baseline(baseline: list[str], name: str) -> None:
    other = outcomes([name])
    p_base = sum(x in NUCLEAR for x in baseline) / len(baseline)
    p_other = sum(x in NUCLEAR for x in other) / len(other)
    z = mcnemar_z(baseline, other)
    assert p_other > p_base
    assert z > 3, f"{name}: P(nuclear) {p_other:.3f} vs {p_base:.3f}, McNemar z = {z:.2f}"


def test_every_documented_us_choice_has_its_timeline_entry(
    cuba: CompiledScenario, replay: RunResult
) -> None:
    """What the President's historical policy chooses in the replay is in the timeline, so
    the debrief sets it beside its documented time instead of calling it "not in history"
    (the low-level reconnaissance, the draft of the answer and the holding off after
    Anderson's loss were). Moscow's modelled deliberation and its readiness order (F7, no
    hour) have no entry yet."""
    dated = {entry.expect for entry in cuba.timeline}
    sides = {"us", "cuba"}
    missing = sorted(
        {c.action for c in replay.choices if c.actor in sides and c.action != "wait"} - dated
    )
    assert not missing, missing
