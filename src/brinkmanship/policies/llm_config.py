"""Settings of the ``llm`` policy: from its ``key=value`` parameters, then the environment.

The API key is read only from the environment, so it never appears in a policy spec and
therefore never in a run's record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
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
    api_key: str | None
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


def config_from(
    params: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> LLMConfig:
    """Build the settings, refusing a model without a name or without any source of
    replies (neither an endpoint nor a cache)."""
    env = os.environ if environ is None else environ
    model = _str(params, "model") or env.get(ENV_MODEL, "").strip()
    if not model:
        raise LLMConfigError(f"policy 'llm' needs a model: llm:model=NAME (or set {ENV_MODEL})")
    base_url = (_str(params, "base_url") or env.get(ENV_BASE_URL, "").strip()).rstrip("/")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise LLMConfigError(
            f"policy 'llm': base_url {base_url!r} must start with http:// or https:// "
            "(e.g. http://127.0.0.1:8000/v1)"
        )
    cache_text = _str(params, "cache")
    cache = Path(cache_text) if cache_text else None
    if not base_url and cache is None:
        raise LLMConfigError(
            f"policy 'llm' needs an endpoint: llm:model={model},base_url=http://HOST:PORT/v1 "
            f"(or set {ENV_BASE_URL}), or a cache to replay: cache=PATH"
        )
    if cache is not None and cache.exists() and not cache.is_file():
        raise LLMConfigError(f"policy 'llm': cache {cache} exists and is not a file")
    return LLMConfig(
        model=model,
        base_url=base_url or None,
        api_key=env.get(ENV_API_KEY) or None,
        temperature=_num(params, "temperature", 0.0),
        max_tokens=int(_num(params, "max_tokens", 400)),
        timeout=_num(params, "timeout", 60.0),
        retries=int(_num(params, "retries", 2)),
        json_mode=bool(params.get("json_mode", True)),
        cache=cache,
        history=int(_num(params, "history", 30)),
    )
