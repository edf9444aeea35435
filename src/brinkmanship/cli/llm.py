"""The language-model endpoint on the command line: ``--llm-base-url``, ``--llm-api-key``
and ``--llm-api-key-file``, accepted by every command that takes ``--policy``.

The flags do not become policy parameters (specs are recorded in results, and a key must
never be). They set ``$BRINK_LLM_BASE_URL`` and ``$BRINK_LLM_API_KEY`` for the command, so
they reach the ``llm`` policy exactly as the environment does, in this process and in the
worker processes it starts (which inherit the environment whether they are forked or
spawned); the previous values come back when the command ends. Precedence is therefore:
``base_url=`` in the spec, then the flag, then the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer

from brinkmanship.policies.llm_config import (
    ENV_API_KEY,
    ENV_BASE_URL,
    LLMConfigError,
    check_api_key,
    check_base_url,
)

__all__ = ["LLMApiKeyFileOpt", "LLMApiKeyOpt", "LLMBaseUrlOpt", "use_llm_endpoint"]

PANEL = "Language-model players (policy llm)"

LLMBaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-base-url",
        help=f"Endpoint of the llm policy, e.g. http://127.0.0.1:8000/v1 (else ${ENV_BASE_URL}; "
        "base_url= in a policy spec wins).",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]
LLMApiKeyOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-api-key",
        help=f"API key sent as a bearer token (else ${ENV_API_KEY}); never recorded. "
        "Visible to other local users in the process list: prefer --llm-api-key-file.",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]
LLMApiKeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--llm-api-key-file",
        help="Read the API key from this file (its only content).",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]


def _read_key_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LLMConfigError(f"--llm-api-key-file {path}: no such file") from None
    except IsADirectoryError:
        raise LLMConfigError(f"--llm-api-key-file {path} is a directory, not a file") from None
    except UnicodeDecodeError:
        raise LLMConfigError(f"--llm-api-key-file {path} is not a text file") from None
    except OSError as exc:
        raise LLMConfigError(f"--llm-api-key-file {path}: {exc.strerror or exc}") from None
    return check_api_key(text, f"--llm-api-key-file {path}")


def endpoint_settings(
    base_url: str | None, api_key: str | None, api_key_file: Path | None
) -> dict[str, str]:
    """The environment variables the flags stand for, checked (errors never show a key)."""
    if api_key is not None and api_key_file is not None:
        raise LLMConfigError("give --llm-api-key or --llm-api-key-file, not both")
    settings: dict[str, str] = {}
    if base_url is not None:
        if not base_url.strip():
            raise LLMConfigError("--llm-base-url is empty: give the endpoint, or leave it out")
        settings[ENV_BASE_URL] = check_base_url(base_url, "--llm-base-url")
    if api_key is not None:
        settings[ENV_API_KEY] = check_api_key(api_key, "--llm-api-key")
    if api_key_file is not None:
        settings[ENV_API_KEY] = _read_key_file(api_key_file)
    return settings


class Closing(Protocol):
    """What the command's context offers (``typer.Context``): work to do when it ends."""

    def call_on_close(self, f: Callable[[], Any], /) -> Any: ...


def use_llm_endpoint(
    ctx: Closing, base_url: str | None, api_key: str | None, api_key_file: Path | None
) -> None:
    """Apply the flags for the rest of the command whose context is ``ctx`` (call before
    any policy is resolved); the environment is restored when that context closes."""
    settings = endpoint_settings(base_url, api_key, api_key_file)
    if not settings:
        return
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)

    def restore() -> None:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    ctx.call_on_close(restore)
