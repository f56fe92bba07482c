"""Request bodies, before routing: the token first, then a bounded read, then a bounded JSON.

A body bound for an endpoint that needs a sign-in is not read until its bearer token is
checked, so an anonymous request costs a header lookup, never an inflate or a parse. Each
endpoint has its own limit (sign-in and refresh a few KiB). ``Content-Encoding: gzip`` is
inflated incrementally with ``max_length``, so a bomb is refused after at most the limit plus
one chunk. Before the app parses the JSON, its nesting depth and how many containers and
elements it holds are counted on the raw bytes (strings skipped in one pass), so millions of
``{}`` are refused instead of costing hundreds of MB. Only ``slots`` bodies that are compressed,
large or of unknown length are read and checked at once; one more is answered 503 with
``Retry-After`` at once (small plain bodies cost too little to need a slot). Anything refused
here answers an ``ApiError`` and reaches no endpoint, so nothing is applied.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.i18n import _
from desktop.sync.protocol import ApiError
from server.problems import ApiProblem, invalid_json, too_large, unauthorized
from server.settings import BODY_TIMEOUT

CHUNK = 64 * 1024
"""Inflated per step: the body's shape is tallied between steps, so a bomb stops early."""

MAX_DEPTH = 32
"""A sync request nests about six deep; Python's parser itself gives up near a thousand."""
MAX_CONTAINERS = 50_000
MAX_ELEMENTS = 250_000
"""Commas and colons: a parsed element costs about a hundred bytes, so a body within these
bounds stays within some tens of MB once parsed, whatever its shape."""

SMALL_BODY = CHUNK
"""A plain body up to this size is read without a decoding slot."""

DECODING_SLOTS = 8
"""Bodies read and checked at once (each may hold about three times its endpoint's limit while
it is checked: the raw bytes, the inflated ones, the copy without strings)."""


class _Refuse(Exception):
    def __init__(self, problem: ApiProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _bad_gzip() -> ApiProblem:
    return ApiProblem(
        400, "bad_encoding", _("The request's compressed body is damaged; nothing was applied.")
    )


def _too_complex() -> ApiProblem:
    return ApiProblem(
        422,
        "body_too_complex",
        _("The request nests too deeply or holds too many items; nothing was applied."),
    )


def _body_late() -> ApiProblem:
    return ApiProblem(
        408, "body_timeout", _("The request's body stopped arriving; nothing was applied.")
    )


def busy() -> ApiProblem:
    return ApiProblem(
        503, "busy", _("The server is busy; try again shortly."), headers={"Retry-After": "1"}
    )


class Inflater:
    """Incremental gunzip with an output limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, data: bytes, tally: Tally | None = None) -> None:
        while data:
            if self.inflater.eof:
                raise _Refuse(_bad_gzip())  # bytes after the gzip member
            try:
                out = self.inflater.decompress(data, min(CHUNK, self.limit - self.size + 1))
            except zlib.error:
                raise _Refuse(_bad_gzip()) from None
            self.size += len(out)
            if self.size > self.limit:
                raise _Refuse(too_large(self.limit))
            if tally is not None:
                tally.add(out)
            self.parts.append(out)
            data = self.inflater.unconsumed_tail or self.inflater.unused_data
            if self.inflater.eof and self.inflater.unused_data:
                raise _Refuse(_bad_gzip())

    def finish(self) -> bytes:
        if not self.inflater.eof:
            raise _Refuse(_bad_gzip())
        return b"".join(self.parts)


@dataclass(frozen=True)
class Shape:
    depth: int
    containers: int
    elements: int


# Possessive, and an unterminated string runs to the end: one linear pass whatever the quotes.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_shape(data: bytes) -> Shape:
    """How deep ``data`` nests and how many containers and elements it holds, outside strings;
    the depth is left 0 when there are too many containers to be worth walking."""
    bare = _STRING.sub(b'""', data)
    containers = bare.count(b"{") + bare.count(b"[")
    elements = bare.count(b",") + bare.count(b":")
    if containers > MAX_CONTAINERS:
        return Shape(0, containers, elements)
    depth = deepest = 0
    for byte in bare.translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return Shape(deepest, containers, elements)


class Tally:
    """Brackets and separators counted as the body arrives, strings included (an over-count):
    a body of millions of ``{}`` is refused after its first few hundred KB, not at its end."""

    def __init__(self) -> None:
        self.containers = 0
        self.elements = 0

    def add(self, data: bytes) -> None:
        self.containers += data.count(b"{") + data.count(b"[")
        self.elements += data.count(b",") + data.count(b":")
        # Twice the bounds: only strings full of brackets or commas could make a body that
        # fits them count past this, and no request's strings are that long.
        if self.containers > 2 * MAX_CONTAINERS or self.elements > 2 * MAX_ELEMENTS:
            raise _Refuse(_too_complex())


def _check_utf8(data: bytes) -> None:
    """JSON on the wire is UTF-8 without a BOM (RFC 8259). The JSON parser would guess UTF-16
    or UTF-32 from the NUL bytes they hold, which UTF-8 JSON never has unescaped."""
    if data.startswith(codecs.BOM_UTF8) or b"\x00" in data:
        raise _Refuse(invalid_json())
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refuse(invalid_json()) from None


def _check_shape(data: bytes) -> None:
    _check_utf8(data)
    shape = json_shape(data)
    if (
        shape.containers > MAX_CONTAINERS
        or shape.elements > MAX_ELEMENTS
        or shape.depth > MAX_DEPTH
    ):
        raise _Refuse(_too_complex())


async def _checked(body: bytes) -> None:
    # A large body's check takes some ms: off the event loop, so /ping and the rest go on. A
    # small one's costs less than the hop to a thread (which every sync endpoint also needs).
    if len(body) > 4 * CHUNK:
        await run_in_threadpool(_check_shape, body)
    else:
        _check_shape(body)


@dataclass(frozen=True)
class Limits:
    """Body limits by path: ``public`` paths need no sign-in and have small limits of their
    own; every other body is read only once its bearer token is valid."""

    default: int
    public: Mapping[str, int] = field(default_factory=dict)


Authenticate = Callable[[Scope, str], Any]
"""``(scope, token) -> account or None``, blocking (it reads the database)."""

DRAIN_LIMIT = 4 * 8 * 1024 * 1024
"""How much of a refused body is still read (and dropped) so the client, still sending, gets
the answer instead of a reset connection; a larger one is cut off."""


def _bearer(headers: Headers) -> str | None:
    scheme, _sep, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0").strip() not in ("", "0") or (
        "transfer-encoding" in headers
    )


def _costly(headers: Headers) -> bool:
    """A body that may take memory to read: compressed, large, or of unknown length. A small
    plain one (every sync of an idle device) needs no decoding slot, so a burst of ordinary
    syncs is never answered ``busy``."""
    declared = headers.get("content-length", "").strip()
    plain = headers.get("content-encoding", "identity").strip().lower() == "identity"
    return not (plain and declared.isdigit() and int(declared) <= SMALL_BODY)


class BodyMiddleware:
    """Checks the token, reads the whole body (bounded), decompresses and checks it, replays it.

    The account a token belongs to is left in the request's state (``account``), so the
    endpoint's own dependency does not look it up again."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits,
        slots: int = DECODING_SLOTS,
        authenticate: Authenticate | None = None,
        read_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.read_timeout = read_timeout
        self.limits = limits
        self.slots = slots
        self.decoding = 0
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        public = scope["path"] in self.limits.public
        limit = self.limits.public.get(scope["path"], self.limits.default)
        try:
            if not public and _has_body(headers):
                await self._sign_in(scope, headers, receive)
                if _costly(headers):
                    body, kept = await self._slotted(scope, receive, limit)
                else:
                    body, kept = await self._read(scope, receive, limit)
            else:
                body, kept = await self._read(scope, receive, limit)
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

        await self.app({**scope, "headers": kept}, replay, send)

    async def _sign_in(self, scope: Scope, headers: Headers, receive: Receive) -> None:
        if self.authenticate is None:
            return
        token = _bearer(headers)
        account = (
            None if token is None else await run_in_threadpool(self.authenticate, scope, token)
        )
        if account is None:
            # Dropped raw, never inflated: the client gets the answer, not a reset.
            await self._drain(receive, headers.get("content-length", ""))
            raise _Refuse(unauthorized("missing_token" if token is None else "unauthorized"))
        scope.setdefault("state", {})["account"] = account

    async def _slotted(self, scope: Scope, receive: Receive, limit: int) -> tuple[bytes, list[Any]]:
        # Not an asyncio.Semaphore: over the bound the answer is at once, never a queue.
        if self.decoding >= self.slots:
            raise _Refuse(busy())
        self.decoding += 1
        try:
            return await self._read(scope, receive, limit)
        finally:
            self.decoding -= 1

    async def _next(self, receive: Receive) -> tuple[bytes, bool]:
        # A body that stops arriving would hold its connection (and a decoding slot) for ever.
        try:
            # ``timeout`` rather than ``wait_for``: no task per message.
            async with asyncio.timeout(self.read_timeout):
                message = await receive()
        except TimeoutError:
            raise _Refuse(_body_late()) from None
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

    async def _read(self, scope: Scope, receive: Receive, limit: int) -> tuple[bytes, list[Any]]:
        headers = Headers(scope=scope)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        declared = headers.get("content-length", "")
        more = True
        try:
            if encoding not in ("identity", "gzip"):
                raise _Refuse(
                    ApiProblem(
                        415,
                        "unsupported_encoding",
                        _("The server accepts request bodies plain or gzip-compressed only."),
                    )
                )
            if declared.isdigit() and int(declared) > limit:
                raise _Refuse(too_large(limit))
            inflater = Inflater(limit) if encoding == "gzip" else None
            parts: list[bytes] = []
            tally = Tally()
            received = 0
            while more:
                chunk, more = await self._next(receive)
                received += len(chunk)
                if received > limit:
                    raise _Refuse(too_large(limit))
                if inflater is not None:
                    inflater.feed(chunk, tally)
                else:
                    tally.add(chunk)
                    parts.append(chunk)
            if inflater is None or received == 0:
                body = b"".join(parts)
                await _checked(body)
                return body, list(scope["headers"])
            body = inflater.finish()
            await _checked(body)
        except _Refuse:
            if more:
                await self._drain(receive, declared)
            raise
        kept = [
            (name, value)
            for name, value in scope["headers"]
            if name.lower() not in (b"content-encoding", b"content-length")
        ]
        kept.append((b"content-length", str(len(body)).encode("ascii")))
        return body, kept
