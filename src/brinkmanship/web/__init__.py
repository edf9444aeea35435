"""The web game: a FastAPI app that serves pages and a JSON API over saved games.

`create_app(db_path)` builds the app; `brink serve` runs it with uvicorn.
"""

from __future__ import annotations

from brinkmanship.web.app import create_app

__all__ = ["create_app"]
