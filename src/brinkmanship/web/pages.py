"""The pages, rendered on the server with Jinja2 (autoescaped): the game list, a new game,
the game screen (or the end screen), the debrief and a read-only replay. The pages act
through the JSON API with a little JavaScript of our own (``static/game.js``).

A game's pages open only for a browser holding one of its tokens (``credentials.py``):
``/games/{id}?token=TOKEN`` (on any of its pages) keeps the token in a cookie and
redirects to the address without it; the game list shows the games whose tokens this
browser holds."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from brinkmanship.play.debrief import outcome_lines
from brinkmanship.play.menus import terms_line
from brinkmanship.play.view import plain_clock
from brinkmanship.web.api import Service
from brinkmanship.web.apidocs import api_doc
from brinkmanship.web.credentials import cookie_tokens, keep_token
from brinkmanship.web.maps import scenario_map
from brinkmanship.web.screen import (
    action_label,
    date_time,
    game_screen,
    long_time,
    new_game_form,
    outcome_kind,
    short_time,
    side_name,
)
from brinkmanship.web.service import Access, GameService
from brinkmanship.web.tokens import SEAT, WATCH, watch_token_of
from brinkmanship.wording import attributed, noted

templates = Jinja2Templates(directory=FilePath(__file__).parent / "templates")
templates.env.globals.update(
    long_time=long_time,
    clock=plain_clock,
    short=short_time,
    date_time=date_time,
    side_name=side_name,
    terms=terms_line,
    outcome_lines=outcome_lines,
    noted=noted,
    attributed=attributed,
    outcome_kind=outcome_kind,
)

GameId = Annotated[str, Path(min_length=1, max_length=64)]
LinkToken = Annotated[str | None, Query(max_length=200)]

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, answered with HTTP status ``code``."""
    return templates.TemplateResponse(request, name, context, status_code=code)


def error_page(request: Request, status: int, detail: str) -> Response:
    """An error as a page: the status and one clear sentence."""
    return render(request, "error.html", status, status=status, detail=detail)


def enter(request: Request, games: GameService, game_id: str, token: str) -> Response:
    """Keep a game's token (from its link) in a cookie and redirect to the same page
    without it; a token that opens no game with this id is refused (and not kept)."""
    games.access(game_id, [token])
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    target = request.url.path + (f"?{query}" if query else "")
    response = RedirectResponse(target, status_code=303)
    keep_token(response, request, token)
    return response


def links(request: Request, game_id: str, access: Access) -> dict[str, str]:
    """The game's shareable links, by role: what this browser's token lets it pass on."""
    base = str(request.base_url).rstrip("/") + f"/games/{game_id}?token="
    if access.role == SEAT:
        return {SEAT: base + access.token, WATCH: base + watch_token_of(access.token)}
    return {access.role: base + access.token}


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API's documentation, from the app's own OpenAPI document."""
    doc = api_doc(request.app.openapi())
    names = {sc.name for sc in doc.schemas}
    return render(request, "api.html", doc=doc, names=names)


@router.get("/docs")
def docs_address() -> RedirectResponse:
    """Where FastAPI apps keep their documentation: ours is at ``/api/docs``."""
    return RedirectResponse("/api/docs", status_code=308)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, games: Service) -> HTMLResponse:
    """The games this browser holds a token of."""
    return render(request, "index.html", rows=games.listed(cookie_tokens(request), 100))


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, games: Service) -> HTMLResponse:
    """The new-game form."""
    return render(request, "new.html", form=new_game_form(games.scenarios))


@router.get("/games/{game_id}", response_class=HTMLResponse)
def game(
    request: Request,
    game_id: GameId,
    games: Service,
    token: LinkToken = None,
    seat: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response:
    """The game screen; once the game is over, the end screen. A watcher of a game with
    several seats picks whose screen to see with ``seat``."""
    if token is not None:
        return enter(request, games, game_id, token)
    now = games.snapshot(game_id, cookie_tokens(request), seat)
    mine = {"", now.seat} if len(now.record.seats) > 1 else {""}
    record = now.record.model_copy(
        update={"moves": [m for m in now.record.moves if m.seat in mine]}
    )
    shared = len(now.record.seats) > 1
    return render(
        request,
        "game.html",
        game_id=game_id,
        row=now.row,
        v=now.view,
        s=game_screen(now.scenario, now.view, record),
        map=scenario_map(now.scenario, now.view),
        replay=False,
        acts=now.access.acts,
        links={} if now.class_id else links(request, game_id, now.access),
        turn=now.turn,
        seat=now.seat,
        seats=now.record.seats if shared else [],
        live=shared or now.turn.seconds_left is not None,
    )


@router.get("/games/{game_id}/debrief", response_class=HTMLResponse)
def debrief(request: Request, game_id: GameId, games: Service, token: LinkToken = None) -> Response:
    """The debrief: the player's path beside the historical one."""
    if token is not None:
        return enter(request, games, game_id, token)
    held = cookie_tokens(request)
    row = games.row(game_id, held)
    return render(request, "debrief.html", game_id=game_id, row=row, d=games.debrief(game_id, held))


@router.get("/games/{game_id}/replay", response_class=HTMLResponse)
def replay(
    request: Request,
    game_id: GameId,
    games: Service,
    step: Annotated[int, Query(ge=0, le=100_000)] = 0,
    token: LinkToken = None,
) -> Response:
    """A read-only replay: the game as it stood at the player's decision number ``step``."""
    if token is not None:
        return enter(request, games, game_id, token)
    held = cookie_tokens(request)
    row = games.row(game_id, held)
    past = games.replay(game_id, held, step)
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
        acts=False,
        links={},
        step=step,
        total=total,
        made=made,
        made_label=made_label,
    )
