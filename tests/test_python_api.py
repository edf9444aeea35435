"""The Python API (docs/python.md) says what the command line says for the same inputs, its
three table forms agree, the same seed gives the same result, and bad input raises one
typed error with the command line's message."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import brinkmanship as bk
from brinkmanship.analysis.sweep import read_runs
from brinkmanship.api.frames import Frame
from brinkmanship.errors import BrinkError, UnknownNameError
from cli_runner import run_brink

SCENARIO = "standoff"
RUNS = 120


@pytest.fixture(scope="module")
def standoff() -> bk.Scenario:
    return bk.load(SCENARIO)


def cli_json(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    code, out, err = run_brink([*args, "--json"], capsys, monkeypatch)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def without(report: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in keys}


def test_import_is_cheap_and_the_api_comes_on_first_use() -> None:
    probe = (
        "import sys, brinkmanship as bk\n"
        "before = sorted(m for m in sys.modules if m.startswith(('brinkmanship.api', "
        "'pyarrow', 'numba', 'pandas', 'polars')))\n"
        "bk.load\n"
        "print(before, 'brinkmanship.api.scenario' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["[]", "True"]
    missing = "nonesuch"
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        getattr(bk, missing)


def test_run_is_the_trajectory_brink_run_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = bk.load(SCENARIO, interventions=["hotline"], policies={"west": "hawk"})
    trajectory = sc.run(seed=5, run=3)
    args = ["run", SCENARIO, "-i", "hotline", "-p", "west=hawk", "--seed", "5", "--run", "3"]
    code, jsonl, err = run_brink([*args, "-f", "jsonl"], capsys, monkeypatch)
    assert code == 0, err
    assert trajectory.jsonl() == jsonl.splitlines()
    code, text, err = run_brink(args, capsys, monkeypatch)
    assert code == 0, err
    assert trajectory.text() + "\n" == text
    assert json.loads(jsonl.splitlines()[-1])["id"] == trajectory.outcome.id
    frame = trajectory.to_pandas()
    assert len(frame) == len(trajectory.events) > 0
    assert list(frame["kind"]) == [e.kind for e in trajectory.events]
    assert trajectory.outcome.id in repr(trajectory) and "seed 5, run 3" in repr(trajectory)


def test_mc_counts_are_those_of_brink_mc(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = bk.load(SCENARIO, interventions="calm-seas", policies=["east=dove"])
    result = sc.mc(runs=RUNS, seed=11, workers=1)
    cli = cli_json(
        ["mc", SCENARIO, "-i", "calm-seas", "-p", "east=dove", "--runs", str(RUNS), "--seed", "11"],
        capsys,
        monkeypatch,
    )
    assert cli["runs"] == result.runs == RUNS
    assert without(result.to_json(), "elapsed_s") == without(cli, "elapsed_s")
    rows = {row["outcome"]: row for row in result.to_arrow().to_pylist()}
    assert list(rows) == list(cli["outcomes"])
    for outcome, shown in cli["outcomes"].items():
        for key in ("count", "p", "ci_low", "ci_high", "class"):
            assert rows[outcome][key] == shown[key], (outcome, key)
        for column, key in (("resolution", "hours_to_resolution"), ("end", "hours_to_end")):
            hours = shown[key]
            assert rows[outcome][f"{column}_median"] == (hours and hours["median"])
    assert sum(rows[o]["count"] for o in rows) == RUNS


def test_mc_writes_the_runs_brink_mc_out_writes(tmp_path: Path, standoff: bk.Scenario) -> None:
    result = standoff.mc(runs=40, seed=2, workers=1, out=tmp_path / "runs.parquet")
    table = pq.read_table(tmp_path / "runs.parquet")
    assert table.num_rows == 40
    counts = table.group_by("outcome").aggregate([("run", "count")]).to_pylist()
    assert {r["outcome"]: r["run_count"] for r in counts} == {
        o.id: o.count for o in result.outcomes.values() if o.count
    }
    with pytest.raises(BrinkError, match="already exists"):
        standoff.mc(runs=40, seed=2, workers=1, out=tmp_path / "runs.parquet")


def test_compare_is_brink_compare(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, standoff: bk.Scenario
) -> None:
    result = standoff.compare("hotline", "hair-trigger", runs=RUNS, seed=4, workers=1)
    cli = cli_json(
        [
            "compare",
            SCENARIO,
            "-i",
            "hotline",
            "-i",
            "hair-trigger",
            "--runs",
            str(RUNS),
            "--seed=4",
        ],
        capsys,
        monkeypatch,
    )
    assert without(result.to_json(), "version") == without(cli, "version")
    table = result.to_arrow()
    assert table.num_rows == 2 * len(standoff.compiled.outcomes)
    assert set(table["intervention"].to_pylist()) == {"hotline", "hair-trigger"}
    some = table.to_pylist()[0]
    shown = cli["interventions"][some["intervention"]][some["outcome"]]
    assert some["diff"] == shown["diff"] and some["ci_low"] == shown["ci_low"]


def test_sweep_is_brink_sweep(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    standoff: bk.Scenario,
) -> None:
    result = standoff.sweep({"incident_rate": (0.0, 0.04, 3)}, runs=60, seed=6, workers=1)
    code, _, err = run_brink(
        [
            "sweep",
            SCENARIO,
            "--param=incident_rate=0:0.04:3",
            "--runs=60",
            "--seed=6",
            "--workers=1",
            "--out",
            str(tmp_path / "cli"),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert result.runs.equals(read_runs(tmp_path / "cli"))
    manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text(encoding="utf-8"))
    assert result.spec.to_json() == manifest
    assert result.points == [{"incident_rate": v} for v in (0.0, 0.02, 0.04)]
    table = result.to_arrow()
    assert table.num_rows == 3 * len(standoff.compiled.outcomes)
    for point in range(3):
        counts = [r["count"] for r in table.to_pylist() if r["point"] == point]
        assert sum(counts) == 60
    kept = standoff.sweep(["incident_rate=0:0.04:3"], runs=60, seed=6, out=tmp_path / "api")
    assert kept.runs.equals(result.runs)
    assert (tmp_path / "api" / "manifest.json").exists()


def test_sweep_holds_the_loaded_parameters_at_every_point() -> None:
    sc = bk.load(SCENARIO, params={"letter_misread": 0.25})
    result = sc.sweep({"incident_rate": (0.0, 0.04, 2)}, runs=20, workers=1)
    assert result.points == [
        {"incident_rate": 0.0, "letter_misread": 0.25},
        {"incident_rate": 0.04, "letter_misread": 0.25},
    ]
    assert set(result.runs["letter_misread"].to_pylist()) == {0.25}


def test_eval_is_brink_eval(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = bk.load(SCENARIO, policies={"west": "firm"})
    result = sc.eval(runs=30, seed=8, workers=1)
    cli = cli_json(
        ["eval", SCENARIO, "-p", "west=firm", "--runs", "30", "--seed", "8"], capsys, monkeypatch
    )
    assert without(result.to_json(), "elapsed_s", "version") == without(cli, "elapsed_s", "version")
    rows = {r["actor"]: r for r in result.to_arrow().to_pylist()}
    assert rows["west"]["policy"] == "firm"
    assert rows["west"]["decisions"] == cli["actors"]["west"]["decisions"]


def same_cell(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if a is None and isinstance(b, float) and math.isnan(b):  # pandas shows a null as NaN
        return True
    return a == b


def results(sc: bk.Scenario) -> list[Frame]:
    return [
        sc.run(seed=1),
        sc.mc(runs=30, workers=1),
        sc.compare("hotline", runs=30, workers=1),
        sc.sweep({"incident_rate": (0.0, 0.04, 2)}, runs=20, workers=1),
        sc.eval(runs=10, workers=1),
    ]


def test_arrow_pandas_and_polars_hold_the_same_table(standoff: bk.Scenario) -> None:
    for result in results(standoff):
        arrow = result.to_arrow()
        pandas = result.to_pandas()
        polars = result.to_polars()
        assert arrow.num_rows > 0
        assert list(pandas.columns) == polars.columns == arrow.column_names
        assert polars.to_dicts() == arrow.to_pylist()
        for row, record in zip(arrow.to_pylist(), pandas.to_dict("records"), strict=True):
            for key, value in row.items():
                shown = record[key]
                shown = list(shown) if key == "sources" else shown
                assert same_cell(value, shown), (type(result).__name__, key, value, shown)
        text = repr(result)
        assert text.splitlines()[0] == result.title()
        assert arrow.column_names[0] in text.splitlines()[1]
        assert "<table>" in result._repr_html_()


def test_the_same_seed_gives_the_same_result(standoff: bk.Scenario) -> None:
    again = bk.load(SCENARIO)
    assert standoff.run(seed=3, run=9).result == again.run(seed=3, run=9).result
    first = standoff.mc(runs=80, seed=21, workers=1)
    assert first.tally == again.mc(runs=80, seed=21, workers=2).tally
    assert first.tally != standoff.mc(runs=80, seed=22, workers=1).tally
    a = standoff.compare("hotline", runs=50, seed=3, workers=1)
    b = again.compare("hotline", runs=50, seed=3, workers=1)
    assert a.to_arrow().equals(b.to_arrow())


@pytest.mark.parametrize(
    ("call", "args", "error"),
    [
        (lambda: bk.load("nonesuch"), ["mc", "nonesuch"], UnknownNameError),
        (
            lambda: bk.load(SCENARIO, interventions=["nonesuch"]),
            ["mc", SCENARIO, "-i", "nonesuch"],
            UnknownNameError,
        ),
        (
            lambda: bk.load(SCENARIO, policies={"nobody": "hawk"}),
            ["mc", SCENARIO, "-p", "nobody=hawk"],
            UnknownNameError,
        ),
        (
            lambda: bk.load(SCENARIO, policies={"west": "nonesuch"}),
            ["mc", SCENARIO, "-p", "west=nonesuch"],
            UnknownNameError,
        ),
        (
            lambda: bk.load(SCENARIO, engine="fastest"),
            ["mc", SCENARIO, "--engine", "fastest"],
            UnknownNameError,
        ),
        (
            lambda: bk.load(SCENARIO).mc(runs=0),
            ["mc", SCENARIO, "--runs", "0"],
            BrinkError,
        ),
        (
            lambda: bk.load(SCENARIO).run(seed=-1),
            ["run", SCENARIO, "--seed", "-1"],
            BrinkError,
        ),
        (
            lambda: bk.load(SCENARIO).compare("nonesuch", runs=10),
            ["compare", SCENARIO, "-i", "nonesuch", "--runs", "10"],
            UnknownNameError,
        ),
        (
            lambda: bk.load(SCENARIO).sweep({"nonesuch": (0, 1, 2)}, runs=10),
            ["sweep", SCENARIO, "--param", "nonesuch=0:1:2", "--runs", "10", "--out", "unused"],
            UnknownNameError,
        ),
        (
            lambda: bk.load(SCENARIO).sweep({"incident_rate": (0, 1, 2)}, runs=10),
            ["sweep", SCENARIO, "--param", "incident_rate=0:1:2", "--runs", "10", "--out", "x"],
            BrinkError,
        ),
    ],
    ids=[
        "scenario",
        "intervention",
        "actor",
        "policy",
        "engine",
        "runs",
        "seed",
        "compared intervention",
        "swept parameter",
        "swept range",
    ],
)
def test_bad_input_raises_the_cli_message(
    call: Any,
    args: list[str],
    error: type[BrinkError],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(error) as raised:
        call()
    code, out, err = run_brink(args, capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err == f"error: {raised.value}\n"
    assert "\n" not in str(raised.value)


def test_a_parameter_out_of_its_range_is_refused() -> None:
    with pytest.raises(BrinkError, match=r"'incident_rate': value 0.5 lies outside its range"):
        bk.load(SCENARIO, params={"incident_rate": 0.5})
    with pytest.raises(UnknownNameError, match="valid parameters: build_rate"):
        bk.load(SCENARIO, params={"nonesuch": 0.5})
    with pytest.raises(BrinkError, match="at least one intervention"):
        bk.load(SCENARIO).compare(runs=10)


def test_a_scenario_file_loads_by_path() -> None:
    path = Path(__file__).parent / "data" / "coin.yaml"
    by_path = bk.load(path)
    assert by_path.job.scenario == str(path)
    assert by_path.mc(runs=50, workers=1).tally == bk.load(str(path)).mc(runs=50, workers=1).tally


def test_a_scenario_says_what_it_runs(standoff: bk.Scenario) -> None:
    text = repr(bk.load(SCENARIO, interventions=["hotline"], params={"incident_rate": 0.01}))
    assert "'standoff'" in text and "hotline" in text and "incident_rate=0.01" in text
    assert standoff.policies.keys() == standoff.compiled.actors.keys()
    assert standoff.parameters["incident_rate"].range == (0.0, 0.05)
    assert isinstance(standoff.mc(runs=5, workers=1).to_arrow(), pa.Table)


def test_mc_by_mechanism_is_brink_mc_by_mechanism(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = bk.load("cuba-1962").mc(runs=60, seed=1, workers=1)
    cli = cli_json(
        ["mc", "cuba-1962", "--runs=60", "--seed=1", "--by-mechanism"], capsys, monkeypatch
    )
    assert cli["by_mechanism"]
    assert without(result.to_json(by_mechanism=True), "elapsed_s") == without(cli, "elapsed_s")
    table = result.mechanisms().to_pylist()
    assert {(r["class"], r["mechanism"]): r["count"] for r in table} == {
        (cls, name): m["count"] for cls, ms in cli["by_mechanism"].items() for name, m in ms.items()
    }
    assert sum(r["count"] for r in table) == 60
