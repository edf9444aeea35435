"""`brink report`: a self-contained HTML report."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli.app import EngineOpt, InterventionOpt, PolicyOpt, ScenarioArg
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint
from brinkmanship.errors import BrinkError

__all__ = ["report"]


def report(
    ctx: typer.Context,
    scenario: ScenarioArg,
    html: Annotated[Path, typer.Option(help="The HTML file to write.")],
    runs: Annotated[int, typer.Option(help="Runs per arm (baseline and each comparison).")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            "-c",
            help="Intervention to compare with the baseline (repeatable; default: every one "
            "that combines with --intervention).",
        ),
    ] = None,
    no_compare: Annotated[
        bool, typer.Option("--no-compare", help="Leave out the counterfactual comparison.")
    ] = False,
    sweep: Annotated[
        Path | None, typer.Option(help="A `brink sweep` directory for the sensitivity tornado.")
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="Outcome id or class whose probability the tornado shows (repeatable; "
            "default: the war classes)."
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing HTML file.")] = False,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """One self-contained HTML report: outcome probabilities, an escalation fan chart,
    counterfactual comparisons, a sensitivity tornado from a sweep, and the assumptions."""
    from brinkmanship.report.collect import collect
    from brinkmanship.report.page import render
    from brinkmanship.report.plan import ReportRequest, check_output, make_plan
    from brinkmanship.report.progress import progress_bars

    if no_compare and compare:
        raise BrinkError("--compare and --no-compare contradict each other; give one")
    if workers is not None and workers < 1:
        raise BrinkError(f"--workers must be at least 1, got {workers}")
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    plan = make_plan(
        ReportRequest(
            scenario=scenario,
            html=html,
            runs=runs,
            seed=seed,
            policies=tuple(policy or ()),
            interventions=tuple(intervention or ()),
            compare=() if no_compare else (tuple(compare) if compare else None),
            sweep=sweep,
            targets=tuple(target or ()),
            force=force,
            engine=engine,
        )
    )
    try:
        with progress_bars() as track:
            data = collect(plan, track, workers)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was written\n")
        raise typer.Exit(130) from None
    text = render(plan, data)
    check_output(html, force)  # the file may have appeared while the runs went on
    tmp = html.with_name(f".{html.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(html)
    arms = len(plan.arms)
    sys.stdout.write(
        f"{html}: {plan.sc.id}, {runs} runs × {1 + arms} arm{'s' if arms else ''}"
        + (f", tornado from {sweep}" if sweep else "")
        + "\n"
    )
