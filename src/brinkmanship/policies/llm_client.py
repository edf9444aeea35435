"""A minimal client for OpenAI-compatible chat-completions endpoints (vLLM, llama.cpp's
server, Ollama, hosted APIs): ``POST {base_url}/chat/completions`` with httpx.

Timeouts and server errors (HTTP 5xx, 429) are retried a bounded number of times; an
unreachable endpoint, a refused request (other 4xx) or a reply that is not a chat
completion is an :class:`EndpointError` — the run stops with one clear message rather than
letting a broken endpoint pass for a model's choices.
"""

from __future__ import annotations

import json
import time
import weakref
from typing import Any

import httpx

from brinkmanship.errors import BrinkError
from brinkmanship.policies.llm_cache import Reply
from brinkmanship.policies.llm_config import ENV_API_KEY, ENV_BASE_URL

RETRYABLE = frozenset({429, 500, 502, 503, 504})
MAX_REPLY_BYTES = 4_000_000
"""The most a reply may hold, decoded (a gzip bomb is stopped here too)."""


class EndpointError(BrinkError):
    """The language-model endpoint is missing, unreachable or not answering properly."""


class ChatClient:
    """Sends chat requests to one endpoint."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        timeout: float,
        attempts: int,
        json_mode: bool = True,
        backoff: float = 0.2,
    ) -> None:
        self.url = f"{base_url}/chat/completions"
        self.api_key = api_key
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout
        self.attempts = attempts
        self.json_mode = json_mode
        self.backoff = backoff
        self.http = httpx.Client(headers=self.headers, timeout=timeout)
        weakref.finalize(self, self.http.close)

    def complete(self, request: dict[str, Any]) -> Reply:
        """The model's reply to ``request``; asks for a JSON object via ``response_format``
        while the server accepts it, and stops asking after the first refusal. Each attempt
        has a wall-clock deadline of ``timeout`` seconds (a server dripping a byte a second
        does not hold it longer) and a reply size limit; a ``Retry-After`` is honoured when
        it fits in the next attempt's time."""
        problem = ""
        wait = 0.0
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(max(wait, self.backoff * attempt))
            body = {**request, "response_format": {"type": "json_object"}}
            if not self.json_mode:
                body = request
            started = time.perf_counter()
            try:
                status, raw, retry_after = self._post(body, started + self.timeout)
            except _LateError:
                problem = f"no whole answer within {self.timeout:g} s"
                continue
            except httpx.TimeoutException:
                problem = f"no answer within {self.timeout:g} s"
                continue
            except httpx.TransportError as exc:
                raise EndpointError(
                    f"cannot reach the language-model endpoint {self.url}: "
                    f"{exc or type(exc).__name__}; start the server, check base_url=, "
                    f"--llm-base-url or {ENV_BASE_URL}, or replay from a cache that holds "
                    "these requests"
                ) from None
            latency = time.perf_counter() - started
            text = self._scrub(raw.decode("utf-8", "replace"))
            if status in (400, 422) and self.json_mode:
                self.json_mode = False  # the server may not know response_format; never rely on it
                return self.complete(request)
            if status in RETRYABLE:
                problem = f"HTTP {status}: {_excerpt(text)}"
                if retry_after is not None and retry_after > self.timeout:
                    raise EndpointError(
                        f"the language-model endpoint {self.url} asks to retry after "
                        f"{retry_after:g} s, longer than the {self.timeout:g} s a request may "
                        f"take (last: {problem})"
                    )
                wait = retry_after or 0.0
                continue
            if status >= 400:
                raise EndpointError(_refusal(self.url, status, text))
            return self._parse(raw, text, latency)
        raise EndpointError(
            f"the language-model endpoint {self.url} failed {self.attempts} times (last: {problem})"
        )

    def _post(self, body: dict[str, Any], deadline: float) -> tuple[int, bytes, float | None]:
        """Status, body (decoded from any content encoding, at most MAX_REPLY_BYTES) and
        Retry-After seconds; :class:`_LateError` past the deadline."""
        with self.http.stream("POST", self.url, json=body) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise EndpointError(
                        f"the language-model endpoint {self.url} sent a reply of more than "
                        f"{MAX_REPLY_BYTES // 1_000_000} MB; a chat completion is far smaller"
                    )
                chunks.append(chunk)
                if time.perf_counter() > deadline:
                    raise _LateError
            if time.perf_counter() > deadline:
                raise _LateError
            return response.status_code, b"".join(chunks), _retry_after(response)

    def _scrub(self, text: str) -> str:
        """``text`` without the API key, should the server echo it."""
        return text.replace(self.api_key, "***") if self.api_key else text

    def _parse(self, raw: bytes, text: str, latency: float) -> Reply:
        try:
            data = json.loads(raw)
            message = data["choices"][0]["message"]
            content = message.get("content") or ""
            usage = data.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
            raise EndpointError(
                f"the endpoint {self.url} did not answer with a chat completion: {_excerpt(text)}"
            ) from None
        if not isinstance(content, str):
            content = str(content)
        return Reply(
            self._scrub(content),
            _int_or_none(usage.get("prompt_tokens")) if isinstance(usage, dict) else None,
            _int_or_none(usage.get("completion_tokens")) if isinstance(usage, dict) else None,
            latency,
        )


class _LateError(Exception):
    """The reply did not arrive whole before the request's deadline."""


def _retry_after(response: httpx.Response) -> float | None:
    """A ``Retry-After`` given in seconds (an HTTP date is ignored: then the backoff applies)."""
    value = response.headers.get("retry-after", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 1e9 else None


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _refusal(url: str, status: int, text: str) -> str:
    hint = {
        401: f"; give the key with --llm-api-key-file PATH or set {ENV_API_KEY}",
        403: f"; check the key (--llm-api-key-file or {ENV_API_KEY})",
        404: "; check the model name and that base_url ends in /v1",
    }.get(status, "")
    return (
        f"the language-model endpoint {url} refused the request "
        f"(HTTP {status}: {_excerpt(text)}){hint}"
    )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
