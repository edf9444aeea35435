"""`brink run`: play one run and print its trajectory."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from brinkmanship.cli.app import InterventionOpt, PolicyOpt, ScenarioArg, check_seed, out
from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint
from brinkmanship.errors import BrinkError

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
    from brinkmanship.engine.reference import ReferenceEngine
    from brinkmanship.narrative import jsonl_lines, text_lines
    from brinkmanship.policies.registry import parse_assignments, policy_set
    from brinkmanship.policies.usage import policy_usage
    from brinkmanship.scenario.loader import load_scenario

    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    check_seed(seed)
    if run_index < 0:
        raise BrinkError(f"--run must be >= 0, got {run_index}")
    sc = load_scenario(scenario, intervention or [])
    policies = policy_set(sc, parse_assignments(policy or [], sc))
    made = policies.make()
    result = ReferenceEngine(sc).run(seed, run_index, made, dict(policies.specs))
    usage = policy_usage(made)  # language-model calls, tokens, latency; empty for most
    lines = jsonl_lines(result, usage) if fmt is Format.jsonl else text_lines(sc, result, usage)
    for line in lines:
        out(line)
