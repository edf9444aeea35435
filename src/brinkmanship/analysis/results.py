"""Run results as Parquet (one row per run, the inputs in the file's metadata), and SQL
over them with DuckDB."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from brinkmanship.analysis.montecarlo import Job, RunSummary, Tally, run_chunk, stream
from brinkmanship.errors import BrinkError
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.version import __version__

_COLUMNS: dict[str, pa.DataType] = {
    "run": pa.int64(),
    "outcome": pa.string(),
    "class": pa.string(),
    "tick": pa.int32(),
    "hours": pa.float64(),
    "peak_escalation": pa.float64(),
}
SCHEMA = pa.schema(_COLUMNS)

MANIFEST = "manifest.json"
PARTS = "parts"
"""A sweep's directory: its manifest, and its runs as Parquet parts under ``parts/`` (other
files beside them, such as a sensitivity analysis' indices, are not runs)."""


def job_metadata(job: Job) -> dict[str, Any]:
    """The inputs that reproduce the runs."""
    return {
        "scenario": job.scenario,
        "seed": job.seed,
        "interventions": list(job.interventions),
        "policies": dict(job.policies),
        "params": dict(job.params),
        "version": __version__,
    }


def to_table(sc: CompiledScenario, job: Job, results: Sequence[RunSummary]) -> pa.Table:
    """One row per run, with the job's inputs as schema metadata."""
    classes = {o.id: o.cls.value for o in sc.outcomes.values()}
    table = pa.table(
        {
            "run": [r.run for r in results],
            "outcome": [r.outcome for r in results],
            "class": [classes[r.outcome] for r in results],
            "tick": [r.tick for r in results],
            "hours": [r.tick * sc.tick_hours for r in results],
            "peak_escalation": [r.peak_escalation for r in results],
        },
        schema=SCHEMA,
    )
    return table.replace_schema_metadata(_metadata(job))


def _metadata(job: Job) -> dict[str, str]:
    return {"brinkmanship": json.dumps(job_metadata(job))}


def _check_new(path: Path) -> None:
    if path.exists():
        raise BrinkError(f"{path} already exists; choose another path or remove it first")
    if not path.parent.exists():
        raise BrinkError(f"directory {path.parent} does not exist")
    check_can_create(path)


def check_can_create(path: Path) -> None:
    """Refuse, before any run, a path that cannot be created: one under a file, or in a
    directory this process may not write."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise BrinkError(f"cannot create {path}: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BrinkError(f"cannot create {path}: the directory {parent} is not writable")


def disk_error(path: Path, err: OSError, kept: str) -> BrinkError:
    """One line for a write that failed while runs were being written (a full disk, a
    vanished directory): what failed, and what was kept."""
    reason = err.strerror or str(err)
    return BrinkError(f"could not write {path}: {reason}; {kept}")


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_new(path: Path, table: pa.Table) -> None:
    """Write ``table`` to ``path``, refusing to replace an existing file; atomic."""
    _check_new(path)
    tmp = _temporary(path)
    pq.write_table(table, tmp)
    tmp.replace(path)


ROWS_PER_GROUP = 65_536
"""Rows a :class:`RunWriter` gathers before writing them out as one row group."""


class RunWriter:
    """Writes runs to a new Parquet file chunk by chunk, in bounded memory: the same rows,
    schema and metadata as :func:`to_table`. The file appears under its name only when the
    writer is closed without an error (it is written to a hidden temporary name until
    then); on an error or an interrupt the temporary file is removed."""

    def __init__(self, path: Path, sc: CompiledScenario, job: Job) -> None:
        _check_new(path)
        self.path = path
        self.sc = sc
        self.job = job
        self._tmp = _temporary(path)
        self._pending: list[RunSummary] = []
        try:
            self._writer = pq.ParquetWriter(self._tmp, SCHEMA.with_metadata(_metadata(job)))
        except OSError as err:
            raise disk_error(path, err, "no run was started") from None

    def write(self, results: Sequence[RunSummary]) -> None:
        """Add runs (in the order they should appear)."""
        self._pending += results
        if len(self._pending) >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            try:
                self._writer.write_table(to_table(self.sc, self.job, self._pending))
            except OSError as err:
                self.discard()
                raise disk_error(self.path, err, "the partial file was removed") from None
            self._pending = []

    def commit(self) -> None:
        """Write what is left, close the file and give it its name."""
        try:
            self._flush()
            self._writer.close()
            self._tmp.replace(self.path)
        except OSError as err:
            self._tmp.unlink(missing_ok=True)
            raise disk_error(self.path, err, "the partial file was removed") from None
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Close and remove the unfinished file."""
        self._pending = []
        try:
            self._writer.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_runs(
    writer: RunWriter,
    runs: int,
    workers: int | None = None,
    chunk: int = 256,
    on_progress: Callable[[int], None] | None = None,
) -> Tally:
    """Runs ``0 .. runs-1`` of the writer's job into it, chunk by chunk in run order, and
    their tally; the file gets its name only when every run is in it (bounded memory)."""
    job = writer.job
    tally = Tally()
    with writer, closing(stream([job], runs, partial(run_chunk, job), workers, chunk)) as parts:
        for _, part in parts:
            writer.write(part)
            tally.merge(Tally.of(part))
            if on_progress:
                on_progress(len(part))
    return tally


def read_metadata(path: Path) -> Mapping[str, Any]:
    """The inputs stored with a results file."""
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"brinkmanship")
    return json.loads(raw) if raw else {}


def query(path: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` with the view ``runs`` over a results file or a directory of them."""
    if not path.exists():
        raise BrinkError(f"{path} does not exist")
    if path.is_dir() and next(path.rglob("*.parquet"), None) is None:
        raise BrinkError(
            f"{path} holds no Parquet results; write some with brink mc --out FILE.parquet "
            "or brink sweep --out DIR, then query them"
        )
    pattern = str(_runs_glob(path)) if path.is_dir() else str(path)
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet({_literal(pattern)})")
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        raise BrinkError(f"query failed: {message} (the table is called 'runs')") from None
    finally:
        con.close()


def _runs_glob(directory: Path) -> Path:
    if (directory / MANIFEST).is_file() and (directory / PARTS).is_dir():
        return directory / PARTS / "*.parquet"
    return directory / "**" / "*.parquet"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
