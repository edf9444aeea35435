"""The built-in scenario ``able-archer-1983``: the historical replay against the fact sheet's
dated timeline, its sources, the section E errors it must never repeat, its interventions
and the validity claims of docs/able-archer-1983.md (paired runs, common random numbers)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from brinkmanship.analysis.tally import RunSummary
from brinkmanship.conformance.known_errors import found, known_errors
from brinkmanship.engine.trajectory import RunResult, TrajectoryEvent
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario, read_source, validate_source
from brinkmanship.testing import assert_engines_agree
from cli_runner import run_brink
from paired import Arms
from replays import first, play

SCENARIO = "able-archer-1983"
INTERVENTIONS = {"counter-alert", "no-gordievsky"}
RUNS = 1000
"""Paired runs per arm of the validity tests (batch engine, seed 11)."""


@pytest.fixture(scope="module")
def sc() -> CompiledScenario:
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def replay(sc: CompiledScenario) -> RunResult:
    """The default run: historical policies, seed 0, run 0."""
    return play(sc)


def hour(event: TrajectoryEvent) -> datetime:
    return datetime.fromisoformat(event.time)


# ----------------------------------------------------------------------- the file


def test_validates_base_and_every_intervention() -> None:
    sc = validate_source(read_source(SCENARIO))
    assert sc.id == SCENARIO
    assert set(sc.interventions) == INTERVENTIONS
    assert isinstance(sc.zone, ZoneInfo) and sc.zone.key == "Europe/Brussels"
    assert sc.start.isoformat() == "1983-11-01T00:00:00+01:00"
    assert sc.tick_hours == 1.0


def test_every_element_cites_sources_that_resolve(sc: CompiledScenario) -> None:
    groups: dict[str, Mapping[str, Any]] = {
        "actions": sc.actions,
        "events": sc.events,
        "channels": sc.channels,
        "outcomes": sc.outcomes,
        "parameters": sc.parameters,
        "variables": sc.variables,
        "actors": sc.actors,
        "interventions": sc.interventions,
    }
    for group, items in groups.items():
        for key, item in items.items():
            assert item.sources, f"{group}.{key} cites nothing"
            assert set(item.sources) <= set(sc.bibliography), f"{group}.{key}"
    for entry in sc.timeline:
        assert entry.sources and set(entry.sources) <= set(sc.bibliography), entry.text


def test_disagreements_and_single_witness_facts_are_parameters_with_ranges(
    sc: CompiledScenario,
) -> None:
    for name, param in sc.parameters.items():
        assert param.range is not None and param.description, name
        low, high = param.range
        assert low <= param.value <= high, name
    # the exercise's start: SHAPE's 7 November (value) to Gordievsky's 2 November
    start = sc.parameters["exercise_start_h"]
    assert start.value == 6 * 24 + 12 and start.range == (36.0, 156.0)
    # the danger: Miles (0) to Fischer and Jones (1)
    assert sc.parameters["scare_real"].range == (0.0, 1.0)
    assert {"R27", "R46", "R43", "R44"} <= set(sc.parameters["scare_real"].sources)
    # what rests on Gordievsky: the telegrams' day, his reporting
    assert "R30" in sc.parameters["telegram_lag_h"].sources
    assert "R30" in sc.parameters["p_gordievsky_reports"].sources


# ----------------------------------------------------------------------- the replay


def test_replay_shows_the_dated_timeline_at_its_precision(
    sc: CompiledScenario, replay: RunResult
) -> None:
    assert len(sc.timeline) >= 11
    for entry in sc.timeline:
        assert entry.expect is not None
        event = first(replay, entry.expect)
        assert abs(event.tick - entry.tick) <= entry.tolerance_ticks, (entry.text, event.time)
        assert sc.historically(entry.expect, event.tick) is None
    # the precision the sources give: days, except follow-on use (morning) and the GLCMs
    precise = {e.expect: e.clock for e in sc.timeline if e.tolerance_ticks < 12}
    assert precise == {"simulated_follow_on": "morning", "glcm_arrive": "just after dawn"}


def test_replay_in_the_documented_order(replay: RunResult) -> None:
    order = [
        "exercise_begins",
        "flash_telegrams",
        "simulated_release",
        "simulated_follow_on",
        "end_exercise",
        "glcm_arrive",
        "reagan_diary",
        "bundestag_vote",
        "pershing_arrive",
        "geneva_walkout",
        "andropov_statement",
    ]
    ticks = [first(replay, ident).tick for ident in order]
    assert ticks == sorted(ticks)
    # E16/E17: Pershing after the vote, within 24 h; the walkout after both deployments
    vote, pershing = first(replay, "bundestag_vote").tick, first(replay, "pershing_arrive").tick
    assert 0 < pershing - vote <= 24


def test_undated_facts_fall_during_the_exercise(replay: RunResult) -> None:
    begins, ends = hour(first(replay, "exercise_begins")), hour(first(replay, "end_exercise"))
    for ident in ("air_alert", "sigint_alert_report", "usafe_hold"):
        assert begins <= hour(first(replay, ident)) <= ends, ident
    counsel = first(replay, "perroots", ("counsel",))
    assert "Perroots" in counsel.text and "insufficient evidence" in counsel.text
    # the alert stands down after the exercise; USAFE never generates
    assert hour(first(replay, "air_stand_down")) > ends
    assert not any(e.id == "usafe_generate" for e in replay.events)


def test_gordievsky_warning_reaches_london_then_washington(replay: RunResult) -> None:
    sent = first(replay, "gordievsky_reports", ("message",))
    london = first(replay, "gordievsky_reports", ("delivery",))
    passed = first(replay, "uk_alerts_us", ("message",))
    washington = first(replay, "uk_alerts_us", ("delivery",))
    assert first(replay, "flash_telegrams").tick <= sent.tick < london.tick
    assert london.tick <= passed.tick < washington.tick


def test_replay_ends_without_war(replay: RunResult) -> None:
    assert replay.outcome.id == "no_war" and replay.outcome.cls == "unresolved"
    for event in replay.events:
        assert not event.text.startswith(("In this run", "Counterfactual")), event.text


# ----------------------------------------------------------------------- section E errors
# The conformance suite (tests/test_conformance.py) searches every text and run record for the
# scenario's known_errors; here each entry is shown to catch the error it names.

ERRORS = {
    "E2": "During Able Archer, Petrov saw five missiles.",
    "E11": "Reagan and Thatcher took part in the exercise.",
    "E12": "NATO troops moved to war positions.",
    "E13": "The Soviets put their whole nuclear arsenal on alert.",
    "E14": "The PFIAB report, written in 2015, found a hair trigger.",
    "E15": "The Pershing II could reach Moscow in 6 minutes.",
    "E16": "The first Pershings arrived before the Bundestag vote.",
    "E17": "The Soviets walked out because of The Day After.",
    "E18": "Andropov reached for the nuclear briefcase.",
}


@pytest.mark.parametrize(("label", "text"), sorted(ERRORS.items()))
def test_each_known_error_catches_its_error(label: str, text: str) -> None:
    errors = known_errors(read_source(SCENARIO))
    assert set(errors) == set(ERRORS)
    assert found(errors[label], text) is not None


def test_known_errors_excuse_the_scenario_s_own_corrections() -> None:
    errors = known_errors(read_source(SCENARIO))
    assert found(errors["E11"], "No national leaders take part.") is None
    assert (
        found(errors["E14"], "The report of 15 February 1990 (released in October 2015).") is None
    )


def test_exercise_text_says_command_post_and_no_leaders(sc: CompiledScenario) -> None:
    begins = sc.events["exercise_begins"].text
    assert "command-post" in begins and "no troops" in begins
    assert "No national leaders" in sc.actors["shape"].description


# ----------------------------------------------------------------------- validity


runs = Arms(SCENARIO, seed=11, n=RUNS)
paired_z = runs.paired_z


def war(r: RunSummary) -> float:
    return float(r.outcome == "nuclear_war")


def test_the_historical_outcome_is_the_modal_one() -> None:
    summaries = runs(())
    no_war = sum(r.outcome == "no_war" for r in summaries)
    assert no_war > RUNS * 0.9
    assert RUNS - no_war > 0  # the danger is not zero at the middle reading


def test_counter_alert_raises_the_risk_of_war() -> None:
    assert paired_z((), ("counter-alert",), war) > 3
    assert paired_z((), ("counter-alert",), lambda r: r.peak_escalation or 0.0) > 3


def test_no_gordievsky_raises_the_risk_under_a_counter_alert() -> None:
    assert paired_z(("counter-alert",), ("counter-alert", "no-gordievsky"), war) > 3


def test_no_gordievsky_keeps_washington_unwarned() -> None:
    base, cut = load_scenario(SCENARIO), load_scenario(SCENARIO, ["no-gordievsky"])
    warned = [
        any(e.id == "uk_alerts_us" and e.kind == "delivery" for e in play(s, 5, i).events)
        for i in range(30)
        for s in (base, cut)
    ]
    with_him, without = warned[0::2], warned[1::2]
    assert sum(with_him) >= 15 and not any(without)


@pytest.mark.parametrize(
    "interventions", [(), ("counter-alert",), ("counter-alert", "no-gordievsky")]
)
def test_both_engines_agree(interventions: tuple[str, ...]) -> None:
    assert_engines_agree(load_scenario(SCENARIO, list(interventions)), seed=2, runs=25)


# ----------------------------------------------------------------------- the command line


def test_cli_validate_run_mc_show(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["validate", SCENARIO], capsys, monkeypatch)
    assert code == 0 and "ok" in out
    code, out, _ = run_brink(["run", SCENARIO, "--format", "jsonl"], capsys, monkeypatch)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert any(line.get("id") == "geneva_walkout" for line in lines)
    code, out, _ = run_brink(
        ["mc", SCENARIO, "--runs", "50", "--workers", "1", "--json", "-i", "counter-alert"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "no_war" in out
    code, out, _ = run_brink(["show", SCENARIO], capsys, monkeypatch)
    assert code == 0 and "counter-alert" in out and "Perroots" in out
    code, _, err = run_brink(["run", SCENARIO, "-i", "no-such"], capsys, monkeypatch)
    assert code == 2 and "no-such" in err and "Traceback" not in err
