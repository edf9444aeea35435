"""Running the real ``brink`` entry point in the test process (faster than a subprocess)."""

from __future__ import annotations

import sys

import pytest

from brinkmanship.cli import main


def run_brink(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """``brink ARGS`` through ``cli.main`` (its real error handling): exit code, out, err
    (only what this command printed)."""
    monkeypatch.setattr(sys, "argv", ["brink", *args])
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
