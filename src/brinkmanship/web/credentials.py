"""The tokens a request presents: the API's ``Authorization: Bearer`` header, or the
cookies in which a browser keeps the tokens of the games it has opened.

A browser gets a game's token by opening its link ``/games/{id}?token=TOKEN`` once: the
page stores the token in an HttpOnly cookie (scripts cannot read it) and redirects to the
clean address, so the token does not stay in the address bar or the history. The cookie's
path is ``/`` so that the game list can show every game this browser holds a token of; its
name is derived from the token's hash, so one token (a player's, a watcher's, or one that
opens many games) is one cookie.

Reading accepts the cookies. Making a choice with a cookie also needs the header
:data:`PAGE_HEADER`, which another site's page cannot send without the server's consent
(there is no CORS): a cross-site request forgery cannot move a game.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from brinkmanship.web.tokens import TOKEN_PATTERN, hash_token

COOKIE_PREFIX = "brink-"
COOKIE_MAX_AGE = 400 * 24 * 3600
"""The longest lifetime browsers grant a cookie (400 days)."""
PAGE_HEADER = "X-Brink-Page"
"""Sent by the pages' own script with a choice authorised by cookie."""

bearer = HTTPBearer(
    auto_error=False,
    description="A game's token: its player's (seat) token, returned on creation, or a watch "
    "token (read-only). Browsers send the tokens of the games they opened as cookies.",
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def cookie_name(token: str) -> str:
    """The name of the cookie that keeps ``token``."""
    return COOKIE_PREFIX + hash_token(token)[:16]


def cookie_tokens(request: Request) -> list[str]:
    """The tokens in this browser's cookies (values that do not look like tokens are
    ignored)."""
    return [
        value
        for name, value in request.cookies.items()
        if name.startswith(COOKIE_PREFIX) and TOKEN_PATTERN.fullmatch(value)
    ]


def keep_token(response: Response, request: Request, token: str) -> None:
    """Have the browser keep ``token`` in an HttpOnly cookie."""
    response.set_cookie(
        cookie_name(token),
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def reading_tokens(request: Request, credentials: Bearer) -> list[str]:
    """The tokens a read presents: the Bearer token if one was sent, else the cookies."""
    if credentials is not None:
        return [credentials.credentials]
    return cookie_tokens(request)


def acting_tokens(request: Request, credentials: Bearer) -> list[str]:
    """The tokens a choice presents: the Bearer token if one was sent, else the cookies,
    but only from the pages' own script (:data:`PAGE_HEADER`)."""
    if credentials is not None:
        return [credentials.credentials]
    if PAGE_HEADER.lower() in request.headers:
        return cookie_tokens(request)
    return []


Reader = Annotated[list[str], Depends(reading_tokens)]
Actor = Annotated[list[str], Depends(acting_tokens)]
