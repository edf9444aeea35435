"""`brink serve`: the web game server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[
        Path | None,
        typer.Option(
            envvar="BRINK_DB",
            help="SQLite file of saved games (created if missing); "
            "default: $XDG_DATA_HOME/brinkmanship/games.sqlite3.",
        ),
    ] = None,
) -> None:
    """Serve the web game: play a side in a browser, saved games, a JSON API."""
    from brinkmanship.web.serve import default_db
    from brinkmanship.web.serve import serve as run

    run(db if db is not None else default_db(), host, port)
