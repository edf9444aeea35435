"""Batch-engine throughput against the reference engine, measured side by side.

    .venv/bin/python benchmarks/batch_engine.py [--runs 20000] [--reference-runs 100]

For cuba-1962 with historical policies and with doctrine policies it prints, as medians of
repeated measurements: runs/s and run-ticks/s of the batch engine on one core and on all
cores; the reference engine's runs/s on the same runs and the per-core ratio; the memory
bandwidth the batch engine uses against a streaming copy measured in the same invocation;
and the peak resident memory of a fresh process running N runs, for several N.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

from brinkmanship.analysis.montecarlo import Job, run_many
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.loader import load_scenario

DOCTRINES = {"us": "tit-for-tat", "su": "dove", "cuba": "hawk", "navy": "organizational"}
CONFIGS = {"historical": {}, "doctrines": DOCTRINES}


def median_time(fn: object, repeats: int) -> float:
    assert callable(fn)
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


def peak_memory(runs: int) -> float:
    """Peak resident MiB of a fresh process that runs ``runs`` batch runs."""
    code = (
        "import resource,sys\n"
        "from brinkmanship.analysis.montecarlo import Job, run_many\n"
        f"run_many(Job('cuba-1962', 0, engine='batch'), {runs}, workers=1, chunk=4096)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--reference-runs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-runs", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    bandwidth = copy_bandwidth()
    print(f"streaming copy: {bandwidth / 2**30:.1f} GiB/s")
    header = (
        f"{'policies':<11} {'batch 1 core':>13} {'run-ticks/s':>12} {f'batch {cores} cores':>15}"
        f" {'reference':>10} {'ratio/core':>11} {'bandwidth':>10}"
    )
    print(header)
    sc = load_scenario("cuba-1962")
    for label, overrides in CONFIGS.items():
        specs = policy_set(sc, overrides).specs
        batch = BatchEngine(sc, specs)
        batch.run(0, 0, 10)  # compile or load the kernel outside the timing
        result = batch.run(0, 0, args.runs)
        ticks = float(result.tick.sum() + len(result))
        one = median_time(lambda b=batch: b.run(0, 0, args.runs), args.repeats)
        job = Job("cuba-1962", 0, policies=tuple(sorted(specs.items())), engine="batch")
        chunk = max(1, args.runs // (4 * cores))
        many = median_time(lambda j=job, c=chunk: run_many(j, args.runs, cores, c), args.repeats)
        reference = ReferenceEngine(sc)
        policies = policy_set(sc, overrides)
        ref_runs = range(args.reference_runs)
        ref_time = median_time(
            lambda e=reference, p=policies, rr=ref_runs: [e.run(0, r, p.make()) for r in rr], 1
        )
        batch_rate = args.runs / one
        ref_rate = args.reference_runs / ref_time
        # bytes the kernel writes per run (its result arrays) against the copy's bandwidth
        arrays = (result.outcome, result.tick, result.peak, result.utility)
        bytes_per_run = sum(a.nbytes for a in arrays) / len(result)
        used = batch_rate * bytes_per_run / bandwidth
        print(
            f"{label:<11} {batch_rate:>11,.0f}/s {ticks / one:>12,.0f} {args.runs / many:>13,.0f}/s"
            f" {ref_rate:>8,.1f}/s {batch_rate / ref_rate:>10,.0f}x {used:>10.2e}"
        )
    for runs in args.memory_runs:
        print(f"peak memory, {runs:>10,} runs: {peak_memory(runs):,.0f} MiB")


if __name__ == "__main__":
    main()
