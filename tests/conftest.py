"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from brinkmanship.web.local import LocalServer

CHROMIUM = Path("/usr/bin/chromium")
"""The browser the browser tests drive (installed by ./test, see .ci/run)."""


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, one per test module (a missing Chromium fails, never skips)."""
    assert CHROMIUM.exists(), "Chromium is needed: apt-get install chromium (see .ci/run)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A web server (``brink serve``) on a fresh database, one per test module."""
    with LocalServer(tmp_path_factory.mktemp("web") / "games.sqlite3") as running:
        yield running
