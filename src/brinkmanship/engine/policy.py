"""The one policy protocol every decision-maker implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from brinkmanship.engine.observation import Choice, LegalActions, Observation


@runtime_checkable
class Policy(Protocol):
    """``decide(observation, legal_actions) -> choice``.

    A policy sees only its actor's observation. It returns a :class:`Choice` (or a bare
    action id) that must be one of ``legal.ids``; anything else is a bug that the engine
    reports. One instance serves one actor for one run, so it may keep memory.
    """

    name: str

    def decide(self, observation: Observation, legal: LegalActions) -> Choice | str: ...


def as_choice(result: Choice | str) -> Choice:
    """Normalise a policy's return value."""
    return result if isinstance(result, Choice) else Choice(result)
