"""The corpus of broken scenarios in ``tests/broken/``: each is refused with one message.

Every ``tests/broken/*.yaml`` is the valid scenario ``tests/broken/valid/base.yaml`` with one
defect. Its first lines state where the error must point and what the message must say::

    # Defect: a policy rule doing an action that does not exist.
    # expect-line: 44
    # expect-column: 18
    # expect-message: unknown action 'offr'; defined actions: accept, build, offer, patrol

(line and column are 1-based; every ``expect-message`` is a substring the message must hold).
``brink validate FILE`` must then exit with code 2 and write exactly one line to stderr,
``FILE:LINE:COLUMN: message``, and no traceback.

The corpus runs the CLI in-process (``brinkmanship.cli.main`` with ``sys.argv`` patched, so
the real error handler runs); a few tests start the real entry point in a subprocess.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from brinkmanship import cli

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BROKEN = HERE / "broken"
VALID_BASE = BROKEN / "valid" / "base.yaml"
CORPUS = sorted(BROKEN.glob("*.yaml"))

STANDOFF_INTERVENTIONS = "calm-seas, hair-trigger, hotline, no-warships, two-officers"
STANDOFF_ACTORS = "council, east, patrol, west"

_HEADER = re.compile(r"^# expect-(line|column|message): (.*)$")


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Expectation:
    """What a broken file says about the error it must produce."""

    line: int
    column: int
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """Exit code and output of one CLI invocation."""

    code: int
    stdout: str
    stderr: str


def rel(path: Path) -> str:
    """The path as given on the command line (relative to the repository root)."""
    return path.relative_to(REPO).as_posix()


def read_expectation(path: Path) -> Expectation:
    """Parse the ``# expect-...`` comment lines at the top of a corpus file."""
    line = column = 0
    messages: list[str] = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.startswith("#"):
            break
        found = _HEADER.match(text)
        if found is None:
            continue
        key, value = found.group(1), found.group(2).rstrip()
        if key == "line":
            line = int(value)
        elif key == "column":
            column = int(value)
        else:
            messages.append(value)
    return Expectation(line, column, tuple(messages))


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1  # sys.exit("text") prints the text and exits with 1


def brink(
    args: Sequence[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Result:
    """Run ``brink ARGS`` in-process through ``cli.main`` (the real error handler)."""
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, "argv", ["brink", *args])
    capsys.readouterr()
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except Exception as exc:  # pragma: no cover - a failure of the code under test
        pytest.fail(f"brink {' '.join(args)} raised {type(exc).__name__} (a traceback): {exc}")
    out = capsys.readouterr()
    return Result(code, out.out, out.err)


def brink_subprocess(args: Sequence[str], *, script: bool = False) -> Result:
    """Run the real entry point in a subprocess: ``python -m brinkmanship.cli`` or ``brink``."""
    if script:
        exe = Path(sys.executable).parent / "brink"
        assert exe.exists(), f"the console script brink is not installed next to {sys.executable}"
        command = [str(exe), *args]
    else:
        command = [sys.executable, "-m", "brinkmanship.cli", *args]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    return Result(done.returncode, done.stdout, done.stderr)


def one_line(stderr: str) -> str:
    """The single line of `stderr`; fails unless there is exactly one, non-empty, no traceback."""
    assert "Traceback" not in stderr, f"a traceback reached the user:\n{stderr}"
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}:\n{stderr}"
    assert lines[0].strip(), "the error line is empty"
    return lines[0]


def assert_located(line: str, file: str, expected: Expectation) -> None:
    """`line` is ``file:LINE:COLUMN: message`` with the expected place and message parts."""
    found = re.match(rf"{re.escape(file)}:(\d+):(\d+): (.+)$", line)
    assert found is not None, f"the error does not start with '{file}:LINE:COLUMN: ': {line!r}"
    where = (int(found.group(1)), int(found.group(2)))
    assert where == (expected.line, expected.column), (
        f"the error points at {where[0]}:{where[1]}, expected "
        f"{expected.line}:{expected.column}: {line!r}"
    )
    for part in expected.messages:
        assert part in found.group(3), f"the message lacks {part!r}: {line!r}"


def assert_broken(result: Result, file: str, expected: Expectation) -> None:
    """Exit code 2 and exactly one located error line, as the file expects."""
    line = one_line(result.stderr)
    assert result.code == 2, f"exit code {result.code}, expected 2: {line!r}"
    assert_located(line, file, expected)


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_large_and_annotated() -> None:
    assert len(CORPUS) >= 40
    for path in CORPUS:
        expected = read_expectation(path)
        assert expected.line >= 1, f"{path.name}: no '# expect-line:'"
        assert expected.column >= 1, f"{path.name}: no '# expect-column:'"
        assert expected.messages, f"{path.name}: no '# expect-message:'"
        assert all(expected.messages), f"{path.name}: an empty '# expect-message:'"


def test_valid_base_validates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base every broken file derives from is valid, so each file has just its defect."""
    result = brink(["validate", rel(VALID_BASE)], capsys, monkeypatch)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"{rel(VALID_BASE)}: ok (mini: 2 actors")


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_broken_scenario_is_refused(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = brink(["validate", rel(path)], capsys, monkeypatch)
    assert result.stdout == ""
    assert_broken(result, rel(path), read_expectation(path))


def test_real_entry_point_prints_no_traceback() -> None:
    """``python -m brinkmanship.cli validate`` on files refused at each stage, in one process."""
    broken = [
        BROKEN / "yaml_tab_indent.yaml",  # refused while parsing YAML
        BROKEN / "unknown_action_in_rule.yaml",  # refused by the compiler
        BROKEN / "intervention_unknown_include.yaml",  # refused expanding an intervention
    ]
    result = brink_subprocess(["validate", *map(rel, broken), rel(VALID_BASE)])
    assert result.code == 2
    assert "Traceback" not in result.stderr, result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == len(broken), result.stderr
    for line, path in zip(errors, broken, strict=True):
        assert_located(line, rel(path), read_expectation(path))
    assert result.stdout.startswith(f"{rel(VALID_BASE)}: ok")


def test_brink_script_reports_a_broken_file() -> None:
    path = BROKEN / "consent_k_too_large.yaml"
    result = brink_subprocess(["validate", rel(path)], script=True)
    assert_broken(result, rel(path), read_expectation(path))


# --------------------------------------------------------------------------- several files


def test_validate_several_files_reports_each_broken_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = BROKEN / "unknown_top_level_key.yaml"
    second = BROKEN / "consent_k_too_large.yaml"
    files = [VALID_BASE, first, second]
    result = brink(["validate", *map(rel, files), "standoff"], capsys, monkeypatch)
    assert result.code == 2
    assert "Traceback" not in result.stderr
    ok = result.stdout.splitlines()
    assert len(ok) == 2, result.stdout
    assert ok[0].startswith(f"{rel(VALID_BASE)}: ok")
    assert ok[1].startswith("standoff: ok")
    errors = result.stderr.splitlines()
    assert len(errors) == 2, result.stderr
    for line, path in zip(errors, [first, second], strict=True):
        assert_located(line, rel(path), read_expectation(path))


# --------------------------------------------------------------------------- missing files


def test_validate_missing_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = "tests/broken/does_not_exist.yaml"
    result = brink(["validate", missing], capsys, monkeypatch)
    line = one_line(result.stderr)
    assert result.code == 2
    assert line.startswith(missing)
    assert "no such file" in line


@pytest.mark.parametrize("kind", ["fifo", "device link"])
def test_special_files_are_refused_without_reading_them(
    kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A FIFO would block forever and /dev/zero would fill memory: neither is read."""
    path = tmp_path / "crisis.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    for command in (["validate"], ["show"], ["run"]):
        result = brink([*command, str(path)], capsys, monkeypatch)
        assert result.code == 2
        assert one_line(result.stderr).endswith(f"{path}: not a regular file; give a scenario file")


def test_rich_markup_in_a_text_prints_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = VALID_BASE.read_text(encoding="utf-8").replace(
        "title: Minimal test scenario", 'title: "A [/] title [bold red]with tags"'
    )
    path = tmp_path / "markup.yaml"
    path.write_text(text, encoding="utf-8")
    for command in ("show", "run"):
        result = brink([command, str(path)], capsys, monkeypatch)
        assert result.code == 0, result.stderr
        assert "A [/] title [bold red]with tags" in result.stdout


def test_validate_missing_file_among_valid_ones(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = "tests/broken/does_not_exist.yaml"
    result = brink(["validate", rel(VALID_BASE), missing], capsys, monkeypatch)
    line = one_line(result.stderr)
    assert result.code == 2
    assert "no such file" in line
    assert result.stdout.startswith(f"{rel(VALID_BASE)}: ok")


def test_validate_unknown_scenario_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = brink(["validate", "nosuch"], capsys, monkeypatch)
    line = one_line(result.stderr)
    assert result.code == 2
    assert "unknown scenario 'nosuch'" in line
    assert "standoff" in line


def test_validate_missing_file_in_a_subprocess() -> None:
    missing = "tests/broken/does_not_exist.yaml"
    result = brink_subprocess(["validate", missing])
    line = one_line(result.stderr)
    assert result.code == 2
    assert "no such file" in line


# --------------------------------------------------------------------------- brink run

RUN_ERRORS = [
    pytest.param(["run", "nosuch"], ["unknown scenario 'nosuch'", "standoff"], id="scenario"),
    pytest.param(
        ["run", "standoff", "--intervention", "nosuch"],
        ["unknown intervention 'nosuch'", STANDOFF_INTERVENTIONS],
        id="intervention",
    ),
    pytest.param(
        ["run", "standoff", "-i", "hotline", "-i", "nosuch"],
        ["unknown intervention 'nosuch'", STANDOFF_INTERVENTIONS],
        id="second-intervention",
    ),
    pytest.param(
        ["run", "standoff", "--policy", "us=x"],
        ["unknown actor 'us'", STANDOFF_ACTORS],
        id="policy-actor",
    ),
    pytest.param(
        ["run", "standoff", "--policy", "west=nosuch"],
        ["'nosuch'", "valid policies: cautious, ", " firm, ", " passive, ", " random"],
        id="policy-name",
    ),
    pytest.param(
        ["run", "standoff", "-i", "calm-seas", "-i", "hair-trigger"],
        ["'calm-seas' and 'hair-trigger'", "cannot be combined"],
        id="conflict",
    ),
    pytest.param(
        ["run", "standoff", "-i", "hair-trigger", "-i", "calm-seas"],
        ["'calm-seas'", "'hair-trigger'", "cannot be combined"],
        id="conflict-reversed",
    ),
    pytest.param(
        ["show", "standoff", "-i", "nosuch"],
        ["unknown intervention 'nosuch'", STANDOFF_INTERVENTIONS],
        id="show-intervention",
    ),
]


@pytest.mark.parametrize(("args", "parts"), RUN_ERRORS)
def test_run_refuses_unknown_names(
    args: list[str],
    parts: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = brink(args, capsys, monkeypatch)
    line = one_line(result.stderr)
    assert result.code == 2, f"exit code {result.code}, expected 2: {line!r}"
    assert result.stdout == ""
    assert line.startswith("error: "), line
    for part in parts:
        assert part in line, f"the message lacks {part!r}: {line!r}"


def test_run_accepts_the_names_the_errors_list(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A control for the tests above: the valid names do work."""
    args = ["run", "standoff", "-i", "calm-seas", "-i", "two-officers", "-p", "west=cautious"]
    result = brink(args, capsys, monkeypatch)
    assert result.code == 0, result.stderr
    assert "Outcome" in result.stdout


def test_run_unknown_intervention_in_a_subprocess() -> None:
    result = brink_subprocess(["run", "standoff", "--intervention", "nosuch"])
    line = one_line(result.stderr)
    assert result.code == 2
    assert line.startswith("error: unknown intervention 'nosuch'")
    assert STANDOFF_INTERVENTIONS in line


def test_run_conflicting_interventions_in_a_subprocess() -> None:
    result = brink_subprocess(["run", "standoff", "-i", "calm-seas", "-i", "hair-trigger"])
    line = one_line(result.stderr)
    assert result.code == 2
    assert "cannot be combined" in line
