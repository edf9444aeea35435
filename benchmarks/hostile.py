"""Time and memory of `brink validate` over the hostile corpus: every file of
``tests/broken/`` (malformed, oversized, overflowing, escaping) plus a few generated at run
time (a file at the size limit, deep nesting, a special file), each in a fresh process.

Prints each case's wall time and peak resident memory, then the worst of each and the
bounds the corpus is held to::

    .venv/bin/python benchmarks/hostile.py [--limit-s 20] [--limit-mb 1024]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
BROKEN = HERE / "tests" / "broken"


def generated(tmp: Path) -> Iterator[Path]:
    """Hostile files too big or too strange to keep in the repository."""
    big = tmp / "near-limit-flow-list.yaml"
    with big.open("w", encoding="utf-8") as f:
        f.write("id: big\nvalues: [")
        f.write("1, " * (4_900_000 // 3))
        f.write("1]\n")
    yield big
    deep = tmp / "deep.yaml"
    deep.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    yield deep
    merge = tmp / "merge-keys.yaml"
    lines = ["a0: &a0 {x: 1}"]
    for level in range(1, 8):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} {{<<: [{refs}], y{level}: 1}}")
    merge.write_text("\n".join(lines) + "\n", encoding="utf-8")
    yield merge
    fifo = tmp / "fifo.yaml"
    os.mkfifo(fifo)
    yield fifo
    zero = tmp / "zero.yaml"
    zero.symlink_to("/dev/zero")
    yield zero


def measure(path: Path, limit_s: float) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB of the process, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "brinkmanship", "validate", str(path)],
            capture_output=True,
            timeout=limit_s,
            env={**os.environ, "PYTHONPATH": str(HERE / "src")},
        )
        code = done.returncode
    except subprocess.TimeoutExpired:
        code = -1
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit-s", type=float, default=20.0)
    parser.add_argument("--limit-mb", type=float, default=1024.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = sorted(BROKEN.glob("*.yaml")) + list(generated(Path(tmp)))
        results = []
        for path in cases:
            wall, mb, code = measure(path, args.limit_s)
            results.append((path.name, wall, mb, code))
            print(f"{path.name:45s} {wall:6.2f} s  {mb:7.1f} MB  exit {code}")
    slowest = max(results, key=lambda r: r[1])
    largest = max(results, key=lambda r: r[2])
    print(f"\n{len(results)} hostile files")
    print(f"worst time:   {slowest[1]:.2f} s ({slowest[0]})")
    print(f"worst memory: {largest[2]:.0f} MB peak so far ({largest[0]}; RSS is a running maximum)")
    refused = [r for r in results if r[3] != 2]
    print(f"not refused with exit 2: {', '.join(r[0] for r in refused) or 'none'}")
    if slowest[1] > args.limit_s or largest[2] > args.limit_mb or refused:
        sys.exit(1)


if __name__ == "__main__":
    main()
