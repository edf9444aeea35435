"""`brink serve`: its options, its default database, and one clear line for each problem."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from brinkmanship.web.local import free_port
from brinkmanship.web.serve import default_db
from cli_runner import run_brink


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run, recorded instead of run."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serve_builds_the_app_on_the_given_database(
    tmp_path: Path,
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "sub" / "games.sqlite3"
    port = free_port()
    code, _, err = run_brink(["serve", "--port", str(port), "--db", str(db)], capsys, monkeypatch)
    assert code == 0, err
    assert served[0]["host"] == "127.0.0.1" and served[0]["port"] == port
    assert isinstance(served[0]["app"], FastAPI)
    assert db.exists() and f"http://127.0.0.1:{port}/" in err


def test_the_database_comes_from_brink_db_or_the_data_directory(
    tmp_path: Path,
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRINK_DB", str(tmp_path / "env.sqlite3"))
    code, _, err = run_brink(["serve", "--port", str(free_port())], capsys, monkeypatch)
    assert code == 0, err
    assert (tmp_path / "env.sqlite3").exists()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db() == tmp_path / "data" / "brinkmanship" / "games.sqlite3"


def test_a_busy_port_is_one_line(
    tmp_path: Path,
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--port", str(port), "--db", str(tmp_path / "g.sqlite3")]
        code, _, err = run_brink(args, capsys, monkeypatch)
    assert code == 2 and served == []
    assert err.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_an_unusable_database_is_one_line(
    tmp_path: Path,
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "file").write_text("x")
    args = ["serve", "--db", str(tmp_path / "file" / "g.sqlite3")]
    code, _, err = run_brink(args, capsys, monkeypatch)
    assert code == 2 and served == [] and len(err.strip().splitlines()) == 1
    assert "cannot open the game database" in err


def test_a_bad_port_is_refused(
    served: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run_brink(["serve", "--port", "70000"], capsys, monkeypatch)
    assert code == 2 and served == [] and "65535" in err
