"""Issue 18's hostile scenario files that are too big or too strange to keep in tests/broken:
each is generated here, given to ``brink validate`` (or ``run``/``mc``) in a subprocess under
an address-space limit and a timeout, and must end in one located line and exit 2, inside
the bounds. Also: run-time errors name the expression's file:line:column on both engines,
and compiling grows linearly with the number of actors."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import brinkmanship as bk
from brinkmanship.errors import EvaluationError
from brinkmanship.scenario.compiler import compile_scenario
from brinkmanship.scenario.loader import validate_model
from brinkmanship.scenario.yamlsource import SourceDoc
from cli_runner import run_brink
from scripts import load_script

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "tests" / "broken" / "valid" / "base.yaml"
MEMORY_LIMIT = 1536 * 1024 * 1024
"""Address space of each hostile run (numpy and numba reserve much more than they use)."""
TIME_LIMIT_S = 45.0
"""Wall-clock bound of each hostile run on a loaded two-core machine (about 3 s when quiet)."""
PRLIMIT = shutil.which("prlimit")
HOSTILE = load_script("benchmarks/hostile.py")
"""The hostile-file builders ``benchmarks/hostile.py`` times."""


def _flow_list(path: Path) -> str:
    HOSTILE.flow_list(path)
    return "the document holds more than 500000 values"


def _merge_keys(path: Path) -> str:
    HOSTILE.merges(path, 8, lists=True)
    return "once merge keys and aliases are expanded"


def _nested_merges(path: Path) -> str:
    HOSTILE.merges(path, 7, lists=False)
    return "missing required key 'id'"


def _alias_lists(path: Path) -> str:
    HOSTILE.alias_lists(path)
    return "aliases are expanded"


def _deep(path: Path) -> str:
    HOSTILE.deep_nesting(path)
    return "nested more than 64 levels deep"


def _long_number(path: Path) -> str:
    text = BASE.read_text(encoding="utf-8").replace("value: 0.01", "value: 0x" + "f" * 5000)
    path.write_text(text, encoding="utf-8")
    return "a number written with 5002 characters"


def _huge_duration(path: Path) -> str:
    text = BASE.read_text(encoding="utf-8").replace("latency: 2h", "latency: 99999999999999d")
    path.write_text(text, encoding="utf-8")
    return "longer than a century"


GENERATED: dict[str, Callable[[Path], str]] = {
    "flow_list_near_5mb": _flow_list,
    "merge_keys_with_lists": _merge_keys,
    "nested_merge_keys": _nested_merges,
    "alias_lists": _alias_lists,
    "deep_nesting": _deep,
    "long_hex_number": _long_number,
    "huge_duration": _huge_duration,
}


def brink_limited(args: list[str]) -> tuple[int, str, float]:
    """``python -m brinkmanship ARGS`` under the memory limit: exit code, stderr, seconds."""
    assert PRLIMIT is not None, "the memory limit needs prlimit (Debian: util-linux)"
    command = [PRLIMIT, f"--as={MEMORY_LIMIT}", sys.executable, "-m", "brinkmanship", *args]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIME_LIMIT_S * 2, env=env, check=False
    )
    return done.returncode, done.stderr, time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_hostile_file_is_refused_within_bounds(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    expected = GENERATED[name](path)
    code, stderr, seconds = brink_limited(["validate", str(path)])
    assert "Traceback" not in stderr, stderr[-2000:]
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr[-2000:]
    assert code == 2, lines[0]
    assert lines[0].startswith(f"{path}:"), lines[0]
    assert lines[0].split(":")[1].isdigit() and lines[0].split(":")[2].isdigit(), lines[0]
    assert expected in lines[0], lines[0]
    assert seconds < TIME_LIMIT_S, f"{name}: {seconds:.1f} s"


# --------------------------------------------------------------------------- run-time errors

EFFECT = '    effects: {tension: "tension + 1", alert: "max(alert - 1, 1)"}'
PATROL_ALWAYS = '          - {when: "tension > 3", do: patrol, why: resolve}'


def _with_effect(tmp_path: Path, name: str, effect: str) -> tuple[Path, str]:
    """The base scenario with the patrol's tension effect replaced; Blue patrols first."""
    text = BASE.read_text(encoding="utf-8")
    assert EFFECT in text and PATROL_ALWAYS in text
    text = text.replace(EFFECT, f'    effects: {{tension: "{effect}", alert: "alert"}}')
    text = text.replace(PATROL_ALWAYS, "          - {do: patrol, why: resolve}")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f'    effects: {{tension: "{effect}", alert: "alert"}}') + 1
    return path, f"{path}:{line}:{len('    effects: {tension: ') + 2}: "


RUNTIME = [
    ("division.yaml", "tension + 1 / (alert - alert)", "division by zero in 'tension + 1"),
    ("nan.yaml", "tension * 1e308 * 10 - tension * 1e308 * 10", "was given NaN"),
]


@pytest.mark.parametrize("engine", ["reference", "batch"])
@pytest.mark.parametrize(("name", "effect", "message"), RUNTIME, ids=["division", "nan"])
def test_run_time_error_names_the_expression(
    engine: str,
    name: str,
    effect: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, where = _with_effect(tmp_path, name, effect)
    args = ["mc", str(path), "--runs", "3", "--engine", engine]
    code, _out, err = run_brink(args, capsys, monkeypatch)
    assert code == 2, err
    assert "Traceback" not in err
    assert err.splitlines() == [err.strip()], err
    assert err.startswith(f"error: {where}"), err
    assert message in err


def test_both_engines_raise_the_same_located_error(tmp_path: Path) -> None:
    path, where = _with_effect(tmp_path, "division.yaml", RUNTIME[0][1])
    errors = []
    for engine in ("reference", "batch"):
        with pytest.raises(EvaluationError) as info:
            bk.load(str(path), engine=engine).mc(runs=3)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert errors[0].startswith(where)


HAZARD = '    hazard: "incident_rate * (1 + tension / 5)"'
RULE_P = "          - {do: accept, p: 0.5, why: take the deal}"


@pytest.mark.parametrize("engine", ["reference", "batch"])
@pytest.mark.parametrize("where", ["hazard", "rule"])
def test_a_nan_probability_stops_the_run_naming_it(engine: str, where: str, tmp_path: Path) -> None:
    """A probability that evaluates to NaN used to draw as never; now the run stops."""
    text = BASE.read_text(encoding="utf-8")
    nan = "tension * 1e308 * 10 - tension * 1e308 * 10"
    if where == "hazard":
        old, new = HAZARD, f'    hazard: "{nan}"'
        what = "hazard"
    else:
        old, new = RULE_P, f'          - {{do: accept, p: "{nan}", why: take the deal}}'
        what = "probability"
        text = text.replace('{when: "stock < 5", do: build, why: finish the work}', "")
        text = text.replace("        rules:\n          - \n", "        rules:\n")
    assert old in text
    text = text.replace(old, new)
    path = tmp_path / "nan-probability.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(new) + 1
    column = new.index(nan) + 1
    with pytest.raises(EvaluationError) as info:
        bk.load(str(path), engine=engine).mc(runs=20)
    assert str(info.value) == f"{path}:{line}:{column}: {what} '{nan}' is NaN (not a number)"


INF = "tension * 1e308 * 10"
NAN = f"{INF} - {INF}"
NUMBERS = {
    # what: (the line of the base scenario, the line in its place with EXPR, the error's noun)
    "weight-nan": ("        name: Adviser", '        weight: "EXPR"', "weight"),
    "weight-inf": ("        name: Adviser", '        weight: "EXPR"', "weight"),
    "utility": ("    utility: {blue: 0, red: 0}", '    utility: {blue: "EXPR", red: 0}', "utility"),
    "cost": ("    label: Patrol the coast", '    cost: {blue: "EXPR"}', "cost"),
    "escalation": ("presentation:", '  escalation: "EXPR"', "escalation"),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_a_non_finite_number_stops_the_run_naming_it(case: str, tmp_path: Path) -> None:
    """A member's weight, a utility, a cost or a metric that evaluates to NaN or infinity
    used to tally, score or rank silently; now both engines stop at its file:line:column."""
    anchor, line_text, what = NUMBERS[case]
    expr = NAN if case.endswith("-nan") else INF
    new = line_text.replace("EXPR", expr)
    text = BASE.read_text(encoding="utf-8").replace(PATROL_ALWAYS, "          - {do: patrol}")
    assert text.count(f"\n{anchor}\n") == 1
    if case == "escalation":
        added = f"metrics:\n{new}\n{anchor}"
    elif case == "utility":
        added = new
    else:
        added = f"{anchor}\n{new}"
    text = text.replace(f"\n{anchor}\n", f"\n{added}\n")
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(new) + 1
    where = f"{path}:{line}:{new.index(expr) + 1}: "
    expected = f"{where}{what} '{expr}' is NaN or infinite (not a finite number)"
    for engine in ("reference", "batch"):
        with pytest.raises(EvaluationError) as info:
            bk.load(str(path), engine=engine).mc(runs=3)
        assert str(info.value) == expected, engine


@pytest.mark.parametrize("command", ["run", "mc"])
def test_brink_reports_a_non_finite_weight_in_one_line(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = BASE.read_text(encoding="utf-8")
    new = f'        weight: "{NAN}"'
    path = tmp_path / "weight.yaml"
    path.write_text(text.replace("        name: Adviser\n", f"        name: Adviser\n{new}\n"))
    line = path.read_text().splitlines().index(new) + 1
    code, _out, err = run_brink([command, str(path)], capsys, monkeypatch)
    assert code == 2, err
    assert err.splitlines() == [
        f"error: {path}:{line}:18: weight '{NAN}' is NaN or infinite (not a finite number)"
    ], err


# --------------------------------------------------------------------------- linear compile


def _actors_doc(n: int) -> SourceDoc:
    """The base scenario with `n` more actors (each on Blue's side, one action each)."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    for i in range(n):
        data["actors"][f"a{i}"] = {
            "name": f"Actor {i}",
            "side": "blue",
            "members": {"m": {"name": "M"}},
            "rule": {"kind": "leader", "leader": "m"},
            "policies": {"p": {"rules": [{"do": f"act{i}", "why": "w"}]}},
        }
        data["actions"][f"act{i}"] = {"actor": f"a{i}", "label": f"Act {i}"}
    return SourceDoc("generated.yaml", data)


def _compile_seconds(n: int) -> float:
    """CPU seconds to compile `n` more actors, the best of two, without the garbage
    collector (whose full passes grow with the heap, not with the compiler's work)."""
    doc = _actors_doc(n)
    model = validate_model(doc)
    best = float("inf")
    gc.disable()
    try:
        for _ in range(2):
            started = time.process_time()
            compile_scenario(model, doc)
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def test_compiling_grows_linearly_with_the_actors() -> None:
    """8 times the actors: about 8 times the time (7.5x measured; it was 22x when the
    compiler scanned every action for each actor)."""
    small, large = _compile_seconds(500), _compile_seconds(4000)
    assert large < 13 * small, f"500 actors {small:.3f} s, 4000 actors {large:.3f} s"
