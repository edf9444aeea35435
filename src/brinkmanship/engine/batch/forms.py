"""How a policy runs on the batch engine: as one of the doctrines the kernel implements,
with its parameters (a :class:`BatchForm`), or not at all (:class:`ReferenceOnly`).

Each policy declares its form where it is registered (:mod:`brinkmanship.policies.registry`);
the batch engine reads these declarations and never the policies themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from brinkmanship.engine import draws
from brinkmanship.scenario.compiled import PolicyData

# Doctrine codes: the kernel has one function per code (``kernel._policy`` dispatches).
PASSIVE, RANDOM, RULES, SCRIPTED, HAWK, DOVE = 0, 1, 2, 3, 4, 5
TIT_FOR_TAT, ORGANIZATIONAL, POLITICAL = 6, 7, 8

SITES: dict[int, tuple[str, ...]] = {
    RANDOM: (draws.RANDOM,),
    HAWK: (draws.HAWK,),
    DOVE: (draws.DOVE,),
    TIT_FOR_TAT: (draws.FORGIVE,),
    ORGANIZATIONAL: (draws.INERTIA, draws.SLIPPAGE),
}
"""Each doctrine's own draw sites within its actor's policy (:func:`draws.policy`), in the
order the kernel reads them; each rule's draw has a site of its own."""

MAX_SITES = max(len(names) for names in SITES.values())


@dataclass(frozen=True)
class BatchForm:
    """One actor's policy as the kernel runs it: a doctrine code and its parameters."""

    doctrine: int
    threshold: float = 0.0
    """``HAWK``, ``DOVE``: the chance of acting on the doctrine at a decision."""
    ceiling: int = 0
    """``HAWK``, ``DOVE``: the highest escalation score taken."""
    forgiveness: float = 0.0
    """``TIT_FOR_TAT``: the chance of letting an escalation pass."""
    data: PolicyData | None = None
    """The scenario data policy read: its own (``RULES``, ``SCRIPTED``), or the standard
    course (``POLITICAL``, where no member has a view; None: wait)."""


@dataclass(frozen=True)
class ReferenceOnly:
    """A policy that needs per-run Python and so runs on the reference engine only."""

    reason: str
    """Why, as the refusal of ``--engine batch`` gives it."""


BatchPlan = BatchForm | ReferenceOnly
"""What a policy declares about the batch engine."""
