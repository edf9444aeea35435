"""`brink version`."""

from __future__ import annotations

from brinkmanship import __version__
from brinkmanship.cli.app import out

__all__ = ["version"]


def version() -> None:
    """Print the version."""
    out(__version__)
