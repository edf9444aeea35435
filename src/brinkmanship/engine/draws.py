"""The names of the draw sites: where in a run a random number is drawn.

A draw is a pure function of (seed, run, tick, site name) (:mod:`rng`), so the two engines
draw the same numbers only if they name each site the same way: the reference engine and
the policies draw by these names, and the batch engine seeds its sites from them.
"""

from __future__ import annotations

RANDOM = "random"
"""The random policy's pick among the legal choices."""
HAWK = "hawk"
DOVE = "dove"
"""Whether a hawk escalates, a dove de-escalates, this decision."""
FORGIVE = "forgive"
"""Whether tit-for-tat forgives the other side's last escalation."""
INERTIA = "inertia"
SLIPPAGE = "slippage"
"""Whether an organization repeats its last routine, and whether its execution slips."""
RATIONAL = "rational"
LLM_SEED = "llm-seed"
"""The seed of a rational player's lookahead, of a language model's sampling (these
policies run on the reference engine only)."""


def event(event: str) -> str:
    """Whether a hazard event happens this tick."""
    return f"event:{event}"


def latency(action: str) -> str:
    """A message's transit time."""
    return f"msg:{action}:latency"


def delay(action: str) -> str:
    """A drawn delay before an action's effects land."""
    return f"action:{action}:delay"


def misread(action: str) -> str:
    """Whether a message is misread."""
    return f"msg:{action}:misread"


def stance(actor: str, member: str, rule_index: int) -> str:
    """Whether a body member's stance rule (with a probability) applies."""
    return f"stance:{actor}:{member}:{rule_index}"


def policy(actor: str, site: str) -> str:
    """A draw of ``actor``'s policy, at a site the policy names (one of this module's)."""
    return f"policy:{actor}:{site}"


def rule(policy_name: str, rule_index: int) -> str:
    """Within a policy: whether a rule (with a probability) of a scenario policy applies."""
    return f"rule:{policy_name}:{rule_index}"


def routine(rule_index: int) -> str:
    """Within a policy: whether an organizational routine (with a probability) applies."""
    return f"routine:{rule_index}"


def belief(variable: str) -> str:
    """A rational player's belief about a variable it cannot see (drawn in its lookahead)."""
    return f"belief:{variable}"
