"""`brink run`: play one run and print its trajectory."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from brinkmanship.analysis.checks import check_run_index, check_seed
from brinkmanship.cli.app import InterventionOpt, PolicyOpt, ScenarioArg, out
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint

__all__ = ["Format", "run"]


class Format(str, Enum):
    """Output formats of ``brink run``."""

    text = "text"
    jsonl = "jsonl"


def run(
    ctx: typer.Context,
    scenario: ScenarioArg,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    run_index: Annotated[
        int, typer.Option("--run", help="Run index within the seed's stream.")
    ] = 0,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or jsonl.")] = Format.text,
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Play one run and print its trajectory."""
    from brinkmanship.api.scenario import load

    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    check_seed(seed)
    check_run_index(run_index)
    trajectory = load(scenario, intervention, policies=policy).run(seed, run_index)
    lines = trajectory.jsonl() if fmt is Format.jsonl else trajectory.text_lines()
    for line in lines:
        out(line)
