"""The FastAPI app: pages, the JSON API, static files, limits and error answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from brinkmanship.errors import BrinkError
from brinkmanship.version import __version__
from brinkmanship.web.api import router as api_router
from brinkmanship.web.class_api import router as class_api_router
from brinkmanship.web.class_pages import router as class_pages_router
from brinkmanship.web.classroom import ClassFormError, ClassService
from brinkmanship.web.headers import SecurityHeaders
from brinkmanship.web.limits import MAX_BODY_BYTES, BodySizeLimit
from brinkmanship.web.pages import error_page
from brinkmanship.web.pages import router as pages_router
from brinkmanship.web.problems import status_of
from brinkmanship.web.service import GameService
from brinkmanship.web.store import GameStore

HERE = Path(__file__).parent


def validation_message(exc: RequestValidationError) -> str:
    """One sentence for the first problem of a request (where, then what)."""
    errors = exc.errors()
    if not errors:
        return "the request is malformed"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    where = ".".join(str(p) for p in first.get("loc", ())) or "request"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def validation_fields(exc: RequestValidationError) -> dict[str, str]:
    """Each field of a request's body that is malformed, with what is wrong with it (a
    form shows each message by its field)."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        if len(loc) > 1 and loc[0] == "body":
            fields.setdefault(".".join(loc[1:]), str(error.get("msg", "invalid")))
    return fields


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def create_app(db_path: Path, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The web game over the SQLite file ``db_path`` (created if missing)."""
    games = GameService(GameStore(db_path))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(games.warm_up)  # before the first request: no replay storm
        games.start_timers()  # a class's decision timers run while the server does
        try:
            yield
        finally:
            games.stop_timers()

    app = FastAPI(
        title="brinkmanship",
        version=__version__,
        description="Play a side of a nuclear crisis; the JSON API the game's pages use.",
        docs_url=None,  # Swagger UI and ReDoc load their code from a CDN: pages.api_docs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.games = games
    app.state.classes = ClassService(games)
    app.include_router(api_router)
    app.include_router(class_api_router)
    app.include_router(pages_router)
    app.include_router(class_pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders)

    def problem(request: Request, status: int, detail: str) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status)
        return error_page(request, status, detail)

    @app.exception_handler(BrinkError)
    async def brink_error(request: Request, exc: BrinkError) -> Response:
        if isinstance(exc, ClassFormError) and _wants_json(request):
            return JSONResponse({"detail": exc.message, "fields": exc.fields}, status_code=422)
        return problem(request, status_of(exc), exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = validation_fields(exc)
        if fields and _wants_json(request):
            return JSONResponse(
                {"detail": validation_message(exc), "fields": fields}, status_code=422
            )
        return problem(request, 422, validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "the request failed"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "there is nothing at this address"
        return problem(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette re-raises it after this answer, so the server's log has the traceback.
        return JSONResponse(
            {"detail": "internal error: the server could not answer this request"},
            status_code=500,
        )

    return app
