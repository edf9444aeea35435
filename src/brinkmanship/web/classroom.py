"""Classes: a teacher's set of games of one scenario, played at once by students.

A class is made from one form: the scenario, how many games, for each deciding actor
whether a student takes it or which policy plays it, and the seconds each seat has per
decision (0: no limit). Each game gets one token per student seat (role ``seat:ACTOR``),
derived one way from the class's teacher token, which also grants ``watch`` on every game:
the teacher's page re-derives every invite link, and the server keeps only hashes.

The dashboard shows the class's outcomes beside the model's distribution for the same
scenario and policies (the students' seats played by their scenario defaults, as ``brink
mc`` would) and the documented path; the class's moves export as Parquet or CSV. The
teacher may replace a seat's invite link (a lost or shared link): the seat's old token is
revoked and refused with its own message from then on.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from brinkmanship.analysis.escalation import REFERENCE_POLICY
from brinkmanship.api import load
from brinkmanship.errors import BrinkError
from brinkmanship.play.game import Game
from brinkmanship.policies.defaults import default_policy
from brinkmanship.policies.registry import BUILTINS, available
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.web.games import web_offers
from brinkmanship.web.problems import MissingTokenError, UnknownGameError, WrongTokenError
from brinkmanship.web.schemas import NewClass
from brinkmanship.web.screen import action_label, playable_sides
from brinkmanship.web.service import GameService, Turn, summary_of
from brinkmanship.web.store import ClassRow, NewGameRow
from brinkmanship.web.tokens import (
    WATCH,
    class_seat_token,
    hash_token,
    new_game_id,
    new_token,
    seat_role,
)

STUDENT = "student"
"""A seat's player in the class form: a student (anything else names a policy)."""
MAX_GAMES = 200
MAX_TIMER = 24 * 3600
MODEL_RUNS = 500
"""Runs of the model's distribution shown beside a class's outcomes."""


class ClassFormError(BrinkError):
    """A class form with impossible values: one message per field."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__(
            "the class cannot be set up: " + "; ".join(f"{k}: {v}" for k, v in fields.items())
        )


class NotAStudentSeatError(BrinkError):
    """A seat that no student plays in the class (its link cannot be replaced)."""

    def __init__(self, seat: str, students: Iterable[str]) -> None:
        super().__init__(
            f"{seat!r} is not a student's seat in this class; the students' seats: "
            f"{', '.join(students)}"
        )


class UnknownClassError(BrinkError):
    """No class has this id, or the token sent is not its teacher's."""

    def __init__(self) -> None:
        super().__init__("no class with this id opens to the token sent (check the link)")


def player_label(player: str) -> str:
    """A seat's player in words, as the class form and the teacher's page name it."""
    if player == STUDENT:
        return "A student"
    if player == REFERENCE_POLICY:
        return "The computer, as in history"
    builtin = BUILTINS.get(player)
    if builtin is not None:
        return f"The computer: {player}, {builtin.description}"
    return f"The computer: the scenario's {player.replace('_', ' ')!r}"


@dataclass(frozen=True)
class SeatChoice:
    """A deciding actor in the class form: who may play it and what it plays by default."""

    actor: str
    name: str
    options: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class ClassGame:
    """One game of a class on the teacher's page."""

    number: int
    id: str
    status: str
    outcome: str
    outcome_id: str
    clock: str
    turn: Turn
    invites: Mapping[str, str]
    """Each student seat's invite link (path and query)."""
    fallbacks: int


@dataclass(frozen=True)
class Share:
    """An outcome's share among the class's games and in the model's runs."""

    id: str
    label: str
    cls: str
    games: int
    class_p: float
    model_p: float | None
    model_low: float | None
    model_high: float | None


@dataclass(frozen=True)
class Documented:
    """A dated fact of the scenario's documented path, with its time as the sources give it
    (empty: the date only)."""

    date: str
    clock: str
    text: str


@dataclass(frozen=True)
class Dashboard:
    """The teacher's view of a class."""

    row: ClassRow
    scenario: CompiledScenario
    teacher_link: str
    games: tuple[ClassGame, ...]
    shares: tuple[Share, ...]
    model_runs: int
    model_students: tuple[tuple[str, str], ...]
    """Each student seat and the policy that plays it in the model's runs."""
    documented: tuple[Documented, ...]
    finished: int


def seat_choices(sc: CompiledScenario) -> tuple[SeatChoice, ...]:
    """Every deciding actor with the players the form offers: a student, or a policy. A
    student by default on the sides a person plays (the scenario says which), the actor's
    default policy elsewhere."""
    sides = {o.value for o in playable_sides(sc)}
    out = []
    for actor in sc.actors.values():
        policies = tuple(p for p in available(sc, actor.id) if web_offers(p))
        default = STUDENT if actor.id in sides else default_policy(sc, actor.id)
        out.append(SeatChoice(actor.id, actor.name, (STUDENT, *policies), default))
    return tuple(out)


def seat_token(teacher: str, game_id: str, seat: str, issues: Mapping[tuple[str, str], int]) -> str:
    """A class seat's current token, given how many of each seat's tokens were revoked."""
    return class_seat_token(teacher, game_id, seat, issues.get((game_id, seat_role(seat)), 0))


def invite_path(game_id: str, token: str) -> str:
    """A seat's (or a watcher's) link into a game."""
    return f"/games/{game_id}?token={token}"


class ClassService:
    """Create classes, show them to their teacher, export their records."""

    def __init__(self, games: GameService) -> None:
        self.games = games
        self._models: dict[str, tuple[int, dict[str, tuple[float, float, float]]]] = {}
        self._model_lock = threading.Lock()

    # ------------------------------------------------------------ creating

    def check(self, body: NewClass) -> tuple[CompiledScenario, list[str], dict[str, str]]:
        """The scenario, the student seats and the policies a form asks for; every
        impossible value is reported at once, field by field (ClassFormError)."""
        problems: dict[str, str] = {}
        sc: CompiledScenario | None = None
        try:
            sc = self.games.scenarios.get(body.scenario, body.interventions)
        except BrinkError as exc:
            problems[
                "scenario" if body.scenario not in self.games.scenarios.names else "interventions"
            ] = exc.message
        if not 1 <= body.games <= MAX_GAMES:
            problems["games"] = f"a class has 1 to {MAX_GAMES} games, not {body.games}"
        if not 0 <= body.timer <= MAX_TIMER:
            problems["timer"] = (
                f"seconds per decision must be 0 (no limit) to {MAX_TIMER}, not {body.timer}"
            )
        students: list[str] = []
        policies: dict[str, str] = {}
        if sc is not None:
            offered = {c.actor: c for c in seat_choices(sc)}
            for actor, player in body.seats.items():
                choice = offered.get(actor)
                if choice is None:
                    problems[f"seats.{actor}"] = (
                        f"no deciding actor {actor!r} in {sc.id!r}; valid: {', '.join(offered)}"
                    )
                elif player not in choice.options:
                    problems[f"seats.{actor}"] = (
                        f"unknown player {player!r}; valid: {', '.join(choice.options)}"
                    )
                elif player == STUDENT:
                    students.append(actor)
                else:
                    policies[actor] = player
            if not students and not any(k.startswith("seats.") for k in problems):
                problems["seats"] = "at least one seat must be taken by a student"
        if problems:
            raise ClassFormError(problems)
        assert sc is not None
        order = list(sc.actors)
        students.sort(key=order.index)
        return sc, students, policies

    def create(self, body: NewClass) -> tuple[str, str, list[tuple[str, dict[str, str]]]]:
        """A new class: its id, its teacher token (shown once) and each game's id with its
        seats' invite links."""
        sc, students, policies = self.check(body)
        teacher = new_token()
        class_id = new_game_id()
        made: list[tuple[NewGameRow, Game]] = []
        links: list[tuple[str, dict[str, str]]] = []
        for n in range(body.games):
            game = Game.new(
                body.scenario,
                students[0],
                seats=students[1:],
                policies=policies,
                seed=body.seed + n,
                interventions=body.interventions,
            )
            game_id = new_game_id()
            grants = {hash_token(teacher): WATCH}
            invites: dict[str, str] = {}
            for seat in students:
                token = class_seat_token(teacher, game_id, seat)
                grants[hash_token(token)] = seat_role(seat)
                invites[seat] = invite_path(game_id, token)
            header = game.record.model_dump(exclude={"moves"})
            made.append((NewGameRow(game_id, grants, header, sc.title, summary_of(game)), game))
            links.append((game_id, invites))
        form = body.model_dump()
        title = body.title or f"{sc.title}: {body.games} game{'' if body.games == 1 else 's'}"
        timer = float(body.timer) if body.timer > 0 else None
        self.games.create_many(class_id, hash_token(teacher), form, title, made, timer)
        return class_id, teacher, links

    # ------------------------------------------------------------ the teacher

    def teacher(self, class_id: str, tokens: Iterable[str]) -> tuple[ClassRow, str]:
        """The class and the teacher token sent; 401 without a token, 403 with a wrong one."""
        sent = list(tokens)
        if not sent:
            raise MissingTokenError()
        row = self.games.store.load_class(class_id)
        if row is not None:
            for token in sent:
                if hash_token(token) == row.teacher_hash:
                    return row, token
        raise WrongTokenError()

    def dashboard(self, class_id: str, tokens: Iterable[str]) -> Dashboard:
        """The class's games, their outcomes beside the model's and the documented path."""
        row, teacher = self.teacher(class_id, tokens)
        form = NewClass.model_validate(row.form)
        sc = self.games.scenarios.get(form.scenario, form.interventions)
        games = []
        issues = self.games.store.revocations(row.games)
        seats = [a for a in sc.actors if form.seats.get(a) == STUDENT]  # the scenario's order
        for n, game_id in enumerate(row.games):
            now = self.games.snapshot(game_id, [teacher])
            outcome = now.view.outcome
            games.append(
                ClassGame(
                    number=n + 1,
                    id=game_id,
                    status="finished" if now.turn.finished else "playing",
                    outcome=outcome.label if outcome is not None else "",
                    outcome_id=outcome.id if outcome is not None else "",
                    clock=now.view.time,
                    turn=now.turn,
                    invites={
                        s: invite_path(game_id, seat_token(teacher, game_id, s, issues))
                        for s in seats
                    },
                    fallbacks=sum(1 for m in now.record.moves if m.by == "fallback"),
                )
            )
        model = self.model(form)
        counts = Counter(g.outcome_id for g in games if g.outcome_id)
        finished = sum(counts.values())
        shares = []
        for o in sc.outcomes.values():
            m = model[1].get(o.id)
            if not counts[o.id] and (m is None or m[0] == 0):
                continue
            shares.append(
                Share(
                    id=o.id,
                    label=o.label,
                    cls=o.cls,
                    games=counts[o.id],
                    class_p=counts[o.id] / finished if finished else 0.0,
                    model_p=m[0] if m else None,
                    model_low=m[1] if m else None,
                    model_high=m[2] if m else None,
                )
            )
        timeline = sorted(sc.timeline, key=lambda e: e.tick)  # the file need not be in order
        documented = tuple(Documented(e.date, e.clock, e.text) for e in timeline)
        return Dashboard(
            row=row,
            scenario=sc,
            teacher_link=f"/classes/{class_id}?token={teacher}",
            games=tuple(games),
            shares=tuple(shares),
            model_runs=model[0],
            model_students=tuple((s, default_policy(sc, s)) for s in seats),
            documented=documented,
            finished=finished,
        )

    def model(self, form: NewClass) -> tuple[int, dict[str, tuple[float, float, float]]]:
        """The model's outcome shares (p, 95% interval) for the class's scenario, with the
        class's policies and the scenario defaults in the students' seats: computed once
        per form, on one core."""
        key = f"{form.scenario}|{','.join(form.interventions)}|{sorted(form.seats.items())}"
        with self._model_lock:
            known = self._models.get(key)
            if known is not None:
                return known
            policies = {a: p for a, p in form.seats.items() if p != STUDENT}
            sc = load(form.scenario, interventions=form.interventions, policies=policies)
            mc = sc.mc(runs=MODEL_RUNS, seed=form.seed, workers=1)
            shares = {k: (v.p, v.ci_low, v.ci_high) for k, v in mc.outcomes.items()}
            self._models[key] = (mc.runs, shares)
            return self._models[key]

    def new_link(self, class_id: str, tokens: Iterable[str], game_id: str, seat: str) -> str:
        """Replace a student seat's invite link in one of the class's games: its token is
        revoked (refused from now on, with its own message) and the new link returned."""
        row, teacher = self.teacher(class_id, tokens)
        if game_id not in row.games:
            raise UnknownGameError(game_id)
        students = [s for s, p in row.form.get("seats", {}).items() if p == STUDENT]
        if seat not in students:
            raise NotAStudentSeatError(seat, students)
        issues = self.games.store.revocations([game_id])
        old = seat_token(teacher, game_id, seat, issues)
        issue = issues.get((game_id, seat_role(seat)), 0) + 1
        new = class_seat_token(teacher, game_id, seat, issue)
        self.games.store.replace_grant(game_id, hash_token(old), hash_token(new), seat_role(seat))
        return invite_path(game_id, new)

    # ------------------------------------------------------------ export

    def records(self, class_id: str, tokens: Iterable[str]) -> pa.Table:
        """Every move of the class's games, one row each, with each game's outcome: first
        the columns a person reads (names, labels, times a spreadsheet reads as times), then
        the ids a program joins on (docs/web.md, "Export")."""
        row, _ = self.teacher(class_id, tokens)
        form = NewClass.model_validate(row.form)
        sc = self.games.scenarios.get(form.scenario, form.interventions)
        moves = self.games.store.class_moves(class_id)
        outcomes: dict[str, str] = {}
        sides: dict[str, str] = {}
        for game_id in row.games:
            saved = self.games.store.load(game_id)
            if saved is not None:
                outcomes[game_id], sides[game_id] = saved.summary.outcome, saved.side
        seats = [m[4] or sides.get(m[1], "") for m in moves]
        columns: dict[str, list[Any]] = {
            "game": [int(m[0]) + 1 for m in moves],
            "move": [int(m[2]) + 1 for m in moves],
            "side": [sc.actors[s].name if s in sc.actors else s for s in seats],
            "choice": [action_label(sc, m[5]) for m in moves],
            "decided_by": [DECIDED_BY.get(m[6], m[6]) for m in moves],
            "game_time": [wall_clock(sc.iso(int(m[3]))) for m in moves],
            "saved_at_utc": [datetime.fromisoformat(m[7]).astimezone(timezone.utc) for m in moves],
            "game_outcome": [outcomes.get(m[1], "") for m in moves],
            "seat": seats,
            "action": [m[5] for m in moves],
            "by": [m[6] for m in moves],
            "tick": [int(m[3]) for m in moves],
            "game_id": [m[1] for m in moves],
            "class_id": [class_id] * len(moves),
        }
        types = {
            "game": pa.int64(),
            "move": pa.int64(),
            "tick": pa.int64(),
            "game_time": pa.timestamp("s"),
            "saved_at_utc": pa.timestamp("s", tz="UTC"),
        }
        schema = pa.schema([pa.field(n, types.get(n, pa.string())) for n in columns])
        return pa.table(columns, schema=schema)


DECIDED_BY = {"player": "the student", "fallback": "the computer (the timer ran out)"}
"""Who made a move, in words, by the record's ``by``."""


def wall_clock(iso: str) -> datetime:
    """A game's time as its clock shows it (the scenario's local time, no offset)."""
    return datetime.fromisoformat(iso).replace(tzinfo=None)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as a Parquet file."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def spreadsheet(value: Any) -> Any:
    """A value as a spreadsheet reads it: a time as ``1962-10-16 08:00:00`` (no ``T``, no
    offset: the column's name says the zone)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return value


def csv_text(table: pa.Table) -> str:
    """A table as CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.column_names)
    for row in zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True):
        writer.writerow([spreadsheet(v) for v in row])
    return out.getvalue()
