"""`brink report`: a self-contained HTML report."""

from __future__ import annotations

from brinkmanship.cli import app

__all__ = ["app"]
