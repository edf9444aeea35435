"""The configuration of many runs (scenario, interventions, parameters, policies, seed,
engine) as plain data, its compiled scenario, and the engine it runs on.

Light to import: the batch engine's tables (and numba) are imported only to answer which
engine a job runs on, so ``brink run`` and ``import brinkmanship.api`` stay quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.policies.registry import PolicySet, batch_refusal, policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

__all__ = ["ENGINES", "Job"]


@dataclass(frozen=True)
class Job:
    """One configuration to run many times; plain data, so it travels to other processes."""

    scenario: str
    seed: int
    interventions: tuple[str, ...] = ()
    policies: tuple[tuple[str, str], ...] = ()
    params: tuple[tuple[str, float], ...] = ()
    engine: str = "auto"
    """``reference``, ``batch``, or ``auto`` (batch when every policy allows it)."""

    def load(self) -> tuple[CompiledScenario, PolicySet]:
        return _load(self.scenario, self.interventions, self.policies, self.params)

    def resolved_engine(self) -> str:
        """The engine these runs use; a batch request the policies cannot meet is an error."""
        sc, policies = self.load()
        if self.engine not in ENGINES:
            raise UnknownNameError("engine", self.engine, list(ENGINES))
        if self.engine == "reference":
            return "reference"
        from brinkmanship.engine.batch import tables  # numba: only when asked which engine

        why = batch_refusal(sc, policies.specs) or tables.unsupported(sc)
        if why is None:
            return "batch"
        if self.engine == "batch":
            raise BrinkError(f"--engine batch: {why}; use --engine reference (or auto)")
        return "reference"


ENGINES = ("auto", "reference", "batch")


@lru_cache(maxsize=16)
def _compiled(scenario: str, interventions: tuple[str, ...]) -> CompiledScenario:
    return load_scenario(scenario, interventions)


@lru_cache(maxsize=16)
def _load(
    scenario: str,
    interventions: tuple[str, ...],
    policies: tuple[tuple[str, str], ...],
    params: tuple[tuple[str, float], ...],
) -> tuple[CompiledScenario, PolicySet]:
    """Compiled once per (scenario, interventions); each parameter point only sets values
    (:meth:`CompiledScenario.with_parameters`), so a sweep's points cost no recompilation."""
    sc = _compiled(scenario, interventions).with_parameters(dict(params))
    return sc, policy_set(sc, dict(policies))
