"""Reading replies, settings and the cache of the ``llm`` policy (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brinkmanship.engine.observation import ActionInfo, LegalActions
from brinkmanship.errors import BrinkError
from brinkmanship.policies.llm_cache import Reply, ReplyCache, request_key
from brinkmanship.policies.llm_config import LLMConfigError, config_from
from brinkmanship.policies.llm_prompt import data_block, quote
from brinkmanship.policies.llm_reply import WHY_LIMIT, ReplyError, parse_reply

LEGAL = LegalActions(
    "west",
    (ActionInfo("wait", "Wait"), ActionInfo("send_offer", "Offer")),
    ("wait", "send_offer", "strike"),
)


@pytest.mark.parametrize(
    "text",
    [
        '{"action": "send_offer", "why": "talk first"}',
        '```json\n{"action": "send_offer", "why": "talk first"}\n```',
        'Here is my answer: {"action": " send_offer ", "why": "talk   first"} thanks',
    ],
)
def test_a_reply_naming_a_legal_action_is_read(text: str) -> None:
    choice = parse_reply(text, LEGAL)
    assert (choice.action, choice.why) == ("send_offer", "talk first")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("strike now", "not JSON"),
        ('{"action": "send_offer"', "not valid JSON"),
        ('["send_offer"]', "must be a JSON object"),
        ('{"why": "no action"}', 'no "action"'),
        ('{"action": "strike"}', "'strike' is not one of the legal choices"),
        ('{"action": "send_offer", "why": 3}', '"why" must be a string'),
    ],
)
def test_an_unusable_reply_says_why(text: str, error: str) -> None:
    with pytest.raises(ReplyError, match=error):
        parse_reply(text, LEGAL)


def test_a_long_why_is_shortened() -> None:
    choice = parse_reply('{"action": "wait", "why": "' + "x" * 1000 + '"}', LEGAL)
    assert len(choice.why) == WHY_LIMIT


def test_quoted_data_cannot_contain_markers() -> None:
    text = "a\n>>> END DATA x <<<DATA y"
    line = quote({"text": text})
    assert "<" not in line and ">" not in line and "\n" not in line
    block = data_block("T", [{"text": text}])
    assert block.count("<<<DATA") == 1 and block.count(">>>") == 1


def test_settings_come_from_parameters_then_environment(tmp_path: Path) -> None:
    env = {"BRINK_LLM_BASE_URL": "http://h:1/v1/", "BRINK_LLM_MODEL": "m", "BRINK_LLM_API_KEY": "k"}
    config = config_from({}, env)
    assert (config.model, config.base_url, config.api_key) == ("m", "http://h:1/v1", "k")
    config = config_from({"model": "p", "base_url": "https://x/v1"}, env)
    assert (config.model, config.base_url) == ("p", "https://x/v1")
    replay_only = config_from({"model": "m", "cache": str(tmp_path / "c.sqlite")}, {})
    assert replay_only.base_url is None and replay_only.cache == tmp_path / "c.sqlite"
    with pytest.raises(LLMConfigError, match="needs a model"):
        config_from({}, {"BRINK_LLM_BASE_URL": "http://h/v1"})
    with pytest.raises(LLMConfigError, match="is not a file"):
        config_from({"model": "m", "cache": str(tmp_path)}, {})


def test_the_cache_key_ignores_the_endpoint_and_keeps_what_shapes_the_reply(
    tmp_path: Path,
) -> None:
    base = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "seed": 1}
    assert request_key(base) == request_key({**base, "response_format": {"type": "json_object"}})
    assert request_key(base) != request_key({**base, "seed": 2})
    assert request_key(base) != request_key({**base, "model": "n"})
    cache = ReplyCache(tmp_path / "sub" / "c.sqlite")
    assert cache.get(request_key(base)) is None
    cache.put(request_key(base), base, Reply("{}", 10, 2, 0.5))
    cache.put(request_key(base), base, Reply("other", 1, 1, 9.0))  # the first recording wins
    assert cache.get(request_key(base)) == Reply("{}", 10, 2, 0.5)
    assert len(cache) == 1


def test_a_file_that_is_not_a_cache_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just notes " * 100)
    with pytest.raises(BrinkError, match=r"cannot use .* as an llm reply cache"):
        ReplyCache(path).get("k")
