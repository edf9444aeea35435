"""The state of one reference-engine run, and a decision it asks for."""

from __future__ import annotations

from dataclasses import dataclass, field

from brinkmanship.engine.observation import LegalActions, Observation, SeenEvent
from brinkmanship.engine.trajectory import ChoiceRecord, OutcomeResult, TrajectoryEvent


@dataclass
class Transit:
    """A message on its way (or arrived)."""

    action: str
    sent_tick: int
    arrival_tick: int
    misread: bool


@dataclass
class RunState:
    """The full, true state of one run (the engine's; policies never see it)."""

    seed: int
    run: int
    tick: int
    env: dict[str, float]
    fired: set[str] = field(default_factory=set)
    taken: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    in_transit: dict[str, Transit] = field(default_factory=dict)
    delivered: dict[str, Transit] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)
    costs: dict[str, float] = field(default_factory=dict)
    occurred: dict[str, set[str]] = field(default_factory=dict)
    events: list[TrajectoryEvent] = field(default_factory=list)
    choices: list[ChoiceRecord] = field(default_factory=list)
    outcome: OutcomeResult | None = None
    decided: str | None = None
    """The outcome whose condition held while its ``pending`` held: the run goes on."""
    decided_tick: int | None = None
    mechanism: str | None = None
    """The mechanism of the decided outcome, found when it was decided."""
    peak_escalation: float | None = None
    seen: dict[str, list[SeenEvent]] = field(default_factory=dict)
    """Per actor, the events it could see, as far as ``seen_upto[actor]`` into ``events``."""
    seen_upto: dict[str, int] = field(default_factory=dict)
    cache: dict[int, float] = field(default_factory=dict, init=False, repr=False)
    """Values of the engine's conditions, kept until a name they read changes (see
    ``condition_cache``). Not a constructor argument, and a copy starts without it (see
    ``__getstate__``), so no two states share one."""
    outcomes_dirty: bool = field(default=True, init=False, repr=False)
    """Whether a name an outcome's condition reads may have changed since the last check."""

    def __getstate__(self) -> dict[str, object]:
        # Copies and pickles (copy.copy, deepcopy, other processes) start with an empty
        # cache: its keys are ids of expressions in this process, and a shared dict would
        # let one state's changes leak into the other's values.
        state = dict(self.__dict__)
        state["cache"] = {}
        state["outcomes_dirty"] = True
        return state

    @property
    def finished(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class DecisionRequest:
    """An actor due to decide: what it observes (counsel included) and what it may do."""

    actor: str
    observation: Observation
    legal: LegalActions
