"""The JSON API under ``/api``: create a game, read its view, make a choice, read the
debrief. Reading needs only the game's (unguessable) id; acting needs its player token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from brinkmanship.play.debrief import Debrief
from brinkmanship.play.game import GameRecord
from brinkmanship.play.view import GameView
from brinkmanship.web.schemas import Created, GameListEntry, Move, NewGame, Problem
from brinkmanship.web.service import GameService
from brinkmanship.web.store import GameRow

GameId = Annotated[str, Path(min_length=1, max_length=64, description="The game's id.")]

bearer = HTTPBearer(auto_error=False, description="The player token returned on creation.")

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No game with this id."},
    422: {"model": Problem, "description": "Malformed or invalid input."},
}
ACTING_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": Problem, "description": "No player token was sent."},
    403: {"model": Problem, "description": "The token does not belong to this game."},
    409: {"model": Problem, "description": "Stale choice, or the game is over."},
    422: {"model": Problem, "description": "Malformed body, or a choice that is not legal now."},
}


def as_json(model: BaseModel, status: int = 200) -> Response:
    """A model as a JSON answer, serialised once (the route's response model documents it)."""
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def service(request: Request) -> GameService:
    """The app's game service."""
    svc = request.app.state.games
    assert isinstance(svc, GameService)
    return svc


Service = Annotated[GameService, Depends(service)]


def entry(row: GameRow) -> GameListEntry:
    """A game list entry with its links."""
    s = row.summary
    return GameListEntry(
        id=row.id,
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
    """Start a game. The answer holds the game's id and its secret player token: keep the
    token, it is shown only once and every choice needs it."""
    game_id, token, game = games.create(
        body.scenario,
        body.side,
        opponent=body.opponent,
        seed=body.seed,
        interventions=body.interventions,
    )
    created = Created(
        id=game_id,
        token=token,
        play_url=f"/games/{game_id}",
        replay_url=f"/games/{game_id}/replay",
        view=game.view(),
    )
    return as_json(created, 201)


@router.get("/games", response_model=list[GameListEntry])
def list_games(
    games: Service,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[GameListEntry]:
    """The games most recently played, newest first."""
    return [entry(row) for row in games.recent(limit, offset)]


@router.get("/games/{game_id}", response_model=GameView, responses=ERRORS)
def get_view(game_id: GameId, games: Service) -> Response:
    """The player's view now: time, alert levels, what their side knows, inbox, counsel,
    the legal choices (empty once the game is over) and the outcome."""
    return as_json(games.view(game_id))


@router.post("/games/{game_id}/choices", response_model=GameView, responses=ACTING_ERRORS)
def make_choice(
    game_id: GameId,
    body: Move,
    games: Service,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    """Make the player's choice. It is saved before the answer, which is the view at the
    player's next decision (or the end)."""
    token = credentials.credentials if credentials is not None else None
    return as_json(games.choose(game_id, token, body.action, body.at_tick))


@router.get("/games/{game_id}/record", response_model=GameRecord, responses=ERRORS)
def get_record(game_id: GameId, games: Service) -> GameRecord:
    """The game's inputs (scenario, interventions, side, opponents, seed, moves): all that
    reproduces it. The terminal game can resume from it (`brink play --resume FILE`)."""
    return games.record(game_id)


@router.get(
    "/games/{game_id}/debrief",
    response_model=Debrief,
    responses={**ERRORS, 409: {"model": Problem, "description": "The game is not over."}},
)
def get_debrief(game_id: GameId, games: Service) -> Response:
    """The debrief of a finished game: the outcome, then day by day the player's path
    beside the historical one, with sources."""
    return as_json(games.debrief(game_id))
