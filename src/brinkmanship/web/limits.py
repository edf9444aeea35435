"""A request-size limit as pure ASGI middleware: a body larger than the limit is refused
with 413 and a one-line JSON problem, whether it declares its length or not (chunked).

The body is read here, up to the limit, before the app sees the request: a body that
passes the limit is refused as soon as it does, and the app (FastAPI turns any error
while it reads a body into a 400) never reads a body that is too large.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 16 * 1024
"""Far more than any request of the API needs (a new game is a few hundred bytes)."""


class BodySizeLimit:
    """Refuse HTTP request bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await refuse(send, 400, "the Content-Length header is not a number")
                    return
                if declared > self.max_bytes:
                    await refuse(send, 413, self.too_large())
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await refuse(send, 413, self.too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        await self.app(scope, replay, send)

    def too_large(self) -> str:
        """The problem's sentence."""
        return f"the request body is larger than the limit of {self.max_bytes} bytes"


async def refuse(send: Send, status: int, detail: str) -> None:
    """Answer with ``status`` and a one-line JSON problem."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
