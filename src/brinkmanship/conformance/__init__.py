"""The conformance checks every built-in scenario passes, and any scenario file can be
put through (``brink validate --conform FILE``):

- ``timeline``: the historical replay shows the dated timeline at its sources' precision;
- ``sources``: every element cites sources that resolve in the bibliography;
- ``known-errors``: no text repeats an error of the fact sheet (``known_errors``);
- ``engines``: the batch engine plays the runs as the reference engine does;
- ``pettingzoo``, ``gymnasium``: the environments pass the ecosystems' checks.

Each check returns one line per failure (none: it passes). The browser check (a game
played to its debrief) needs Playwright and lives in ``tests/test_conformance.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from brinkmanship.conformance.engines import check_engines
from brinkmanship.conformance.envs import CHECKER_ADVICE, check_gymnasium, check_pettingzoo
from brinkmanship.conformance.known_errors import check_known_errors
from brinkmanship.conformance.sources import check_sources
from brinkmanship.conformance.subject import Subject
from brinkmanship.conformance.timeline import check_timeline

Check = Callable[[Subject], list[str]]

CHECKS: dict[str, Check] = {
    "timeline": check_timeline,
    "sources": check_sources,
    "known-errors": check_known_errors,
    "engines": check_engines,
    "pettingzoo": check_pettingzoo,
    "gymnasium": check_gymnasium,
}


def conform(subject: Subject) -> list[str]:
    """Every failure of every check, as ``check: what fails``."""
    return [f"{name}: {line}" for name, check in CHECKS.items() for line in check(subject)]


__all__ = ["CHECKER_ADVICE", "CHECKS", "Check", "Subject", "conform"]
