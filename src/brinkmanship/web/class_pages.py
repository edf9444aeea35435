"""The classroom's pages: the teacher's form and the teacher's dashboard. A student's page
is the game page itself, opened through the seat's invite link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from brinkmanship.web.class_api import Classes
from brinkmanship.web.classroom import player_label, seat_choices
from brinkmanship.web.credentials import cookie_tokens, keep_token
from brinkmanship.web.pages import render

ClassId = Annotated[str, Path(min_length=1, max_length=64)]
LinkToken = Annotated[str | None, Query(max_length=200)]

router = APIRouter(include_in_schema=False)


@router.get("/classes/new", response_class=HTMLResponse)
def new_class(request: Request, svc: Classes) -> HTMLResponse:
    """The teacher's form: scenario, games, each deciding actor's player, the timer."""
    scenarios = svc.games.scenarios
    options = [(scenarios.get(n), seat_choices(scenarios.get(n))) for n in scenarios.names]
    return render(request, "class_new.html", options=options, player=player_label)


@router.get("/classes/{class_id}", response_class=HTMLResponse)
def dashboard(
    request: Request, class_id: ClassId, svc: Classes, token: LinkToken = None
) -> Response:
    """The teacher's dashboard; the teacher's link keeps its token in a cookie first."""
    if token is not None:
        svc.teacher(class_id, [token])
        response = RedirectResponse(request.url.path, status_code=303)
        keep_token(response, request, token)
        return response
    d = svc.dashboard(class_id, cookie_tokens(request))
    base = str(request.base_url).rstrip("/")
    return render(request, "class.html", d=d, base=base, player=player_label)
