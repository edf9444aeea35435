"""Settings of the ``llm`` policy: from its ``key=value`` parameters, then the environment.

The API key is read only from the environment (the command line's ``--llm-api-key`` and
``--llm-api-key-file`` put it there for the command, see :mod:`brinkmanship.cli_llm`), so
it never appears in a policy spec and therefore never in a run's record; it is also kept
out of the settings' ``repr``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from brinkmanship.errors import BrinkError

ENV_BASE_URL = "BRINK_LLM_BASE_URL"
ENV_API_KEY = "BRINK_LLM_API_KEY"
ENV_MODEL = "BRINK_LLM_MODEL"


class LLMConfigError(BrinkError):
    """The ``llm`` policy is not configured well enough to run."""


@dataclass(frozen=True)
class LLMConfig:
    """Everything a language-model player needs to ask its model."""

    model: str
    base_url: str | None
    api_key: str | None = field(repr=False)
    temperature: float = 0.0
    max_tokens: int = 400
    timeout: float = 60.0
    retries: int = 2
    json_mode: bool = True
    cache: Path | None = None
    history: int = 30

    @property
    def attempts(self) -> int:
        """Replies asked for at one decision point, the first included."""
        return self.retries + 1


def _str(params: Mapping[str, object], key: str) -> str:
    return str(params.get(key, "") or "").strip()


def _num(params: Mapping[str, object], key: str, default: float) -> float:
    value = params.get(key, default)
    if not isinstance(value, int | float):
        raise LLMConfigError(f"policy 'llm': parameter {key} must be a number, got {value!r}")
    return float(value)


def check_base_url(base_url: str, source: str) -> str:
    """``base_url`` without a trailing ``/``, or :class:`LLMConfigError` naming ``source``."""
    base_url = base_url.strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise LLMConfigError(
            f"{source} {base_url!r} must start with http:// or https:// "
            "(e.g. http://127.0.0.1:8000/v1)"
        )
    return base_url


def check_api_key(key: str, source: str) -> str:
    """``key`` without surrounding whitespace, or :class:`LLMConfigError` naming
    ``source`` (never the key) when it is empty or cannot be sent in an HTTP header."""
    key = key.strip()
    if not key:
        raise LLMConfigError(f"{source} is empty: give the key, or leave it out")
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        raise LLMConfigError(
            f"{source} holds spaces, line breaks or non-ASCII characters, which an "
            "Authorization header cannot carry; check that it holds only the key"
        )
    return key


def config_from(
    params: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> LLMConfig:
    """Build the settings, refusing a model without a name or without any source of
    replies (neither an endpoint nor a cache)."""
    env = os.environ if environ is None else environ
    model = _str(params, "model") or env.get(ENV_MODEL, "").strip()
    if not model:
        raise LLMConfigError(f"policy 'llm' needs a model: llm:model=NAME (or set {ENV_MODEL})")
    base_url = _str(params, "base_url")
    if base_url:
        base_url = check_base_url(base_url, "policy 'llm': base_url")
    elif env.get(ENV_BASE_URL, "").strip():
        base_url = check_base_url(env[ENV_BASE_URL], f"${ENV_BASE_URL} (or --llm-base-url)")
    raw_key = env.get(ENV_API_KEY, "") if base_url else ""  # a replay sends nothing
    api_key = check_api_key(raw_key, f"${ENV_API_KEY} (or --llm-api-key)") if raw_key else None
    cache_text = _str(params, "cache")
    cache = Path(cache_text) if cache_text else None
    if not base_url and cache is None:
        raise LLMConfigError(
            f"policy 'llm' needs an endpoint: llm:model={model},base_url=http://HOST:PORT/v1 "
            f"(or --llm-base-url, or set {ENV_BASE_URL}), or a cache to replay: cache=PATH"
        )
    if cache is not None and cache.exists() and not cache.is_file():
        raise LLMConfigError(f"policy 'llm': cache {cache} exists and is not a file")
    return LLMConfig(
        model=model,
        base_url=base_url or None,
        api_key=api_key,
        temperature=_num(params, "temperature", 0.0),
        max_tokens=int(_num(params, "max_tokens", 400)),
        timeout=_num(params, "timeout", 60.0),
        retries=int(_num(params, "retries", 2)),
        json_mode=bool(params.get("json_mode", True)),
        cache=cache,
        history=int(_num(params, "history", 30)),
    )
