"""Global sensitivity analysis (SALib): which parameters move the probability of each outcome
class, alone (first order) and with their interactions (total order).

The design's points are run as a sweep (:mod:`brinkmanship.analysis.sweep`: the same run
indices at every point, Parquet parts, resumable); the indices are computed from the
per-point probabilities of each outcome class, with SALib's bootstrap intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from brinkmanship.analysis.job import Job
from brinkmanship.analysis.results import query
from brinkmanship.analysis.sweep import Axis, SweepSpec, check_ranges, make_spec
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.scenario.compiled import CompiledScenario

METHODS = ("sobol", "morris")
INDICES = "sensitivity.parquet"
CONF_LEVEL = 0.95
RESAMPLES = 200

_TEXT, _NUMBER = pa.string(), pa.float64()
SCHEMA = pa.schema(
    [pa.field(name, _TEXT) for name in ("method", "class", "parameter", "measure")]
    + [pa.field(name, _NUMBER) for name in ("value", "ci_low", "ci_high")]
)
"""One row per (outcome class, parameter, measure). Sobol: ``S1`` and ``ST``; Morris:
``mu_star`` (with its interval), ``mu`` and ``sigma``. A class whose probability does not
vary over the design has null values."""


def parse_range(text: str) -> Axis:
    """``NAME=LOW:HIGH``: one parameter's range in the design."""
    name, eq, spec = text.partition("=")
    parts = spec.split(":")
    if not eq or not name.strip() or len(parts) != 2:
        raise BrinkError(f"--param {text!r} must look like NAME=LOW:HIGH, e.g. p=0:0.5")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise BrinkError(f"--param {text!r}: LOW and HIGH must be numbers") from None
    if not low < high:
        raise BrinkError(f"--param {text!r}: LOW {low:g} must be below HIGH {high:g}")
    return Axis(name.strip(), low, high, 0)


def _problem(axes: Sequence[Axis]) -> dict[str, Any]:
    return {
        "num_vars": len(axes),
        "names": [a.name for a in axes],
        "bounds": [[a.low, a.high] for a in axes],
    }


def design(
    method: str, axes: Sequence[Axis], samples: int, seed: int, levels: int = 4
) -> list[dict[str, float]]:
    """The points SALib asks for: Saltelli's scheme for Sobol (``samples`` a power of two;
    ``samples * (parameters + 2)`` points), ``samples`` trajectories for Morris
    (``samples * (parameters + 1)`` points)."""
    if method not in METHODS:
        raise UnknownNameError("method", method, list(METHODS))
    if len(axes) < 2:
        raise BrinkError("a sensitivity analysis needs at least two --param NAME=LOW:HIGH")
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise BrinkError(f"--param names a parameter twice: {', '.join(names)}")
    if samples < 2:
        raise BrinkError(f"--samples must be at least 2, got {samples}")
    problem = _problem(axes)
    if method == "sobol":
        if samples & (samples - 1):
            raise BrinkError(f"--samples for sobol must be a power of two, got {samples}")
        matrix = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        if levels < 2 or levels % 2:
            raise BrinkError(f"--levels for morris must be an even number >= 2, got {levels}")
        matrix = morris_sample.sample(problem, samples, num_levels=levels, seed=seed)
    return [
        {name: float(f"{value:.15g}") for name, value in zip(names, row, strict=True)}
        for row in np.asarray(matrix).tolist()
    ]


@dataclass(frozen=True)
class Index:
    """One measure of one parameter's influence on one outcome class."""

    cls: str
    parameter: str
    measure: str
    value: float | None
    ci_low: float | None
    ci_high: float | None


def class_probabilities(out: Path, spec: SweepSpec, sc: CompiledScenario) -> dict[str, np.ndarray]:
    """Per outcome class, its probability at each point of the sweep in ``out`` (point
    order); refuses a sweep that is not finished."""
    columns, rows = query(
        out, 'SELECT point, "class", count(*) FROM runs GROUP BY point, "class" ORDER BY point'
    )
    del columns
    points = len(spec.points)
    classes = sorted({o.cls.value for o in sc.outcomes.values()})
    counts = {c: np.zeros(points) for c in classes}
    totals = np.zeros(points)
    for point, cls, count in rows:
        counts[cls][point] += count
        totals[point] += count
    if (totals != spec.runs).any():
        missing = int(points * spec.runs - totals.sum())
        raise BrinkError(f"{out}: {missing} runs are missing; finish the sweep with --resume first")
    return {c: counts[c] / spec.runs for c in classes}


def indices(
    method: str,
    axes: Sequence[Axis],
    spec: SweepSpec,
    probabilities: dict[str, np.ndarray],
    seed: int,
    levels: int = 4,
) -> list[Index]:
    """First- and total-order Sobol indices (or Morris' mu*, mu and sigma) of every
    parameter for each outcome class's probability, with bootstrap intervals."""
    problem = _problem(axes)
    names = problem["names"]
    # SALib seeds NumPy's global generator only for a non-zero seed (below 2**32): derive
    # one, so that seed 0 too gives the same intervals every time.
    seed = seed % (2**32 - 1) + 1
    x = np.array([[dict(p)[n] for n in names] for p in spec.points])
    found: list[Index] = []
    for cls, y in probabilities.items():
        if float(np.var(y)) == 0.0:
            measures = ("S1", "ST") if method == "sobol" else ("mu_star", "mu", "sigma")
            found += [Index(cls, n, m, None, None, None) for n in names for m in measures]
            continue
        if method == "sobol":
            res = sobol_analyze.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=RESAMPLES,
                conf_level=CONF_LEVEL,
                seed=seed,
            )
            for i, n in enumerate(names):
                for m in ("S1", "ST"):
                    v, half = float(res[m][i]), float(res[f"{m}_conf"][i])
                    found.append(Index(cls, n, m, v, v - half, v + half))
        else:
            res = morris_analyze.analyze(
                problem,
                x,
                y,
                num_resamples=RESAMPLES,
                conf_level=CONF_LEVEL,
                num_levels=levels,
                seed=seed,
            )
            for i, n in enumerate(names):
                v, half = float(res["mu_star"][i]), float(res["mu_star_conf"][i])
                found.append(Index(cls, n, "mu_star", v, v - half, v + half))
                found.append(Index(cls, n, "mu", float(res["mu"][i]), None, None))
                found.append(Index(cls, n, "sigma", float(res["sigma"][i]), None, None))
    return [_finite(i) for i in found]


def _finite(index: Index) -> Index:
    def clean(v: float | None) -> float | None:
        return None if v is None or math.isnan(v) else v

    return Index(
        index.cls,
        index.parameter,
        index.measure,
        clean(index.value),
        clean(index.ci_low),
        clean(index.ci_high),
    )


def to_table(method: str, found: Sequence[Index]) -> pa.Table:
    """The indices as one Arrow table (:data:`SCHEMA`)."""
    return pa.table(
        {
            "method": [method] * len(found),
            "class": [i.cls for i in found],
            "parameter": [i.parameter for i in found],
            "measure": [i.measure for i in found],
            "value": [i.value for i in found],
            "ci_low": [i.ci_low for i in found],
            "ci_high": [i.ci_high for i in found],
        },
        schema=SCHEMA,
    )


def read(out: Path) -> list[Index] | None:
    """The indices written beside the sweep in ``out``, if an analysis wrote any."""
    path = out / INDICES
    if not path.is_file():
        return None
    try:
        rows = pq.read_table(path).to_pylist()
    except (OSError, pa.ArrowInvalid):
        raise BrinkError(f"{path} is unreadable; run brink sensitivity again") from None
    return [
        Index(r["class"], r["parameter"], r["measure"], r["value"], r["ci_low"], r["ci_high"])
        for r in rows
    ]


def write(out: Path, table: pa.Table) -> Path:
    """Write the indices beside the sweep's parts, atomically."""
    final = out / INDICES
    tmp = out / f".{INDICES}.tmp"
    pq.write_table(table, tmp)
    tmp.replace(final)
    return final


def plan(
    job: Job,
    sc: CompiledScenario,
    method: str,
    axes: Sequence[Axis],
    samples: int,
    levels: int,
    runs: int,
    chunk: int,
) -> SweepSpec:
    """The sweep an analysis runs: SALib's design over ``axes``, with ``job``'s
    interventions, policies, engine and fixed parameter values, checked before any run."""
    check_ranges(sc, axes)
    points = design(method, axes, samples, job.seed, levels)
    return make_spec(
        job.scenario,
        job.seed,
        runs,
        chunk,
        job.interventions,
        job.policies,
        axes,
        list(sc.parameters),
        None,
        job.resolved_engine(),
        (f"{method}:{samples}:{levels}", points),
        fixed=dict(job.params),
    )


def analyse(
    out: Path, spec: SweepSpec, sc: CompiledScenario, method: str, axes: Sequence[Axis], levels: int
) -> list[Index]:
    """The indices of a finished analysis' sweep in ``out``, also written beside it."""
    found = indices(method, axes, spec, class_probabilities(out, spec, sc), spec.seed, levels)
    write(out, to_table(method, found))
    return found
