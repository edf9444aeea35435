"""`brink serve`: the web game server."""

from __future__ import annotations

from brinkmanship.cli import app

__all__ = ["app"]
