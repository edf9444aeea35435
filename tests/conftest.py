"""Shared fixtures."""

from __future__ import annotations

import pytest

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario


@pytest.fixture(scope="session")
def standoff() -> CompiledScenario:
    """The built-in test scenario."""
    return load_scenario("standoff")


@pytest.fixture(scope="session")
def cuba() -> CompiledScenario:
    """The flagship scenario, as built in."""
    return load_scenario("cuba-1962")


@pytest.fixture(scope="session")
def standoff_engine(standoff: CompiledScenario) -> ReferenceEngine:
    return ReferenceEngine(standoff)
