"""Running the real ``brink`` entry point in the test process (faster than a subprocess)."""

from __future__ import annotations

import io
import sys

import pytest

from brinkmanship.cli import main


def run_brink(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str | None = None,
) -> tuple[int, str, str]:
    """``brink ARGS`` through ``cli.main`` (its real error handling), reading ``stdin`` when
    given: exit code, out, err (only what this command printed)."""
    monkeypatch.setattr(sys, "argv", ["brink", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
