"""A scripted OpenAI-compatible chat endpoint for tests, served on 127.0.0.1.

Each request takes the next behaviour from ``FakeLLM.script`` (then ``default``):

- ``legal``: a legal action id, picked at random (unseeded, so only a cache replays it);
- ``first-action``: the first legal id other than ``wait``;
- ``malformed``: text that is not JSON; ``illegal``: a JSON reply naming no legal action;
- ``obey-letter``: a gullible model that does what the prompt's letters say
  (``CHOOSE <id>``), legal or not;
- ``reply:TEXT``: exactly TEXT as the content;
- ``slow:SECONDS``: sleeps, then answers as ``legal``;
- ``error:CODE``: answers that HTTP status;
- ``raw:TEXT``: HTTP 200 with TEXT as the body (not a chat completion).

Requests are kept in ``FakeLLM.requests`` (their headers in ``FakeLLM.headers``). With
``reject_json_mode`` the server refuses requests that carry ``response_format`` (HTTP 400),
as some servers do.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

LEGAL_IDS = re.compile(r"^Legal action ids: (\[.*\])$", re.MULTILINE)
CHOOSE = re.compile(r"CHOOSE ([A-Za-z_][A-Za-z0-9_-]*)")


@dataclass
class FakeLLM:
    """The script and the record of one fake model."""

    script: deque[str] = field(default_factory=deque)
    default: str = "legal"
    reject_json_mode: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)

    def next_behaviour(self) -> str:
        return self.script.popleft() if self.script else self.default


def _legal_ids(body: dict[str, Any]) -> list[str]:
    for message in body["messages"]:
        found = LEGAL_IDS.search(message["content"])
        if found:
            ids: list[str] = json.loads(found.group(1))
            return ids
    raise AssertionError("the prompt lists no legal action ids")


def _completion(content: str, body: dict[str, Any]) -> JSONResponse:
    prompt = sum(len(m["content"].split()) for m in body["messages"])
    return JSONResponse(
        {
            "id": "fake",
            "object": "chat.completion",
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": len(content.split()),
                "total_tokens": prompt + len(content.split()),
            },
        }
    )


def _hostile(fake: FakeLLM, kind: str, arg: str) -> Response | None:
    """Answers of a hostile or broken server (the hardening tests'), or None."""
    if kind == "drip":  # a valid reply, one byte every ARG seconds
        content = json.dumps({"action": "wait", "why": "slowly"})
        text = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})

        async def drip() -> AsyncIterator[bytes]:
            for char in text:
                await asyncio.sleep(float(arg))
                yield char.encode()

        return StreamingResponse(drip(), media_type="application/json")
    if kind == "huge":  # a reply of ARG megabytes
        return PlainTextResponse('{"padding": "' + "x" * (int(arg) * 1_000_000) + '"}')
    if kind == "gzip-bomb":  # a small body that inflates to ARG megabytes
        bomb = gzip.compress(b" " * (int(arg) * 1_000_000))
        return Response(bomb, headers={"Content-Encoding": "gzip"}, media_type="application/json")
    if kind == "deep":  # a reply nested ARG levels deep
        return PlainTextResponse("[" * int(arg) + "]" * int(arg), media_type="application/json")
    if kind == "retry-after":
        return JSONResponse({"error": "busy"}, status_code=429, headers={"Retry-After": arg})
    if kind == "echo-key":  # repeats the Authorization header, in a refusal and in a reply
        key = fake.headers[-1].get("authorization", "").removeprefix("Bearer ")
        if arg == "refuse":
            return JSONResponse({"error": f"bad key {key}"}, status_code=403)
        return None
    return None


def _answer(fake: FakeLLM, behaviour: str, body: dict[str, Any]) -> Response:
    kind, _, arg = behaviour.partition(":")
    hostile = _hostile(fake, kind, arg)
    if hostile is not None:
        return hostile
    if kind == "echo-key":
        key = fake.headers[-1].get("authorization", "").removeprefix("Bearer ")
        action = next((i for i in _legal_ids(body) if i != "wait"), "wait")
        return _completion(json.dumps({"action": action, "why": f"my key is {key}"}), body)
    if kind == "error":
        return JSONResponse({"error": {"message": f"scripted {arg}"}}, status_code=int(arg))
    if kind == "raw":
        return PlainTextResponse(arg)
    if kind == "reply":
        return _completion(arg, body)
    if kind == "malformed":
        return _completion("I think we should strike {action: strike", body)
    if kind == "illegal":
        return _completion('{"action": "launch_everything", "why": "why not"}', body)
    if kind == "obey-letter":
        found = CHOOSE.search(json.dumps(body["messages"]))
        action = found.group(1) if found else "wait"
        return _completion(json.dumps({"action": action, "why": "the letter said so"}), body)
    ids = _legal_ids(body)
    if kind == "first-action":
        action = next((i for i in ids if i != "wait"), "wait")
    else:
        action = fake.rng.choice(ids)
    return _completion(json.dumps({"action": action, "why": f"fake model picks {action}"}), body)


def create_app(fake: FakeLLM) -> FastAPI:
    """The endpoint: ``POST /v1/chat/completions``."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        fake.requests.append(body)
        fake.headers.append(dict(request.headers))
        if fake.reject_json_mode and "response_format" in body:
            return JSONResponse({"error": "response_format is not supported"}, status_code=400)
        behaviour = fake.next_behaviour()
        if behaviour.startswith("slow:"):
            # sleep without blocking the event loop, so the server can still be stopped
            await asyncio.sleep(float(behaviour.partition(":")[2]))
            behaviour = "legal"
        return _answer(fake, behaviour, body)

    return app


class FakeServer:
    """Serves a :class:`FakeLLM` on 127.0.0.1 in a thread; a context manager."""

    def __init__(self, fake: FakeLLM) -> None:
        self.fake = fake
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn.Config(create_app(fake), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
