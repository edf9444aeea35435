"""The classroom's JSON API: create a class, read its dashboard, export its records, and
follow a game or a class live (server-sent events).

Creating a class needs nothing; the answer holds the teacher's token (shown once) and every
invite link. The dashboard, the exports and replacing a seat's link need the teacher
token. A game's live stream needs any token of the game (a seat's or a watcher's)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from brinkmanship.web.api import ERRORS, Service, as_json
from brinkmanship.web.classroom import ClassService, Dashboard, csv_text, parquet_bytes
from brinkmanship.web.credentials import Actor, Reader
from brinkmanship.web.schemas import ClassCreated, ClassGameLinks, NewClass, Problem

ClassId = Annotated[str, Path(min_length=1, max_length=64, description="The class's id.")]
GameId = Annotated[str, Path(min_length=1, max_length=64, description="The game's id.")]
Seat = Annotated[str, Path(min_length=1, max_length=64, description="A student seat (actor id).")]

COALESCE_SECONDS = 0.05
"""A live stream sends at most one event in this long: a move after a quiet spell goes out
at once, the moves that follow it within this time make one event at its end."""
KEEPALIVE_SECONDS = 15.0


def classes(request: Request) -> ClassService:
    """The app's class service."""
    svc = request.app.state.classes
    assert isinstance(svc, ClassService)
    return svc


Classes = Annotated[ClassService, Depends(classes)]

FORM_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": Problem,
        "description": "Malformed body, or impossible values: `fields` names each one.",
    },
}

router = APIRouter(prefix="/api", tags=["classes"])


@router.post("/classes", status_code=201, response_model=ClassCreated, responses=FORM_ERRORS)
def create_class(body: NewClass, svc: Classes) -> Response:
    """Set up a class. The answer holds the teacher's token and link (keep them: shown once;
    the teacher's page shows the invite links again) and each game's invite links, one per
    student seat."""
    class_id, teacher, links = svc.create(body)
    created = ClassCreated(
        id=class_id,
        teacher_token=teacher,
        teacher_link=f"/classes/{class_id}?token={teacher}",
        dashboard_url=f"/classes/{class_id}",
        games=[ClassGameLinks(id=g, seats=seats) for g, seats in links],
    )
    return as_json(created, 201)


def dashboard_json(d: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON."""
    return {
        "id": d.row.id,
        "title": d.row.title,
        "form": d.row.form,
        "finished": d.finished,
        "games": [
            {
                "number": g.number,
                "id": g.id,
                "status": g.status,
                "outcome": g.outcome,
                "outcome_id": g.outcome_id,
                "clock": g.clock,
                "turn": g.turn.as_dict(),
                "invites": dict(g.invites),
                "fallbacks": g.fallbacks,
            }
            for g in d.games
        ],
        "model_runs": d.model_runs,
        "model_students": dict(d.model_students),
        "outcomes": [s.__dict__ for s in d.shares],
        "documented": [x.__dict__ for x in d.documented],
    }


@router.get("/classes/{class_id}", responses=ERRORS)
def get_class(class_id: ClassId, svc: Classes, tokens: Reader) -> Response:
    """The teacher's dashboard: every game (status, outcome, whom it waits for, invite
    links), the class's outcomes beside the model's distribution (the students' seats
    played by their scenario defaults) and the documented path. Needs the teacher token."""
    return Response(
        json.dumps(dashboard_json(svc.dashboard(class_id, tokens))), media_type="application/json"
    )


@router.post(
    "/classes/{class_id}/games/{game_id}/seats/{seat}/link",
    responses={
        **ERRORS,
        404: {"model": Problem, "description": "The game is not one of the class's."},
        422: {"model": Problem, "description": "No student plays this seat in the class."},
    },
)
def new_seat_link(
    class_id: ClassId, game_id: GameId, seat: Seat, svc: Classes, tokens: Actor
) -> Response:
    """Replace a student seat's invite link (lost, or shared with the wrong person): the
    seat's old token is revoked at once (its requests get 403 saying the link was
    replaced) and the answer holds the new link. Needs the teacher token (a browser: the
    teacher's cookie and the pages' header)."""
    link = svc.new_link(class_id, tokens, game_id, seat)
    body = {"game": game_id, "seat": seat, "invite": link}
    return Response(json.dumps(body), media_type="application/json")


@router.get("/classes/{class_id}/records.parquet", responses=ERRORS)
def export_parquet(class_id: ClassId, svc: Classes, tokens: Reader) -> Response:
    """Every move of the class's games as Parquet: game, move, the side and its choice in
    words, who decided (the student, or the computer when the timer ran out), the game's
    time and when it was saved (UTC), the game's outcome; then the record's ids (seat,
    action, by, tick, game_id, class_id)."""
    data = parquet_bytes(svc.records(class_id, tokens))
    return Response(
        data,
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": f'attachment; filename="class-{class_id}.parquet"'},
    )


@router.get("/classes/{class_id}/records.csv", responses=ERRORS)
def export_csv(class_id: ClassId, svc: Classes, tokens: Reader) -> Response:
    """Every move of the class's games as CSV (the same columns as the Parquet export)."""
    return Response(
        csv_text(svc.records(class_id, tokens)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="class-{class_id}.csv"'},
    )


async def changes(
    subscribe: Callable[[Callable[[], None]], Callable[[], None]],
    payload: Callable[[], dict[str, Any]],
) -> AsyncIterator[str]:
    """Server-sent events: one ``change`` event now and one after every saved move (moves
    in quick succession make one event, :data:`COALESCE_SECONDS`); a comment line keeps an
    idle stream open."""
    loop = asyncio.get_running_loop()
    moved = asyncio.Event()

    def wake() -> None:  # called from a worker thread
        loop.call_soon_threadsafe(moved.set)

    unsubscribe = subscribe(wake)
    try:
        while True:
            data = await run_in_threadpool(payload)
            yield f"event: change\ndata: {json.dumps(data)}\n\n"
            sent = loop.time()
            while True:
                try:
                    await asyncio.wait_for(moved.wait(), KEEPALIVE_SECONDS)
                    break
                except TimeoutError:
                    yield ": keep-alive\n\n"
            await asyncio.sleep(max(0.0, sent + COALESCE_SECONDS - loop.time()))
            moved.clear()
    finally:
        unsubscribe()


def event_stream(body: AsyncIterator[str]) -> StreamingResponse:
    """A ``text/event-stream`` answer that proxies do not buffer."""
    return StreamingResponse(
        body,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/games/{game_id}/turn", responses=ERRORS)
def get_turn(game_id: GameId, games: Service, tokens: Reader) -> Response:
    """Where the game stands for its seats: the decision's tick, the seats it waits for,
    those that have chosen, the seconds left, the moves saved."""
    return Response(
        json.dumps(games.turn(game_id, tokens).as_dict()), media_type="application/json"
    )


@router.get("/games/{game_id}/events", responses=ERRORS)
async def game_events(
    game_id: GameId, request: Request, games: Service, tokens: Reader
) -> StreamingResponse:
    """Server-sent events: a ``change`` event (data: the turn, as ``/turn`` gives it) now
    and whenever a seat moves, a timer runs out or the game ends."""
    await run_in_threadpool(games.turn, game_id, tokens)  # the token is checked first
    return event_stream(
        changes(
            lambda wake: games.subscribe(game_id, wake),
            lambda: games.current_turn(game_id).as_dict(),
        )
    )


@router.get("/classes/{class_id}/events", responses=ERRORS)
async def class_events(
    class_id: ClassId, request: Request, svc: Classes, tokens: Reader
) -> StreamingResponse:
    """Server-sent events for the teacher: a ``change`` event whenever any game of the
    class moves (data: the number of changes so far)."""
    await run_in_threadpool(svc.teacher, class_id, tokens)
    counter = svc.games.changes

    def count() -> dict[str, Any]:
        return {"changes": counter.get(class_id, 0)}

    return event_stream(changes(lambda wake: svc.games.subscribe(class_id, wake), count))
