"""A hostile or broken language-model server cannot hold a request past its deadline, fill
memory, crash the parser, make the client ignore its Retry-After, or get the API key
written anywhere (issue 18)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from brinkmanship.engine.observation import ActionInfo, LegalActions
from brinkmanship.policies.llm_client import MAX_REPLY_BYTES, ChatClient, EndpointError
from brinkmanship.policies.llm_reply import ReplyError, parse_reply
from fake_llm import FakeLLM, FakeServer

KEY = "sk-secret-0123456789"
REQUEST = {"model": "fake", "messages": [{"role": "user", "content": 'Legal action ids: ["wait"]'}]}
LEGAL = LegalActions("us", (ActionInfo("wait", "Wait"),), ("wait",))


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(FakeLLM()) as srv:
        yield srv


def client(server: FakeServer, timeout: float = 2.0, attempts: int = 1) -> ChatClient:
    return ChatClient(server.base_url, KEY, timeout, attempts, json_mode=False, backoff=0.0)


def scripted(server: FakeServer, *behaviours: str) -> None:
    server.fake.script.clear()
    server.fake.script.extend(behaviours)


def test_a_dripping_server_is_cut_off_at_the_deadline(server: FakeServer) -> None:
    scripted(server, "drip:0.05")
    started = time.perf_counter()
    with pytest.raises(EndpointError, match=r"no whole answer within 1 s"):
        client(server, timeout=1.0).complete(REQUEST)
    assert time.perf_counter() - started < 3.0  # the reply would take over 4 s


@pytest.mark.parametrize("behaviour", [f"huge:{MAX_REPLY_BYTES // 1_000_000 + 2}", "gzip-bomb:50"])
def test_an_oversized_reply_is_refused_before_it_fills_memory(
    server: FakeServer, behaviour: str
) -> None:
    scripted(server, behaviour)
    with pytest.raises(EndpointError, match="a reply of more than 4 MB"):
        client(server).complete(REQUEST)


def test_a_deeply_nested_reply_is_one_clear_error(server: FakeServer) -> None:
    scripted(server, "deep:200000")
    with pytest.raises(EndpointError, match="did not answer with a chat completion"):
        client(server).complete(REQUEST)
    with pytest.raises(ReplyError, match="nested too deeply"):
        parse_reply("[" * 200_000 + "]" * 200_000, LEGAL)


def test_retry_after_is_honoured_within_the_deadline(server: FakeServer) -> None:
    scripted(server, "retry-after:0.6", "legal")
    started = time.perf_counter()
    reply = client(server, attempts=2).complete(REQUEST)
    assert time.perf_counter() - started >= 0.6
    assert '"action"' in reply.content
    scripted(server, "retry-after:3600")
    with pytest.raises(EndpointError, match="retry after 3600 s, longer than the 2 s"):
        client(server, attempts=3).complete(REQUEST)


def test_an_echoed_key_is_scrubbed_from_errors_and_replies(server: FakeServer) -> None:
    scripted(server, "echo-key:refuse")
    with pytest.raises(EndpointError) as refused:
        client(server).complete(REQUEST)
    assert KEY not in str(refused.value) and "***" in str(refused.value)
    scripted(server, "echo-key")
    reply = client(server).complete(REQUEST)
    assert KEY not in reply.content and "my key is ***" in reply.content


def test_terminal_escapes_in_a_models_why_are_not_passed_on() -> None:
    reply = '{"action": "wait", "why": "calm \\u001b]0;pwned\\u0007 down"}'
    choice = parse_reply(reply, LEGAL)
    assert "\x1b" not in choice.why and "\x07" not in choice.why
    assert choice.why == "calm ]0;pwned down"
