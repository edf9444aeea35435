"""Batch-engine throughput against the reference engine, measured side by side.

    .venv/bin/python benchmarks/batch_engine.py [--runs 50000] [--reference-runs 100]
        [--memory-runs 100000 1000000 10000000]
    .venv/bin/python benchmarks/batch_engine.py --against ../other-checkout
        [--memory-runs 1000000] [--rounds 3] [--workers 2]

For cuba-1962 with historical policies and with doctrine policies it prints, as medians of
repeated measurements: runs/s and run-ticks/s of the batch engine on one core and on all
cores (``tally_many``, the streaming path ``brink mc`` uses); the reference engine's runs/s
on the same runs and the per-core ratio; the memory traffic of the batch engine against a
streaming copy measured in the same invocation; and, for each N of ``--memory-runs``, the
wall time and peak resident memory (driver and largest worker) of a fresh process running
N runs on all cores.

With ``--against DIR`` (another checkout of this project, e.g. an older commit's
``git worktree``) it measures only that last figure, side by side: for each N of
``--memory-runs``, fresh processes of this checkout and of DIR's ``src`` alternate
``--rounds`` times on ``--workers`` cores, and it prints each time, their medians and the
ratio of this checkout's median to DIR's (alternating spreads a shared machine's load over
both).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from brinkmanship.analysis.montecarlo import Job, tally_many
from brinkmanship.engine.batch import slots
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.batch.packing import new_state, pack
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

DOCTRINES = {"us": "tit-for-tat", "su": "dove", "cuba": "hawk", "navy": "organizational"}
CONFIGS: dict[str, dict[str, str]] = {"historical": {}, "doctrines": DOCTRINES}


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def copy_bandwidth() -> float:
    """Bytes per second of a streaming copy of 256 MiB (read + write counted)."""
    src = np.ones(32 * 1024 * 1024)
    dst = np.empty_like(src)
    seconds = median_time(lambda: np.copyto(dst, src), 5)
    return 2 * src.nbytes / seconds


def reference_runs(sc: CompiledScenario, overrides: dict[str, str], runs: int) -> None:
    """Runs ``0 .. runs-1`` on the reference engine."""
    engine = ReferenceEngine(sc)
    policies = policy_set(sc, overrides)
    for run in range(runs):
        engine.run(0, run, policies.make())


def traffic_per_run(batch: BatchEngine) -> int:
    """Bytes a run moves to and from memory at least: its state reset from the initial
    copy (read and write) and its results; the rest of its working set (tables and state,
    tens of KiB) stays in cache from run to run."""
    packed = pack(batch.tables, new_state(batch.tables, batch.layout, 0))
    reset = int(packed.ti[slots.S_RESET_I] + packed.ti[slots.S_RESET_F]) * 8 * 2
    results = 8 * (4 + len(batch.holders))
    return reset + results


HERE = Path(__file__).resolve().parents[1] / "src"


class Measured(NamedTuple):
    """What :func:`memory_run` measures of one fresh process."""

    seconds: float
    cpu_seconds: float
    driver_mib: float
    worker_mib: float


def memory_run(runs: int, cores: int, src: Path = HERE) -> Measured:
    """Wall seconds, CPU seconds (driver and workers), driver and largest-worker peak
    resident MiB of a fresh process that tallies ``runs`` batch runs of cuba-1962 on
    ``cores`` processes, importing the project from ``src``."""
    code = (
        "import resource, time\n"
        "from brinkmanship.analysis.montecarlo import Job, tally_many\n"
        "def cpu():\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF)\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime\n"
        "job = Job('cuba-1962', 0, engine='batch')\n"
        "tally_many(job, 1)\n"
        "t, c = time.perf_counter(), cpu()\n"
        f"tally_many(job, {runs}, workers={cores}, chunk=4096)\n"
        "print(time.perf_counter() - t, cpu() - c)\n"
        # ru_maxrss survives exec: it would report this benchmark's own size, not the
        # driver's; the fresh address space's high-water mark (VmHWM, Linux) is the driver's
        "import os\n"
        "status = '/proc/self/status'\n"
        "lines = open(status).readlines() if os.path.exists(status) else []\n"
        "hwm = [int(ln.split()[1]) for ln in lines if ln.startswith('VmHWM:')]\n"
        "print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    seconds, cpu_seconds, driver, worker = out.stdout.split()
    return Measured(float(seconds), float(cpu_seconds), int(driver) / 1024, int(worker) / 1024)


def side_by_side(other: Path, sizes: list[int], rounds: int, cores: int) -> None:
    """This checkout's wall and CPU time for each N of ``sizes`` against ``other``'s,
    alternating; on a shared machine the CPU time is the steadier of the two."""
    print(f"this checkout: {HERE.parent}\nagainst:       {other}")
    for runs in sizes:
        wall: dict[str, list[float]] = {"this": [], "against": []}
        cpu: dict[str, list[float]] = {"this": [], "against": []}
        for _ in range(rounds):
            for label, src in (("against", other / "src"), ("this", HERE)):
                m = memory_run(runs, cores, src)
                wall[label].append(m.seconds)
                cpu[label].append(m.cpu_seconds)
                print(
                    f"{runs:>12,} runs on {cores} cores, {label:<7}: {m.seconds:,.1f} s"
                    f" ({m.cpu_seconds:,.1f} CPU s)"
                )
        for name, times in (("wall", wall), ("CPU", cpu)):
            this, against = (statistics.median(times[k]) for k in ("this", "against"))
            print(
                f"{runs:>12,} runs on {cores} cores, median {name} time: {this:,.1f} s (this)"
                f" against {against:,.1f} s: ratio {this / against:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50_000)
    parser.add_argument("--reference-runs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-runs", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    cores = args.workers
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.against is not None:
        if not (args.against / "src" / "brinkmanship").is_dir():
            parser.error(f"--against: {args.against} is not a checkout of this project")
        side_by_side(args.against.resolve(), args.memory_runs, args.rounds, cores)
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    bandwidth = copy_bandwidth()
    print(f"streaming copy: {bandwidth / 2**30:.1f} GiB/s")
    header = (
        f"{'policies':<11} {'batch 1 core':>13} {'run-ticks/s':>12} {f'batch {cores} cores':>15}"
        f" {'reference':>10} {'ratio/core':>11} {'traffic':>9}"
    )
    print(header)
    sc = load_scenario("cuba-1962")
    for label, overrides in CONFIGS.items():
        specs = policy_set(sc, overrides).specs
        batch = BatchEngine(sc, batch_forms(sc, specs))
        batch.run(0, 0, 10)  # compile or load the kernel outside the timing
        result = batch.run(0, 0, args.runs)
        ticks = float(result.tick.sum() + len(result))
        one = median_time(partial(batch.run, 0, 0, args.runs), args.repeats)
        job = Job("cuba-1962", 0, policies=tuple(sorted(specs.items())), engine="batch")
        tally_many(job, 1)  # workers fork from a process that has the kernel loaded
        many = median_time(partial(tally_many, job, args.runs, cores, 4096), args.repeats)
        ref_time = median_time(partial(reference_runs, sc, overrides, args.reference_runs), 1)
        batch_rate = args.runs / one
        ref_rate = args.reference_runs / ref_time
        used = batch_rate * traffic_per_run(batch) / bandwidth
        print(
            f"{label:<11} {batch_rate:>11,.0f}/s {ticks / one:>12,.0f} {args.runs / many:>13,.0f}/s"
            f" {ref_rate:>8,.1f}/s {batch_rate / ref_rate:>10,.0f}x {used:>9.1e}"
        )
    for runs in args.memory_runs:
        m = memory_run(runs, cores)
        print(
            f"{runs:>12,} runs on {cores} cores: {m.seconds:,.1f} s, peak memory"
            f" {m.driver_mib:,.0f} MiB (driver), {m.worker_mib:,.0f} MiB (largest worker)"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
