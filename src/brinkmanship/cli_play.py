"""`brink play`: play a side of a scenario in the terminal."""

from __future__ import annotations

from brinkmanship.cli import app

__all__ = ["app"]
