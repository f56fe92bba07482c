"""Errors the API answers with: an HTTP status and an ``ApiError {code, message}`` body.

Messages are English msgids translated through ``desktop.i18n`` (the Vietnamese catalog is
``resources/i18n/vi/server.po``), so every answer a teacher or parent may read is Vietnamese.
"""

from __future__ import annotations

from desktop.i18n import _


class ApiProblem(Exception):
    """Raised anywhere in a request; the app turns it into the error response."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def unauthorized(code: str = "unauthorized") -> ApiProblem:
    return ApiProblem(
        401,
        code,
        _("Your sign-in has expired or is not valid; please sign in again."),
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden(message: str, code: str = "forbidden") -> ApiProblem:
    return ApiProblem(403, code, message)


def not_found(message: str) -> ApiProblem:
    return ApiProblem(404, "not_found", message)


def version_mismatch() -> ApiProblem:
    return ApiProblem(
        426,
        "upgrade_required",
        _(
            "This version of Homeroom and the server speak different protocol versions; "
            "update the app. Your unsent changes are kept."
        ),
    )


def too_large(limit: int) -> ApiProblem:
    if limit < 1024 * 1024:
        message = _(
            "The request is larger than the server accepts ({size} KiB); nothing was applied."
        ).format(size=limit // 1024)
    else:
        message = _(
            "The request is larger than the server accepts ({size} MiB); nothing was applied."
        ).format(size=limit // (1024 * 1024))
    return ApiProblem(413, "body_too_large", message)


def invalid_json() -> ApiProblem:
    return ApiProblem(
        400,
        "invalid_json",
        _("The request's body is not JSON in UTF-8; nothing was applied."),
    )
