"""`python -m brinkmanship` and `python -m brinkmanship.cli` see every command, including
those of the last command modules registered (play, serve, eval, report)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["brinkmanship", "brinkmanship.cli"])
def test_python_m_sees_the_play_command(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "play", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "--as" in done.stdout and "--resume" in done.stdout


@pytest.mark.parametrize("module", ["brinkmanship", "brinkmanship.cli"])
def test_python_m_turns_a_user_error_into_one_line(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "play", "no-such-scenario", "--as", "us"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
