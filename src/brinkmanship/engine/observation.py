"""What a decision-maker is given: its observation and its legal actions, and what it
returns: a choice. These types are the whole policy protocol."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

WAIT = "wait"


@dataclass(frozen=True)
class Choice:
    """A decision: an action id (or ``wait``) and, optionally, the reason for it."""

    action: str
    why: str = ""


@dataclass(frozen=True)
class ActionInfo:
    """A legal action as shown to a decision-maker."""

    id: str
    label: str
    text: str = ""


@dataclass(frozen=True)
class LegalActions:
    """The actions an actor may take now (``wait`` always first) and the mask over its
    whole action space (``wait`` followed by the actor's actions in scenario order)."""

    actor: str
    actions: tuple[ActionInfo, ...]
    space: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actions)

    @property
    def mask(self) -> tuple[bool, ...]:
        legal = set(self.ids)
        return tuple(a in legal for a in self.space)

    def __contains__(self, action: object) -> bool:
        return action in self.ids

    def __len__(self) -> int:
        return len(self.actions)

    def info(self, action: str) -> ActionInfo:
        for a in self.actions:
            if a.id == action:
                return a
        raise KeyError(action)


@dataclass(frozen=True)
class Counsel:
    """One member's recommendation at a decision point, and why.

    ``abstains`` marks a member with no view: none of its stance's rules applies now, or
    the first that does says ``do: no_view``, and then ``why`` is its reason (otherwise
    empty). Its ``action`` is then ``wait`` (what a consent or vote rule counts for it), but
    unlike a rule that says ``do: wait`` it presses for nothing (Allison's Model III leaves
    it out) and the record shows no counsel from it. Absent members (``attends`` false)
    give none.
    """

    member: str
    name: str
    action: str
    why: str
    weight: float = 1.0
    abstains: bool = False


@dataclass(frozen=True)
class Letter:
    """A message as its recipient perceives it (possibly misread)."""

    id: str
    sender: str
    channel: str
    kind: str
    terms_give: tuple[str, ...]
    terms_get: tuple[str, ...]
    text: str
    sent: str
    arrived: str


@dataclass(frozen=True)
class SeenEvent:
    """An entry of the trajectory that this actor was able to observe."""

    time: str
    kind: str
    actor: str
    id: str
    text: str


@dataclass(frozen=True)
class Observation:
    """Everything one actor (or one member of a body) knows at a decision point.

    ``values`` holds the visible state variables and the parameters as floats (the
    environment the actor's rules are evaluated in); ``state`` the same variables typed.
    It never contains hidden state.
    """

    actor: str
    member: str | None
    tick: int
    time: datetime
    iso: str
    values: Mapping[str, float]
    state: Mapping[str, float | int | bool]
    inbox: tuple[Letter, ...]
    seen: tuple[SeenEvent, ...]
    counsel: tuple[Counsel, ...]
    _uniform: Callable[[str], float] = field(repr=False, compare=False)

    def uniform(self, site: str) -> float:
        """A reproducible uniform draw in [0, 1) for this decision, at a named site."""
        return self._uniform(site)
