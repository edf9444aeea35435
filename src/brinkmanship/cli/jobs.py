"""The job a Monte Carlo-style command describes, checked before any run."""

from __future__ import annotations

from brinkmanship.analysis.montecarlo import Job
from brinkmanship.cli.app import check_seed
from brinkmanship.policies.registry import parse_assignments, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

__all__ = ["make_job"]


def make_job(
    scenario: str,
    seed: int,
    policy: list[str] | None,
    intervention: list[str] | None,
    engine: str = "auto",
) -> tuple[Job, CompiledScenario]:
    """The job of ``brink mc``-like options and its compiled scenario; an unknown name, a
    bad seed or an engine the policies cannot use is refused here, before any run."""
    check_seed(seed)
    sc = load_scenario(scenario, intervention or [])
    specs = policy_set(sc, parse_assignments(policy or [], sc)).specs
    job = Job(scenario, seed, tuple(intervention or ()), tuple(sorted(specs.items())), (), engine)
    job.resolved_engine()
    return job, sc
