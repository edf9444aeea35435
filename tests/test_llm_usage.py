"""What a run's language-model players spent (calls, tokens, latency, fallbacks) in the
output of `brink run`, and the bytes of runs without one left as they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.narrative import jsonl_lines
from brinkmanship.policies.registry import policy_set
from brinkmanship.policies.usage import Usage, policy_usage
from brinkmanship.scenario.compiled import CompiledScenario
from cli_runner import run_brink
from fake_llm import FakeLLM, FakeServer


@pytest.fixture(autouse=True)
def no_llm_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BRINK_LLM_BASE_URL", "BRINK_LLM_API_KEY", "BRINK_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)


def run_jsonl(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    code, out, err = run_brink(
        ["run", "standoff", "--seed", "4", "-f", "jsonl", *args], capsys, monkeypatch
    )
    assert code == 0, err
    return out.splitlines()


def words(body: dict[str, Any]) -> int:
    """The fake's prompt token count: words in the messages."""
    return sum(len(m["content"].split()) for m in body["messages"])


def test_run_reports_calls_tokens_latency_and_fallbacks_then_replays_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "replies.sqlite"
    fake = FakeLLM()
    fake.script.extend(["malformed", "illegal", "illegal"])  # the first decision falls back
    spec = f"west=llm:model=m,retries=2,cache={cache}"
    with FakeServer(fake) as srv:
        live = run_jsonl(["-p", spec, "--llm-base-url", srv.base_url], capsys, monkeypatch)
        code, text, _ = run_brink(
            ["run", "standoff", "--seed", "4", "-p", spec, "--llm-base-url", srv.base_url],
            capsys,
            monkeypatch,
        )
    objects = [json.loads(line) for line in live]
    *events, usage_line, outcome = objects
    assert outcome["kind"] == "outcome"
    assert usage_line["kind"] == "usage" and usage_line["actor"] == "west"
    assert usage_line["id"] == spec.split("=", 1)[1]
    assert all(e["kind"] != "usage" for e in events)
    usage = usage_line["usage"]
    asked = len(fake.requests)  # the text run asked the same questions, of the cache
    assert usage["calls"] == asked > 3
    assert usage["cached"] == 0 and usage["invalid"] == 3 and usage["fallbacks"] == 1
    assert usage["prompt_tokens"] == sum(words(body) for body in fake.requests)
    assert usage["completion_tokens"] > 0
    assert 0 < usage["latency_median_s"] <= usage["latency_max_s"] <= usage["latency_total_s"]
    (first_decision,) = usage["fallback_times"]
    assert first_decision.startswith("2031-06-01T")
    assert usage_line["text"].startswith(f"{asked} model calls (0 from the cache, 3 unusable)")
    # the text run replayed every reply from the cache: it says so, after the outcome
    assert code == 0
    tail = text.splitlines()[-1]
    assert tail.startswith(f"West cabinet (llm:model=m,retries=2,cache={cache}): {asked} model")
    assert f"({asked} from the cache, 3 unusable)" in tail
    assert f"1 fallback to wait ({first_decision})" in tail
    # with the server gone the trajectory replays byte for byte; the usage line says the
    # replies came from the cache and keeps the recorded tokens and latencies
    replayed = run_jsonl(["-p", spec], capsys, monkeypatch)
    assert replayed[:-2] == live[:-2] and replayed[-1] == live[-1]
    again = json.loads(replayed[-2])["usage"]
    assert again == {**usage, "cached": asked}
    assert run_jsonl(["-p", spec], capsys, monkeypatch) == replayed  # replays are identical


def test_runs_without_a_reporting_policy_are_unchanged(
    standoff: CompiledScenario, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = run_jsonl(["-p", "west=random"], capsys, monkeypatch)
    policies = policy_set(standoff, {"west": "random"})
    made = policies.make()
    result = ReferenceEngine(standoff).run(4, 0, made, dict(policies.specs))
    assert policy_usage(made) == {}
    assert lines == list(jsonl_lines(result))
    assert all(json.loads(line)["kind"] != "usage" for line in lines)
    code, text, _ = run_brink(["run", "standoff", "--seed", "4"], capsys, monkeypatch)
    assert code == 0 and text.splitlines()[-1].startswith("Utilities: ")


def test_usage_without_token_counts_says_so() -> None:
    usage = Usage.of(2, 0, 1, [None, None], [None, None], [0.5, 1.5], [])
    assert usage.prompt_tokens is None and usage.completion_tokens is None
    assert usage.to_json()["latency_total_s"] == 2.0
    assert usage.to_json()["latency_median_s"] == 1.0
    assert "tokens ? in / ? out" in usage.summary() and "no fallbacks" in usage.summary()
    counted = Usage.of(2, 0, 0, [10, None], [3, 4], [0.1, 0.2], ["t1", "t2"])
    assert (counted.prompt_tokens, counted.completion_tokens) == (10, 7)
    assert "2 fallbacks to wait (t1, t2)" in counted.summary()
    one = Usage.of(1, 1, 0, [5], [1], [0.25], ["t1"])
    assert one.summary().startswith("1 model call (1 from the cache, 0 unusable) · 1 fallback ")
