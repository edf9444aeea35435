"""What a policy spent on one run: model calls, tokens, latency and fallbacks.

A policy that calls something costly may expose ``usage() -> Usage``; ``brink run`` reports
it per actor after the outcome. Policies that do not (every policy but ``llm``) add nothing,
so their runs' output is unchanged. Usage is not part of the trajectory: latencies vary from
one live call to the next, and replies replayed from a cache count as cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Usage:
    """One policy's spending on one run (token counts as the server reported them; None
    when it reported none)."""

    calls: int
    cached: int
    invalid: int
    fallbacks: int
    prompt_tokens: int | None
    completion_tokens: int | None
    latencies: tuple[float, ...]
    fallback_times: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        calls: int,
        cached: int,
        invalid: int,
        prompt_tokens: list[int | None],
        completion_tokens: list[int | None],
        latencies: list[float],
        fallback_times: list[str],
    ) -> Usage:
        """Totals from per-call figures."""

        def total(counts: list[int | None]) -> int | None:
            known = [c for c in counts if c is not None]
            return sum(known) if known else None

        return cls(
            calls,
            cached,
            invalid,
            len(fallback_times),
            total(prompt_tokens),
            total(completion_tokens),
            tuple(latencies),
            tuple(fallback_times),
        )

    def to_json(self) -> dict[str, Any]:
        """Counts, token totals, latency (total, median, max; seconds, rounded to ms) and
        the times of the fallbacks."""
        lat = self.latencies
        return {
            "calls": self.calls,
            "cached": self.cached,
            "invalid": self.invalid,
            "fallbacks": self.fallbacks,
            "fallback_times": list(self.fallback_times),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_total_s": round(sum(lat), 3),
            "latency_median_s": round(median(lat), 3) if lat else None,
            "latency_max_s": round(max(lat), 3) if lat else None,
        }

    def summary(self) -> str:
        """One line for people."""

        def count(n: int | None) -> str:
            return "?" if n is None else f"{n:,}"

        calls = f"{self.calls} model call{'s' if self.calls != 1 else ''}"
        parts = [f"{calls} ({self.cached} from the cache, {self.invalid} unusable)"]
        if self.fallbacks:
            parts.append(
                f"{self.fallbacks} fallback{'s' if self.fallbacks != 1 else ''} to wait "
                f"({', '.join(self.fallback_times)})"
            )
        else:
            parts.append("no fallbacks")
        parts.append(f"tokens {count(self.prompt_tokens)} in / {count(self.completion_tokens)} out")
        if self.latencies:
            lat = self.latencies
            parts.append(
                f"latency {sum(lat):.1f} s in all, median {median(lat):.2f} s, max {max(lat):.2f} s"
            )
        return " · ".join(parts)


@runtime_checkable
class ReportsUsage(Protocol):
    """A policy that says what it spent."""

    def usage(self) -> Usage: ...


def policy_usage(policies: Mapping[str, object]) -> dict[str, Usage]:
    """The usage of each actor whose policy reports one, in the mapping's order."""
    return {
        actor: policy.usage()
        for actor, policy in policies.items()
        if isinstance(policy, ReportsUsage)
    }
