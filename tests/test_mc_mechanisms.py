"""`brink mc`: time to resolution by the hour the outcome was decided (the end hour kept
beside it), and `--by-mechanism`, outcome classes by the mechanism that produced them, in
text and JSON; bad input is one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from brinkmanship.analysis.stats import wilson
from cli_runner import run_brink
from test_mechanisms import _doc
from test_report import parse

WAR = ("conventional_war", "tactical_nuclear_use", "general_nuclear_war")


@pytest.fixture
def waiting(tmp_path: Path) -> Path:
    """test_mechanisms' scenario: a deal decided at 1:00 that waits until 5:00."""
    path = tmp_path / "waiting.yaml"
    path.write_text(yaml.safe_dump(_doc(None), sort_keys=False))
    return path


def test_time_to_resolution_is_the_decided_hour(
    waiting: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["mc", str(waiting), "--runs", "3", "--workers", "1", "--json", "--by-mechanism"]
    code, out, err = run_brink(args, capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    settled = data["outcomes"]["settled"]
    assert settled["count"] == 3
    assert settled["hours_to_resolution"] == {"q1": 1.0, "median": 1.0, "q3": 1.0}
    assert settled["hours_to_end"] == {"q1": 5.0, "median": 5.0, "q3": 5.0}
    late = data["by_mechanism"]["settlement"]["late"]
    assert (late["label"], late["count"], late["p"], late["of_class"]) == (
        "A late telling",
        3,
        1.0,
        1.0,
    )
    assert late["ci_low"] < 1.0 == late["ci_high"]


def test_the_text_table_shows_both_hours(
    waiting: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_brink(["mc", str(waiting), "--runs", "2"], capsys, monkeypatch)
    assert code == 0, err
    assert "hours to resolution" in out and "hours to end" in out
    row = next(line for line in out.splitlines() if "settled" in line)
    assert "1/1/1" in row and "5/5/5" in row
    assert "Where the outcomes come from" not in out


def test_cuba_by_mechanism_names_every_war(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["mc", "cuba-1962", "--runs", "300", "--workers", "1", "--by-mechanism"]
    code, out, err = run_brink([*args, "--json"], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    by_class: dict[str, int] = {}
    for o in data["outcomes"].values():
        by_class[o["class"]] = by_class.get(o["class"], 0) + o["count"]
    table = data["by_mechanism"]
    for cls, mechanisms in table.items():
        assert sum(m["count"] for m in mechanisms.values()) == by_class[cls]
        assert all(m["ci_low"] <= m["p"] <= m["ci_high"] for m in mechanisms.values())
    assert any(cls in table for cls in WAR)
    assert all("other" not in table.get(cls, {}) for cls in WAR)
    code, out, err = run_brink(args, capsys, monkeypatch)
    assert code == 0, err
    assert "Where the outcomes come from" in out
    assert "B-59's consent" in out and "b59 " not in out  # labels, not ids


def test_by_mechanism_needs_a_scenario_that_names_mechanisms(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_brink(
        ["mc", "standoff", "--runs", "2", "--by-mechanism"], capsys, monkeypatch
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: --by-mechanism: scenario 'standoff' names no mechanisms")


def test_a_value_given_to_the_flag_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_brink(
        ["mc", "standoff", "--runs", "2", "--by-mechanism=yes"], capsys, monkeypatch
    )
    assert code == 2 and out == "" and "Traceback" not in err
    assert "--by-mechanism" in err


def test_the_report_shows_where_the_outcomes_come_from(
    waiting: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html = tmp_path / "report.html"
    args = ["report", str(waiting), "--runs", "4", "--no-compare", "--workers", "1"]
    code, _, err = run_brink([*args, "--html", str(html)], capsys, monkeypatch)
    assert code == 0, err
    page = parse(html)
    assert page.rows["mechanism-table"][1:] == [
        ["settlement", "A late telling", "4", "1.000", f"{wilson(4, 4)[0]:.3f}–1.000", "1.000"]
    ]
    outcome = {r[0]: r for r in page.rows["outcome-table"][1:]}["settled"]
    assert outcome[5:7] == ["1/1/1", "5/5/5"]  # resolution, end
    data = page.data()
    assert data["by_mechanism"]["settlement"]["late"]["count"] == 4
    text = html.read_text(encoding="utf-8")
    assert 'href="#mechanisms"' in text and text.count("<svg") >= 2


def test_a_scenario_without_mechanisms_has_no_such_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    html = tmp_path / "report.html"
    args = ["report", "standoff", "--runs", "2", "--no-compare", "--workers", "1"]
    code, _, err = run_brink([*args, "--html", str(html)], capsys, monkeypatch)
    assert code == 0, err
    page = parse(html)
    assert "mechanism-table" not in page.rows and page.data()["by_mechanism"] is None
