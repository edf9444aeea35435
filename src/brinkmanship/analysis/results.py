"""Run results as Parquet (one row per run, the inputs in the file's metadata), and SQL
over them with DuckDB."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from brinkmanship import __version__
from brinkmanship.analysis.montecarlo import Job, RunSummary
from brinkmanship.errors import BrinkError
from brinkmanship.scenario.compiled import CompiledScenario

_COLUMNS: dict[str, pa.DataType] = {
    "run": pa.int64(),
    "outcome": pa.string(),
    "class": pa.string(),
    "tick": pa.int32(),
    "hours": pa.float64(),
    "peak_escalation": pa.float64(),
}
SCHEMA = pa.schema(_COLUMNS)


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
    return table.replace_schema_metadata({"brinkmanship": json.dumps(job_metadata(job))})


def write_new(path: Path, table: pa.Table) -> None:
    """Write ``table`` to ``path``, refusing to replace an existing file; atomic."""
    if path.exists():
        raise BrinkError(f"{path} already exists; choose another path or remove it first")
    if not path.parent.exists():
        raise BrinkError(f"directory {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def read_metadata(path: Path) -> Mapping[str, Any]:
    """The inputs stored with a results file."""
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"brinkmanship")
    return json.loads(raw) if raw else {}


def query(path: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` with the view ``runs`` over a results file or a directory of them."""
    if not path.exists():
        raise BrinkError(f"{path} does not exist")
    pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
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


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
