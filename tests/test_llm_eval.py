"""`brink eval` with a language-model player: calls, tokens and latency in the report, and
the same report replayed from the cache with the server stopped."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from brinkmanship.cli import main
from fake_llm import FakeLLM, FakeServer


def eval_json(
    policy: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    args = ["eval", "standoff", "--runs", "3", "--seed", "9", "--workers", "1", "--json"]
    monkeypatch.setattr(sys, "argv", ["brink", *args, "-p", policy])
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    assert done.value.code in (0, None), err
    report: dict[str, Any] = json.loads(out)
    return report


def test_eval_reports_model_calls_and_replays_from_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRINK_LLM_BASE_URL", raising=False)
    cache = tmp_path / "replies.sqlite"
    fake = FakeLLM()
    fake.script.extend(["malformed", "illegal", "illegal", "illegal"])  # one retry, one fallback
    with FakeServer(fake) as srv:
        live = eval_json(
            f"west=llm:model=m,base_url={srv.base_url},cache={cache}", capsys, monkeypatch
        )
    calls = live["llm"]["west"]
    assert calls["calls"] == len(fake.requests) > 3
    assert calls["cached"] == 0
    assert calls["invalid"] == 4 and calls["fallbacks"] == 1
    assert calls["prompt_tokens"] > 100 * calls["calls"] and calls["completion_tokens"] > 0
    assert 0 < calls["latency_median_s"] <= calls["latency_max_s"]
    assert live["actors"]["west"]["decisions"] > 0
    replay = eval_json(f"west=llm:model=m,cache={cache}", capsys, monkeypatch)
    for key in ("outcomes", "nuclear_use", "peak_escalation"):
        assert replay[key] == live[key]
    for report in (replay, live):
        report["actors"]["west"].pop("policy")
    assert replay["actors"] == live["actors"]
    again = replay["llm"]["west"]
    assert again["cached"] == again["calls"] == calls["calls"]
    assert again["prompt_tokens"] == calls["prompt_tokens"]
    assert again["latency_median_s"] == calls["latency_median_s"]
