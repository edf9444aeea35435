"""The `brink` command line, through the real entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import run_brink


def brink(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "brinkmanship.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_run_jsonl_is_byte_identical_and_valid() -> None:
    first = brink("run", "standoff", "--seed", "42", "--format", "jsonl")
    second = brink("run", "standoff", "--seed", "42", "--format", "jsonl")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    lines = first.stdout.splitlines()
    objects = [json.loads(line) for line in lines]
    assert all({"time", "actor", "kind", "id", "text", "sources"} <= set(o) for o in objects)
    assert objects[-1]["kind"] == "outcome" and "class" in objects[-1]
    other = brink("run", "standoff", "--seed", "43", "--format", "jsonl")
    assert other.stdout != first.stdout


def test_run_text_is_a_dated_narrative(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["run", "standoff", "--seed", "0"], capsys, monkeypatch)
    assert code == 0
    assert "seed 0" in out and "policies: west=firm" in out
    assert "── Sunday 01 June 2031 ──" in out
    assert re.search(r"Outcome at \d{1,2}(:\d\d)? [ap]\.m\., \d{1,2} June 2031:", out)


def test_scenarios_lists_builtins(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["scenarios"], capsys, monkeypatch)
    assert code == 0 and "standoff" in out


def test_show_lists_every_section(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["show", "standoff"], capsys, monkeypatch)
    assert code == 0
    for title in (
        "Actors",
        "Actions",
        "Events",
        "Channels",
        "Outcomes",
        "Interventions",
        "Sources",
    ):
        assert title in out
    assert "two-officers" in out and "consent k=3" in out


def test_show_with_intervention(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["show", "standoff", "-i", "two-officers"], capsys, monkeypatch)
    assert code == 0 and "consent k=2" in out and "interventions applied: two-officers" in out


def test_validate_builtin_and_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(__file__).resolve().parents[1] / "src/brinkmanship/scenarios/standoff.yaml"
    code, out, _ = run_brink(["validate", "standoff", str(path)], capsys, monkeypatch)
    assert code == 0 and out.count(": ok") == 2


def test_scenario_from_any_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Path(__file__).resolve().parents[1] / "src/brinkmanship/scenarios/standoff.yaml"
    copy = tmp_path / "my-crisis.yaml"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run_brink(["run", str(copy), "--format", "jsonl"], capsys, monkeypatch)
    assert code == 0 and json.loads(out.splitlines()[-1])["kind"] == "outcome"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "standoff", "--seed", "-1"], "--seed must be in [0, 2**63)"),
        (["run", "standoff", "--policy", "west"], "must look like ACTOR=POLICY"),
        (["run", "standoff", "--policy", "west=firm:x=1"], "takes no parameters"),
        (["run", "standoff", "--policy", "west=random:x=1"], "has no parameter 'x'"),
        (
            ["run", "standoff", "--policy", "nobody=random"],
            "valid actors: council, east, patrol, west",
        ),
        (
            ["run", "standoff", "--policy", "west=nope"],
            "valid policies: cautious, dove, firm, hawk, llm, organizational, passive, political",
        ),
        (
            ["run", "standoff", "-i", "nope"],
            "valid interventions: calm-seas, hair-trigger, hotline",
        ),
        (["run", "atlantis"], "valid scenarios: "),
        (["run", "standoff", "-i", "calm-seas", "-i", "hair-trigger"], "contradict each other"),
    ],
)
def test_bad_command_lines(
    args: list[str],
    fragment: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_brink(args, capsys, monkeypatch)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1


DUPLICATE_POLICY_COMMANDS = {
    "run": [],
    "mc": ["--runs", "5"],
    "compare": ["-i", "hotline", "--runs", "5"],
    "eval": ["--runs", "5"],
    "sweep": ["--param", "incident_rate=0.001:0.01:2", "--runs", "5", "--out", "{tmp}/sweep"],
    "report": ["--runs", "5", "--html", "{tmp}/report.html"],
}


@pytest.mark.parametrize("command", list(DUPLICATE_POLICY_COMMANDS))
def test_an_actor_given_two_policies_is_refused(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``-p west=hawk -p west=dove`` kept only the last; now every command that takes -p
    says so in one line, exits 2 and writes nothing."""
    more = [a.format(tmp=tmp_path) for a in DUPLICATE_POLICY_COMMANDS[command]]
    args = [command, "standoff", "-p", "west=hawk", "-p", "east=dove", "-p", "west=dove", *more]
    code, out, err = run_brink(args, capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err == "error: policy for 'west' given twice: hawk, dove; give one -p per actor\n"
    assert list(tmp_path.iterdir()) == []


def test_an_actor_given_three_policies_names_them_all(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["run", "standoff", "-p", "east=hawk", "-p", "east=hawk", "-p", "east=random"]
    code, _, err = run_brink(args, capsys, monkeypatch)
    assert code == 2
    assert "policy for 'east' given 3 times: hawk, hawk, random;" in err


def test_real_entry_point_prints_no_traceback() -> None:
    result = brink("run", "standoff", "-i", "nope")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown intervention 'nope'")
    assert "Traceback" not in result.stderr
