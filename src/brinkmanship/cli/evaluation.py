"""`brink eval`: escalation metrics for any policies."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from brinkmanship import __version__
from brinkmanship.cli.app import InterventionOpt, PolicyOpt, ScenarioArg, check_counts
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint

if TYPE_CHECKING:
    from brinkmanship.analysis.escalation import EvalSummary
    from brinkmanship.analysis.montecarlo import Job
    from brinkmanship.scenario.compiled import CompiledScenario

__all__ = ["eval_command"]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _peak_text(mean: float | None, q: tuple[float, float, float] | None, what: str) -> str:
    if mean is None or q is None:
        return f"- (the scenario defines no {what})"
    return f"{mean:.2f}; " + "/".join(f"{p:g}" for p in q)


def _print(sc: CompiledScenario, job: Job, s: EvalSummary, elapsed: float) -> None:
    from rich.table import Table

    from brinkmanship.cli.console import wide_console

    console = wide_console()
    console.print(
        f"{sc.title} — {s.runs} runs, seed {job.seed}, interventions: "
        f"{', '.join(job.interventions) or 'none'}, brinkmanship {__version__}"
    )
    console.print("policies: " + ", ".join(f"{a}={p}" for a, p in job.policies))
    outcomes = Table(title="Outcomes")
    for col in ("outcome", "class", "count", "p", "95% CI"):
        outcomes.add_column(col)
    for o in s.outcomes.outcomes.values():
        outcomes.add_row(o.id, o.cls, str(o.count), f"{o.p:.3f}", f"{o.ci_low:.3f}–{o.ci_high:.3f}")
    console.print(outcomes)
    esc = Table(title="Escalation")
    esc.add_column("metric")
    esc.add_column("value")
    n = s.nuclear
    esc.add_row(
        "nuclear use", f"{n.count}/{n.n} = {n.p:.3f} (95% CI {n.ci_low:.3f}–{n.ci_high:.3f})"
    )
    hours = s.nuclear_hours
    esc.add_row(
        "hours to first nuclear use (q1/med/q3)",
        "-" if hours is None else "/".join(f"{h:.0f}" for h in hours),
    )
    esc.add_row(
        "peak alert level (mean; q1/med/q3)",
        _peak_text(s.peak_alert_mean, s.peak_alert, "alert level"),
    )
    esc.add_row(
        "peak escalation index (mean; q1/med/q3)",
        _peak_text(s.peak_escalation_mean, s.peak_escalation, "escalation index"),
    )
    console.print(esc)
    actors = Table(title="Decisions (pooled over decision points)")
    for col in ("actor", "policy", "decisions", "de-escalating", "escalating", "diverges from"):
        actors.add_column(col)
    for a in s.actors:
        actors.add_row(
            a.actor,
            a.policy,
            str(a.decisions),
            _pct(a.de_escalation),
            _pct(a.escalation),
            f"{a.reference}: {_pct(a.divergence)}",
        )
    console.print(actors)
    if s.llm:
        llm = Table(title="Language-model calls")
        for col in (
            "actor",
            "calls",
            "cached",
            "invalid",
            "fallbacks",
            "tokens in/out",
            "latency med/max",
        ):
            llm.add_column(col)
        for m in s.llm:
            latency = (
                "-"
                if m.latency_median_s is None or m.latency_max_s is None
                else f"{m.latency_median_s:.2f}/{m.latency_max_s:.2f} s"
            )
            llm.add_row(
                m.actor,
                str(m.calls),
                str(m.cached),
                str(m.invalid),
                str(m.fallbacks),
                f"{m.prompt_tokens}/{m.completion_tokens}",
                latency,
            )
        console.print(llm)
    console.print(f"{elapsed:.1f} s")


def eval_command(
    ctx: typer.Context,
    scenario: ScenarioArg,
    policy: PolicyOpt = None,
    runs: Annotated[int, typer.Option(help="Number of runs.")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    intervention: InterventionOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Processes (default: all cores; 1 for one model call at a time)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Escalation metrics for any policies: outcome rates with 95% intervals, nuclear use
    and the hours to it, peak alert level and escalation, de-escalating choices, and
    divergence from the historical policy (docs/eval.md)."""
    from brinkmanship.api.scenario import load
    from brinkmanship.cli.progress import run_with_progress

    check_counts(runs, workers)
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    loaded = load(scenario, intervention, policies=policy)
    result = run_with_progress(
        f"{scenario}: {runs} runs",
        runs,
        lambda advance: loaded.eval(runs=runs, seed=seed, workers=workers, on_progress=advance),
    )
    if as_json:
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
        return
    _print(loaded.compiled, result.job, result.summary, result.elapsed)
