"""An error answer keeps or closes the connection as it says: a 4xx leaves the keep-alive
connection usable; a 500 says ``Connection: close`` and then closes it (never a silent drop)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit

import h11

from tests.server.helpers import served


class Broken:
    """A clock that fails on demand: the endpoint reading it has an unexpected error."""

    def __init__(self) -> None:
        self.failing = False

    def __call__(self) -> datetime:
        if self.failing:
            raise RuntimeError("clock failed")
        return datetime.now(UTC)


@contextmanager
def _connection(url: str) -> Iterator[tuple[socket.socket, h11.Connection]]:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
    try:
        yield sock, h11.Connection(h11.CLIENT)
    finally:
        sock.close()


def _exchange(sock: socket.socket, conn: h11.Connection, path: str) -> tuple[h11.Response, bytes]:
    """One GET on the open connection and its whole answer."""
    sock.sendall(conn.send(h11.Request(method="GET", target=path, headers=[("Host", "t")])))
    sock.sendall(conn.send(h11.EndOfMessage()))
    response: h11.Response | None = None
    body = b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(65536))
            continue
        if isinstance(event, h11.Response):
            response = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            assert response is not None
            return response, body


def _closed_by_server(sock: socket.socket) -> bool:
    return sock.recv(1) == b""


def test_a_4xx_keeps_the_connection_usable(sqlite_url: str) -> None:
    with (
        served(sqlite_url) as (_store, _seeded, api),
        _connection(str(api.http.base_url)) as (sock, conn),
    ):
        for path, status in (
            ("/api/v1/no-such-thing", 404),
            ("/api/v1/principal/classes/99999999999/completeness", 422),
            ("/api/v1/principal/classes/1/completeness", 401),
            ("/api/v1/ping", 200),
        ):
            response, _body = _exchange(sock, conn, path)
            assert response.status_code == status, path
            assert (b"connection", b"close") not in response.headers
            conn.start_next_cycle()


def test_a_500_says_connection_close_and_closes(sqlite_url: str) -> None:
    clock = Broken()
    with served(sqlite_url, clock=clock) as (_store, _seeded, api):
        with _connection(str(api.http.base_url)) as (sock, conn):
            response, _body = _exchange(sock, conn, "/api/v1/ping")
            assert response.status_code == 200
            conn.start_next_cycle()
            clock.failing = True
            response, body = _exchange(sock, conn, "/api/v1/ping")
            assert response.status_code == 500
            assert b'"server_error"' in body
            assert (b"connection", b"close") in [
                (name.lower(), value.lower()) for name, value in response.headers
            ]
            assert _closed_by_server(sock)
        clock.failing = False
        assert api.http.get("/api/v1/ping").status_code == 200
