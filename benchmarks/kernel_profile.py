"""Where the batch kernel spends its time, by compiled function, with Linux ``perf``.

numba tells ``perf`` nothing about the code it compiles, so this writes the map ``perf``
reads for such code (``/tmp/perf-PID.map``: address, size, name of each function of
``engine/batch/kernel.py``) and then plays runs of cuba-1962 (historical policies)::

    NUMBA_CACHE_DIR=$(mktemp -d) perf record -F 2000 -o /tmp/kernel.data \\
        .venv/bin/python benchmarks/kernel_profile.py --runs 40000
    perf report -i /tmp/kernel.data --no-children --sort sym --dsos /tmp/perf-PID.map

(``--dsos``, with the PID the script prints, keeps the kernel's samples only: compiling
takes most of the others.)

The addresses come from each function's code library, which only a fresh compilation has
(20-60 s): hence the empty ``NUMBA_CACHE_DIR``. Functions numba inlines (``inline`` in the
kernel) count within their callers. To compare two checkouts, run it with each one's
``src`` on ``PYTHONPATH`` and compare the functions' shares of the kernel's samples.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from brinkmanship.engine.batch import kernel
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.loader import load_scenario

LARGEST = 0x20000  # a function's extent is capped: libraries lie apart in memory


def short_name(symbol: str) -> str:
    """``_first_rule`` of numba's mangled ``...kernel11_first_ruleB3v46...``; wrappers
    (cpython, cfunc) are marked as such."""
    found = re.search(r"kernel\d*(_?[A-Za-z_]+?)B\d", symbol)
    name = found.group(1) if found else symbol[:40]
    wrapper = symbol.startswith(("_ZN7cpython", "cfunc"))
    return f"wrapper:{name}" if wrapper else name


def compiled_functions() -> list[tuple[int, str]]:
    """(address, name) of every function compiled from the kernel module, by address."""
    found: set[tuple[int, str]] = set()
    for attribute in vars(kernel).values():
        overloads: dict[Any, Any] = getattr(attribute, "overloads", {})
        for compiled in overloads.values():
            library = compiled.library
            module = getattr(library, "_final_module", None)
            for function in [] if module is None else module.functions:
                if function.is_declaration:
                    continue
                address = library.get_pointer_to_function(function.name)
                if address:
                    found.add((int(address), short_name(function.name)))
    return sorted(found)


def write_map(functions: list[tuple[int, str]]) -> Path:
    path = Path(f"/tmp/perf-{os.getpid()}.map")
    lines = []
    for i, (address, name) in enumerate(functions):
        following = functions[i + 1][0] if i + 1 < len(functions) else address + LARGEST
        lines.append(f"{address:x} {min(following - address, LARGEST):x} {name}\n")
    path.write_text("".join(lines))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40_000)
    args = parser.parse_args()
    sc = load_scenario("cuba-1962")
    engine = BatchEngine(sc, batch_forms(sc, policy_set(sc).specs))
    engine.run(0, 0, 10)  # compiles (with an empty cache) before the timing
    functions = compiled_functions()
    if not functions:
        print(
            "error: the kernel was loaded from numba's cache, which keeps no addresses: "
            "run with NUMBA_CACHE_DIR set to an empty folder",
            file=sys.stderr,
        )
        sys.exit(2)
    path = write_map(functions)
    started = time.process_time()
    engine.run(0, 0, args.runs)
    seconds = time.process_time() - started
    print(f"{len(functions)} functions mapped in {path}; {args.runs:,} runs in {seconds:.2f} s")


if __name__ == "__main__":
    main()
