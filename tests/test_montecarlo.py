"""Monte Carlo and paired comparisons: intervals that cover, pairing that pays, results
that do not depend on how the work is split."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from brinkmanship.analysis.compare import compare
from brinkmanship.analysis.montecarlo import Job, run_many, summarize
from brinkmanship.analysis.results import query, read_metadata
from brinkmanship.analysis.stats import paired_difference, quartiles, wilson
from brinkmanship.errors import BrinkError
from brinkmanship.scenario.loader import load_scenario

COIN = str(Path(__file__).parent / "data" / "coin.yaml")


def test_wilson_interval_known_values() -> None:
    low, high = wilson(8, 10)
    assert math.isclose(low, 0.4901624, abs_tol=1e-6) and math.isclose(
        high, 0.9433178, abs_tol=1e-6
    )
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0


def test_wilson_intervals_cover_the_true_probability_at_the_nominal_rate() -> None:
    """200 independent Monte Carlo estimates of a closed-form probability: about 95% of
    their intervals contain it (binomial 95% band for 200 trials: 184..197)."""
    p = 0.1
    truth = 1 - (1 - p) ** 4
    sc = load_scenario(COIN)
    covered = 0
    for seed in range(200):
        results = run_many(Job(COIN, seed), 60, workers=1)
        stats = summarize(sc, results).outcomes["heads"]
        covered += stats.ci_low <= truth <= stats.ci_high
    assert 182 <= covered <= 198, covered


def test_results_do_not_depend_on_workers_or_chunks() -> None:
    job = Job("standoff", 5)
    one = run_many(job, 120, workers=1, chunk=7)
    two = run_many(job, 120, workers=2, chunk=50)
    assert one == two
    assert [r.run for r in one] == list(range(120))


def test_paired_intervals_are_tighter_than_unpaired() -> None:
    sc = load_scenario("standoff")
    baseline = run_many(Job("standoff", 2), 400, workers=1)
    treated = run_many(Job("standoff", 2, ("two-officers",)), 400, workers=1)
    diffs = {d.outcome: d for d in compare(sc, baseline, treated)}
    war = diffs["skirmish"]
    paired_half = (war.ci_high - war.ci_low) / 2
    assert war.diff > 0
    assert paired_half < 0.6 * war.unpaired_half_width


def test_paired_difference_and_quartiles() -> None:
    mean, low, high = paired_difference([True, True, False, True], [False, True, False, False])
    assert mean == 0.5 and low < 0.5 < high
    assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 3.0, 4.0)


def test_mc_json_contract() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "brinkmanship.cli", "mc", COIN, "--runs", "50", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    data = json.loads(out)
    assert set(data) >= {
        "scenario",
        "runs",
        "seed",
        "engine",
        "policies",
        "interventions",
        "outcomes",
        "elapsed_s",
    }
    assert data["runs"] == 50
    heads = data["outcomes"]["heads"]
    assert set(heads) >= {"class", "count", "p", "ci_low", "ci_high"}
    assert heads["count"] + data["outcomes"]["tails"]["count"] == 50


def test_mc_bad_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "brinkmanship.cli", "mc", COIN, "--runs", "0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2 and "--runs must be at least 1" in result.stderr


def test_results_to_parquet_and_sql(tmp_path: Path) -> None:
    out = tmp_path / "runs.parquet"
    cli = [sys.executable, "-m", "brinkmanship.cli"]
    summary = json.loads(
        subprocess.run(
            [*cli, "mc", "standoff", "--runs", "80", "--seed", "3", "--json", "--out", str(out)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
    )
    meta = read_metadata(out)
    assert meta["scenario"] == "standoff" and meta["seed"] == 3
    columns, rows = query(out, "select outcome, count(*) from runs group by outcome")
    assert columns == ["outcome", "count_star()"]
    counts = dict(rows)
    for outcome, stats in summary["outcomes"].items():
        assert counts.get(outcome, 0) == stats["count"]
    again = subprocess.run(
        [*cli, "mc", "standoff", "--runs", "5", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    assert read_metadata(out)["seed"] == 3  # the earlier results are untouched
    with pytest.raises(BrinkError, match="query failed"):
        query(out, "select nope from runs")
