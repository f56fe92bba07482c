"""A bound on how long a connection may take to send a request's headers.

uvicorn bounds the idle time between requests (keep-alive) but not a request whose headers
never end: a client that sends a few bytes and stops holds its connection for ever, and a few
hundred of them hold the server's sockets. This protocol closes such a connection once
``header_timeout`` seconds pass from its opening (or from its previous answer) without complete
headers. The body's own bound is the body middleware's (``server.body``)."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from server.settings import HEADER_TIMEOUT


class HeaderTimeoutProtocol(H11Protocol):
    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._timed_cycle: object | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        # A new cycle exists once a request's headers are complete.
        if self.cycle is not None and self.cycle is not self._timed_cycle:
            self._timed_cycle = self.cycle
            self._disarm()

    def on_response_complete(self) -> None:
        # Armed first: the parent may parse a pipelined request's headers before returning.
        self._arm()
        super().on_response_complete()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def header_timeout_protocol(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class with this bound (the default one is importable by name, as uvicorn's
    worker processes need)."""
    if seconds == HEADER_TIMEOUT:
        return HeaderTimeoutProtocol
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})
