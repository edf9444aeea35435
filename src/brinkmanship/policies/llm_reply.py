"""Reading a model's reply: one JSON object ``{"action": ..., "why": ...}`` whose action is
legal now. Anything else is a :class:`ReplyError` whose message is shown to the model on
the retry."""

from __future__ import annotations

import json
import re

from brinkmanship.engine.observation import Choice, LegalActions

WHY_LIMIT = 300
_PRINTABLE_ONLY = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class ReplyError(ValueError):
    """A reply that cannot be turned into a legal choice; the message says why."""


def _json_object(text: str) -> object:
    """The reply's JSON object: the whole text, or the first ``{...}`` in it (models often
    wrap JSON in a code fence or a sentence)."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise ReplyError("the reply's JSON is nested too deeply") from None
    start = text.find("{")
    if start < 0:
        raise ReplyError("the reply is not JSON (no '{' found)")
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except ValueError as exc:
        raise ReplyError(f"the reply is not valid JSON ({exc})") from None
    except RecursionError:
        raise ReplyError("the reply's JSON is nested too deeply") from None
    return value


def parse_reply(text: str, legal: LegalActions) -> Choice:
    """The legal choice a reply names, or :class:`ReplyError`."""
    value = _json_object(text)
    if not isinstance(value, dict):
        raise ReplyError(f"the reply must be a JSON object, not {type(value).__name__}")
    action = value.get("action")
    if not isinstance(action, str) or not action.strip():
        raise ReplyError('the reply has no "action" string')
    action = action.strip()
    if action not in legal:
        shown = action if len(action) <= 60 else action[:60] + "…"
        raise ReplyError(f"action {shown!r} is not one of the legal choices now")
    why = value.get("why", "")
    if not isinstance(why, str):
        raise ReplyError('"why" must be a string')
    why = " ".join(_PRINTABLE_ONLY.sub(" ", why).split())  # no terminal escapes from a model
    if len(why) > WHY_LIMIT:
        why = why[: WHY_LIMIT - 1] + "…"
    return Choice(action, why)
