"""What every router shares: the documented error answers, and domain errors as HTTP."""

from __future__ import annotations

from typing import Any

from desktop.errors import IllegalTransition, InvalidInput, NotFound
from desktop.sync.protocol import ApiError
from server.current import generic_code
from server.problems import ApiProblem

PREFIX = "/api/v1"


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the ``ApiError`` answers an endpoint may give."""
    return {status: {"model": ApiError} for status in statuses}


def domain_problem(error: InvalidInput) -> ApiProblem:
    """A use case's refusal as an answer: 404 unknown, 409 state moved on, 422 invalid."""
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, IllegalTransition):
        status = 409
    else:
        status = 422
    return ApiProblem(status, generic_code(error), error.message)
