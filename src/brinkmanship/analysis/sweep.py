"""Sweeps over scenario parameters: a grid or a Latin hypercube of points, each run on
the same run indices (common random numbers across points), written as Parquet parts
with a manifest, one part per (point, chunk of runs).

Workers (local processes, or Ray tasks in ``raybackend``) compute parts; the driver
writes each one to a temporary name and renames it into place as it arrives, so a part
either exists whole or not at all: after a kill at any moment, ``resume`` runs exactly the
missing parts, and the union of parts equals that of an uninterrupted sweep.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from brinkmanship.analysis.montecarlo import Job, run_chunk
from brinkmanship.analysis.results import MANIFEST, PARTS, check_can_create, disk_error, to_table
from brinkmanship.analysis.workers import worker_init
from brinkmanship.engine import rng
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.version import __version__

RESOLVED_ENGINES = ("reference", "batch")


@dataclass(frozen=True)
class Axis:
    """One swept parameter: ``NAME=LOW:HIGH:STEPS``."""

    name: str
    low: float
    high: float
    steps: int

    @classmethod
    def parse(cls, text: str) -> Axis:
        name, eq, spec = text.partition("=")
        parts = spec.split(":")
        if not eq or not name or len(parts) != 3:
            raise BrinkError(f"--param {text!r} must look like NAME=LOW:HIGH:STEPS, e.g. p=0:1:5")
        try:
            low, high, steps = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise BrinkError(
                f"--param {text!r}: LOW and HIGH must be numbers, STEPS a whole number"
            ) from None
        if low > high:
            raise BrinkError(f"--param {text!r}: LOW {low:g} is greater than HIGH {high:g}")
        if steps < 1:
            raise BrinkError(f"--param {text!r}: STEPS must be at least 1")
        return cls(name.strip(), low, high, steps)

    def values(self) -> list[float]:
        """``steps`` evenly spaced values from ``low`` to ``high``, to 12 significant digits
        so that ``0:0.2:5`` gives 0.15 (not 0.15000000000000002) and SQL can match it."""
        if self.steps == 1:
            return [self.low]
        span = self.high - self.low
        return [float(f"{self.low + span * i / (self.steps - 1):.12g}") for i in range(self.steps)]


def grid(axes: Sequence[Axis]) -> list[dict[str, float]]:
    """Every combination of the axes' values."""
    return [
        dict(zip([a.name for a in axes], combo, strict=True))
        for combo in itertools.product(*(a.values() for a in axes))
    ]


def latin_hypercube(axes: Sequence[Axis], samples: int, seed: int) -> list[dict[str, float]]:
    """``samples`` points, each axis cut into ``samples`` strata used once; reproducible
    from ``seed`` (counter-based draws)."""
    if samples < 1:
        raise BrinkError("--samples must be at least 1")
    columns: dict[str, list[float]] = {}
    for axis in axes:
        keys = [rng.uniform(seed, i, 0, f"lhs:order:{axis.name}") for i in range(samples)]
        order = sorted(range(samples), key=lambda i: keys[i])
        column = []
        for i in range(samples):
            u = rng.uniform(seed, i, 0, f"lhs:jitter:{axis.name}")
            column.append(axis.low + (axis.high - axis.low) * (order[i] + u) / samples)
        columns[axis.name] = column
    return [{name: columns[name][i] for name in columns} for i in range(samples)]


@dataclass(frozen=True)
class SweepSpec:
    """Everything that defines a sweep; stored as its manifest."""

    scenario: str
    seed: int
    runs: int
    chunk: int
    interventions: tuple[str, ...]
    policies: tuple[tuple[str, str], ...]
    axes: tuple[Axis, ...]
    points: tuple[tuple[tuple[str, float], ...], ...]
    design: str
    engine: str = "reference"
    """The engine that runs every part, ``reference`` or ``batch`` (resolved, never
    ``auto``): part of the sweep's identity, so a sweep is finished on the engine that
    started it (the results are the same on either)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = __version__
        plain: dict[str, Any] = json.loads(json.dumps(data))  # tuples become lists
        return plain

    def job(self, point: int) -> Job:
        return Job(
            self.scenario,
            self.seed,
            self.interventions,
            self.policies,
            self.points[point],
            self.engine,
        )

    def units(self) -> list[tuple[int, int, int]]:
        """(point, first run, end run) for every part of the sweep."""
        return [
            (p, start, min(start + self.chunk, self.runs))
            for p in range(len(self.points))
            for start in range(0, self.runs, self.chunk)
        ]


Unit = tuple[int, int, int]
"""(point, first run, end run): one part of a sweep, its checkpoint unit."""


def part_name(point: int, start: int) -> str:
    return f"p{point:05d}-r{start:010d}.parquet"


def compute_unit(spec: SweepSpec, point: int, start: int, stop: int) -> pa.Table:
    """The rows of one part: runs ``start .. stop-1`` at ``point``, with its coordinates."""
    job = spec.job(point)
    sc, _ = job.load()
    table = to_table(sc, job, run_chunk(job, start, stop))
    table = table.append_column("point", pa.array([point] * table.num_rows, pa.int32()))
    for name, value in spec.points[point]:
        table = table.append_column(name, pa.array([value] * table.num_rows, pa.float64()))
    return table


def write_part(out: Path, point: int, start: int, table: pa.Table) -> str:
    """Write one part atomically (temporary name, then rename); returns its file name."""
    final = out / PARTS / part_name(point, start)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp)
        tmp.replace(final)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        kept = len(done_parts(out))
        raise disk_error(
            final, err, f"{kept} finished parts are kept; run the same command with --resume"
        ) from None
    return final.name


def check(spec: SweepSpec, out: Path, resume: bool) -> None:
    """Refuse an output directory that does not suit the spec; reads only, writes nothing."""
    manifest = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise BrinkError(f"{out} exists and is not a directory")
    check_can_create(out / PARTS)
    if manifest.exists():
        try:
            existing = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise BrinkError(f"{manifest} is unreadable; choose a new --out directory") from None
        mine = spec.to_json()
        existing.pop("version", None)
        mine.pop("version", None)
        theirs = existing.get("engine")
        same_but_engine = {**existing, "engine": mine["engine"]} == mine
        if theirs in RESOLVED_ENGINES and theirs != mine["engine"] and same_but_engine:
            raise BrinkError(
                f"{out} holds this sweep started on the {theirs} engine; resume it with "
                f"--engine {theirs} (a sweep keeps one engine) — nothing there was changed"
            )
        if existing != mine:
            raise BrinkError(
                f"{out} holds a different sweep (its manifest differs); choose a new --out "
                "directory — nothing there was changed"
            )
        if not resume:
            raise BrinkError(f"{out} already holds this sweep; add --resume to finish it")
    elif out.exists() and any(out.iterdir()):
        raise BrinkError(f"{out} is not empty and holds no sweep manifest; choose a new directory")


def prepare(spec: SweepSpec, out: Path, resume: bool) -> list[Unit]:
    """Check the output directory, write the manifest if new, drop half-written parts;
    return the units still to run."""
    check(spec, out, resume)
    manifest = out / MANIFEST
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    if not manifest.exists():
        tmp = out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(spec.to_json(), indent=2), encoding="utf-8")
        tmp.replace(manifest)
    for stale in (out / PARTS).glob(".*.tmp"):
        if not _writer_alive(stale):  # another process may be writing this one now
            stale.unlink(missing_ok=True)
    done = done_parts(out)
    return [u for u in spec.units() if part_name(u[0], u[1]) not in done]


def _writer_alive(tmp: Path) -> bool:
    """Whether the process named in a temporary part's name (``.NAME.PID.tmp``) still runs."""
    try:
        pid = int(tmp.name.rsplit(".", 2)[-2])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def done_parts(out: Path) -> set[str]:
    """The names of the parts already written in ``out``."""
    return {p.name for p in (out / PARTS).glob("*.parquet")}


def _compute(task: tuple[SweepSpec, Unit]) -> tuple[Unit, pa.Table]:
    spec, (point, start, stop) = task
    return (point, start, stop), compute_unit(spec, point, start, stop)


def run_local(
    spec: SweepSpec,
    out: Path,
    units: Iterable[Unit],
    workers: int | None = None,
    on_part: Callable[[int], None] | None = None,
) -> None:
    """Run the units over local processes; the driver writes each part as it arrives, so
    every finished part is kept if the sweep is interrupted (Ctrl-C stops the workers at
    once)."""
    todo = list(units)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    if workers == 1:
        for p, s, e in todo:
            write_part(out, p, s, compute_unit(spec, p, s, e))
            if on_part:
                on_part(e - s)
        return
    run_chunk(spec.job(todo[0][0]), 0, 1)  # loads (and compiles) once, before forking
    with multiprocessing.Pool(workers, initializer=worker_init) as pool:  # exit: terminate
        for (p, s, e), table in pool.imap_unordered(_compute, [(spec, u) for u in todo]):
            write_part(out, p, s, table)
            if on_part:
                on_part(e - s)


def make_spec(
    scenario: str,
    seed: int,
    runs: int,
    chunk: int,
    interventions: Sequence[str],
    policies: Sequence[tuple[str, str]],
    axes: Sequence[Axis],
    declared: Sequence[str],
    samples: int | None,
    engine: str = "reference",
    design: tuple[str, Sequence[dict[str, float]]] | None = None,
    fixed: Mapping[str, float] | None = None,
) -> SweepSpec:
    """Check the axes against the scenario's parameters and lay out the points: a grid, a
    Latin hypercube of ``samples`` points, or ``design`` (its name and its points).
    ``engine`` is the resolved engine (``reference`` or ``batch``); ``fixed`` parameter
    values hold at every point (an axis of the same name wins)."""
    if runs < 1:
        raise BrinkError(f"--runs must be at least 1, got {runs}")
    if chunk < 1:
        raise BrinkError(f"--chunk must be at least 1, got {chunk}")
    if not axes:
        raise BrinkError("give at least one --param NAME=LOW:HIGH:STEPS")
    if engine not in RESOLVED_ENGINES:
        raise UnknownNameError("engine", engine, list(RESOLVED_ENGINES))
    for axis in axes:
        if axis.name not in declared:
            raise UnknownNameError("parameter", axis.name, list(declared))
    if design is not None:
        name, points = design[0], list(design[1])
    elif samples is not None:  # ``is not None``: --samples 0 is refused, not taken for a grid
        name, points = f"lhs:{samples}", latin_hypercube(axes, samples, seed)
    else:
        name, points = "grid", grid(axes)
    return SweepSpec(
        scenario=scenario,
        seed=seed,
        runs=runs,
        chunk=chunk,
        interventions=tuple(interventions),
        policies=tuple(policies),
        axes=tuple(axes),
        points=tuple(tuple(sorted({**(fixed or {}), **p}.items())) for p in points),
        design=name,
        engine=engine,
    )


def check_ranges(sc: CompiledScenario, axes: Sequence[Axis]) -> None:
    """Refuse an axis that leaves its parameter's declared range."""
    for axis in axes:
        info = sc.parameters.get(axis.name)
        if info is not None and info.range is not None:
            lo, hi = info.range
            if axis.low < lo or axis.high > hi:
                raise BrinkError(
                    f"--param {axis.name}: [{axis.low:g}, {axis.high:g}] leaves the parameter's "
                    f"range [{lo:g}, {hi:g}]"
                )


def plan(
    job: Job,
    sc: CompiledScenario,
    axes: Sequence[Axis],
    runs: int,
    chunk: int,
    samples: int | None,
) -> SweepSpec:
    """The sweep of ``job`` (its interventions, policies, engine and any parameter values
    it sets, which hold at every point) over ``axes`` on a grid or a Latin hypercube of
    ``samples`` points: each axis checked against the scenario's parameters and their
    ranges before anything runs."""
    check_ranges(sc, axes)
    return make_spec(
        job.scenario,
        job.seed,
        runs,
        chunk,
        job.interventions,
        job.policies,
        axes,
        list(sc.parameters),
        samples,
        job.resolved_engine(),
        fixed=dict(job.params),
    )


def read_runs(out: Path) -> pa.Table:
    """Every run a sweep directory holds, one row each, ordered by point and run (the
    parts' per-file metadata is dropped: the manifest says what the sweep was)."""
    parts = sorted((out / PARTS).glob("*.parquet"))
    if not parts:
        raise BrinkError(f"{out} holds no sweep parts")
    table = pa.concat_tables([pq.read_table(p).replace_schema_metadata(None) for p in parts])
    return table.sort_by([("point", "ascending"), ("run", "ascending")])
