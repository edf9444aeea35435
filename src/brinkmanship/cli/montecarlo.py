"""`brink mc` and `brink compare`: outcome probabilities, alone or paired against the
baseline."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from brinkmanship.analysis.montecarlo import Job, Summary, Tally
    from brinkmanship.scenario.compiled import CompiledScenario

__all__ = ["compare", "mc"]


def _mc_runs(
    job: Job, sc: CompiledScenario, runs: int, workers: int | None, out_file: Path | None
) -> Tally:
    """The tally of ``runs`` runs; with ``out_file``, also one row per run written as they
    arrive (the file gets its name only when every run is in it)."""
    from brinkmanship.analysis.montecarlo import tally_many
    from brinkmanship.analysis.results import RunWriter, write_runs
    from brinkmanship.cli.progress import run_with_progress

    label = f"{sc.id}: {runs} runs"
    check_counts(runs, workers)
    if out_file is None:
        return run_with_progress(
            label, runs, lambda advance: tally_many(job, runs, workers, on_progress=advance)
        )
    writer = RunWriter(out_file, sc, job)  # checks the path before any run
    return run_with_progress(
        label,
        runs,
        lambda advance: write_runs(writer, runs, workers, on_progress=advance),
        f"; {out_file} was not written",
    )


def _quartiles(values: tuple[float, float, float] | None) -> dict[str, float] | None:
    return None if values is None else dict(zip(("q1", "median", "q3"), values, strict=True))


def _hours(values: tuple[float, float, float] | None) -> str:
    return "-" if values is None else "/".join(f"{h:.0f}" for h in values)


def _summary_json(
    job: Job, summary: Summary, elapsed: float, by_mechanism: bool
) -> dict[str, object]:
    extra: dict[str, object] = {"by_mechanism": summary.by_mechanism()} if by_mechanism else {}
    return {
        "scenario": job.scenario,
        "runs": summary.runs,
        "seed": job.seed,
        "engine": job.resolved_engine(),
        "policies": dict(job.policies),
        "interventions": list(job.interventions),
        "outcomes": {
            o.id: {
                **o.share(),
                "hours_to_resolution": _quartiles(o.decided_hours),
                "hours_to_end": _quartiles(o.hours),
                "peak_escalation": _quartiles(o.peak),
            }
            for o in summary.outcomes.values()
        },
        **extra,
        "elapsed_s": round(elapsed, 3),
        "version": __version__,
    }


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

    from brinkmanship.analysis.jobs import make_job
    from brinkmanship.cli.console import wide_console
    from brinkmanship.errors import BrinkError

    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    job, sc = make_job(scenario, seed, policy, intervention, engine)
    if by_mechanism and not sc.mechanisms:
        raise BrinkError(
            f"--by-mechanism: scenario {sc.id!r} names no mechanisms "
            "(docs/scenario-format.md, 'Where outcomes come from')"
        )
    started = time.perf_counter()
    tally = _mc_runs(job, sc, runs, workers, out_file)
    elapsed = time.perf_counter() - started
    summary = tally.summary(sc)
    if as_json:
        out(json.dumps(_summary_json(job, summary, elapsed, by_mechanism)))
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
