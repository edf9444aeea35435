"""`brink eval`: escalation metrics for any policies."""

from __future__ import annotations

from brinkmanship.cli import app

__all__ = ["app"]
