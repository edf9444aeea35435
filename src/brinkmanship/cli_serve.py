"""`brink serve`: the web game server."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli import app
from brinkmanship.errors import BrinkError

__all__ = ["app", "default_db"]


def default_db() -> Path:
    """Where games are saved unless --db or BRINK_DB says otherwise:
    ``$XDG_DATA_HOME/brinkmanship/games.sqlite3`` (``~/.local/share`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "brinkmanship" / "games.sqlite3"


def _check_free(host: str, port: int) -> None:
    """Fail with one clear message if the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BrinkError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise BrinkError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@app.command()
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
    import uvicorn

    from brinkmanship.web import create_app

    path = db if db is not None else default_db()
    web = create_app(path)
    _check_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"brink serve: games saved in {path}\n")
    sys.stderr.write(f"brink serve: open http://{shown}:{port}/ (Ctrl-C stops)\n")
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(
            "brink serve: listening beyond this machine: anyone who can reach it can start games\n"
        )
    uvicorn.run(web, host=host, port=port, log_level="warning", timeout_keep_alive=5)
