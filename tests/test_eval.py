"""Escalation metrics (`brink eval`) with built-in policies on standoff and cuba-1962."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from brinkmanship.analysis.escalation import (
    NUCLEAR_CLASSES,
    EvalSummary,
    RunMetrics,
    evaluate,
    reference_policy,
    summarize_eval,
)
from brinkmanship.analysis.montecarlo import Job, run_many, summarize
from brinkmanship.errors import ScenarioError
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from cli_runner import run_brink

COIN = Path(__file__).parent / "data" / "coin.yaml"


def job_for(scenario: str, overrides: dict[str, str], seed: int = 0) -> Job:
    sc = load_scenario(scenario)
    specs = policy_set(sc, overrides).specs
    return Job(scenario, seed, (), tuple(sorted(specs.items())))


def summary(scenario: str, runs: int, **overrides: str) -> tuple[list[RunMetrics], EvalSummary]:
    job = job_for(scenario, overrides)
    results = evaluate(job, runs, workers=1)
    return results, summarize_eval(load_scenario(scenario), dict(job.policies), results)


def actor(s: EvalSummary, name: str) -> tuple[float, float, float]:
    a = next(a for a in s.actors if a.actor == name)
    assert a.de_escalation is not None and a.escalation is not None
    assert a.divergence is not None
    return a.de_escalation, a.escalation, a.divergence


@pytest.mark.parametrize(
    ("scenario", "overrides", "runs"),
    [("standoff", {"west": "hawk"}, 40), ("cuba-1962", {"us": "hawk", "su": "dove"}, 12)],
)
def test_evaluation_plays_the_runs_of_brink_mc(
    scenario: str, overrides: dict[str, str], runs: int
) -> None:
    """Shadowing every policy and reading the alert level change nothing: run for run,
    the same outcome, end tick and peak escalation as ``brink mc`` (its reference engine)."""
    sc = load_scenario(scenario)
    job = job_for(scenario, overrides, seed=11)
    results = evaluate(job, runs, workers=1)
    plain = run_many(job, runs, workers=1)
    assert [(r.run, r.outcome, r.tick, r.peak_escalation) for r in results] == [
        (r.run, r.outcome, r.tick, r.peak_escalation) for r in plain
    ]
    s = summarize_eval(sc, dict(job.policies), results)
    assert {o.id: o.count for o in s.outcomes.outcomes.values()} == {
        o.id: o.count for o in summarize(sc, plain).outcomes.values()
    }
    assert sum(o.count for o in s.outcomes.outcomes.values()) == runs


def _coin(tmp_path: Path, metrics: dict[str, str]) -> tuple[CompiledScenario, Job]:
    """The coin scenario (tests/data) with these metrics, as a file ``brink eval`` reads."""
    doc: dict[str, Any] = yaml.safe_load(COIN.read_text())
    doc["metrics"] = metrics
    path = tmp_path / "coin-metrics.yaml"
    path.write_text(yaml.safe_dump(doc))
    return load_scenario(str(path)), Job(str(path), 0, (), (("nobody", "passive"),))


def test_peaks_count_the_state_a_run_ends_in(tmp_path: Path) -> None:
    """In the coin scenario the hazard event that sets ``fired`` also ends the run at the
    start of that tick: the alert level and the escalation index read then must count."""
    sc, job = _coin(tmp_path, {"alert": "3 if fired else 1", "escalation": "3 if fired else 1"})
    results = evaluate(job, 40, workers=1)
    heads = [r for r in results if r.outcome == "heads"]
    assert heads and len(heads) < len(results)
    for r in results:
        assert r.peak_alert == r.peak_escalation == (3.0 if r.outcome == "heads" else 1.0)
    s = summarize_eval(sc, dict(job.policies), results)
    mean = (3 * len(heads) + len(results) - len(heads)) / 40
    assert s.peak_alert_mean == pytest.approx(mean)
    assert s.peak_escalation_mean == pytest.approx(mean)


def test_peaks_are_the_highest_value_reached(tmp_path: Path) -> None:
    """``hours`` only grows: its peak is the hour the run ends at."""
    sc, job = _coin(tmp_path, {"alert": "hours", "escalation": "hours"})
    results = evaluate(job, 10, workers=1)
    assert len({r.tick for r in results}) > 1
    assert all(r.peak_alert == r.peak_escalation == r.tick * sc.tick_hours for r in results)


def test_without_an_alert_level_none_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sc, job = _coin(tmp_path, {"escalation": "1"})
    assert sc.alert is None
    results = evaluate(job, 5, workers=1)
    assert all(r.peak_alert is None for r in results)
    s = summarize_eval(sc, dict(job.policies), results)
    assert s.peak_alert is None and s.peak_alert_mean is None
    args = ["eval", job.scenario, "--runs", "3", "--workers", "1"]
    code, out, _ = run_brink([*args, "--json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["peak_alert"] is None
    code, out, _ = run_brink(args, capsys, monkeypatch)
    assert code == 0 and "the scenario defines no alert level" in out


def test_an_alert_level_reading_an_unknown_name_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"metrics\.alert"):
        _coin(tmp_path, {"alert": "defcon + 1"})


def test_cuba_alert_level_follows_the_defcon_history() -> None:
    """Historically SAC went to DEFCON 2 on 24 October: the historical runs that get that
    far peak at 3 steps above DEFCON 5; none goes beyond."""
    results, s = summary("cuba-1962", 6)
    assert [r.peak_alert for r in results] == [3.0] * 6
    assert s.peak_alert == (3.0, 3.0, 3.0)


def test_hawk_escalates_more_than_dove_on_standoff() -> None:
    _, hawk = summary("standoff", 40, west="hawk")
    _, dove = summary("standoff", 40, west="dove")
    assert hawk.peak_escalation_mean is not None and dove.peak_escalation_mean is not None
    assert hawk.peak_escalation_mean > dove.peak_escalation_mean
    hawk_de, hawk_esc, _ = actor(hawk, "west")
    dove_de, dove_esc, _ = actor(dove, "west")
    assert dove_de > hawk_de and hawk_esc > dove_esc
    assert dove_esc == 0.0  # a dove with ceiling 0 never takes an escalating action


def test_passive_never_escalates_nor_concedes_and_diverges_from_the_reference() -> None:
    results, s = summary("standoff", 10, west="passive")
    de, esc, divergence = actor(s, "west")
    assert de == 0.0 and esc == 0.0
    assert 0.0 < divergence <= 1.0
    tallies = [t for r in results for t in r.actors if t.actor == "west"]
    assert sum(t.decisions for t in tallies) > 10


def test_the_historical_policy_never_diverges_from_itself_on_cuba() -> None:
    sc = load_scenario("cuba-1962")
    _, s = summary("cuba-1962", 4)
    deciding = [a for a in s.actors if a.decisions]
    assert len(deciding) >= 5
    for a in deciding:
        assert a.reference == reference_policy(sc, a.actor) == "historical"
        assert a.divergence == 0.0, a


def test_a_hawkish_president_diverges_and_reaches_nuclear_use_on_cuba() -> None:
    sc = load_scenario("cuba-1962")
    results, s = summary("cuba-1962", 12, us="hawk")
    _, _, divergence = actor(s, "us")
    assert divergence > 0.1
    assert actor(s, "su")[2] == 0.0  # the others still follow their historical policy
    nuclear_outcomes = sum(
        o.count for o in s.outcomes.outcomes.values() if o.cls in NUCLEAR_CLASSES
    )
    assert s.nuclear.count == nuclear_outcomes > 0
    assert s.nuclear.ci_low <= s.nuclear.p <= s.nuclear.ci_high
    for r in results:
        if r.cls in NUCLEAR_CLASSES:
            assert r.nuclear_hours == r.tick * sc.tick_hours
        else:
            assert r.nuclear_hours is None
    assert s.nuclear_hours is not None
    assert 0 < s.nuclear_hours[0] <= s.nuclear_hours[1] <= s.nuclear_hours[2]
    _, historical = summary("cuba-1962", 12)
    assert s.peak_escalation_mean is not None and historical.peak_escalation_mean is not None
    assert s.peak_escalation_mean > historical.peak_escalation_mean


def test_results_do_not_depend_on_processes() -> None:
    job = job_for("standoff", {"west": "random"}, seed=3)
    assert evaluate(job, 24, workers=1) == evaluate(job, 24, workers=2, chunk=5)


def test_cli_json_and_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["eval", "standoff", "--runs", "12", "--seed", "4", "-p", "west=dove", "--workers", "1"]
    code, out, _ = run_brink([*args, "--json"], capsys, monkeypatch)
    assert code == 0
    report = json.loads(out)
    assert report["runs"] == 12 and report["policies"]["west"] == "dove"
    assert sum(o["count"] for o in report["outcomes"].values()) == 12
    assert set(report["nuclear_use"]) == {"count", "p", "ci_low", "ci_high", "hours_to_first_use"}
    for share in report["outcomes"].values():
        assert share["ci_low"] <= share["p"] <= share["ci_high"]
    assert set(report["peak_alert"]) == set(report["peak_escalation"])
    assert set(report["peak_alert"]) == {"mean", "q1", "median", "q3"}
    assert (
        report["peak_alert"]["q1"] <= report["peak_alert"]["median"] <= report["peak_alert"]["q3"]
    )
    west = report["actors"]["west"]
    assert west["reference"] == "firm" and west["escalation_rate"] == 0.0
    assert report["llm"] == {}
    code, out, _ = run_brink(args, capsys, monkeypatch)
    assert code == 0
    for title in ("Outcomes", "Escalation", "Decisions", "nuclear use", "firm:"):
        assert title in out
    assert "peak alert level" in out and "peak escalation index" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs must be at least 1"),
        (["-p", "west=nope"], "unknown policy 'nope'"),
        (["-p", "nobody=hawk"], "unknown actor 'nobody'"),
        (["--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_cli_bad_input(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_brink(["eval", "standoff", *args], capsys, monkeypatch)
    assert code == 2 and message in err and err.count("\n") == 1 and not out
