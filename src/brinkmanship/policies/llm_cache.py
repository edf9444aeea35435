"""Record/replay cache of model replies: an SQLite file keyed by a hash of the request.

The key covers what determines a reply — model, messages, temperature, token limit and the
per-decision sampling seed — and not the endpoint's address or key, so a run recorded
against one server replays anywhere, with no server at all. Every reply the endpoint gave
is stored (invalid ones too, so the retries replay as well) with its token counts and
latency. SQLite serialises writers, so several processes may share one file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from brinkmanship.errors import BrinkError

KEY_FIELDS = ("model", "messages", "temperature", "max_tokens", "seed")

SCHEMA = """
create table if not exists replies (
    key text primary key,
    model text not null,
    request text not null,
    content text not null,
    prompt_tokens integer,
    completion_tokens integer,
    latency_s real not null,
    recorded_at real not null
)
"""


@dataclass(frozen=True)
class Reply:
    """One reply of the model: its text, token counts (when the server gives them) and the
    seconds the call took."""

    content: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float


def request_key(request: Mapping[str, object]) -> str:
    """A stable hash of the fields of a chat request that determine its reply."""
    canonical = {k: request.get(k) for k in KEY_FIELDS}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


class ReplyCache:
    """A cache file; opened per operation, so a policy holds no connection between calls."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if self.path.parent != Path():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30.0)) as conn:
                conn.execute(SCHEMA)
                yield conn
        except (sqlite3.DatabaseError, OSError) as exc:
            raise BrinkError(f"cannot use {self.path} as an llm reply cache: {exc}") from None

    def get(self, key: str) -> Reply | None:
        """The recorded reply for ``key``, if any."""
        with self._connect() as conn:
            row = conn.execute(
                "select content, prompt_tokens, completion_tokens, latency_s "
                "from replies where key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return Reply(str(row[0]), row[1], row[2], float(row[3]))

    def put(self, key: str, request: Mapping[str, object], reply: Reply) -> None:
        """Record a reply (the first recording of a key wins)."""
        with self._connect() as conn, conn:
            conn.execute(
                "insert or ignore into replies values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    str(request.get("model", "")),
                    json.dumps(request, sort_keys=True),
                    reply.content,
                    reply.prompt_tokens,
                    reply.completion_tokens,
                    reply.latency_s,
                    time.time(),
                ),
            )

    def __len__(self) -> int:
        with self._connect() as conn:
            (count,) = conn.execute("select count(*) from replies").fetchone()
        return int(count)
