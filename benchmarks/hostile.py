"""Time and memory of `brink validate` over the hostile corpus: every file of
``tests/broken/`` (malformed, oversized, overflowing, escaping, out-of-range probabilities)
plus files generated at run time (a flow list at the size limit, deep nesting, merge-key and
alias bombs, 10,000 actors, which must validate, and special files), each in a fresh
process.

Prints each case's wall time and peak resident memory, then the worst of each and the
bounds the corpus is held to::

    .venv/bin/python benchmarks/hostile.py [--limit-s 60] [--limit-mb 1024]

The time bound fits the slowest case, 10,000 actors, on a loaded two-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
BROKEN = HERE / "tests" / "broken"


def _actors(path: Path, n: int) -> None:
    """The valid base scenario with `n` more actors, each with a policy and an action."""
    text = (BROKEN / "valid" / "base.yaml").read_text(encoding="utf-8")
    actors = "".join(
        f"  a{i}:\n    name: Actor {i}\n    side: blue\n    members: {{m: {{name: M}}}}\n"
        f"    rule: {{kind: leader, leader: m}}\n"
        f"    policies: {{p: {{rules: [{{do: act{i}, why: w}}]}}}}\n"
        for i in range(n)
    )
    actions = "".join(f"  act{i}: {{actor: a{i}, label: Act {i}}}\n" for i in range(n))
    text = text.replace("\nterms:", actors + "\nterms:", 1)
    text = text.replace("actions:\n", "actions:\n" + actions, 1)
    path.write_text(text, encoding="utf-8")


def flow_list(path: Path) -> None:
    """A flow list just under the 5 MB size limit, with more values than allowed."""
    with path.open("w", encoding="utf-8") as f:
        f.write("id: big\nvalues: [")
        f.write("1, " * (4_900_000 // 3))
        f.write("1]\n")


def deep_nesting(path: Path) -> None:
    """Lists nested 10,000 deep."""
    path.write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")


def merges(path: Path, levels: int, *, lists: bool) -> None:
    """Levels of ten merge keys each (10^levels expansions unless each mapping is merged
    once); with ``lists``, each level also holds a list of the ten aliases."""
    lines = [f"a0: &a0 {{x: {'[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]' if lists else 1}}}"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        also = f"[{refs}]" if lists else "1"
        lines.append(f"a{level}: &a{level} {{<<: [{refs}], y{level}: {also}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def alias_lists(path: Path) -> None:
    """Eight levels of lists of ten aliases each (10^8 values once expanded)."""
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generated(tmp: Path) -> Iterator[tuple[Path, int]]:
    """Hostile files too big or too strange to keep in the repository, with the exit code
    `brink validate` must give."""
    big = tmp / "near-limit-flow-list.yaml"
    flow_list(big)
    yield big, 2
    deep = tmp / "deep.yaml"
    deep_nesting(deep)
    yield deep, 2
    merge = tmp / "merge-keys.yaml"
    merges(merge, 7, lists=False)
    yield merge, 2
    merge_lists = tmp / "merge-keys-with-lists.yaml"
    merges(merge_lists, 8, lists=True)
    yield merge_lists, 2
    aliases = tmp / "alias-lists.yaml"
    alias_lists(aliases)
    yield aliases, 2
    actors = tmp / "ten-thousand-actors.yaml"
    _actors(actors, 10_000)
    yield actors, 0
    fifo = tmp / "fifo.yaml"
    os.mkfifo(fifo)
    yield fifo, 2
    zero = tmp / "zero.yaml"
    zero.symlink_to("/dev/zero")
    yield zero, 2


def measure(path: Path, limit_s: float) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB of this one process, exit code (-1: past the limit)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "brinkmanship", "validate", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(HERE / "src")},
    )
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if not killed and time.perf_counter() - started > limit_s:
            proc.kill()
            killed = True
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return wall, usage.ru_maxrss / 1024, -1 if killed else proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit-s", type=float, default=60.0)
    parser.add_argument("--limit-mb", type=float, default=1024.0)
    parser.add_argument("--only", default="", help="only the cases whose name holds this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(p, 2) for p in sorted(BROKEN.glob("*.yaml"))] + list(generated(Path(tmp)))
        results = []
        for path, expected in cases:
            if args.only not in path.name:
                continue
            wall, mb, code = measure(path, args.limit_s)
            results.append((path.name, wall, mb, code, expected))
            print(f"{path.name:45s} {wall:6.2f} s  {mb:7.1f} MB  exit {code}")
    slowest = max(results, key=lambda r: r[1])
    largest = max(results, key=lambda r: r[2])
    print(f"\n{len(results)} hostile files")
    print(f"worst time:   {slowest[1]:.2f} s ({slowest[0]})")
    print(f"worst memory: {largest[2]:.0f} MB peak resident ({largest[0]})")
    refused = [r for r in results if r[3] != r[4]]
    print(f"not the exit code expected: {', '.join(r[0] for r in refused) or 'none'}")
    if slowest[1] > args.limit_s or largest[2] > args.limit_mb or refused:
        sys.exit(1)


if __name__ == "__main__":
    main()
