"""The job a run request describes (scenario, interventions, parameters, policies, seed,
engine), checked before any run: the one place the command line and the Python API turn
their inputs into a :class:`~brinkmanship.analysis.montecarlo.Job`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from brinkmanship.analysis.checks import check_seed
from brinkmanship.analysis.job import Job
from brinkmanship.policies.registry import parse_assignments, policy_set
from brinkmanship.scenario.compiled import CompiledScenario

__all__ = ["make_job"]


def make_job(
    scenario: str,
    seed: int,
    policy: Sequence[str] | None,
    intervention: Sequence[str] | None,
    engine: str = "auto",
    params: Mapping[str, float] | None = None,
) -> tuple[Job, CompiledScenario]:
    """The job of ``brink mc``-like options (``policy`` as ``ACTOR=SPEC`` items) and its
    compiled scenario; an unknown name, a parameter out of range, a bad seed or an engine
    the policies cannot use is refused here, before any run."""
    check_seed(seed)
    values = tuple(sorted((params or {}).items()))
    sc, _ = Job(scenario, seed, tuple(intervention or ()), (), values).load()
    specs = policy_set(sc, parse_assignments(policy or [], sc)).specs
    job = Job(
        scenario, seed, tuple(intervention or ()), tuple(sorted(specs.items())), values, engine
    )
    if engine != "auto":  # auto always has an engine; asking would import the batch tables
        job.resolved_engine()
    return job, sc


def arm(job: Job, chosen: Sequence[str], intervention: str) -> Job:
    """``job`` with one more intervention, as a comparison's arm: its actors keep the
    policies chosen explicitly (``chosen``, ``ACTOR=SPEC`` items) and otherwise take the
    intervened scenario's defaults, since an intervention may change an actor's default
    policy (put another officer on duty, say)."""
    treated, _ = make_job(
        job.scenario,
        job.seed,
        chosen,
        (*job.interventions, intervention),
        job.engine,
        dict(job.params),
    )
    return treated
