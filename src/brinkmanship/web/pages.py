"""The pages, rendered on the server with Jinja2 (autoescaped): the game list, a new game,
the game screen (or the end screen), the debrief and a read-only replay. The pages act
through the JSON API with a little JavaScript of our own (``static/game.js``)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from brinkmanship.play.menus import terms_line
from brinkmanship.web.api import Service
from brinkmanship.web.maps import scenario_map
from brinkmanship.web.screen import action_label, game_screen, long_time, new_game_form, short_time

templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
templates.env.globals.update(long_time=long_time, short=short_time, terms=terms_line)

GameId = Annotated[str, Path(min_length=1, max_length=64)]

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, answered with HTTP status ``code``."""
    return templates.TemplateResponse(request, name, context, status_code=code)


def error_page(request: Request, status: int, detail: str) -> Response:
    """An error as a page: the status and one clear sentence."""
    return render(request, "error.html", status, status=status, detail=detail)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, games: Service) -> HTMLResponse:
    """The game list."""
    return render(request, "index.html", rows=games.recent(100))


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, games: Service) -> HTMLResponse:
    """The new-game form."""
    return render(request, "new.html", form=new_game_form(games.scenarios))


@router.get("/games/{game_id}", response_class=HTMLResponse)
def game(request: Request, game_id: GameId, games: Service) -> HTMLResponse:
    """The game screen; once the game is over, the end screen."""
    now = games.snapshot(game_id)
    return render(
        request,
        "game.html",
        game_id=game_id,
        row=now.row,
        v=now.view,
        s=game_screen(now.scenario, now.view, now.record),
        map=scenario_map(now.scenario, now.view),
        replay=False,
    )


@router.get("/games/{game_id}/debrief", response_class=HTMLResponse)
def debrief(request: Request, game_id: GameId, games: Service) -> HTMLResponse:
    """The debrief: the player's path beside the historical one."""
    row = games.row(game_id)
    return render(request, "debrief.html", game_id=game_id, row=row, d=games.debrief(game_id))


@router.get("/games/{game_id}/replay", response_class=HTMLResponse)
def replay(
    request: Request,
    game_id: GameId,
    games: Service,
    step: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    """A read-only replay: the game as it stood at the player's decision number ``step``."""
    row = games.row(game_id)
    past = games.replay(game_id, step)
    game, step, total = past.game, past.step, past.total
    view = game.view()
    screen = game_screen(game.scenario, view, game.record)
    made = past.record.moves[step].action if step < total else None
    made_label = action_label(game.scenario, made) if made is not None else None
    return render(
        request,
        "game.html",
        game_id=game_id,
        row=row,
        v=view,
        s=screen,
        map=scenario_map(game.scenario, view),
        replay=True,
        step=step,
        total=total,
        made=made,
        made_label=made_label,
    )
