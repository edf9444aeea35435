"""Reference-engine throughput: runs per second on the built-in scenarios, one process and
all cores, medians of repeated measurements, with the parallel/serial ratio from the same run.

    .venv/bin/python benchmarks/reference_engine.py [--runs 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from brinkmanship.analysis.montecarlo import Job, run_many


def rate(job: Job, runs: int, workers: int) -> float:
    started = time.perf_counter()
    run_many(job, runs, workers=workers, chunk=max(1, runs // (4 * workers)))
    return runs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {cores} cores, Python {platform.python_version()}")
    print(f"{'scenario':<12} {'1 core runs/s':>14} {f'{cores} cores runs/s':>16} {'ratio':>7}")
    for scenario in ("standoff", "cuba-1962"):
        job = Job(scenario, seed=0, engine="reference")
        job.load()
        serial = statistics.median(rate(job, args.runs, 1) for _ in range(args.repeats))
        parallel = statistics.median(rate(job, args.runs, cores) for _ in range(args.repeats))
        print(f"{scenario:<12} {serial:>14.1f} {parallel:>16.1f} {parallel / serial:>7.2f}")


if __name__ == "__main__":
    main()
