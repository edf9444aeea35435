"""Workers whose driver is killed (``kill -9``) end with it, silently: no BrokenPipeError
traceback on stderr, no worker left running (``brink mc`` and ``brink sweep``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


COMMANDS = {
    "mc": ["mc", "standoff", "--runs", "400000", "--engine", "reference"],
    "sweep": ["sweep", "standoff", "--param", "incident_rate=0:0.04:3", "--runs", "200000"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_workers_of_a_killed_driver_end_quietly(tmp_path: Path, command: str) -> None:
    args = [*COMMANDS[command], "--workers", "2"]
    if command == "sweep":
        args += ["--out", str(tmp_path / "out"), "--chunk", "100000"]
    stderr = tmp_path / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with stderr.open("wb") as err:
        driver = subprocess.Popen(
            [sys.executable, "-m", "brinkmanship", *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline and driver.poll() is None:
            time.sleep(0.2)
            workers = children(driver.pid)
        assert len(workers) >= 2, stderr.read_text()
        time.sleep(2)  # the workers are at work on their chunks
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [w for w in workers if alive(w)]
    finally:
        for pid in [driver.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert left == [], "workers outlived their driver"
    time.sleep(0.5)
    text = stderr.read_text()
    assert "Traceback" not in text and "BrokenPipe" not in text, text
