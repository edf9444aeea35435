"""Per-point overhead of a parameter sweep: what it costs to get an engine ready for one
more point, before the point's runs start.

Two ways, taking turns over the same points of a Latin hypercube (issue 16's 100-point
sweep), on the batch engine (the sweeps' usual one):

* ``recompile`` — what a sweep did before parameters could change at run time: write the
  point's values into the scenario document, validate and compile it, build the batch
  tables (``build`` + ``BatchEngine``);
* ``runtime`` — what it does now: the scenario and its tables are built once, and each point
  only sets values (``CompiledScenario.with_parameters`` + ``BatchEngine.with_parameters``).

Prints the median milliseconds per point of each (over ``--repeats`` passes of all points),
their ratio, and checks that both engines give the same runs at a few points::

    .venv/bin/python benchmarks/sweep_points.py --points 100 --repeats 3
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import statistics
import time
from collections.abc import Callable

import numpy as np

from brinkmanship.analysis.sweep import Axis, latin_hypercube
from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import build, read_source
from brinkmanship.scenario.yamlsource import SourceDoc

AXES = (
    Axis("p_arkhipov_consent", 0.0, 0.2, 0),
    Axis("p_further_shootdown", 0.001, 0.02, 0),
    Axis("p_strike_if_no_deal", 0.05, 0.4, 0),
)


def recompile(doc: SourceDoc, specs: dict[str, str]) -> Callable[[dict[str, float]], BatchEngine]:
    def ready(values: dict[str, float]) -> BatchEngine:
        data = copy.deepcopy(doc.data)
        for name, value in values.items():
            data["parameters"][name]["value"] = value
        sc = build(dataclasses.replace(doc, data=data))
        return BatchEngine(sc, batch_forms(sc, specs))

    return ready


def runtime(
    base: CompiledScenario, specs: dict[str, str]
) -> Callable[[dict[str, float]], BatchEngine]:
    engine = BatchEngine(base, batch_forms(base, specs))

    def ready(values: dict[str, float]) -> BatchEngine:
        return engine.with_parameters(base.with_parameters(values))

    return ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="cuba-1962")
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    doc = read_source(args.scenario)
    base = build(doc)
    specs = dict(policy_set(base).specs)
    points = latin_hypercube(AXES, args.points, seed=0)
    ways = {"recompile": recompile(doc, specs), "runtime": runtime(base, specs)}
    for i in (0, len(points) // 2, len(points) - 1):  # the same runs either way
        a, b = (ways[w](points[i]).run(0, 0, 50) for w in ways)
        assert np.array_equal(a.outcome, b.outcome) and np.array_equal(a.tick, b.tick)

    per_point: dict[str, list[float]] = {w: [] for w in ways}
    for _ in range(args.repeats):
        for name, ready in ways.items():  # taking turns, so load on the machine hits both
            started = time.perf_counter()
            for values in points:
                ready(values)
            per_point[name].append((time.perf_counter() - started) / len(points) * 1000)

    medians = {w: statistics.median(v) for w, v in per_point.items()}
    print(f"{args.scenario}: {len(points)} points, {args.repeats} passes, batch engine")
    for name, ms in medians.items():
        runs = ", ".join(f"{x:.2f}" for x in per_point[name])
        print(f"  {name:10s} {ms:9.2f} ms per point (median; passes: {runs})")
    print(f"  ratio recompile / runtime: {medians['recompile'] / medians['runtime']:.0f}x")


if __name__ == "__main__":
    main()
