"""Compiled scenarios for games, cached: compiling a large scenario takes a good part of a
second, and a game is rebuilt from its record whenever it is resumed or reloaded."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import builtin_names, load_scenario
from brinkmanship.scenarios import CATALOG


@cache
def builtins() -> frozenset[str]:
    """The built-in scenario ids (the package's files do not change while it runs)."""
    return frozenset(builtin_names())


def catalog() -> tuple[str, ...]:
    """The built-in scenario ids in the catalog's order (:data:`~brinkmanship.scenarios.CATALOG`:
    the flagship first); one it does not list comes after, alphabetically."""
    known = builtins()
    return (*(n for n in CATALOG if n in known), *sorted(known - set(CATALOG)))


def _stamp(ref: str) -> tuple[int, int]:
    """A scenario file's modification time and size (so an edited file is compiled again);
    zeros for a built-in name or a missing file (whose error then comes from the loader)."""
    if ref in builtins():
        return (0, 0)
    try:
        stat = Path(ref).stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _compile(ref: str, interventions: tuple[str, ...], stamp: tuple[int, int]) -> CompiledScenario:
    return load_scenario(ref, interventions)


def game_scenario(ref: str, interventions: Sequence[str]) -> CompiledScenario:
    """The compiled scenario ``ref`` with ``interventions``, compiled once per (scenario,
    interventions) and shared by every game on it (compiled scenarios are never mutated)."""
    return _compile(ref, tuple(interventions), _stamp(ref))
