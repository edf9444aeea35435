"""A minimal client for OpenAI-compatible chat-completions endpoints (vLLM, llama.cpp's
server, Ollama, hosted APIs): ``POST {base_url}/chat/completions`` with httpx.

Timeouts and server errors (HTTP 5xx, 429) are retried a bounded number of times; an
unreachable endpoint, a refused request (other 4xx) or a reply that is not a chat
completion is an :class:`EndpointError` — the run stops with one clear message rather than
letting a broken endpoint pass for a model's choices.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import httpx

from brinkmanship.errors import BrinkError
from brinkmanship.policies.llm_cache import Reply
from brinkmanship.policies.llm_config import ENV_API_KEY, ENV_BASE_URL

RETRYABLE = frozenset({429, 500, 502, 503, 504})


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
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout
        self.attempts = attempts
        self.json_mode = json_mode
        self.backoff = backoff
        self.http = httpx.Client(headers=self.headers, timeout=timeout)
        weakref.finalize(self, self.http.close)

    def complete(self, request: dict[str, Any]) -> Reply:
        """The model's reply to ``request``; asks for a JSON object via ``response_format``
        while the server accepts it, and stops asking after the first refusal."""
        problem = ""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff * attempt)
            body = {**request, "response_format": {"type": "json_object"}}
            if not self.json_mode:
                body = request
            started = time.perf_counter()
            try:
                response = self.http.post(self.url, json=body)
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
            if response.status_code in (400, 422) and self.json_mode:
                self.json_mode = False  # the server may not know response_format; never rely on it
                return self.complete(request)
            if response.status_code in RETRYABLE:
                problem = f"HTTP {response.status_code}: {_excerpt(response.text)}"
                continue
            if response.status_code >= 400:
                raise EndpointError(_refusal(self.url, response))
            return _parse(self.url, response, latency)
        raise EndpointError(
            f"the language-model endpoint {self.url} failed {self.attempts} times (last: {problem})"
        )


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _refusal(url: str, response: httpx.Response) -> str:
    hint = {
        401: f"; give the key with --llm-api-key-file PATH or set {ENV_API_KEY}",
        403: f"; check the key (--llm-api-key-file or {ENV_API_KEY})",
        404: "; check the model name and that base_url ends in /v1",
    }.get(response.status_code, "")
    return (
        f"the language-model endpoint {url} refused the request "
        f"(HTTP {response.status_code}: {_excerpt(response.text)}){hint}"
    )


def _parse(url: str, response: httpx.Response, latency: float) -> Reply:
    try:
        data = response.json()
        message = data["choices"][0]["message"]
        content = message.get("content") or ""
        usage = data.get("usage") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise EndpointError(
            f"the endpoint {url} did not answer with a chat completion: {_excerpt(response.text)}"
        ) from None
    if not isinstance(content, str):
        content = str(content)
    return Reply(
        content,
        _int_or_none(usage.get("prompt_tokens")) if isinstance(usage, dict) else None,
        _int_or_none(usage.get("completion_tokens")) if isinstance(usage, dict) else None,
        latency,
    )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
