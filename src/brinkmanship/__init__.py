"""brinkmanship: a simulator of nuclear crisis bargaining, grounded in the historical record.

``import brinkmanship as bk`` is cheap: the Python API (:mod:`brinkmanship.api`, documented
in docs/python.md) is imported on first use of one of its names, so the command line's
start-up does not pay for the engines, pyarrow or pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from brinkmanship.version import __version__

if TYPE_CHECKING:
    from brinkmanship.api import (
        Comparison,
        Evaluation,
        MonteCarlo,
        Scenario,
        Sweep,
        Trajectory,
        load,
    )

__all__ = [
    "Comparison",
    "Evaluation",
    "MonteCarlo",
    "Scenario",
    "Sweep",
    "Trajectory",
    "__version__",
    "load",
]

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    # PEP 562: the API's names are looked up in brinkmanship.api when first asked for.
    if name in _API:
        return getattr(importlib.import_module("brinkmanship.api"), name)
    raise AttributeError(f"module 'brinkmanship' has no attribute {name!r}")
