"""Sensitivity from a sweep directory (``brink sweep``): for each swept parameter, the
probability of the target outcomes at its low and at its high values."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brinkmanship.analysis.results import MANIFEST, PARTS, query
from brinkmanship.analysis.stats import wilson
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.schema import OutcomeClass

WAR_CLASSES = (
    OutcomeClass.CONVENTIONAL_WAR.value,
    OutcomeClass.TACTICAL_NUCLEAR_USE.value,
    OutcomeClass.GENERAL_NUCLEAR_WAR.value,
)
LHS_SHARE = 0.2
"""For a Latin hypercube: the share of points (lowest / highest values) in each group."""


def resolve_targets(sc: CompiledScenario, names: Sequence[str]) -> tuple[str, ...]:
    """Outcome ids meant by ``names`` (outcome ids or class names); by default the outcomes
    of the war classes, or the first outcome when the scenario has none."""
    if not names:
        war = tuple(o.id for o in sc.outcomes.values() if o.cls.value in WAR_CLASSES)
        return war or (next(iter(sc.outcomes)),)
    chosen: list[str] = []
    classes = {o.cls.value for o in sc.outcomes.values()}
    for name in names:
        if name in sc.outcomes:
            matches = [name]
        elif name in classes:
            matches = [o.id for o in sc.outcomes.values() if o.cls.value == name]
        else:
            raise UnknownNameError(
                "outcome or class", name, [*sc.outcomes, *sorted(classes)], " for --target"
            )
        chosen += [m for m in matches if m not in chosen]
    return tuple(chosen)


@dataclass(frozen=True)
class SweepData:
    """A finished sweep: its manifest and, per point, how many runs ended in each outcome."""

    path: Path
    manifest: dict[str, Any]
    axes: list[str]
    points: list[dict[str, float]]
    counts: list[dict[str, int]]

    @property
    def runs(self) -> int:
        return int(self.manifest["runs"])


def read_sweep(path: Path) -> SweepData:
    """Read a sweep directory, refusing anything that is not one whole sweep."""
    if not path.is_dir():
        raise BrinkError(f"--sweep {path}: not a directory (give a directory made by brink sweep)")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        points = [{str(k): float(v) for k, v in point} for point in manifest["points"]]
        runs = int(manifest["runs"])
        axes = [str(a["name"]) for a in manifest["axes"]]
        if any(set(point) != set(axes) for point in points):
            raise ValueError("points and axes differ")
    except FileNotFoundError:
        raise BrinkError(
            f"--sweep {path}: not a sweep directory (no {MANIFEST}; make one with brink sweep)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise BrinkError(f"--sweep {path}: {MANIFEST} is unreadable or not a sweep's") from None
    if not any((path / PARTS).glob("*.parquet")):
        raise BrinkError(f"--sweep {path}: the sweep holds no results yet; run it to the end")
    _, rows = query(path, "select point, outcome, count(*) from runs group by point, outcome")
    counts: list[dict[str, int]] = [{} for _ in points]
    for point, outcome, count in rows:
        if not 0 <= int(point) < len(points):
            raise BrinkError(f"--sweep {path}: results for point {point} the manifest lacks")
        counts[int(point)][str(outcome)] = int(count)
    done = sum(sum(c.values()) for c in counts)
    if done != runs * len(points):
        raise BrinkError(
            f"--sweep {path}: incomplete ({done} of {runs * len(points)} runs); finish it with "
            "brink sweep ... --resume"
        )
    return SweepData(path, manifest, axes, points, counts)


@dataclass(frozen=True)
class Bar:
    """One parameter's bar: the target probability over the points at its low values and
    over those at its high values (runs pooled; the interval is Wilson's on the pool)."""

    param: str
    low: tuple[float, float]
    """The range of the parameter's values in the low group (one value on a grid)."""
    high: tuple[float, float]
    n_low: int
    p_low: float
    ci_low: tuple[float, float]
    n_high: int
    p_high: float
    ci_high: tuple[float, float]

    @property
    def swing(self) -> float:
        return self.p_high - self.p_low


@dataclass(frozen=True)
class Tornado:
    """Bars sorted by swing, the probability over the whole sweep, and unvaried axes."""

    targets: tuple[str, ...]
    overall: float
    bars: list[Bar]
    unvaried: list[str]


def tornado(sweep: SweepData, targets: Sequence[str]) -> Tornado:
    """The tornado of ``targets``' probability over the sweep's axes."""
    hits = [sum(c.get(t, 0) for t in targets) for c in sweep.counts]
    bars, unvaried = [], []
    for name in sweep.axes:
        values = sorted({p[name] for p in sweep.points})
        if len(values) < 2:
            unvaried.append(name)
            continue
        if str(sweep.manifest.get("design", "grid")) != "grid":  # sampled: LHS, Sobol, Morris
            order = sorted(range(len(sweep.points)), key=lambda i: sweep.points[i][name])
            size = max(1, math.ceil(len(order) * LHS_SHARE))
            low_idx, high_idx = order[:size], order[-size:]
        else:
            low_idx = [i for i, p in enumerate(sweep.points) if p[name] == values[0]]
            high_idx = [i for i, p in enumerate(sweep.points) if p[name] == values[-1]]
        bars.append(_bar(sweep, name, hits, low_idx, high_idx))
    bars.sort(key=lambda b: -abs(b.swing))
    overall = sum(hits) / (sweep.runs * len(sweep.points))
    return Tornado(tuple(targets), overall, bars, unvaried)


def _bar(
    sweep: SweepData, name: str, hits: list[int], low_idx: list[int], high_idx: list[int]
) -> Bar:
    def group(idx: list[int]) -> tuple[tuple[float, float], int, float, tuple[float, float]]:
        values = [sweep.points[i][name] for i in idx]
        n = sweep.runs * len(idx)
        k = sum(hits[i] for i in idx)
        return (min(values), max(values)), n, k / n, wilson(k, n)

    low, n_low, p_low, ci_low = group(low_idx)
    high, n_high, p_high, ci_high = group(high_idx)
    return Bar(name, low, high, n_low, p_low, ci_low, n_high, p_high, ci_high)


CURVE_BINS = 5
"""Groups along an axis of a sampled design (LHS, Sobol, Morris): its points in value order,
cut into this many groups of (nearly) equal size."""


@dataclass(frozen=True)
class CurvePoint:
    """The target probability over the sweep's points in one group along an axis."""

    low: float
    high: float
    """The range of the axis' values in the group (one value on a grid)."""
    runs: int
    p: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class Curve:
    """How the target probability responds along one swept parameter, pooled over the
    other parameters' values."""

    param: str
    points: list[CurvePoint]


def response_curves(sweep: SweepData, targets: Sequence[str]) -> list[Curve]:
    """For every swept parameter, the target probability at each of its values (a grid) or
    in each of :data:`CURVE_BINS` groups of its values (a sampled design), with Wilson
    intervals on the pooled runs."""
    hits = [sum(c.get(t, 0) for t in targets) for c in sweep.counts]
    sampled = str(sweep.manifest.get("design", "grid")) != "grid"
    curves = []
    for name in sweep.axes:
        values = sorted({p[name] for p in sweep.points})
        if len(values) < 2:
            continue
        if sampled:
            order = sorted(range(len(sweep.points)), key=lambda i: sweep.points[i][name])
            bins = min(CURVE_BINS, len(order))
            groups = [
                order[len(order) * b // bins : len(order) * (b + 1) // bins] for b in range(bins)
            ]
        else:
            groups = [[i for i, p in enumerate(sweep.points) if p[name] == v] for v in values]
        points = []
        for idx in groups:
            xs = [sweep.points[i][name] for i in idx]
            n = sweep.runs * len(idx)
            k = sum(hits[i] for i in idx)
            points.append(CurvePoint(min(xs), max(xs), n, k / n, wilson(k, n)))
        curves.append(Curve(name, points))
    return curves
