"""The JSON API under ``/api``: create a game, list the games one holds tokens of, read a
game's view, record and debrief, make a choice. Reading a game needs one of its tokens (its
player's seat token or a watch token); making a choice needs the seat token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from brinkmanship.play.debrief import Debrief
from brinkmanship.play.game import GameRecord
from brinkmanship.play.view import GameView
from brinkmanship.web.credentials import Actor, Reader
from brinkmanship.web.schemas import Created, GameListEntry, Move, NewGame, Opponent, Problem
from brinkmanship.web.service import GameService
from brinkmanship.web.store import Listed
from brinkmanship.web.tokens import watch_token_of

GameId = Annotated[str, Path(min_length=1, max_length=64, description="The game's id.")]

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No token was sent."},
    403: {"model": Problem, "description": "No token sent opens a game with this id."},
    422: {"model": Problem, "description": "Malformed or invalid input."},
}
ACTING_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {
        "model": Problem,
        "description": "No token sent opens a game with this id, or the token only watches.",
    },
    409: {"model": Problem, "description": "Stale choice, or the game is over."},
    422: {"model": Problem, "description": "Malformed body, or a choice that is not legal now."},
}


async def run_on_loop(run: Callable[[], None]) -> None:
    """Run a quick, non-blocking function as a background task on the event loop (a sync
    task would first wait for a worker thread, behind every request in the pool)."""
    run()


def as_json(model: BaseModel, status: int = 200) -> Response:
    """A model as a JSON answer, serialised once (the route's response model documents it)."""
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def service(request: Request) -> GameService:
    """The app's game service."""
    svc = request.app.state.games
    assert isinstance(svc, GameService)
    return svc


Service = Annotated[GameService, Depends(service)]


def entry(listed: Listed) -> GameListEntry:
    """A game list entry with its links."""
    row, s = listed.row, listed.row.summary
    return GameListEntry(
        id=row.id,
        role=listed.role,
        scenario=row.scenario,
        title=row.title,
        side=row.side,
        status=s.status,
        outcome=s.outcome,
        clock=s.clock,
        created=row.created,
        updated=row.updated,
        url=f"/games/{row.id}",
        replay_url=f"/games/{row.id}/replay",
    )


router = APIRouter(prefix="/api", tags=["games"])


@router.post("/games", status_code=201, response_model=Created, responses=ERRORS)
def create_game(body: NewGame, games: Service) -> Response:
    """Start a game. The answer holds the game's id, its secret player (seat) token and its
    watch token: keep them, they are shown only once. Every choice needs the seat token;
    reading the game needs either. The links `play_link` and `watch_link` carry them (a
    browser that opens one keeps the token in a cookie)."""
    game_id, token, game = games.create(
        body.scenario,
        body.side,
        opponent=body.opponent,
        seed=body.seed,
        interventions=body.interventions,
    )
    watch = watch_token_of(token)
    created = Created(
        id=game_id,
        token=token,
        watch_token=watch,
        play_url=f"/games/{game_id}",
        play_link=f"/games/{game_id}?token={token}",
        watch_link=f"/games/{game_id}?token={watch}",
        replay_url=f"/games/{game_id}/replay",
        view=game.view(),
    )
    return as_json(created, 201)


@router.get("/opponents", response_model=list[Opponent])
def list_opponents(games: Service) -> list[Opponent]:
    """The opponents a new game may have (the new-game form offers the same)."""
    return [Opponent(name=b.name, description=b.description) for b in games.scenarios.opponents]


@router.get(
    "/games",
    response_model=list[GameListEntry],
    responses={422: {"model": Problem, "description": "A bad limit or offset."}},
)
def list_games(
    games: Service,
    tokens: Reader,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many games.")] = 50,
    offset: Annotated[
        int, Query(ge=0, le=1_000_000, description="Skip this many games first.")
    ] = 0,
) -> list[GameListEntry]:
    """The games the token sent (or this browser's cookies) open, most recently played
    first, each with the role held there (`seat` or `watch`). There is no list of every
    game: without a token the list is empty."""
    return [entry(listed) for listed in games.listed(tokens, limit, offset)]


@router.get("/games/{game_id}", response_model=GameView, responses=ERRORS)
def get_view(game_id: GameId, games: Service, tokens: Reader) -> Response:
    """The player's view now: time, alert levels, what their side knows, inbox, counsel,
    the legal choices (empty once the game is over) and the outcome. Needs the seat or a
    watch token."""
    return as_json(games.view(game_id, tokens))


@router.post("/games/{game_id}/choices", response_model=GameView, responses=ACTING_ERRORS)
def make_choice(
    game_id: GameId,
    body: Move,
    games: Service,
    tokens: Actor,
    background: BackgroundTasks,
) -> Response:
    """Make the player's choice (with `then`, several orders); needs the seat token. It is
    saved before the answer, which is the view at the player's next decision (or the end).
    In a game with several human seats (a class's) the answer is the seat's view right
    after its choice, with nothing left to choose: the game waits for the other seats, or
    moves on right after this answer; the game's live stream (`/events`) says when, and any
    later read shows the next decision."""
    view = games.choose(
        game_id,
        tokens,
        body.action,
        body.at_tick,
        lambda run: background.add_task(run_on_loop, run),
        then=body.then,
    )
    return as_json(view)


@router.get("/games/{game_id}/record", response_model=GameRecord, responses=ERRORS)
def get_record(game_id: GameId, games: Service, tokens: Reader) -> GameRecord:
    """The game's inputs (scenario, interventions, side, opponents, seed, moves): all that
    reproduces it. The terminal game can resume from it (`brink play --resume FILE`).
    Needs the seat or a watch token."""
    return games.record(game_id, tokens)


@router.get(
    "/games/{game_id}/debrief",
    response_model=Debrief,
    responses={**ERRORS, 409: {"model": Problem, "description": "The game is not over."}},
)
def get_debrief(game_id: GameId, games: Service, tokens: Reader) -> Response:
    """The debrief of a finished game: the outcome, then day by day the player's path
    beside the historical one, with sources. Needs the seat or a watch token."""
    return as_json(games.debrief(game_id, tokens))
