"""One conformance suite for every built-in scenario (found in the package, so a new one
joins by being there): the checks of :mod:`brinkmanship.conformance` (the replay against
the timeline, sources, the fact sheet's known errors, both engines, the PettingZoo and
Gymnasium checks), and a browser that plays a short game to the debrief. Below them, tests
that each check can fail."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import gymnasium
import pytest
from playwright.sync_api import Browser

from brinkmanship.conformance import CHECKS, Subject
from brinkmanship.conformance.known_errors import file_texts
from brinkmanship.envs import BrinkEnv
from brinkmanship.envs.registration import GYM_ENVS, gym_id
from brinkmanship.errors import ScenarioError
from brinkmanship.scenario.loader import builtin_names
from brinkmanship.web.local import LocalServer
from cli_runner import run_brink

SCENARIOS = builtin_names()
DATA = Path(__file__).parent / "data"
DECISIONS = 200
"""The most decisions the browser makes before the game must have ended."""

_subjects: dict[str, Subject] = {}


def subject(ref: str) -> Subject:
    """One :class:`Subject` per scenario for the whole session (its runs are made once)."""
    if ref not in _subjects:
        _subjects[ref] = Subject.load(ref)
    return _subjects[ref]


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_conforms(scenario: str, check: str) -> None:
    failures = CHECKS[check](subject(scenario))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_browser_plays_it_to_the_debrief(
    scenario: str, browser: Browser, server: LocalServer
) -> None:
    """One short game: the first side, seed 0, the first action offered at each decision."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.base + "/new")
    page.select_option("#scenario", scenario)
    with page.expect_navigation():
        page.get_by_role("button", name="Start the game").click()
    for _ in range(DECISIONS):
        if page.locator("#outcome-h").count():
            break
        acts = page.locator("#choose input[name=action]:not([value=wait])")
        (acts if acts.count() else page.locator("#choose input[name=action]")).first.check()
        with page.expect_navigation():
            page.click("#decide")
    assert page.locator("#outcome-h").inner_text().startswith("The end:")
    with page.expect_navigation():
        page.get_by_role("link", name="Read the debrief").click()
    assert page.get_by_role("heading", name="Day by day").is_visible()
    assert errors == []
    page.context.close()


# ------------------------------------------------------------------ the checks can fail

STANDOFF_TEXT = (
    resources.files("brinkmanship.scenarios").joinpath("standoff.yaml").read_text(encoding="utf-8")
)
WARSHIPS = 'at: "2031-06-02T06:00", text: "West sends warships."'


def standoff_with(tmp_path: Path, old: str = "", new: str = "", extra: str = "") -> Subject:
    """The standoff scenario as a file, ``old`` replaced by ``new`` and ``extra`` appended."""
    assert old in STANDOFF_TEXT
    path = tmp_path / "standoff.yaml"
    path.write_text(STANDOFF_TEXT.replace(old, new, 1) + extra, encoding="utf-8")
    return Subject.load(str(path))


def test_the_timeline_check_finds_an_event_off_its_date(tmp_path: Path) -> None:
    late = standoff_with(tmp_path, WARSHIPS, WARSHIPS.replace("02T06", "05T06"))
    (failure,) = CHECKS["timeline"](late)
    assert failure.startswith("deploy_warships (West sends warships.): documented 2031-06-05")
    assert "± 1h, in the replay at 2031-06-02" in failure


def test_the_timeline_check_finds_an_event_that_never_happens(tmp_path: Path) -> None:
    never = standoff_with(tmp_path, "expect: deploy_warships", "expect: strike")
    assert CHECKS["timeline"](never) == [
        "strike (West sends warships.): documented 2031-06-02T06:00+00:00 ± 1h, not in the replay"
    ]


def test_the_sources_check_finds_an_element_and_a_record_citing_nothing(tmp_path: Path) -> None:
    opening = '    at: "2031-06-01T06:00"\n    sources: [T1]'
    bare = standoff_with(tmp_path, opening, '    at: "2031-06-01T06:00"')
    failures = CHECKS["sources"](bare)
    assert "events.opening cites no source" in failures
    assert "the replay: event opening cites nothing" in failures


def test_the_known_errors_check_points_at_the_text(tmp_path: Path) -> None:
    errors = """
known_errors:
  X1:
    {fact: "East installs them on the mainland.", patterns: ['launchers on the island'],
     sources: [T1]}
  X2: {fact: "Not searched in the bibliography.", patterns: ['schelling'], sources: [T1]}
  X3:
    {fact: "A sentence that photographs them is excused.",
     patterns: ['photographs? the launchers'], unless: 'reconnaissance', sources: [T1]}
  X4:
    {fact: "Only in the replay.", patterns: ['west sends warships into'], scope: replay,
     sources: [T1]}
"""
    sc = standoff_with(tmp_path, extra=errors)
    failures = CHECKS["known-errors"](sc)
    where = next(w for w, t in file_texts(sc.doc) if t.startswith("East begins installing"))
    assert f"{where}: X1: 'launchers on the island' (East installs them on the mainland.)" in (
        failures
    )
    assert "the replay, event opening: X1: 'launchers on the island'" in "\n".join(failures)
    assert not [f for f in failures if ": X2:" in f]
    assert [f for f in failures if ": X3:" in f] == [
        f"{w}: X3: 'photographs the launchers' (A sentence that photographs them is excused.)"
        for w, t in file_texts(sc.doc)
        if "photographs the launchers" in t.lower() and "reconnaissance" not in t.lower()
    ]
    x4 = [f for f in failures if ": X4:" in f]
    assert x4 and all(f.startswith("the replay, ") for f in x4)


def test_a_known_error_that_is_no_regular_expression_is_refused(tmp_path: Path) -> None:
    bad = "\nknown_errors:\n  X1: {fact: f, patterns: ['(unclosed'], sources: [T1]}\n"
    with pytest.raises(
        ScenarioError,
        match=r"standoff.yaml:\d+:\d+: known_errors.X1.patterns: .* is not a regular expression",
    ):
        standoff_with(tmp_path, extra=bad)


def test_the_engines_check_reports_a_divergence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "brinkmanship.conformance.engines.first_divergence", lambda *a, **k: "run 0, tick 3: x"
    )
    failures = CHECKS["engines"](subject("standoff"))
    assert failures[0] == "the engines diverge: run 0, tick 3: x"
    assert len(failures) == 1 + len(subject("standoff").scenario.interventions)


def test_the_environment_checks_report_a_checker_warning() -> None:
    # the only actor of this file has a decision point but no action: it can only wait
    coin = Subject.load(str(DATA / "coin.yaml"))
    assert any("Action mask is a single number" in f for f in CHECKS["pettingzoo"](coin))


def test_every_builtin_scenario_has_a_gymnasium_id_made_from_its_id() -> None:
    assert gym_id("cuba-1962") == "brinkmanship/Cuba1962-v0"
    assert gym_id("petrov-1983") == "brinkmanship/Petrov1983-v0"
    assert gym_id("able-archer-1983") == "brinkmanship/AbleArcher1983-v0"
    assert set(GYM_ENVS) == {gym_id(name) for name in SCENARIOS}
    for name in SCENARIOS:
        made = gymnasium.make(gym_id(name))
        assert isinstance(made.unwrapped, BrinkEnv)
        assert made.unwrapped.parallel.config.scenario.id == name
        made.close()


# ------------------------------------------------------------------ the command line


def test_validate_conform_passes_a_builtin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_brink(["validate", "--conform", "standoff"], capsys, monkeypatch)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"standoff: conforms ({len(CHECKS)} checks)"


def test_validate_conform_prints_each_failure_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = standoff_with(tmp_path, WARSHIPS, WARSHIPS.replace("02T06", "05T06"))
    code, out, _ = run_brink(["validate", "--conform", late.ref], capsys, monkeypatch)
    assert code == 1
    lines = out.splitlines()
    assert [line for line in lines if ": timeline: " in line] == [
        f"{late.ref}: timeline: {f}" for f in CHECKS["timeline"](late)
    ]
    assert not [line for line in lines if "conforms" in line]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such/file.yaml"], "no/such/file.yaml"),
        ([str(DATA / "coin.yaml"), "nonsense-name"], "unknown scenario 'nonsense-name'"),
    ],
)
def test_validate_conform_refuses_bad_input_in_one_line(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run_brink(["validate", "--conform", *args], capsys, monkeypatch)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err
