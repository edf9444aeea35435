"""The game core shared by the terminal and the web: one or several human seats, every
other actor acting through its policy, state rebuilt from the record by replay.

A :class:`Game` plays the reference engine through its tick driver. It stops at each
decision point where a human seat may do more than ``wait`` (a point with nothing to choose
passes by itself). :meth:`Game.choose` records one seat's choice; once every seat due at
that point has chosen, the other actors decide on the same state and the game runs on to
the next such point or the outcome. A caller that wants the choice recorded first and the
game moved on later (a server answering once the move is saved) chooses with ``defer``
and calls :meth:`Game.settle` afterwards; the record, and so the replay, is the same. A
seat whose time runs out is decided for by its fallback policy (:meth:`Game.time_out`);
the record stores that choice, marked as the fallback's, so a replay never asks the
policy again.

In a game with one human seat, every decision also offers :data:`WAIT_FOR_NEWS`: wait,
decision point after decision point, until one where something new concerns the seat (see
:func:`~brinkmanship.play.view.news`). The record holds the single waits it made. There
the player may also give several orders at one decision (:meth:`Game.carry_out`): the
first is carried out now and each next one at the following decision point in the seat's
working hours (the scenario's ``presentation.working_hours``), as long as nothing new
happens; :data:`WAIT_FOR_NEWS` may end them. With several human seats, a seat
gives several orders (or a wait for news, also chosen alone) the same way; each is its
choice when it is next due, the other seats deciding as ever, and the record holds them as
that seat's moves; the seat's screen where they end counts everything since it gave them
as new, and orders left when the game ends are reported as not carried out. The orders
still to carry out are not in the record: a server saves :meth:`Game.seat_orders` beside
the moves and gives it back to :meth:`Game.restore_seat_orders`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from brinkmanship.engine.driver import TickDriver
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.policy import Policy, as_choice
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.state import DecisionRequest, RunState
from brinkmanship.engine.trajectory import OutcomeResult, TrajectoryEvent
from brinkmanship.errors import BrinkError, IllegalChoiceError, StaleChoiceError, UnknownNameError
from brinkmanship.play.record import GameRecord, PlayerMove, SavedOrders, SaveFileError
from brinkmanship.play.scenarios import game_scenario
from brinkmanship.play.view import (
    NEWS_LABEL,
    WAIT_FOR_NEWS,
    GameView,
    Glance,
    OrderView,
    PlanView,
    build_view,
    choice_numbers,
    glance,
    news,
)
from brinkmanship.policies.defaults import default_policy
from brinkmanship.policies.registry import policy_set, resolve
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.version import __version__

__all__ = [
    "WAIT_FOR_NEWS",
    "Game",
    "GameRecord",
    "GameView",
    "IllegalChoiceError",
    "PlayerMove",
    "ReplayError",
    "StaleChoiceError",
    "opponent_specs",
    "seat_specs",
]

Maker = Literal["player", "fallback"]

MAX_ORDERS = 6
"""The most orders a player may give at one decision."""


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


def seat_specs(
    sc: CompiledScenario, seats: Sequence[str], policies: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A policy spec for every actor but the human ``seats``: ``policies`` where it names
    one, else the scenario default."""
    for seat in seats:
        if seat not in sc.actors:
            raise UnknownNameError("seat", seat, list(sc.actors), f" in {sc.id!r}")
    if len(set(seats)) != len(seats):
        raise BrinkError(f"each seat may be taken once; got {', '.join(seats)}")
    others = [a for a in sc.actors if a not in seats]
    policies = policies or {}
    for actor, spec in policies.items():
        if actor not in others:
            raise UnknownNameError("actor played by a policy", actor, others, f" in {sc.id!r}")
        resolve(sc, actor, spec)
    return {a: policies.get(a, default_policy(sc, a)) for a in others}


@dataclass
class _Queue:
    """A seat's orders still to carry out (a game with several human seats)."""

    orders: list[str]
    since: Glance | None
    """What the seat saw when it gave its last order: news since then stops the rest."""
    since_moves: int
    """The number of moves made when it saw ``since`` (a replay to that many sees it again)."""
    report: list[OrderView]
    numbers: Mapping[str, int]
    labels: Mapping[str, str]
    done: list[str] = field(default_factory=list)
    """When each order in ``report`` was carried out."""
    start: int = 0
    """The number of moves made when the seat gave the orders (a replay to that many
    shows the decision they were given at)."""
    shown: int = 0
    """The events up to this index were on the seat's screen when it gave them."""
    first: Glance | None = None
    """What the seat saw when it gave them (its screen after the orders tells what
    changed since)."""

    def saved(self, seat: str) -> QueuedOrders:
        """The queue as a server saves it."""
        return QueuedOrders(
            seat=seat,
            orders=list(self.orders),
            since=self.since_moves,
            report=list(self.report),
            done=list(self.done),
            numbers=dict(self.numbers),
            labels=dict(self.labels),
            start=self.start,
        )

    def plan(self, stopped: str) -> PlanView:
        """The report of the orders: those carried out with their time, then the rest."""
        pairs = zip(self.report, self.done, strict=True)
        made = [o.model_copy(update={"time": t}) for o, t in pairs]
        left = [OrderView(id=o, label=self.labels[o], number=self.numbers[o]) for o in self.orders]
        return PlanView(orders=[*made, *left], stopped=stopped)


class QueuedOrders(BaseModel):
    """A seat's orders still to carry out, as a server saves them."""

    seat: str
    orders: list[str]
    since: int
    """The number of moves made when the seat last saw the game as its orders did."""
    report: list[OrderView]
    done: list[str]
    numbers: dict[str, int]
    labels: dict[str, str]
    start: int | None = None
    """The number of moves made when the seat gave the orders (None in older saves:
    ``since``)."""


class SeatOrders(BaseModel):
    """The orders of the seats of a game with several human seats, as a server saves them
    beside the moves: those still to carry out, in the order they are carried out, and
    what became of each seat's last orders."""

    queues: list[QueuedOrders]
    plans: dict[str, PlanView]
    starts: dict[str, int] = {}
    """For each seat whose last orders are reported: the number of moves made when it gave
    them (its screen shows everything since)."""


class Game:
    """One game in progress (or finished); see the module docstring."""

    def __init__(self, record: GameRecord, scenario: CompiledScenario) -> None:
        self.record = record
        self.scenario = scenario
        self._engine = ReferenceEngine(scenario)
        self.seats: tuple[str, ...] = tuple(record.seats) or (record.side,)
        """The human seats (the first is the record's side)."""
        for seat in self.seats:
            if seat not in scenario.actors:
                raise UnknownNameError("side", seat, list(scenario.actors), f" in {scenario.id!r}")
        if self.seats[0] != record.side or len(set(self.seats)) != len(self.seats):
            raise BrinkError("seats must list each human seat once, the side first")
        expected = set(scenario.actors) - set(self.seats)
        if set(record.opponents) != expected:
            missing = sorted(expected - set(record.opponents))
            extra = sorted(set(record.opponents) - expected)
            raise BrinkError(
                "opponents must name a policy for every actor but the human seats"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; not other actors of {scenario.id!r}: {', '.join(extra)}" if extra else "")
            )
        self._policies: dict[str, Policy] = policy_set(scenario, record.opponents).make()
        self._fallbacks = {seat: self._policies.pop(seat) for seat in self.seats}
        """Each seat's scenario-default policy, asked only when the seat's time runs out."""
        self._state: RunState = self._engine.start(record.seed)
        self._driver = TickDriver(self._engine, self._state)
        self._due: dict[str, DecisionRequest] = {}
        """The requests of the seats with a real choice at the current decision point."""
        self._chosen: dict[str, str] = {}
        """The choices made so far at the current decision point, by seat."""
        self._shown = dict.fromkeys(self.seats, 0)
        """Trajectory events up to this index were on each seat's previous screen."""
        self._mark = dict.fromkeys(self.seats, 0)
        self._before: dict[str, Glance] = {}
        """What each seat saw at its previous decision (for what changed since)."""
        self._views: dict[str, GameView] = {}
        """Each seat's view of the current state, built once (the state changes only in
        _advance, the choices only in choose)."""
        self._plan: PlanView | None = None
        """What became of the several orders given at the previous decision."""
        self._orders_from: int | None = None
        """The number of moves made before the several orders (or the wait for news) given
        at the previous decision; None: it was a single choice."""
        self._unsettled = False
        """Every seat due has chosen (with ``defer``) and the game has not moved on yet."""
        self._queues: dict[str, _Queue] = {}
        """In a game with several human seats, each seat's orders still to carry out."""
        self._seat_plans: dict[str, PlanView] = {}
        """In a game with several human seats, what became of each seat's last orders."""
        self._seat_starts: dict[str, int] = {}
        """For each seat in ``_seat_plans``: the number of moves made when it gave them."""
        self._reports_due: dict[str, tuple[int, Glance | None]] = {}
        """The seats whose orders ended, until their next screen: where that screen's news
        starts (the events on the screen they gave the orders on, and what they saw)."""
        self._carrying = False
        """Queued orders are being carried out (a choice made then runs no queue itself)."""
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
        seats: Sequence[str] = (),
        policies: Mapping[str, str] | None = None,
    ) -> Game:
        """A new game at the first decision point of a human seat.

        With ``seats`` (further human seats beside ``side``), people play several sides.
        With ``seats`` or ``policies`` (a class's game, even with one student), every other
        actor follows ``policies`` where it names one, else its scenario default;
        ``opponent`` is for a game with one human side and no ``policies``."""
        if not 0 <= seed < 2**63:
            raise BrinkError(f"seed must be in [0, 2**63), got {seed}")
        sc = game_scenario(scenario, interventions)
        everyone = [side, *seats] if seats else []
        record = GameRecord(
            scenario=scenario,
            interventions=list(interventions),
            side=side,
            seats=everyone,
            opponents=seat_specs(sc, [side, *seats], policies)
            if seats or policies
            else opponent_specs(sc, side, opponent),
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
                game.choose(move.action, at_tick=move.tick, seat=move.seat or None, by=move.by)
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
    def ended_in(self) -> Mapping[str, float] | None:
        """The state a finished game ended in (None while it runs): the true state, to
        explain the ending, never shown to a player during a game."""
        return dict(self._state.env) if self._state.finished else None

    @property
    def events(self) -> tuple[TrajectoryEvent, ...]:
        """The full trajectory so far (the narrator's record; for the debrief, not the player)."""
        return tuple(self._state.events)

    @property
    def policy_specs(self) -> Mapping[str, str]:
        """Who plays each actor: ``player`` for a human seat, the policy spec for the others."""
        return {
            a: "player" if a in self.seats else self.record.opponents[a]
            for a in self.scenario.actors
        }

    @property
    def request(self) -> DecisionRequest | None:
        """The side's decision now, while it has not chosen (the one-seat game's question)."""
        return self.request_for(self.record.side)

    def request_for(self, seat: str) -> DecisionRequest | None:
        """A seat's decision now, while it has a real choice it has not made."""
        return None if seat in self._chosen else self._due.get(seat)

    @property
    def pending(self) -> tuple[str, ...]:
        """The seats whose choice the current decision point still waits for."""
        return tuple(s for s in self._due if s not in self._chosen)

    @property
    def unsettled(self) -> bool:
        """Whether every seat due has chosen (the last with ``defer``) and the game has yet
        to move on (:meth:`settle`)."""
        return self._unsettled

    @property
    def decision_start(self) -> int:
        """How many of the record's moves were made before the current decision point (the
        moves after them are the seats' choices there so far). Once every seat has chosen,
        the next decision point starts with all the moves."""
        made = 0 if self._unsettled else len(self._chosen)
        return len(self.record.moves) - made

    @property
    def plan(self) -> PlanView | None:
        """What became of the several orders given at the previous decision (None: the
        last decision was a single choice)."""
        return self._plan

    def saved_orders(self) -> SavedOrders | None:
        """What a save keeps beside the record of a game with one human seat: the several
        orders (or the wait for news) given at the previous decision and their report
        (None: a single choice). The replay makes their moves one by one, so it cannot
        tell them from single choices; :meth:`restore_orders` takes this back."""
        if self._orders_from is None:
            return None
        return SavedOrders(start=self._orders_from, plan=self._plan)

    def restore_orders(self, saved: SavedOrders) -> None:
        """Show again, in a game rebuilt by replay, the screen that followed several orders
        (or a wait for news) given after the record's first ``saved.start`` moves: their
        report, and everything since that decision counted as new."""
        seat, orders_from, plan = self.record.side, saved.start, saved.plan
        if len(self.seats) != 1 or not 0 <= orders_from <= len(self.record.moves):
            raise BrinkError(f"no orders were given after move {orders_from} of this game")
        then = Game.from_record(self.record, moves=orders_from)
        self._shown[seat] = then._mark[seat]
        if (start := then._glance(seat)) is not None:
            self._before[seat] = start
        self._plan, self._orders_from = plan, orders_from
        self._views.clear()

    def chosen(self, seat: str) -> str | None:
        """The action ``seat`` chose at the current decision point, if it has."""
        return self._chosen.get(seat)

    def moves_of(self, seat: str) -> list[PlayerMove]:
        """The record's moves made for ``seat``."""
        mine = "" if len(self.seats) == 1 else seat
        return [m for m in self.record.moves if m.seat == mine]

    def view(self, seat: str | None = None) -> GameView:
        """What a seat (by default the side) sees now, only what it may see; built once per
        decision and shared, so callers must not change it."""
        seat = seat or self.record.side
        if seat not in self.seats:
            raise UnknownNameError("seat", seat, self.seats)
        view = self._views.get(seat)
        if view is None:
            view = self._views[seat] = self._build_view(seat)
        return view

    def _build_view(self, seat: str) -> GameView:
        request = self.request_for(seat)
        if request is not None:
            obs, legal = request.observation, request.legal
        else:
            due = self._due.get(seat)
            obs = due.observation if due is not None else self._engine.observe(self._state, seat)
            legal = None
        moves = self.moves_of(seat)
        return build_view(
            self.scenario,
            seat,
            obs,
            legal,
            self._state.events,
            new_from=self._shown[seat],
            before=self._before.get(seat),
            last_move_tick=moves[-1].tick if moves else None,
            moves=len(moves),
            outcome=self._state.outcome,
            plan=self._plan if len(self.seats) == 1 else self._seat_plans.get(seat),
            ended_in=self.ended_in,
        )

    # ------------------------------------------------------------ playing

    def choose(
        self,
        action: str,
        *,
        at_tick: int | None = None,
        seat: str | None = None,
        by: Maker = "player",
        defer: bool = False,
    ) -> None:
        """Record a seat's choice (by default the side's); once every seat due now has
        chosen, run on to the next decision point of a human seat or the outcome (with
        ``defer``, only when :meth:`settle` is called; :data:`WAIT_FOR_NEWS` never defers).

        Raises :class:`StaleChoiceError` if ``at_tick`` is not the current decision's tick
        or the seat has nothing (more) to choose now, and :class:`IllegalChoiceError` if the
        action is not legal now; either leaves the game as it was.
        """
        seat = seat or self.record.side
        if self._state.finished:
            raise IllegalChoiceError("the game is over; no more choices can be made")
        if seat not in self.seats:
            raise UnknownNameError("seat", seat, self.seats)
        if at_tick is not None and at_tick != self._state.tick:
            raise StaleChoiceError(
                f"that choice was for tick {at_tick}, but the game is at tick {self._state.tick} "
                f"({self.scenario.iso(self._state.tick)}); reload and choose again"
            )
        if seat in self._chosen:
            raise StaleChoiceError(f"{seat} has already chosen at {self.scenario.iso(self.tick)}")
        request = self._due.get(seat)
        if request is None:
            raise StaleChoiceError(
                f"{seat} has nothing to choose at {self.scenario.iso(self.tick)}; "
                "wait for the other seats"
            )
        if action == WAIT_FOR_NEWS and len(self.seats) > 1:
            self._queue_orders([action], at_tick, seat, defer=defer)
            return
        if action == WAIT_FOR_NEWS:
            made = len(self.record.moves)
            self._plan = None
            self._wait_for_news(seat, self._glance(seat), by)
            self._orders_from = made
            self._views.clear()
            return
        if action not in request.legal:
            raise IllegalChoiceError(
                f"{action!r} is not a legal choice at {request.observation.iso}; legal choices: "
                f"{', '.join(request.legal.ids)}"
            )
        move = PlayerMove(
            tick=self._state.tick,
            action=action,
            seat="" if len(self.seats) == 1 else seat,
            by=by,
        )
        self._chosen[seat] = action
        self._plan, self._orders_from = None, None
        if not self._carrying:
            self._seat_plans.pop(seat, None)
            self._seat_starts.pop(seat, None)
            self._reports_due.pop(seat, None)
        self._views.clear()  # the views count the moves and show who has chosen
        if not self.pending and defer:
            self._unsettled = True
        elif not self.pending:
            try:
                self._advance(self._chosen)
            except BaseException:
                self._rebuild()
                raise
        self.record.moves.append(move)
        self._views.clear()
        if not defer:
            self._carry_queues()

    def settle(self) -> None:
        """Move on after a choice made with ``defer`` (nothing to do otherwise): the other
        actors decide and the game runs to the next decision point or the outcome."""
        if not self._unsettled:
            return
        self._unsettled = False
        try:
            self._advance(self._chosen)
        except BaseException:
            self._rebuild()
            raise
        self._views.clear()
        self._carry_queues()

    def time_out(self, seat: str) -> str:
        """Decide for a seat whose time ran out: its fallback policy chooses (``wait`` if
        that policy proposes something not legal now). Returns the action chosen."""
        request = self.request_for(seat)
        if request is None:
            at = self.scenario.iso(self.tick)
            raise StaleChoiceError(f"{seat} has nothing to choose at {at}")
        action = as_choice(self._fallbacks[seat].decide(request.observation, request.legal)).action
        if action not in request.legal:
            action = WAIT
        self.choose(action, seat=seat, by="fallback")
        return action

    def carry_out(
        self,
        orders: Sequence[str],
        *,
        at_tick: int | None = None,
        seat: str | None = None,
        defer: bool = False,
    ) -> None:
        """Carry out several orders given at one decision (with several human seats, those
        of ``seat``: see :meth:`_queue_orders`, where ``defer`` defers as :meth:`choose`
        does; in a game with one human seat, the side's): the first now, each next one at
        the following decision point in the seat's working hours, as long as nothing new
        concerns the side there (what would stop a wait for news) and the order is still a
        legal choice;
        :data:`WAIT_FOR_NEWS`, only as the last order, then waits for news from the last
        order on. The next view's ``plan`` says what was carried out and, if the orders
        stopped early, why; the screen that follows counts everything since this decision
        as new.

        Every order must be a choice offered now; a bad list raises before anything is
        done (:class:`IllegalChoiceError`, :class:`StaleChoiceError`)."""
        if len(self.seats) > 1:
            self._queue_orders(orders, at_tick, seat or self.record.side, defer=defer)
            return
        if seat not in (None, self.record.side):
            raise UnknownNameError("seat", seat, self.seats)
        seat = self.record.side
        numbers, labels = self._checked_orders(seat, orders, at_tick)
        start, shown, made = self._glance(seat), self._mark[seat], len(self.record.moves)
        last = start
        done: list[OrderView] = []
        stopped = ""
        for i, order in enumerate(orders):
            now = self._glance(seat)
            if done and order != WAIT_FOR_NEWS:
                now = self._wait_for_work(seat, last, orders[i:])
            if now is None:
                stopped = "the game ended"
                break
            new = news(last, now, orders[i:]) if done and last is not None else []
            at = self.scenario.iso(self.tick)
            if order == WAIT_FOR_NEWS:
                if not new:  # news right after the last order ends the wait at once
                    self._wait_for_news(seat, last, "player")
            elif new:
                stopped = "; ".join(new)
                break
            elif order not in self._due[seat].legal:
                stopped = f"{labels[order]} is no longer possible"
                break
            else:
                last = now
                self.choose(order, seat=seat)
            done.append(OrderView(id=order, label=labels[order], number=numbers[order], time=at))
        left = [OrderView(id=o, label=labels[o], number=numbers[o]) for o in orders[len(done) :]]
        self._shown[seat] = shown
        if start is not None:
            self._before[seat] = start
        self._plan = PlanView(orders=[*done, *left], stopped=stopped) if len(orders) > 1 else None
        self._orders_from = made
        self._views.clear()

    def _checked_orders(
        self, seat: str, orders: Sequence[str], at_tick: int | None
    ) -> tuple[dict[str, int], dict[str, str]]:
        """Check a seat's list of orders against its decision now (raising as
        :meth:`carry_out` says); each choice's menu number and label."""
        if self._state.finished:
            raise IllegalChoiceError("the game is over; no more choices can be made")
        if not 1 <= len(orders) <= MAX_ORDERS:
            raise IllegalChoiceError(f"give 1 to {MAX_ORDERS} orders, not {len(orders)}")
        if at_tick is not None and at_tick != self.tick:
            raise StaleChoiceError(
                f"those orders were for tick {at_tick}, but the game is at tick {self.tick} "
                f"({self.scenario.iso(self.tick)}); reload and choose again"
            )
        request = self.request_for(seat)
        if request is None:
            raise StaleChoiceError(
                f"{seat} has nothing to choose at {self.scenario.iso(self.tick)}"
            )
        for order in orders:
            if order != WAIT_FOR_NEWS and order not in request.legal:
                raise IllegalChoiceError(
                    f"{order!r} is not a legal choice at {request.observation.iso}; legal "
                    f"choices: {', '.join(request.legal.ids)}"
                )
        if WAIT_FOR_NEWS in orders[:-1]:
            raise IllegalChoiceError(f"{NEWS_LABEL!r} can only be the last order")
        numbers = dict(choice_numbers(request.legal))
        labels = {a.id: a.label for a in request.legal.actions} | {WAIT_FOR_NEWS: NEWS_LABEL}
        return numbers, labels

    def _queue_orders(
        self, orders: Sequence[str], at_tick: int | None, seat: str, *, defer: bool = False
    ) -> None:
        """Several orders of one seat in a game with several human seats: the first is that
        seat's choice now (made with ``defer`` as :meth:`choose` makes it); each next one
        is its choice at its following decision points, made when the seat is due there,
        as long as nothing new concerns it (the other seats decide as ever);
        :data:`WAIT_FOR_NEWS`, only last, then waits for news (it may also come alone: the
        seat waits from now on). A bad list changes nothing."""
        if seat not in self.seats:
            raise UnknownNameError("seat", seat, self.seats)
        numbers, labels = self._checked_orders(seat, orders, at_tick)
        first, seen = orders[0], self._glance(seat)
        queue = _Queue(
            orders=list(orders if first == WAIT_FOR_NEWS else orders[1:]),
            since=seen,
            since_moves=len(self.record.moves),
            report=[],
            numbers=numbers,
            labels=labels,
            start=len(self.record.moves),
            shown=self._mark[seat],
            first=seen,
        )
        if first != WAIT_FOR_NEWS:
            queue.report.append(OrderView(id=first, label=labels[first], number=numbers[first]))
            queue.done.append(self.scenario.iso(self.tick))
        if queue.orders:
            self._queues[seat] = queue
        else:
            self._seat_plans.pop(seat, None)
        self.choose(WAIT if first == WAIT_FOR_NEWS else first, seat=seat, defer=defer)
        if not queue.orders and len(orders) > 1:
            self._seat_plans[seat] = queue.plan("")

    def seat_orders(self) -> SeatOrders | None:
        """What a server saves beside the moves of a game with several human seats: each
        seat's orders still to carry out and the report of its last orders (None: none)."""
        if not self._queues and not self._seat_plans:
            return None
        queues = [queue.saved(seat) for seat, queue in self._queues.items()]
        return SeatOrders(
            queues=queues, plans=dict(self._seat_plans), starts=dict(self._seat_starts)
        )

    def restore_seat_orders(self, saved: SeatOrders) -> None:
        """Take up again, in a game rebuilt by replay, the seats' orders saved by
        :meth:`seat_orders`, and carry out those due now (a server stopped before it made
        them): the game moves on as it would have."""
        seen: dict[int, Game] = {}

        def then(seat: str, moves: int) -> Game:
            """The game as the seat saw it after ``moves`` moves (replayed once each)."""
            if seat not in self.seats or not 0 <= moves <= len(self.record.moves):
                raise BrinkError(f"no orders of {seat!r} were given after move {moves}")
            if moves not in seen:
                seen[moves] = Game.from_record(self.record, moves=moves)
            return seen[moves]

        for q in saved.queues:
            start = q.since if q.start is None else q.start
            at = then(q.seat, start)
            self._queues[q.seat] = _Queue(
                orders=list(q.orders),
                since=then(q.seat, q.since)._glance(q.seat),
                since_moves=q.since,
                report=list(q.report),
                numbers=q.numbers,
                labels=q.labels,
                done=list(q.done),
                start=start,
                shown=at._mark[q.seat],
                first=at._glance(q.seat),
            )
        self._seat_plans.update(saved.plans)
        for seat, start in saved.starts.items():
            at = then(seat, start)
            self._seat_starts[seat] = start
            self._reports_due[seat] = (at._mark[seat], at._glance(seat))
            if self._state.finished or self.request_for(seat) is not None:
                self._report(seat)
        self._views.clear()
        self._carry_queues()

    def _carry_queues(self) -> None:
        """Make the queued orders of every seat due now that has some, in turn, until none
        is due or each has stopped (something new concerns it: its orders end there, and
        its next screen says why)."""
        if self._carrying:
            return
        self._carrying = True
        try:
            while not self._state.finished and self._carry_one():
                pass
            if self._state.finished:
                for seat, queue in list(self._queues.items()):
                    self._end(seat, queue)
        finally:
            self._carrying = False

    def _carry_one(self) -> bool:
        """Make one queued choice, if a seat due now has one to make; whether it did."""
        for seat, queue in list(self._queues.items()):
            if seat not in self._due or seat in self._chosen:
                continue
            now = self._glance(seat)
            order = queue.orders[0]
            new = news(queue.since, now, queue.orders) if queue.since and now else []
            at = self.scenario.iso(self.tick)
            if order == WAIT_FOR_NEWS and new:  # the wait is over: the seat decides
                queue.orders.pop(0)
                queue.report.append(
                    OrderView(id=order, label=NEWS_LABEL, number=queue.numbers[order])
                )
                queue.done.append(at)
                self._stop(seat, queue, "", now=True)
                continue
            if order != WAIT_FOR_NEWS and (new or order not in self._due[seat].legal):
                gone = f"{queue.labels[order]} is no longer possible"
                self._stop(seat, queue, "; ".join(new) or gone, now=True)
                continue
            if order != WAIT_FOR_NEWS and not self._at_work(seat):
                self.choose(WAIT, seat=seat)  # the order waits for the seat's working hours
                return True
            action = WAIT if order == WAIT_FOR_NEWS else order
            if order != WAIT_FOR_NEWS:
                queue.orders.pop(0)
                queue.since = now
                queue.since_moves = len(self.record.moves)
                number = queue.numbers[order]
                queue.report.append(OrderView(id=order, label=queue.labels[order], number=number))
                queue.done.append(at)
            if not queue.orders:
                self._stop(seat, queue, "")
            self.choose(action, seat=seat)
            return True
        return False

    def _end(self, seat: str, queue: _Queue) -> None:
        """End a seat's queued orders with the game: a wait for news waited until the end;
        any other order left is reported as not carried out."""
        if queue.orders == [WAIT_FOR_NEWS]:
            queue.orders.pop()
            number = queue.numbers[WAIT_FOR_NEWS]
            queue.report.append(OrderView(id=WAIT_FOR_NEWS, label=NEWS_LABEL, number=number))
            queue.done.append(self.scenario.iso(self.tick))
        self._stop(seat, queue, "the game ended", now=True)

    def _stop(self, seat: str, queue: _Queue, stopped: str, *, now: bool = False) -> None:
        """End a seat's queued orders; its next screen (``now``: the one it sees now, else
        the next where it is asked) reports them, why they stopped, and everything that
        happened since it gave them."""
        del self._queues[seat]
        self._seat_plans[seat] = queue.plan(stopped)
        self._seat_starts[seat] = queue.start
        self._reports_due[seat] = (queue.shown, queue.first)
        if now:
            self._report(seat)
        self._views.pop(seat, None)

    def _report(self, seat: str) -> None:
        """Make the seat's screen now the one after its orders: what happened since it gave
        them is new, and what changed is told from what it saw then."""
        shown, first = self._reports_due.pop(seat)
        self._shown[seat] = shown
        if first is not None:
            self._before[seat] = first
        self._views.pop(seat, None)

    def _wait_for_news(self, seat: str, since: Glance | None, by: Maker) -> None:
        """Wait until a decision point where something new concerns the (only) seat since
        ``since``, or the end; the screen that follows counts everything since this one as
        new."""
        shown, start = self._mark[seat], self._glance(seat)
        while True:
            self.choose(WAIT, seat=seat, by=by)
            now = self._glance(seat)
            if since is None or now is None or news(since, now):
                break
        self._shown[seat] = shown
        if start is not None:
            self._before[seat] = start

    def _at_work(self, seat: str) -> bool:
        """Whether the seat's queued orders are carried out now (its working hours)."""
        hour = self.scenario.time_of(self.tick).astimezone(self.scenario.zone).hour
        return self.scenario.presentation.at_work(seat, hour)

    def _wait_for_work(
        self, seat: str, since: Glance | None, orders: Sequence[str]
    ) -> Glance | None:
        """Pass the (only) seat's decision points outside its working hours with a wait,
        until one within them, news since ``since`` (which stops the orders), or the end;
        the seat's glance then."""
        now = self._glance(seat)
        while now is not None and not self._at_work(seat):
            if since is not None and news(since, now, orders):
                break
            self.choose(WAIT, seat=seat)
            now = self._glance(seat)
        return now

    def _glance(self, seat: str) -> Glance | None:
        request = self._due.get(seat)
        if request is None or self._state.finished:
            return None
        return glance(self.scenario, seat, request.observation, request.legal)

    def _rebuild(self) -> None:
        """Restore the state before a failed step by replaying the record."""
        other = Game.from_record(self.record)
        self._policies, self._state = other._policies, other._state
        self._fallbacks = other._fallbacks
        self._driver, self._due, self._chosen = other._driver, other._due, other._chosen
        self._shown, self._mark = other._shown, other._mark
        self._before, self._views = other._before, other._views
        self._unsettled = other._unsettled

    def _advance(self, chosen: Mapping[str, str] | None) -> None:
        """Finish the current tick with the seats' ``chosen`` actions (if any), then play
        ticks until a human seat has a real choice or the game ends."""
        driver = self._driver
        self._views = {}
        for seat in self._due:
            if (seen := self._glance(seat)) is not None:
                self._before[seat] = seen
        if chosen is not None:
            driver.resume(self._playing(chosen))
        driver.play(self._playing({}), pause=self._real_choice)
        self._due = {r.actor: r for r in driver.due if self._is_real(r)}
        self._chosen = {}
        events = len(self._state.events)
        for seat in self.seats if self._state.finished else self._due:
            self._shown[seat], self._mark[seat] = self._mark[seat], events
            if seat in self._reports_due:  # the first screen after the seat's orders
                self._report(seat)

    def _playing(self, chosen: Mapping[str, str]) -> dict[str, Policy]:
        """Everyone's policy for a tick where the seats choose ``chosen`` (others wait)."""
        seats = {s: PlayerPolicy(chosen.get(s, WAIT)) for s in self.seats}
        return {**self._policies, **seats}

    def _is_real(self, request: DecisionRequest) -> bool:
        """Whether a request asks a human seat and allows more than waiting."""
        return request.actor in self.seats and len(request.legal) > 1

    def _real_choice(self, requests: Sequence[DecisionRequest]) -> bool:
        """Whether some human seat is asked and may do more than wait."""
        return any(self._is_real(r) for r in requests)
