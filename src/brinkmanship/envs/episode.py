"""One run driven from outside through the reference engine's tick driver.

The engine runs on its own (the other actors deciding with their policies) until a tick
where at least one learner-controlled actor is due to decide; there the driver pauses for
the learners' choices, resolves that tick exactly as :meth:`ReferenceEngine.run` would
(every request decided on the same state, in actor order, then applied), and runs on again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import Choice, LegalActions, Observation
from brinkmanship.engine.policy import Policy
from brinkmanship.engine.state import DecisionRequest, RunState
from brinkmanship.engine.trajectory import OutcomeResult, RunResult
from brinkmanship.envs.config import LEARNER, EnvConfig


class _Given:
    """The learner's choice for one request, as a policy the engine can ask."""

    name = LEARNER

    def __init__(self, action: str) -> None:
        self.action = action

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        return Choice(self.action)


class Episode:
    """A run in progress, paused where the learners must decide (or finished)."""

    def __init__(self, config: EnvConfig, seed: int, run: int) -> None:
        self.config = config
        self.engine = config.engine
        self.state: RunState = self.engine.start(seed, run)
        self.policies: dict[str, Policy] = {
            a: f() for a, f in config.others.factories.items() if a not in config.learners
        }
        self._driver = TickDriver(self.engine, self.state)
        self._escalation_mark = self.escalation()
        self._advance()

    @property
    def finished(self) -> bool:
        return self.state.finished

    @property
    def outcome(self) -> OutcomeResult | None:
        return self.state.outcome

    def requests(self) -> dict[str, DecisionRequest]:
        """The learners due to decide now, with what they see and may do."""
        return {r.actor: r for r in self._driver.due if r.actor in self.config.learners}

    def observe(self, actor: str) -> Observation:
        """What ``actor`` sees now (with counsel when it is due to decide)."""
        request = self.requests().get(actor)
        if request is not None:
            return request.observation
        return self.engine.observe(self.state, actor)

    def act(self, choices: Mapping[str, str]) -> None:
        """Resolve the paused tick with the learners' ``choices`` (one legal action id per
        learner due to decide) and run on to the next pause or the end."""
        due = self.requests()
        if set(choices) != set(due):
            raise ValueError(f"choices for {sorted(choices)}, but due: {sorted(due)}")
        if not self.finished:
            given = {a: _Given(action) for a, action in choices.items()}
            self._driver.resume({**self.policies, **given})
            self._advance()

    def escalation(self) -> float:
        """The scenario's escalation metric on the true state now (0 without one)."""
        metric = self.config.scenario.escalation
        return 0.0 if metric is None else metric(self.state.env)

    def shaping(self) -> float:
        """The escalation change since the last call (for the shaped reward)."""
        now = self.escalation()
        delta = now - self._escalation_mark
        self._escalation_mark = now
        return delta

    def result(self) -> RunResult:
        """The finished run's record."""
        return self.engine.result(self.state, self.config.policy_names)

    def _advance(self) -> None:
        self._driver.play(self.policies, pause=self._learner_due)

    def _learner_due(self, requests: Sequence[DecisionRequest]) -> bool:
        return any(r.actor in self.config.learners for r in requests)
