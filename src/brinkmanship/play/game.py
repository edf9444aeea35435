"""The game core shared by the terminal and the web: one human side, every other actor
acting through its policy, state rebuilt from the record by replay.

A :class:`Game` plays the reference engine through its tick driver. It stops at each
decision point of the player's side where more than ``wait`` is legal (a point with nothing
to choose passes by itself), and :meth:`Game.choose` applies the player's choice, lets the
other actors decide on the same state, and runs on to the next such point or the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.policy import Policy
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import DecisionRequest, RunState
from brinkmanship.engine.trajectory import OutcomeResult, TrajectoryEvent
from brinkmanship.errors import BrinkError, IllegalChoiceError, StaleChoiceError, UnknownNameError
from brinkmanship.play.record import GameRecord, PlayerMove, SaveFileError
from brinkmanship.play.scenarios import game_scenario
from brinkmanship.play.view import GameView, build_view
from brinkmanship.policies.defaults import default_policy
from brinkmanship.policies.registry import policy_set, resolve
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.version import __version__

__all__ = [
    "Game",
    "GameRecord",
    "GameView",
    "IllegalChoiceError",
    "PlayerMove",
    "ReplayError",
    "StaleChoiceError",
    "opponent_specs",
]


class ReplayError(SaveFileError):
    """A record that no longer replays (the scenario or the program changed, or it was edited)."""


class PlayerPolicy:
    """The player's choice, passed through the engine's decision step (body rules apply)."""

    name = "player"

    def __init__(self, action: str) -> None:
        self.action = action

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        return Choice(self.action)


def opponent_specs(sc: CompiledScenario, side: str, opponent: str | None) -> dict[str, str]:
    """A policy spec for every actor but ``side``.

    ``opponent`` (if given) plays every other *principal* actor — one that serves its own
    side, such as the Soviet leader or Castro; commands that serve a side (the Joint Chiefs,
    a submarine) and all actors when ``opponent`` is ``None`` keep their scenario default.
    """
    if side not in sc.actors:
        raise UnknownNameError("side", side, list(sc.actors), f" in {sc.id!r}")
    specs: dict[str, str] = {}
    for actor in sc.actors.values():
        if actor.id == side:
            continue
        principal = actor.holder == actor.id
        specs[actor.id] = opponent if opponent and principal else default_policy(sc, actor.id)
    if opponent:
        led = [a for a, spec in specs.items() if spec == opponent]
        for actor_id in led:
            try:
                resolve(sc, actor_id, opponent)
            except UnknownNameError:
                raise
            except BrinkError as exc:
                raise BrinkError(
                    f"the opponent policy plays every other leading actor ({', '.join(led)}), "
                    f"and {exc}"
                ) from None
    return specs


class Game:
    """One game in progress (or finished); see the module docstring."""

    def __init__(self, record: GameRecord, scenario: CompiledScenario) -> None:
        self.record = record
        self.scenario = scenario
        self._engine = ReferenceEngine(scenario)
        expected = set(scenario.actors) - {record.side}
        if record.side not in scenario.actors:
            raise UnknownNameError(
                "side", record.side, list(scenario.actors), f" in {scenario.id!r}"
            )
        if set(record.opponents) != expected:
            missing = sorted(expected - set(record.opponents))
            extra = sorted(set(record.opponents) - expected)
            raise BrinkError(
                "opponents must name a policy for every actor but the player's side"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; not other actors of {scenario.id!r}: {', '.join(extra)}" if extra else "")
            )
        self._policies: dict[str, Policy] = policy_set(scenario, record.opponents).make()
        self._policies.pop(record.side, None)
        self._state: RunState = self._engine.start(record.seed)
        self._driver = TickDriver(self._engine, self._state)
        self.request: DecisionRequest | None = None
        self._shown = 0
        """Trajectory events up to this index were on the player's previous screen."""
        self._mark = 0
        self._view: GameView | None = None
        """The view of the current state, built once (the state changes only in _advance)."""
        self._advance(None)

    # ------------------------------------------------------------ creating

    @classmethod
    def new(
        cls,
        scenario: str,
        side: str,
        *,
        opponent: str | None = None,
        seed: int = 0,
        interventions: Sequence[str] = (),
    ) -> Game:
        """A new game at the player's first decision point."""
        if not 0 <= seed < 2**63:
            raise BrinkError(f"seed must be in [0, 2**63), got {seed}")
        sc = game_scenario(scenario, interventions)
        record = GameRecord(
            scenario=scenario,
            interventions=list(interventions),
            side=side,
            opponents=opponent_specs(sc, side, opponent),
            seed=seed,
            moves=[],
            version=__version__,
        )
        return cls(record, sc)

    @classmethod
    def from_record(cls, record: GameRecord, moves: int | None = None) -> Game:
        """Rebuild a game by replaying its record (with ``moves``, only its first ``moves``
        moves: the game as it stood then); :class:`ReplayError` if it no longer replays.

        This is the one replay of the game core: the terminal's ``--resume``, a server
        rebuilding a game it does not hold, and the web's read-only replay all use it."""
        try:
            sc = game_scenario(record.scenario, record.interventions)
            game = cls(record.model_copy(update={"moves": []}), sc)
        except BrinkError as exc:
            raise ReplayError(f"the saved game cannot be set up again: {exc}") from None
        for number, move in enumerate(record.moves[:moves], start=1):
            try:
                game.choose(move.action, at_tick=move.tick)
            except BrinkError as exc:
                saved = f" (saved by version {record.version})" if record.version else ""
                raise ReplayError(
                    f"the saved game no longer replays{saved}: move {number} "
                    f"({move.action!r} at tick {move.tick}): {exc}"
                ) from None
        return game

    # ------------------------------------------------------------- state

    @property
    def finished(self) -> bool:
        return self._state.finished

    @property
    def outcome(self) -> OutcomeResult | None:
        return self._state.outcome

    @property
    def tick(self) -> int:
        return self._state.tick

    @property
    def events(self) -> tuple[TrajectoryEvent, ...]:
        """The full trajectory so far (the narrator's record; for the debrief, not the player)."""
        return tuple(self._state.events)

    @property
    def policy_specs(self) -> Mapping[str, str]:
        """Who plays each actor: ``player`` for the side, the policy spec for the others."""
        return {
            a: "player" if a == self.record.side else self.record.opponents[a]
            for a in self.scenario.actors
        }

    def view(self) -> GameView:
        """What the player sees now (only what their side may see); built once per decision
        and shared, so callers must not change it."""
        if self._view is None:
            self._view = self._build_view()
        return self._view

    def _build_view(self) -> GameView:
        side = self.record.side
        if self.request is not None:
            obs, legal = self.request.observation, self.request.legal
        else:
            obs, legal = self._engine.observe(self._state, side), None
        moves = self.record.moves
        return build_view(
            self.scenario,
            side,
            obs,
            legal,
            self._state.events,
            new_from=self._shown,
            last_move_tick=moves[-1].tick if moves else None,
            moves=len(moves),
            outcome=self._state.outcome,
        )

    # ------------------------------------------------------------ playing

    def choose(self, action: str, *, at_tick: int | None = None) -> None:
        """Apply the player's choice and run on to their next decision point or the outcome.

        Raises :class:`StaleChoiceError` if ``at_tick`` is not the current decision's tick and
        :class:`IllegalChoiceError` if the action is not legal now; either leaves the game as
        it was.
        """
        request = self.request
        if request is None:
            raise IllegalChoiceError("the game is over; no more choices can be made")
        if at_tick is not None and at_tick != self._state.tick:
            raise StaleChoiceError(
                f"that choice was for tick {at_tick}, but the game is at tick {self._state.tick} "
                f"({self.scenario.iso(self._state.tick)}); reload and choose again"
            )
        if action not in request.legal:
            raise IllegalChoiceError(
                f"{action!r} is not a legal choice at {request.observation.iso}; legal choices: "
                f"{', '.join(request.legal.ids)}"
            )
        move = PlayerMove(tick=self._state.tick, action=action)
        try:
            self._advance(action)
        except BaseException:
            self._rebuild()
            raise
        self.record.moves.append(move)
        self._view = None  # the view counts the moves

    def _rebuild(self) -> None:
        """Restore the state before a failed step by replaying the record."""
        other = Game.from_record(self.record)
        self._policies, self._state = other._policies, other._state
        self._driver, self.request = other._driver, other.request
        self._shown, self._mark = other._shown, other._mark
        self._view = other._view

    def _advance(self, action: str | None) -> None:
        """Finish the current tick with the player's ``action`` (if any), then play ticks
        until the player has a real choice or the game ends."""
        driver = self._driver
        self._view = None
        if action is not None:
            driver.resume(self._playing(action))
        driver.play(self._playing(WAIT), pause=self._real_choice)
        self.request = self._mine(driver.due)
        self._shown, self._mark = self._mark, len(self._state.events)

    def _playing(self, action: str) -> dict[str, Policy]:
        """Everyone's policy for a tick where the player chooses ``action``."""
        return {**self._policies, self.record.side: PlayerPolicy(action)}

    def _mine(self, requests: Sequence[DecisionRequest]) -> DecisionRequest | None:
        return next((r for r in requests if r.actor == self.record.side), None)

    def _real_choice(self, requests: Sequence[DecisionRequest]) -> bool:
        """Whether the player is asked and may do more than wait."""
        mine = self._mine(requests)
        return mine is not None and len(mine.legal) > 1
