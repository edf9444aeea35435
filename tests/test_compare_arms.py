"""A comparison's arm is the scenario with the intervention applied, defaults and all: an
intervention that changes an actor's default policy (petrov-1983's no-petrov puts another
officer on duty) changes the arm, while a policy chosen explicitly holds in every arm."""

from __future__ import annotations

import json

import pytest

import brinkmanship as bk
from cli_runner import run_brink

RUNS = 200


def contained(pairs: object) -> float:
    assert isinstance(pairs, dict)
    diff = pairs["contained"]["diff"]
    assert isinstance(diff, float)
    return diff


def test_an_intervention_that_changes_a_default_policy_changes_the_arm(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_brink(
        ["compare", "petrov-1983", "-i", "no-petrov", "--runs", str(RUNS), "--json"],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    diff = contained(json.loads(out)["interventions"]["no-petrov"])
    mc = bk.load("petrov-1983", interventions="no-petrov").mc(runs=RUNS, workers=1)
    base = bk.load("petrov-1983").mc(runs=RUNS, workers=1)
    expected = (mc.outcomes["contained"].count - base.outcomes["contained"].count) / RUNS
    assert diff == pytest.approx(expected)
    assert diff < -0.5  # the historical officer contained the alarm; the other one does not


def test_a_policy_chosen_explicitly_holds_in_every_arm() -> None:
    sc = bk.load("petrov-1983", policies={"duty": "historical"})
    result = sc.compare("no-petrov", runs=RUNS, workers=1)
    arms = result.to_json()["interventions"]
    assert isinstance(arms, dict)
    rows = arms["no-petrov"]
    assert abs(contained(rows)) < 0.1  # the same officer on duty; only the texts differ
