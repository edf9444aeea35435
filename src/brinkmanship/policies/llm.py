"""The ``llm`` policy: a language model plays an actor through an OpenAI-compatible chat
endpoint.

At each decision point the model is shown the actor's observation, counsel and legal
choices (:mod:`.llm_prompt`) and must answer ``{"action": ..., "why": ...}``. A reply that
is not such an object, or names an illegal action, is answered with the error and asked
again, at most ``retries`` times; then the actor waits, and the choice's reason says that
this was a fallback and why (also logged as a warning). It never makes an illegal move.

Every request carries a sampling seed drawn from the run's counter-based stream, and every
reply is kept in the record/replay cache (:mod:`.llm_cache`) when one is given, so a run
replays exactly, without the model. Each call's token counts and latency are kept in
:attr:`LLMPolicy.calls` and summed up per run by :meth:`LLMPolicy.usage`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brinkmanship.engine import draws
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.policies.llm_cache import Reply, ReplyCache, request_key
from brinkmanship.policies.llm_client import ChatClient, EndpointError
from brinkmanship.policies.llm_config import ENV_BASE_URL, LLMConfig, config_from
from brinkmanship.policies.llm_prompt import build_messages, retry_message
from brinkmanship.policies.llm_reply import ReplyError, parse_reply
from brinkmanship.policies.usage import Usage
from brinkmanship.scenario.compiled import CompiledScenario

log = logging.getLogger(__name__)

SEED_RANGE = 2**31


@dataclass(frozen=True)
class CallRecord:
    """One reply asked for: where, whether it came from the cache, its cost, and whether
    it could be used (``error`` says why not)."""

    actor: str
    tick: int
    attempt: int
    cached: bool
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float
    error: str = ""

    @property
    def valid(self) -> bool:
        return not self.error


class LLMPolicy:
    """A language model deciding for one actor during one run."""

    name = "llm"

    def __init__(self, scenario: CompiledScenario, actor: str, config: LLMConfig) -> None:
        self.sc = scenario
        self.actor = actor
        self.config = config
        self.cache = ReplyCache(config.cache) if config.cache is not None else None
        self.client = (
            ChatClient(
                config.base_url, config.api_key, config.timeout, config.attempts, config.json_mode
            )
            if config.base_url
            else None
        )
        self.calls: list[CallRecord] = []
        self.fallback_times: list[str] = []

    @property
    def fallbacks(self) -> int:
        """Decision points at which no reply was usable, so the actor waited."""
        return len(self.fallback_times)

    def usage(self) -> Usage:
        """Calls, tokens, latency and fallbacks so far (one run, for a fresh policy)."""
        calls = self.calls
        return Usage.of(
            len(calls),
            sum(c.cached for c in calls),
            sum(not c.valid for c in calls),
            [c.prompt_tokens for c in calls],
            [c.completion_tokens for c in calls],
            [c.latency_s for c in calls],
            self.fallback_times,
        )

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        messages = build_messages(self.sc, observation, legal, self.config.history)
        seed = int(observation.uniform(draws.LLM_SEED) * SEED_RANGE)
        error = ""
        for attempt in range(self.config.attempts):
            request: dict[str, Any] = {
                "model": self.config.model,
                "messages": messages,
                "temperature": self.config.temperature,
                "max_tokens": self.config.max_tokens,
                "seed": seed,
            }
            reply, cached = self._reply(request, observation)
            try:
                choice = parse_reply(reply.content, legal)
            except ReplyError as exc:
                error = str(exc)
                self._record(observation, attempt, cached, reply, error)
                messages = [
                    *messages,
                    {"role": "assistant", "content": reply.content},
                    retry_message(error, legal),
                ]
                continue
            self._record(observation, attempt, cached, reply, "")
            return choice
        self.fallback_times.append(observation.iso)
        why = (
            f"fallback: {self.config.model} gave no usable reply in "
            f"{self.config.attempts} attempts (last: {error}), so {self.actor} waits"
        )
        log.warning("llm policy for %s at %s: %s", self.actor, observation.iso, why)
        return Choice(WAIT, why)

    def _record(
        self, obs: Observation, attempt: int, cached: bool, reply: Reply, error: str
    ) -> None:
        self.calls.append(
            CallRecord(
                self.actor,
                obs.tick,
                attempt,
                cached,
                reply.prompt_tokens,
                reply.completion_tokens,
                reply.latency_s,
                error,
            )
        )

    def _reply(self, request: dict[str, Any], obs: Observation) -> tuple[Reply, bool]:
        key = request_key(request)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit, True
        if self.client is None:
            held = len(self.cache) if self.cache is not None else 0
            raise EndpointError(
                f"llm policy for {self.actor!r} at {obs.iso}: no recorded reply for this "
                f"request in {self.config.cache} ({held} replies held) and no endpoint to ask; "
                f"set base_url= or {ENV_BASE_URL} (a different model, temperature, seed, "
                "scenario or prompt makes a different request)"
            )
        reply = self.client.complete(request)
        if self.cache is not None:
            self.cache.put(key, request, reply)
        return reply, False


def make_llm(scenario: CompiledScenario, actor: str, params: Mapping[str, object]) -> LLMPolicy:
    """The registry's factory: settings from the parameters and the environment."""
    return LLMPolicy(scenario, actor, config_from(params))
