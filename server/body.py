"""Request bodies: gunzip ``Content-Encoding: gzip`` and enforce the size limit, before routing.

The limit applies to the decompressed body. Decompression is incremental and bounded
(``max_length``), so a gzip bomb is refused after at most the limit plus one chunk has been
inflated, never expanded in full. Anything refused here answers an ``ApiError`` and reaches no
endpoint, so nothing is applied.
"""

from __future__ import annotations

import zlib
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.i18n import _
from desktop.sync.protocol import ApiError
from server.problems import ApiProblem, too_large

CHUNK = 64 * 1024


class _Refuse(Exception):
    def __init__(self, problem: ApiProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _bad_gzip() -> ApiProblem:
    return ApiProblem(
        400, "bad_encoding", _("The request's compressed body is damaged; nothing was applied.")
    )


class Inflater:
    """Incremental gunzip with an output limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, data: bytes) -> None:
        while data:
            if self.inflater.eof:
                raise _Refuse(_bad_gzip())  # bytes after the gzip member
            try:
                out = self.inflater.decompress(data, self.limit - self.size + 1)
            except zlib.error:
                raise _Refuse(_bad_gzip()) from None
            self.size += len(out)
            if self.size > self.limit:
                raise _Refuse(too_large(self.limit))
            self.parts.append(out)
            data = self.inflater.unconsumed_tail or self.inflater.unused_data
            if self.inflater.eof and self.inflater.unused_data:
                raise _Refuse(_bad_gzip())

    def finish(self) -> bytes:
        if not self.inflater.eof:
            raise _Refuse(_bad_gzip())
        return b"".join(self.parts)


DRAIN_LIMIT = 4 * 8 * 1024 * 1024
"""How much of a refused body is still read (and dropped) so the client, still sending, gets
the answer instead of a reset connection; a larger one is cut off."""


class BodyMiddleware:
    """Reads the whole body (bounded), decompressing it if needed, then replays it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body, headers = await self._read(scope, receive)
        except _Refuse as refused:
            problem = refused.problem
            response = JSONResponse(
                ApiError(code=problem.code, message=problem.message).model_dump(),
                status_code=problem.status,
                headers={**problem.headers, "Connection": "close"},
            )
            await response(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": headers}, replay, send)

    @staticmethod
    async def _next(receive: Receive) -> tuple[bytes, bool]:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Refuse(ApiProblem(400, "disconnected", _("The request was cut off.")))
        return message.get("body", b""), message.get("more_body", False)

    async def _drain(self, receive: Receive, declared: str) -> None:
        if declared.isdigit() and int(declared) > DRAIN_LIMIT:
            return
        drained, more = 0, True
        try:
            while more and drained <= DRAIN_LIMIT:
                chunk, more = await self._next(receive)
                drained += len(chunk)
        except _Refuse:
            return

    async def _read(self, scope: Scope, receive: Receive) -> tuple[bytes, list[Any]]:
        headers = Headers(scope=scope)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip"):
            raise _Refuse(
                ApiProblem(
                    415,
                    "unsupported_encoding",
                    _("The server accepts request bodies plain or gzip-compressed only."),
                )
            )
        declared = headers.get("content-length", "")
        inflater = Inflater(self.max_bytes) if encoding == "gzip" else None
        parts: list[bytes] = []
        received = 0
        more = True
        try:
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _Refuse(too_large(self.max_bytes))
            while more:
                chunk, more = await self._next(receive)
                received += len(chunk)
                if received > self.max_bytes:
                    raise _Refuse(too_large(self.max_bytes))
                if inflater is not None:
                    inflater.feed(chunk)
                else:
                    parts.append(chunk)
        except _Refuse:
            if more:
                await self._drain(receive, declared)
            raise
        if inflater is None:
            return b"".join(parts), list(scope["headers"])
        if received == 0:
            return b"", list(scope["headers"])
        body = inflater.finish()
        kept = [
            (name, value)
            for name, value in scope["headers"]
            if name.lower() not in (b"content-encoding", b"content-length")
        ]
        kept.append((b"content-length", str(len(body)).encode("ascii")))
        return body, kept
