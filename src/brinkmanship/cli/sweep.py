"""`brink sweep` and `brink query`: parameter sweeps to Parquet, and SQL over results."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from brinkmanship.cli.app import (
    EngineOpt,
    InterventionOpt,
    PolicyOpt,
    ScenarioArg,
    out,
)
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint
from brinkmanship.errors import BrinkError

if TYPE_CHECKING:
    from brinkmanship.analysis.raybackend import Cluster
    from brinkmanship.analysis.sweep import SweepSpec

__all__ = ["Backend", "check_backend", "execute", "query_results", "sweep"]


class Backend(str, Enum):
    """Where the runs of a sweep are computed; the driver writes every part either way."""

    local = "local"
    ray = "ray"


def sweep(
    ctx: typer.Context,
    scenario: ScenarioArg,
    param: Annotated[list[str], typer.Option("--param", help="NAME=LOW:HIGH:STEPS (repeatable).")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the manifest and Parquet parts.")
    ],
    runs: Annotated[int, typer.Option(help="Runs per point.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    samples: Annotated[
        int | None,
        typer.Option(help="Latin hypercube with this many points instead of a grid."),
    ] = None,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    chunk: Annotated[int, typer.Option(help="Runs per part (the checkpoint unit).")] = 256,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes (default: all cores); with --backend ray, the CPUs of the local "
            "cluster, or the tasks in flight on an existing one."
        ),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted sweep in --out.")] = False,
    backend: Annotated[
        Backend,
        typer.Option(help="local: processes on this machine; ray: Ray tasks on a cluster."),
    ] = Backend.local,
    address: Annotated[
        str | None,
        typer.Option(
            help="With --backend ray: the cluster's head, HOST:PORT (e.g. 10.0.0.5:6379), or "
            "auto; run on a node of that cluster. Without it a local cluster is started."
        ),
    ] = None,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Sweep scenario parameters over a grid or a Latin hypercube; results as Parquet parts
    plus a manifest, queryable with `brink query DIR`."""
    from brinkmanship.analysis.jobs import make_job
    from brinkmanship.analysis.sweep import Axis, plan

    check_backend(backend, address, llm_base_url, llm_api_key, llm_api_key_file)
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    job, sc = make_job(scenario, seed, policy, intervention, engine)
    spec = plan(job, sc, [Axis.parse(p) for p in param], runs, chunk, samples)
    total = execute(spec, out_dir, resume, backend, address, workers)
    out(
        f"{out_dir}: {len(spec.points)} points × {runs} runs done on the {spec.engine} engine "
        f"({total} run now, "
        f"{len(spec.points) * runs - total} already there); "
        f'query with: brink query {out_dir} "SQL"'
    )


def check_backend(
    backend: Backend,
    address: str | None,
    llm_base_url: str | None,
    llm_api_key: str | None,
    llm_api_key_file: Path | None,
) -> None:
    """Refuse backend options that cannot work together, before anything runs."""
    if address is not None and backend is not Backend.ray:
        raise BrinkError("--address is for the Ray backend; add --backend ray")
    if address is not None and (llm_base_url or llm_api_key or llm_api_key_file):
        raise BrinkError(
            "--llm-* flags cannot reach the workers of an existing Ray cluster (--address); "
            "give base_url= in the policy spec and set BRINK_LLM_API_KEY on the cluster's nodes"
        )


def execute(
    spec: SweepSpec,
    out_dir: Path,
    resume: bool,
    backend: Backend,
    address: str | None,
    workers: int | None,
) -> int:
    """Run the sweep's missing parts into ``out_dir`` on the backend, with progress;
    returns the number of runs done now. Ctrl-C keeps the finished parts and exits 130."""
    from brinkmanship.analysis.raybackend import connect, run_ray
    from brinkmanship.analysis.results import PARTS
    from brinkmanship.analysis.sweep import check, done_parts, prepare, run_local
    from brinkmanship.cli.progress import progress

    check(spec, out_dir, resume)  # before any cluster starts; nothing written yet
    session: AbstractContextManager[Cluster | None] = (
        connect(address, workers) if backend is Backend.ray else nullcontext()
    )
    try:
        with session as cluster:
            todo = prepare(spec, out_dir, resume)
            total = sum(e - s for _, s, e in todo)
            with progress(f"{len(spec.points)} points", total) as advance:
                if cluster is None:
                    run_local(spec, out_dir, todo, workers, advance)
                else:
                    run_ray(cluster, spec, out_dir, todo, workers, advance)
    except KeyboardInterrupt:
        kept = len(done_parts(out_dir)) if (out_dir / PARTS).is_dir() else 0
        sys.stderr.write(
            f"interrupted: {kept} of {len(spec.units())} parts are kept in {out_dir}; "
            "run the same command with --resume to finish\n"
        )
        raise typer.Exit(130) from None
    return total


def query_results(
    path: Annotated[Path, typer.Argument(help="A results file (brink mc --out) or a directory.")],
    sql: Annotated[str, typer.Argument(help="SQL over the view `runs`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON objects.")] = False,
) -> None:
    """SQL (DuckDB) over run results: the view `runs` has one row per run."""
    from rich.table import Table

    from brinkmanship.analysis.results import query
    from brinkmanship.cli.console import wide_console

    columns, rows = query(path, sql)
    if as_json:
        for row in rows:
            out(json.dumps(dict(zip(columns, row, strict=True)), default=str))
        return
    table = Table()
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    wide_console().print(table)
