"""Run the web game with uvicorn: what ``brink serve`` does once its options are read."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from brinkmanship.errors import BrinkError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_db() -> Path:
    """Where games are saved unless told otherwise:
    ``$XDG_DATA_HOME/brinkmanship/games.sqlite3`` (``~/.local/share`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "brinkmanship" / "games.sqlite3"


def check_free(host: str, port: int) -> None:
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


def serve(db: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the game over the SQLite file ``db`` until interrupted."""
    import uvicorn

    from brinkmanship.web.app import create_app

    web = create_app(db)
    check_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"brink serve: games saved in {db}\n")
    sys.stderr.write(f"brink serve: open http://{shown}:{port}/ (Ctrl-C stops)\n")
    if host not in LOOPBACK:
        sys.stderr.write(
            "brink serve: listening beyond this machine: anyone who can reach it can start games\n"
        )
    uvicorn.run(web, host=host, port=port, log_level="warning", timeout_keep_alive=5)


def main(argv: list[str]) -> None:
    """``python -m brinkmanship.web.serve DB PORT``: a light launcher for tests and
    benchmarks (it skips the rest of the command line's imports)."""
    try:
        serve(Path(argv[0]), "127.0.0.1", int(argv[1]))
    except BrinkError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main(sys.argv[1:])
