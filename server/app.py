"""The FastAPI application: routers, body handling, gzip answers, and errors as ``ApiError``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Scope

from desktop import __version__
from desktop.i18n import _
from desktop.sync.protocol import GZIP_THRESHOLD, ApiError
from server.body import BodyMiddleware, Limits
from server.deps import authenticate, check_version_headers
from server.problems import ApiProblem, invalid_json
from server.ranges import check_path_numbers
from server.routes import auth, parent, principal, subject, sync
from server.routes.common import PREFIX, errors
from server.settings import Settings
from server.store import Store
from server.tables import Account
from server.unexpected import UnexpectedFailures

log = logging.getLogger(__name__)

SIGN_IN_BODY_BYTES = 4 * 1024
"""A sign-in or a refresh is a few hundred bytes; anything larger is refused unread."""

DESCRIPTION = (
    "The reference central server of Homeroom (Sổ Chủ Nhiệm). Homeroom teachers sync their "
    "class (docs/sync-protocol.md); parents submit and follow leave requests; subject teachers "
    "enter grades; the principal signs off special cases and follows completeness. Every error "
    "is an `ApiError {code, message}` with the message in Vietnamese."
)


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        ApiError(code=code, message=message).model_dump(), status_code=status, headers=headers
    )


def _reasons() -> dict[str, str]:
    """Pydantic's error types as the server says them (its own wording is English)."""
    return {
        "missing": _("missing"),
        "extra_forbidden": _("not a field of this request"),
        "int_type": _("must be a whole number"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "string_type": _("must be text"),
        "bool_type": _("must be true or false"),
        "float_type": _("must be a number"),
        "dict_type": _("must be an object"),
        "list_type": _("must be a list"),
        "model_type": _("must be an object"),
        "model_attributes_type": _("must be an object"),
        "literal_error": _("is not one of the allowed values"),
        "enum": _("is not one of the allowed values"),
        "greater_than": _("is too small"),
        "greater_than_equal": _("is too small"),
        "less_than": _("is too large"),
        "less_than_equal": _("is too large"),
        "string_too_short": _("is too short"),
        "string_too_long": _("is too long"),
        "too_short": _("has too few items"),
        "too_long": _("has too many items"),
        "date_type": _("must be a date written YYYY-MM-DD"),
        "date_parsing": _("must be a date written YYYY-MM-DD"),
        "date_from_datetime_parsing": _("must be a date written YYYY-MM-DD"),
        "date_from_datetime_inexact": _("must be a date written YYYY-MM-DD"),
        "datetime_type": _("must be a time written in ISO 8601"),
        "datetime_parsing": _("must be a time written in ISO 8601"),
        "datetime_from_date_parsing": _("must be a time written in ISO 8601"),
        "timezone_aware": _("must be a time with its UTC offset"),
        "value_error": _("is not a valid value"),
    }


def _problem_answer(problem: ApiProblem) -> JSONResponse:
    return _error(problem.status, problem.code, problem.message, problem.headers)


def _validation_message(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    reason = _reasons().get(str(first.get("type", "")), _("is not valid"))
    return _("The request is not valid ({where}: {error}); nothing was applied.").format(
        where=where or "body", error=reason
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _problem(_request: Request, exc: ApiProblem) -> JSONResponse:
        return _problem_answer(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(error.get("type") == "json_invalid" for error in exc.errors()):
            return _problem_answer(invalid_json())
        return _error(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error(404, "not_found", _("There is no such address on this server."))
        if exc.status_code == 405:
            return _error(405, "method_not_allowed", _("This address does not accept that method."))
        if exc.status_code == 400:  # FastAPI could not parse the body
            return _problem_answer(invalid_json())
        return _error(exc.status_code, "http_error", _("The request could not be served."))

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        return _error(
            503, "busy", _("The server is busy; try again shortly."), {"Retry-After": "5"}
        )

    # A value that got past the range checks and that the database could not store.
    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("value out of range for the database: %s", type(exc).__name__)
        return _error(
            422, "out_of_range", _("The request holds a value out of range; nothing was applied.")
        )


APP_ANSWERS = {
    408: "The body stopped arriving for longer than the server waits (`body_timeout`); the "
    "connection is closed.",
    400: "Not JSON in UTF-8 without a BOM, or JSON that does not parse (`invalid_json`); a "
    "damaged gzip body (`bad_encoding`).",
    413: "The body is larger than the endpoint accepts: sign-in, refresh and logout 4 KiB, the "
    "others 8 MiB once decompressed (`body_too_large`).",
    415: "A `Content-Encoding` other than gzip (`unsupported_encoding`).",
    422: "Not valid: a field's type or range (`out_of_range`: every id, seq and cursor fits in "
    "32 bits, a time exists in UTC), or JSON nesting deeper than 32 or holding more than 50,000 "
    "objects and arrays or 250,000 elements (`body_too_complex`).",
    426: "The `X-Homeroom-Protocol` or `X-Homeroom-Schema` header names a version this server "
    "does not speak (`upgrade_required`).",
    500: "The server failed (`server_error`); the answer says `Connection: close`.",
    503: "Busy: the database, or more request bodies being read at once than the server decodes "
    "(`busy`); retry after `Retry-After` seconds.",
}
"""What the body middleware, the app-wide dependencies (versions, path ranges) and the error
handlers may answer whatever the endpoint: documented on every endpoint."""


def _app_answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``APP_ANSWERS`` and ``statuses`` as OpenAPI entries (an endpoint's own entry for the
    same status takes precedence)."""
    answers = errors(*sorted({*APP_ANSWERS, *statuses}))
    for status, description in APP_ANSWERS.items():
        answers[status]["description"] = description
    if 503 in answers:
        answers[503]["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    return answers


def create_app(store: Store | None, settings: Settings | None = None) -> FastAPI:
    """The app serving ``store`` (``None``: only to produce the OpenAPI document)."""
    app = FastAPI(
        title="Homeroom reference server",
        version=__version__,
        description=DESCRIPTION,
        dependencies=[Depends(check_version_headers), Depends(check_path_numbers)],
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings or Settings()
    install_error_handlers(app)
    app.include_router(auth.router, responses=_app_answers())
    for router in (sync.router, parent.router, subject.router, principal.router):
        app.include_router(router, responses=_app_answers(401))
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_THRESHOLD)
    limits = Limits(
        default=app.state.settings.max_body_bytes,
        public={
            f"{PREFIX}/ping": SIGN_IN_BODY_BYTES,
            f"{PREFIX}/auth/login": SIGN_IN_BODY_BYTES,
            f"{PREFIX}/auth/refresh": SIGN_IN_BODY_BYTES,
            # Carries the refresh token in its body, not a bearer: a device whose access token
            # has expired must still be able to end its sign-in.
            f"{PREFIX}/auth/logout": SIGN_IN_BODY_BYTES,
        },
    )
    app.add_middleware(
        BodyMiddleware,
        limits=limits,
        authenticate=_authenticate,
        read_timeout=app.state.settings.body_timeout,
    )
    app.add_middleware(UnexpectedFailures)
    return app


def _authenticate(scope: Scope, token: str) -> Account | None:
    """The body middleware's token check: the same as the endpoints' dependency."""
    app: FastAPI = scope["app"]
    if app.state.store is None:
        return None
    return authenticate(app.state.store, app.state.settings, token)
