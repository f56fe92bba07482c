"""A half-sent request is closed after a bound: headers that never end, a body that stops.
The tests assert that the server closes the connection, not how long it took."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from tests.server.helpers import Api, served

BOUNDS = {"header_timeout": 0.3, "body_timeout": 0.3}
"""Small, so the tests end soon; the socket's own timeout (20 s) only catches a server that
never closes."""


def _open(api: Api) -> socket.socket:
    parts = urlsplit(str(api.http.base_url))
    return socket.create_connection((parts.hostname, parts.port), timeout=20)


def _read_to_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a socket timeout fails the test)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_headers_that_never_end_are_closed(sqlite_url: str) -> None:
    with served(sqlite_url, **BOUNDS) as (_store, _seeded, api):
        sock = _open(api)
        sock.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        assert _read_to_close(sock) == b""
        sock.close()


def test_the_next_request_on_a_kept_connection_is_bounded_too(sqlite_url: str) -> None:
    with served(sqlite_url, **BOUNDS) as (_store, _seeded, api):
        sock = _open(api)
        sock.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n")
        first = b""
        while b'"school_today"' not in first:
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHo")
        assert _read_to_close(sock) == b""
        sock.close()


def test_a_body_that_stops_is_refused_and_closed(sqlite_url: str) -> None:
    with served(sqlite_url, **BOUNDS) as (_store, _seeded, api):
        token = api.token("gvcn")
        for path, auth in (
            ("/api/v1/sync", f"Authorization: Bearer {token}\r\n"),
            ("/api/v1/auth/login", ""),
        ):
            sock = _open(api)
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: t\r\n{auth}Content-Type: application/json\r\n"
                'Content-Length: 1000\r\n\r\n{"cursor": '.encode()
            )
            answer = _read_to_close(sock)
            sock.close()
            assert answer.startswith(b"HTTP/1.1 408"), (path, answer)
            assert b"connection: close" in answer.lower()
            assert b'"body_timeout"' in answer


def test_300_half_sent_requests_do_not_hold_the_server(sqlite_url: str) -> None:
    with served(sqlite_url, **BOUNDS) as (_store, _seeded, api):
        token = api.token("gvcn")
        socks = [_open(api) for _ in range(300)]
        for index, sock in enumerate(socks):
            if index % 2:
                sock.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n")
            else:
                sock.sendall(
                    f"POST /api/v1/sync HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Length: 500\r\n\r\n{".encode()
                )
        assert api.http.get("/api/v1/ping").status_code == 200
        for sock in socks:
            _read_to_close(sock)
            sock.close()
        assert api.http.get("/api/v1/ping").status_code == 200
