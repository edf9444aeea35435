"""`brink mc` and `brink compare`: outcome probabilities, alone or paired against the
baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from brinkmanship import __version__
from brinkmanship.cli.app import (
    EngineOpt,
    InterventionOpt,
    PolicyOpt,
    ScenarioArg,
    check_counts,
    out,
)
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint

__all__ = ["compare", "mc"]


def _hours(values: tuple[float, float, float] | None) -> str:
    return "-" if values is None else "/".join(f"{h:.0f}" for h in values)


def mc(
    ctx: typer.Context,
    scenario: ScenarioArg,
    runs: Annotated[int, typer.Option(help="Number of runs.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Also write one row per run to this new Parquet file."),
    ] = None,
    engine: EngineOpt = "auto",
    by_mechanism: Annotated[
        bool,
        typer.Option(
            "--by-mechanism",
            help="Also count each outcome class by the mechanism that produced it (the "
            "scenario's mechanisms), with 95% Wilson intervals.",
        ),
    ] = False,
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Monte Carlo: outcome probabilities with 95% Wilson intervals, time to resolution
    (the hour the outcome was decided) and to the end of the run, peak escalation."""
    from rich.table import Table

    from brinkmanship.api.scenario import load
    from brinkmanship.cli.console import wide_console
    from brinkmanship.cli.progress import run_with_progress
    from brinkmanship.errors import BrinkError

    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    loaded = load(scenario, intervention, policies=policy, engine=engine)
    sc = loaded.compiled
    if by_mechanism and not sc.mechanisms:
        raise BrinkError(
            f"--by-mechanism: scenario {sc.id!r} names no mechanisms "
            "(docs/scenario-format.md, 'Where outcomes come from')"
        )
    check_counts(runs, workers)
    result = run_with_progress(
        f"{sc.id}: {runs} runs",
        runs,
        lambda advance: loaded.mc(
            runs=runs, seed=seed, workers=workers, out=out_file, on_progress=advance
        ),
        "" if out_file is None else f"; {out_file} was not written",
    )
    job, summary, elapsed = result.job, result.summary, result.elapsed
    if as_json:
        out(json.dumps(result.to_json(by_mechanism)))
        return
    console = wide_console()
    console.print(
        f"{sc.title} — {runs} runs, seed {seed}, interventions: "
        f"{', '.join(job.interventions) or 'none'}, {job.resolved_engine()} engine, "
        f"brinkmanship {__version__}"
    )
    console.print("policies: " + ", ".join(f"{a}={p}" for a, p in job.policies))
    table = Table()
    for col in (
        "outcome",
        "class",
        "count",
        "p",
        "95% CI",
        "hours to resolution (q1/med/q3)",
        "hours to end (q1/med/q3)",
        "peak esc.",
    ):
        table.add_column(col)
    for o in summary.outcomes.values():
        peak = "-" if o.peak is None else f"{o.peak[1]:g}"
        table.add_row(
            o.id,
            o.cls,
            str(o.count),
            f"{o.p:.3f}",
            f"{o.ci_low:.3f}–{o.ci_high:.3f}",
            _hours(o.decided_hours),
            _hours(o.hours),
            peak,
        )
    console.print(table)
    if by_mechanism:
        mechanisms = Table(title="Where the outcomes come from")
        for col in ("class", "mechanism", "count", "p", "95% CI", "share of class"):
            mechanisms.add_column(col)
        for m in summary.mechanisms:
            mechanisms.add_row(
                m.cls,
                m.label,
                str(m.count),
                f"{m.p:.3f}",
                f"{m.ci_low:.3f}–{m.ci_high:.3f}",
                f"{m.of_class:.3f}",
            )
        console.print(mechanisms)
    console.print(f"{elapsed:.1f} s ({runs / elapsed:,.0f} runs/s)")


def compare(
    ctx: typer.Context,
    scenario: ScenarioArg,
    intervention: Annotated[
        list[str], typer.Option("--intervention", "-i", help="Intervention(s) to compare.")
    ],
    runs: Annotated[int, typer.Option(help="Runs per arm.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    policy: PolicyOpt = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Each intervention against the baseline on the same random draws (paired)."""
    from rich.table import Table

    from brinkmanship.api.scenario import load
    from brinkmanship.cli.console import wide_console
    from brinkmanship.cli.progress import run_with_progress

    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    loaded = load(scenario, policies=policy, engine=engine)
    check_counts(runs, workers)
    result = run_with_progress(
        f"baseline and {len(intervention)} intervention(s)",
        runs * (1 + len(intervention)),
        lambda advance: loaded.compare(
            *intervention, runs=runs, seed=seed, workers=workers, on_progress=advance
        ),
    )
    if as_json:
        out(json.dumps(result.to_json()))
        return
    report = result.differences
    sc = loaded.compiled
    console = wide_console()
    console.print(f"{sc.title} — {runs} paired runs per arm, seed {seed}")
    for name, diffs in report.items():
        table = Table(title=f"{name} vs baseline")
        for col in ("outcome", "baseline", name, "difference", "95% CI (paired)", "± unpaired"):
            table.add_column(col)
        for d in diffs:
            table.add_row(
                d.outcome,
                f"{d.p_baseline:.3f}",
                f"{d.p_treated:.3f}",
                f"{d.diff:+.3f}",
                f"{d.ci_low:+.3f} … {d.ci_high:+.3f}",
                f"±{d.unpaired_half_width:.3f}",
            )
        console.print(table)
