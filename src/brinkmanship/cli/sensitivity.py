"""`brink sensitivity`: global sensitivity analysis (Sobol or Morris) of outcome classes."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli.app import EngineOpt, InterventionOpt, PolicyOpt, ScenarioArg, out
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint
from brinkmanship.cli.sweep import Backend, check_backend, execute

__all__ = ["Method", "sensitivity"]


class Method(str, Enum):
    """Sensitivity methods (SALib)."""

    sobol = "sobol"
    morris = "morris"


def sensitivity(
    ctx: typer.Context,
    scenario: ScenarioArg,
    param: Annotated[
        list[str], typer.Option("--param", help="NAME=LOW:HIGH (repeatable; at least two).")
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Directory for the runs (as a sweep) and the indices."),
    ],
    method: Annotated[Method, typer.Option(help="sobol or morris.")] = Method.sobol,
    samples: Annotated[
        int,
        typer.Option(
            help="Sobol: base samples, a power of two (points = samples x (params + 2)); "
            "Morris: trajectories (points = samples x (params + 1))."
        ),
    ] = 64,
    levels: Annotated[int, typer.Option(help="Morris: grid levels (even).")] = 4,
    runs: Annotated[int, typer.Option(help="Runs per point.")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    chunk: Annotated[int, typer.Option(help="Runs per part (the checkpoint unit).")] = 256,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted analysis in --out.")] = False,
    backend: Annotated[
        Backend, typer.Option(help="local: processes on this machine; ray: Ray tasks.")
    ] = Backend.local,
    address: Annotated[
        str | None, typer.Option(help="With --backend ray: the cluster's head, HOST:PORT.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON.")] = False,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Which parameters move each outcome class's probability: Sobol first- and total-order
    indices (or Morris' mu*) with bootstrap intervals, written to OUT/sensitivity.parquet."""
    from rich.table import Table

    from brinkmanship.analysis import sensitivity as sa
    from brinkmanship.analysis.jobs import make_job
    from brinkmanship.cli.console import wide_console

    check_backend(backend, address, llm_base_url, llm_api_key, llm_api_key_file)
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    job, sc = make_job(scenario, seed, policy, intervention, engine)
    axes = [sa.parse_range(p) for p in param]
    spec = sa.plan(job, sc, method.value, axes, samples, levels, runs, chunk)
    execute(spec, out_dir, resume, backend, address, workers)
    found = sa.analyse(out_dir, spec, sc, method.value, axes, levels)
    path = out_dir / sa.INDICES
    if as_json:
        out(json.dumps({"method": method.value, "indices": [i.__dict__ for i in found]}))
        return
    measures = ("S1", "ST") if method is Method.sobol else ("mu_star", "sigma")
    console = wide_console()
    for cls in sorted({i.cls for i in found}):
        table = Table(title=f"P({cls.replace('_', ' ')})")
        table.add_column("parameter")
        for m in measures:
            table.add_column(m + (" [95% CI]" if m != "sigma" else ""))
        for axis in axes:
            cells = []
            for m in measures:
                (i,) = [x for x in found if (x.cls, x.parameter, x.measure) == (cls, axis.name, m)]
                cells.append(_cell(i.value, i.ci_low, i.ci_high))
            table.add_row(axis.name, *cells)
        console.print(table)
    out(f"{len(spec.points)} points × {runs} runs; indices in {path}")


def _cell(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return "- (does not vary)"
    if low is None or high is None:
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"
