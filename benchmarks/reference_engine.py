"""Reference-engine speed, this checkout against another side by side: CPU time of whole
runs (runs/s, ms per tick) on the built-in scenarios, and of what the web game does for a
new Castro game (cuba-1962 stepped to the Cuban side's first decision).

Each measurement runs in a fresh process with ``PYTHONPATH`` set to one checkout's ``src``,
by that checkout's own copy of this script (so each plays its runs through its own API);
the two checkouts take turns, ``--repeats`` times, and the medians are compared. To compare
with the last commit::

    git worktree add /tmp/refold HEAD
    .venv/bin/python benchmarks/reference_engine.py --against /tmp/refold/src
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
SRC = HERE.parents[1] / "src"
CASES = ("standoff", "cuba-1962", "castro-opening")


def measure(case: str, runs: int) -> dict[str, float]:
    """CPU seconds per run and per tick of ``case`` with the engine on ``sys.path``."""
    from brinkmanship.engine.driver import TickDriver
    from brinkmanship.engine.reference import ReferenceEngine
    from brinkmanship.policies.registry import policy_set
    from brinkmanship.scenario.loader import load_scenario

    sc = load_scenario("cuba-1962" if case == "castro-opening" else case)
    specs = policy_set(sc, {}).specs
    engine = ReferenceEngine(sc)

    def one(run: int) -> int:
        policies = policy_set(sc, specs).make()
        if case != "castro-opening":
            return engine.run(0, run, policies).outcome.tick
        st = engine.start(0, run)
        # as the web game does: play until Cuba is asked
        TickDriver(engine, st).play(policies, pause=lambda due: any(r.actor == "cuba" for r in due))
        return st.tick

    one(runs)  # warm up (imports, compiled expressions)
    started = time.process_time()
    ticks = sum(one(run) + 1 for run in range(runs))
    cpu = time.process_time() - started
    return {"run_s": cpu / runs, "tick_ms": cpu / ticks * 1000}


def in_process(src: str, case: str, runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": src}
    script = Path(src).parent / "benchmarks" / HERE.name
    command = [sys.executable, str(script), "--worker", case, "--runs", str(runs)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(out)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="runs per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per checkout")
    parser.add_argument("--against", help="another checkout's src directory, e.g. /tmp/refold/src")
    parser.add_argument("--worker", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.runs)))
        return
    sources = {"this": str(SRC)}
    if args.against:
        sources["against"] = str(Path(args.against).resolve())
    load = os.getloadavg()[0]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average (1 min) at start: {load:.2f}; {args.runs} runs x {args.repeats}, CPU time")
    for name, src in sources.items():
        print(f"{name}: {src}")
    print(
        f"{'case':<15} {'checkout':<8} {'runs/s':>8} {'ms/run':>8} {'ms/tick':>8} {'speed-up':>9}"
    )
    for case in CASES:
        taken: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
        for _ in range(args.repeats):
            for name, src in sources.items():
                taken[name].append(in_process(src, case, args.runs))
        medians = {
            name: {k: statistics.median(m[k] for m in ms) for k in ("run_s", "tick_ms")}
            for name, ms in taken.items()
        }
        for name, m in medians.items():
            ratio = medians["against"]["run_s"] / m["run_s"] if "against" in medians else 1.0
            print(
                f"{case:<15} {name:<8} {1 / m['run_s']:>8.1f} {m['run_s'] * 1000:>8.2f} "
                f"{m['tick_ms']:>8.3f} {ratio:>8.2f}x"
            )
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
