"""The answer to a failure nobody expected: the documented ``500 server_error``, saying
``Connection: close``.

Starlette's own last resort (its ``ServerErrorMiddleware``) answers and then raises again, and
uvicorn, seeing the exception, drops the connection without having said so: a client that kept
it for its next request finds it dead. Caught here, the answer is whole and ends the connection
cleanly (after an unexpected failure the server does not vouch for the connection's state).
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.i18n import _
from desktop.sync.protocol import ApiError
from server.problems import ApiProblem

log = logging.getLogger(__name__)


def server_error() -> JSONResponse:
    problem = ApiProblem(
        500,
        "server_error",
        _("The server failed; your changes are kept. Try again later."),
        headers={"Connection": "close"},
    )
    return JSONResponse(
        ApiError(code=problem.code, message=problem.message).model_dump(),
        status_code=problem.status,
        headers=problem.headers,
    )


class UnexpectedFailures:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started:
                raise  # half an answer is out: only dropping the connection can say so
            # The type and the frames only: a storage error's text quotes the statement's values.
            log.error("unexpected error: %s", type(error).__name__, exc_info=False)
            await server_error()(scope, receive, send)
