"""The built-in scenario ``petrov-1983``: the historical replay against the fact sheet's
dated timeline, the structure the sources give (no launch authority at the post, one
launch first, the chain of command), the interventions' documented directions (paired runs
with common random numbers, |z| > 3), both engines, and the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from brinkmanship.analysis.tally import RunSummary
from brinkmanship.conformance.known_errors import found, known_errors
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.scenario.compiled import CompiledScenario, Effects
from brinkmanship.scenario.loader import load_scenario, read_source, validate_source
from brinkmanship.testing import assert_engines_agree
from cli_runner import run_brink
from paired import Arms
from replays import first, play, seen

SCENARIO = "petrov-1983"
INTERVENTIONS = ("no-petrov", "launch-on-warning", "during-able-archer")
HISTORICAL = "contained"
RUNS = 6_000
"""Paired runs per arm of the direction tests (batch engine; about 6 s an arm)."""


@pytest.fixture(scope="module")
def petrov() -> CompiledScenario:
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def replay(petrov: CompiledScenario) -> RunResult:
    """The default run: historical policies, seed 0, run 0."""
    return play(petrov)


# ----------------------------------------------------------------------- the file


def assigns(effects: Effects) -> set[str]:
    return {a.var for a in effects}


def test_validates_base_and_every_intervention(petrov: CompiledScenario) -> None:
    sc = validate_source(read_source(SCENARIO))
    assert sc.id == SCENARIO and set(INTERVENTIONS) <= set(sc.interventions)
    assert isinstance(petrov.zone, ZoneInfo) and petrov.zone.key == "Europe/Moscow"
    assert petrov.tick == timedelta(minutes=1)


def test_moscow_summer_time_in_september_standard_time_in_november() -> None:
    """The alarm shortly after midnight Moscow time is about 20:15 UTC (fact sheet, R87)."""
    sep = play(load_scenario(SCENARIO))
    nov = play(load_scenario(SCENARIO, ["during-able-archer"]))
    assert first(sep, "oko_start").time.endswith("+04:00")
    assert first(nov, "oko_start").time.startswith("1983-11-09T00:")
    assert first(nov, "oko_start").time.endswith("+03:00")


def test_the_duty_officer_has_no_launch_authority(petrov: CompiledScenario) -> None:
    """Section E1: he assessed and reported; only the leadership could order a strike."""
    launching = [a.id for a in petrov.actions.values() if "launch_ordered" in assigns(a.effects)]
    assert launching == ["su_order_retaliation"]
    assert petrov.actions["su_order_retaliation"].actor == "su"
    for sub in ("duty", "command", "general_staff"):
        assert petrov.actors[sub].holder == "su"
    rule = petrov.actors["su"].rule
    assert rule is not None and rule.kind == "consent"
    assert {m.id for m in petrov.actors["su"].members} == {"ustinov", "ogarkov", "andropov"}


def test_the_warning_comes_from_the_satellites_and_the_radars_confirm_nothing(
    petrov: CompiledScenario,
) -> None:
    """Section E7: the Oko satellites gave the warning; the radars had confirmed nothing."""
    assert "satellite" in petrov.events["oko_start"].text
    assert "report nothing" in petrov.events["radar_nothing"].text
    effects = [a.effects for a in petrov.actions.values()]
    effects += [e.effects for e in petrov.events.values()]
    assert not [e for e in effects if "radar_confirmed" in assigns(e)]


# Section E of the fact sheet: each error as people write it, caught by the scenario's
# known_errors (checked over every text and run by the conformance suite).
ERRORS_AS_WRITTEN = {
    "E1": "Petrov refused to launch the missiles.",
    "E2": "The Petrov alarm happened during Able Archer.",
    "E3": "Five missiles appeared at once on the screen.",
    "E4": "On 27 September 1983 the system reported a launch.",
    "E5": "Stanislav Petrov saved the world in 1962.",
    "E6": "Petrov, a KGB officer at Serpukhov-5, saw the warning.",
    "E7": "The radar screens showed five missiles.",
    "E8": "An ICBM from the United States takes 12 minutes.",
    "E9": "Soviet protocol demanded immediate retaliation.",
    "E10": "Petrov was decorated for his actions.",
    "E11": "Reagan and Thatcher took part in the exercise.",
    "E12": "Able Archer 83 sent troops to the border.",
    "E13": "The Soviets put their whole nuclear arsenal on alert.",
    "E14": "The PFIAB report was written in 2015.",
    "E15": "The Pershing II could reach Moscow in 6 minutes.",
    "E16": "The first Pershing IIs arrived before the Bundestag vote.",
    "E17": "The Soviets walked out after The Day After.",
    "E18": "Andropov reached for the nuclear briefcase.",
    "E19": "KAL 007 was shot down on 31 August near Sakhalin.",
    "E20": "The incident became public in 1988.",
}


def test_every_section_e_error_is_kept_as_data_and_catches_its_wording() -> None:
    errors = known_errors(read_source(SCENARIO))
    assert set(errors) == set(ERRORS_AS_WRITTEN)
    for ident, text in ERRORS_AS_WRITTEN.items():
        assert found(errors[ident], text) is not None, ident
    for fine in (
        "He has no launch authority.",
        "The same false alarm on the night of 8-9 November 1983, during Able Archer 83.",
        "Under the Pershing II the KGB instruction gave 4-6 minutes.",
        "The night of 25-26 September 1983.",
    ):
        assert not [i for i, e in errors.items() if found(e, fine)], fine


# ----------------------------------------------------------------------- the replay


def test_replay_matches_the_dated_timeline(petrov: CompiledScenario, replay: RunResult) -> None:
    """Each documented fact happens within its tolerance: the shift from about 20:00, the
    siren shortly after midnight (00:15), the first report within about two minutes, the
    further launches in the following minutes, the radars' silence about eight minutes on,
    'nothing had happened' about 23 minutes on (the (P) details as Petrov gave them)."""
    assert [e.expect for e in petrov.timeline] == [
        "shift_begins",
        "oko_start",
        "duty_report_false",
        "oko_attack",
        "radar_nothing",
        "nothing_happened",
    ]
    for entry in petrov.timeline:
        assert entry.expect is not None
        event = first(replay, entry.expect)
        assert abs(event.tick - entry.tick) <= entry.tolerance_ticks, (entry.text, event.time)
    ticks = [first(replay, e.expect or "").tick for e in petrov.timeline]
    assert ticks == sorted(ticks)
    assert first(replay, "oko_start").time == "1983-09-26T00:15+04:00"
    assert replay.outcome.id == HISTORICAL


def test_most_runs_keep_the_timeline(petrov: CompiledScenario) -> None:
    """The documented times are not a lucky draw: 95% of 100 runs keep every entry."""
    kept = 0
    for run in range(100):
        result = play(petrov, 1, run)
        kept += all(
            any(abs(e.tick - entry.tick) <= entry.tolerance_ticks for e in seen(result, x))
            for entry in petrov.timeline
            if (x := entry.expect) is not None
        )
    assert kept >= 95


def test_one_launch_first_then_others_one_at_a_time_up_to_the_count(
    petrov: CompiledScenario,
) -> None:
    """Section E3: not five 'at once'; one launch, then others over the following minutes,
    all from one base, four or five in all."""
    total = petrov.parameters["oko_total"].value
    for run in range(40):
        result = play(petrov, 2, run)
        reports = [first(result, "oko_start").tick] + [
            e.tick for e in result.events if e.id in ("oko_attack", "oko_more")
        ]
        assert 1 <= len(reports) <= total
        assert all(b > a for a, b in pairwise(reports))


def test_petrov_reports_a_malfunction_again_as_the_count_rises(replay: RunResult) -> None:
    reports = seen(replay, "duty_report_false")
    launches = [e for e in replay.events if e.id in ("oko_attack", "oko_more")]
    assert len(reports) >= 2 and launches
    assert reports[1].tick >= launches[0].tick
    assert not seen(replay, "duty_report_attack")
    assert not seen(replay, "gs_warn_leadership")


def test_a_run_off_the_record_says_when_it_happened_historically(
    petrov: CompiledScenario,
) -> None:
    entry = next(e for e in petrov.timeline if e.expect == "oko_start")
    assert petrov.historically("oko_start", entry.tick + 10) is None
    note = petrov.historically("oko_start", entry.tick + 40)
    assert note is not None and note.startswith("historically shortly after midnight")
    assert note.endswith("26 September 1983")


# ----------------------------------------------------------------------- validity


runs = Arms(SCENARIO, seed=17, n=RUNS)
paired_z = runs.paired_z


def ended(*outcomes: str) -> Callable[[RunSummary], float]:
    return lambda r: float(r.outcome in outcomes)


WAR = ended("retaliation")
REACHED = ended("leadership_stood_down", "retaliation")
"""An attack warning reached the leadership."""


def test_the_historical_outcome_is_modal() -> None:
    base = runs(())
    share = sum(r.outcome == HISTORICAL for r in base) / len(base)
    assert share > 0.8
    assert sum(WAR(r) for r in base) / len(base) < 0.01


def test_no_petrov_sends_the_warning_up_and_raises_the_risk_of_war() -> None:
    """Docs: without his judgement the computer's classification goes up the chain
    (R18: whether the protocol would have held is disputed, so his report mattered)."""
    assert paired_z((), ("no-petrov",), ended(HISTORICAL)) < -3
    assert paired_z((), ("no-petrov",), REACHED) > 3
    assert paired_z((), ("no-petrov",), WAR) > 3


def test_launch_on_warning_raises_the_risk_of_war() -> None:
    """Docs: a leadership that need not wait for the radars can act on a false warning
    (R26, R9); the warning chain itself is unchanged."""
    assert paired_z((), ("launch-on-warning",), WAR) > 3
    assert paired_z((), ("launch-on-warning",), ended(HISTORICAL)) == 0
    assert paired_z(("no-petrov",), ("no-petrov", "launch-on-warning"), WAR) > 3


def test_during_able_archer_raises_the_risk() -> None:
    """Docs: amid the exercise and RYaN's alarm the same warning is likelier to be
    believed (PFIAB, Fischer, Jones; Miles and Barrass dispute the size, not the sign)."""
    assert paired_z((), ("during-able-archer",), REACHED) > 3
    assert paired_z((), ("during-able-archer",), WAR) > 3
    assert paired_z((), ("during-able-archer",), ended(HISTORICAL)) < -3


# ----------------------------------------------------------------------- both engines


@pytest.mark.parametrize("interventions", [(), *((i,) for i in INTERVENTIONS)])
def test_engines_agree(interventions: tuple[str, ...]) -> None:
    sc = load_scenario(SCENARIO, list(interventions))
    assert_engines_agree(sc, seed=5, runs=30)


def test_engines_agree_under_other_policies() -> None:
    sc = load_scenario(SCENARIO, ["launch-on-warning"])
    for policies in (
        {"duty": "await_confirmation", "command": "random", "su": "hawk"},
        {"duty": "random", "general_staff": "hawk", "su": "random"},
    ):
        assert_engines_agree(sc, policies=policies, seed=9, runs=30)


# ----------------------------------------------------------------------- the command line


def test_cli_validate_run_mc_show(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["validate", "--engines", SCENARIO], capsys, monkeypatch)
    assert code == 0 and f"{SCENARIO}: ok" in out and "agree on both engines" in out
    code, out, _ = run_brink(["run", SCENARIO], capsys, monkeypatch)
    assert code == 0
    assert "── Monday 26 September 1983 ──" in out and "False alarm contained" in out
    code, out, _ = run_brink(
        ["mc", SCENARIO, "--runs", "40", "--workers", "1", "-i", "no-petrov"], capsys, monkeypatch
    )
    assert code == 0 and "leadership_stood_down" in out
    code, out, _ = run_brink(["show", SCENARIO, "-i", "during-able-archer"], capsys, monkeypatch)
    assert code == 0 and "interventions applied: during-able-archer" in out
    assert "1983-11-08T20:00" in out


def test_nov_run_names_its_own_night(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_brink(["run", SCENARIO, "-i", "during-able-archer"], capsys, monkeypatch)
    assert code == 0 and "── Wednesday 09 November 1983 ──" in out
    assert "September 1983 ──" not in out
    assert datetime(1983, 11, 9).strftime("%A") == "Wednesday"
