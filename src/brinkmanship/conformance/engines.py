"""Batch equals reference: the two engines play the scenario's runs alike (its default
policies, seed 0), with no intervention and under each intervention applied alone."""

from __future__ import annotations

from brinkmanship.conformance.subject import SEED, Subject
from brinkmanship.testing import first_divergence

RUNS = 10
"""Runs played with no intervention."""
RUNS_PER_INTERVENTION = 1


def check_engines(subject: Subject, runs: int = RUNS) -> list[str]:
    failures = []
    found = first_divergence(subject.scenario, seed=SEED, runs=runs)
    if found is not None:
        failures.append(f"the engines diverge: {found}")
    for name in subject.scenario.interventions:
        found = first_divergence(subject.variant(name), seed=SEED, runs=RUNS_PER_INTERVENTION)
        if found is not None:
            failures.append(f"the engines diverge under {name}: {found}")
    return failures
