"""Checks of the numbers a run request carries (seed, run index, counts), shared by the
command line and the Python API; light to import (the CLI imports it at start-up)."""

from __future__ import annotations

from brinkmanship.errors import BrinkError

__all__ = ["check_counts", "check_run_index", "check_seed"]


def check_seed(seed: int) -> None:
    """Refuse a seed outside the counter-based generator's range."""
    if not 0 <= seed < 2**63:
        raise BrinkError(f"--seed must be in [0, 2**63), got {seed}")


def check_run_index(run: int) -> None:
    """Refuse a negative run index."""
    if run < 0:
        raise BrinkError(f"--run must be >= 0, got {run}")


def check_counts(runs: int, workers: int | None) -> None:
    """Refuse fewer than one run or one worker."""
    if runs < 1:
        raise BrinkError(f"--runs must be at least 1, got {runs}")
    if workers is not None and workers < 1:
        raise BrinkError(f"--workers must be at least 1, got {workers}")
