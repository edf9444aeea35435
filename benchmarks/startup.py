"""Start-up time of the fast ``brink`` commands, beside a bare interpreter: the median wall
time of ``brink --help``, ``brink version`` and ``brink validate`` (the built-in cuba-1962
file) as fresh processes, each one's ratio to ``python -c pass``, and the median CPU time
(user + system) of the process, which other load on the machine inflates less than the
wall time.

Every command runs as ``python -m brinkmanship`` (what the ``brink`` script runs) with
``PYTHONPATH`` set to this checkout's ``src``; with ``--against``, to another checkout's as
well, the two taking turns. To compare with the last commit::

    git worktree add /tmp/startold HEAD
    .venv/bin/python benchmarks/startup.py --against /tmp/startold/src
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
SRC = HERE.parents[1] / "src"
CUBA = ("brinkmanship", "scenarios", "cuba-1962.yaml")
GOAL_S = 0.5
"""Issue 16's goal for ``brink --help`` on the project's 2-core machine."""


def cases(src: str) -> dict[str, list[str]]:
    """Command lines to time, by label; the bare interpreter first."""
    brink = [sys.executable, "-m", "brinkmanship"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "brink --help": [*brink, "--help"],
        "brink version": [*brink, "version"],
        "brink validate cuba-1962.yaml": [*brink, "validate", str(Path(src).joinpath(*CUBA))],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], src: str) -> tuple[float, float]:
    """Wall and CPU seconds from start to exit of ``command``; it must succeed."""
    env = {**os.environ, "PYTHONPATH": src, "COLUMNS": "100"}
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7, help="runs of each command")
    parser.add_argument("--against", help="another checkout's src directory")
    args = parser.parse_args()
    sources = {"this": str(SRC)}
    if args.against:
        sources["against"] = str(Path(args.against).resolve())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}; {args.repeats} runs each")
    for name, src in sources.items():
        print(f"{name}: {src}")
    walls: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    for src in sources.values():  # once each, untimed: warm the file cache and .pyc files
        for command in cases(src).values():
            timed(command, src)
    for _ in range(args.repeats):
        for name, src in sources.items():
            for label, command in cases(src).items():
                wall, cpu = timed(command, src)
                walls.setdefault((label, name), []).append(wall)
                cpus.setdefault((label, name), []).append(cpu)
    bare = statistics.median(walls["python -c pass", "this"])
    print(f"{'command':<30} {'checkout':<8} {'wall s':>7} {'min s':>7} {'x bare':>7} {'cpu s':>7}")
    for label in cases(str(SRC)):
        for name in sources:
            times = walls[label, name]
            median = statistics.median(times)
            cpu = statistics.median(cpus[label, name])
            print(
                f"{label:<30} {name:<8} {median:>7.3f} {min(times):>7.3f} {median / bare:>7.1f} "
                f"{cpu:>7.3f}"
            )
    helped = statistics.median(walls["brink --help", "this"])
    verdict = "met" if helped < GOAL_S else "missed"
    print(f"goal: brink --help under {GOAL_S} s (median wall): {verdict} ({helped:.3f} s)")
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
