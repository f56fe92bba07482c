"""The loopback link emulator: exact bytes, counters, delay, bandwidth, cuts, stalls, resets.

Targets are a threaded echo server (which records what it received per connection) and an
``http.server`` thread. Threads hand results over through queues and events, never sleeps; the
only timing assertions are on properties that are timing (delay, bandwidth, a client timeout),
with generous bounds.
"""

from __future__ import annotations

import http.server
import queue
import random
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.link_emulator import HARSH_LINK, LinkEmulator, LinkProfile, LinkStats

WAIT_S = 60.0  # upper bound on any hand-over between threads; never reached when things work


@dataclass
class Received:
    data: bytes
    reset: bool


@dataclass
class EchoServer:
    """Echoes every byte back; on EOF shuts its write side and reports what it received."""

    sock: socket.socket = field(default_factory=socket.socket)
    finished: queue.Queue[Received] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # the listening socket was closed
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        received = bytearray()
        reset = False
        with conn:
            try:
                while chunk := conn.recv(65536):
                    received += chunk
                    conn.sendall(chunk)
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                reset = True
        self.finished.put(Received(bytes(received), reset))

    def next_finished(self) -> Received:
        return self.finished.get(timeout=WAIT_S)


class _Handler(http.server.BaseHTTPRequestHandler):
    """``GET /bytes/N`` answers N bytes with keep-alive (HTTP/1.1 and Content-Length)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        size = int(self.path.rsplit("/", 1)[-1]) if self.path.startswith("/bytes/") else 2
        body = b"x" * size
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.sock.close()


@pytest.fixture
def http_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join(WAIT_S)


async def _asgi_app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """``GET /bytes/N`` answers N bytes; any other request echoes its body."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path: str = scope["path"]
    if path.startswith("/bytes/"):
        body = b"x" * int(path.rsplit("/", 1)[-1])
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def uvicorn_port() -> Iterator[int]:
    uvicorn = pytest.importorskip("uvicorn")
    # Listening before uvicorn starts: clients queue in the backlog, so no readiness polling.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    config = uvicorn.Config(
        _asgi_app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield int(sock.getsockname()[1])
    server.should_exit = True
    thread.join(WAIT_S)
    sock.close()


def link_to(port: int, profile: LinkProfile | None = None) -> LinkEmulator:
    return LinkEmulator("127.0.0.1", port, profile).start()


def connect(link: LinkEmulator, timeout: float = WAIT_S) -> socket.socket:
    return socket.create_connection(link.address, timeout=timeout)


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(65536, size - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def recv_until_closed(sock: socket.socket) -> tuple[bytes, bool]:
    """Everything the peer sent, and whether the connection ended with a reset (not EOF)."""
    data = bytearray()
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        return bytes(data), True
    return bytes(data), False


def echo_exchange(link: LinkEmulator, payload: bytes) -> bytes:
    """Send ``payload``, half-close, read the echo until the connection ends."""
    with connect(link) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        data, _ = recv_until_closed(sock)
    return data


# Passthrough and counters -------------------------------------------------------------------


def test_large_payload_passes_byte_exact_both_ways_with_jitter(echo: EchoServer) -> None:
    payload = random.Random(20240901).randbytes(1_000_000)
    profile = LinkProfile(delay_s=0.002, jitter_s=0.002, seed=7)
    with link_to(echo.port, profile) as link, connect(link) as sock:

        def send_all() -> None:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)

        # Send from a thread: the echo comes back while we are still sending.
        sender = threading.Thread(target=send_all)
        sender.start()
        got, reset = recv_until_closed(sock)
        sender.join(WAIT_S)
        assert not reset
        assert got == payload
        assert echo.next_finished() == Received(payload, reset=False)
        assert link.bytes_up == link.bytes_down == len(payload)
        assert link.connections == 1


def test_counters_count_delivered_bytes_and_reset(echo: EchoServer) -> None:
    with link_to(echo.port) as link:
        assert echo_exchange(link, b"a" * 100) == b"a" * 100
        assert echo_exchange(link, b"b" * 50) == b"b" * 50
        assert link.wait_idle(WAIT_S)
        assert link.stats() == LinkStats(
            bytes_up=150, bytes_down=150, connections=2, dropped=0, cuts=0, stalls=0
        )
        assert link.active_connections == 0
        link.reset_counters()
        assert link.stats() == LinkStats(0, 0, 0, 0, 0, 0)


def test_half_close_propagates_and_the_other_direction_keeps_flowing(echo: EchoServer) -> None:
    with link_to(echo.port) as link, connect(link) as sock:
        sock.sendall(b"first")
        assert recv_exactly(sock, 5) == b"first"
        sock.shutdown(socket.SHUT_WR)  # the server must see EOF, yet still answer
        assert echo.next_finished() == Received(b"first", reset=False)
        assert recv_until_closed(sock) == (b"", False)


def test_http_keep_alive_through_the_link(http_port: int) -> None:
    with link_to(http_port) as link, httpx.Client(base_url=link.url) as client:
        for size in (0, 10, 70_000):
            response = client.get(f"/bytes/{size}")
            assert response.status_code == 200
            assert len(response.content) == size
        assert link.connections == 1  # one TCP connection reused
        assert link.bytes_down > 70_000


def test_uvicorn_keep_alive_upload_download_and_a_cut(uvicorn_port: int) -> None:
    upload = random.Random(3).randbytes(200_000)
    profile = LinkProfile(delay_s=0.01, bandwidth_bps=20_000_000)
    with link_to(uvicorn_port, profile) as link, httpx.Client(base_url=link.url) as client:
        assert client.post("/echo", content=upload).content == upload
        assert len(client.get("/bytes/100000").content) == 100_000
        assert link.connections == 1
        assert link.bytes_up > len(upload)
        assert link.bytes_down > len(upload) + 100_000
        link.set_profile(LinkProfile(cut_after_bytes=1000, cut_direction="down", cut_count=1))
        # The open connection keeps the old profile; a new one is cut mid-response.
        assert len(client.get("/bytes/5000").content) == 5000
        with httpx.Client(base_url=link.url) as other, pytest.raises(httpx.RemoteProtocolError):
            other.get("/bytes/5000")
        assert link.cuts == 1


# Delay and bandwidth ------------------------------------------------------------------------


def test_delay_adds_a_round_trip_per_exchange_and_one_for_the_handshake(
    echo: EchoServer,
) -> None:
    with link_to(echo.port, LinkProfile(delay_s=0.1)) as link:
        # Timed from before the connect: the emulated handshake starts when the link accepts,
        # so a clock started after ``connect`` missed part of it (0.392 s was measured once).
        started = time.monotonic()
        with connect(link) as sock:
            sock.sendall(b"1")
            assert recv_exactly(sock, 1) == b"1"
            first = time.monotonic() - started
            started = time.monotonic()
            sock.sendall(b"2")
            assert recv_exactly(sock, 1) == b"2"
            second = time.monotonic() - started
    # Lower bounds only: a busy machine may add time, never remove it.
    assert first >= 0.4  # handshake round trip + request/response round trip
    assert second >= 0.2


def test_delay_without_handshake_emulation(echo: EchoServer) -> None:
    profile = LinkProfile(delay_s=0.1, emulate_handshake=False)
    with link_to(echo.port, profile) as link, connect(link) as sock:
        started = time.monotonic()
        sock.sendall(b"1")
        assert recv_exactly(sock, 1) == b"1"
        elapsed = time.monotonic() - started
    assert elapsed >= 0.2  # one round trip (an upper bound would measure the machine)


def test_bandwidth_serialises_bytes(http_port: int) -> None:
    with (
        link_to(http_port, LinkProfile(bandwidth_bps=80_000)) as link,
        httpx.Client(base_url=link.url) as client,
    ):
        started = time.monotonic()
        response = client.get("/bytes/10000")
        elapsed = time.monotonic() - started
    assert len(response.content) == 10_000
    assert elapsed >= 1.0  # 10 kB at 10 kB/s, plus headers


# Cuts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, 1, 1234, 5000])
def test_cut_down_delivers_exactly_n_bytes_then_eof(echo: EchoServer, limit: int) -> None:
    payload = random.Random(limit).randbytes(5000)
    profile = LinkProfile(cut_after_bytes=limit, cut_direction="down")
    with link_to(echo.port, profile) as link, connect(link) as sock:
        sock.sendall(payload)
        got, reset = recv_until_closed(sock)
        assert got == payload[:limit]
        assert not reset
        assert link.bytes_down == limit
        assert link.cuts == 1


@pytest.mark.parametrize("limit", [0, 1, 1234])
def test_cut_up_delivers_exactly_n_bytes_to_the_server(echo: EchoServer, limit: int) -> None:
    payload = random.Random(limit).randbytes(5000)
    profile = LinkProfile(cut_after_bytes=limit, cut_direction="up")
    with link_to(echo.port, profile) as link, connect(link) as sock:
        sock.sendall(payload)
        got, _ = recv_until_closed(sock)
        assert echo.next_finished().data == payload[:limit]
        assert payload[:limit].startswith(got)  # the echo of what got through, at most
        assert link.bytes_up == limit


def test_cut_both_counts_the_two_directions_together(echo: EchoServer) -> None:
    profile = LinkProfile(cut_after_bytes=150, cut_direction="both")
    with link_to(echo.port, profile) as link, connect(link) as sock:
        sock.sendall(b"u" * 100)
        got, reset = recv_until_closed(sock)
        assert (got, reset) == (b"u" * 50, False)  # 100 up + 50 down = 150
        assert echo.next_finished().data == b"u" * 100
        assert (link.bytes_up, link.bytes_down) == (100, 50)


def test_link_scope_cut_spans_connections_and_cut_count_limits_it(echo: EchoServer) -> None:
    profile = LinkProfile(cut_after_bytes=600, cut_direction="down", cut_scope="link", cut_count=1)
    with link_to(echo.port, profile) as link:
        assert echo_exchange(link, b"a" * 400) == b"a" * 400
        assert echo_exchange(link, b"b" * 400) == b"b" * 200  # cut at 600 bytes in total
        assert echo_exchange(link, b"c" * 400) == b"c" * 400  # one cut only, then healthy
        assert link.cuts == 1


def test_harsh_link_preset_cuts_every_20_kb() -> None:
    assert HARSH_LINK.cut_scope == "link"
    assert HARSH_LINK.cut_after_bytes == 20_000
    assert HARSH_LINK.cut_count is None


def test_reset_gives_connection_reset_to_the_client(echo: EchoServer) -> None:
    profile = LinkProfile(cut_after_bytes=0, cut_direction="down", reset=True)
    with link_to(echo.port, profile) as link, connect(link) as sock:
        sock.sendall(b"hello")
        with pytest.raises(ConnectionResetError):
            sock.recv(100)
        assert link.cuts == 1


def test_cut_mid_http_response_fails_the_request_then_the_link_recovers(
    http_port: int,
) -> None:
    profile = LinkProfile(cut_after_bytes=5000, cut_direction="down", cut_count=1)
    with link_to(http_port, profile) as link, httpx.Client(base_url=link.url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/bytes/20000")
        assert link.bytes_down == 5000
        assert len(client.get("/bytes/20000").content) == 20_000  # a new connection
        assert link.connections == 2


# Stall, drop, break -------------------------------------------------------------------------


def test_stall_makes_the_client_time_out_and_a_live_profile_change_heals_it(
    echo: EchoServer,
) -> None:
    profile = LinkProfile(stall_after_bytes=3, stall_direction="down")
    with link_to(echo.port, profile) as link, connect(link, timeout=WAIT_S) as sock:
        sock.sendall(b"abcdef")
        assert recv_exactly(sock, 3) == b"abc"
        sock.settimeout(0.5)  # short only where nothing may arrive: a busy machine is slow
        with pytest.raises(TimeoutError):
            sock.recv(100)
        assert link.stalls == 1
        link.set_profile(LinkProfile(), live=True)
        sock.settimeout(WAIT_S)
        assert recv_exactly(sock, 3) == b"def"  # held, not lost: the stream is intact


def test_client_giving_up_on_a_stall_closes_the_connection(echo: EchoServer) -> None:
    with link_to(echo.port, LinkProfile(stall_after_bytes=0)) as link:
        with connect(link, timeout=0.5) as sock:
            sock.sendall(b"lost")
            with pytest.raises(TimeoutError):
                sock.recv(100)
        assert link.wait_idle(WAIT_S)  # no hung connection left behind
        assert echo.next_finished().data == b""


def test_set_profile_without_live_leaves_open_connections_alone(echo: EchoServer) -> None:
    with link_to(echo.port) as link, connect(link) as sock:
        sock.sendall(b"x")
        assert recv_exactly(sock, 1) == b"x"
        link.set_profile(LinkProfile(cut_after_bytes=0))
        sock.sendall(b"y")
        assert recv_exactly(sock, 1) == b"y"  # still the old, perfect profile
        assert echo_exchange(link, b"z") == b""  # a new connection is cut at once
        assert link.profile.cut_after_bytes == 0


@pytest.mark.parametrize("reset", [False, True])
def test_drop_connections_closes_the_first_n_then_behaves(echo: EchoServer, reset: bool) -> None:
    with link_to(echo.port, LinkProfile(drop_connections=2, reset=reset)) as link:
        for _ in range(2):
            if reset:
                # The RST may even beat connect() back: either way the client sees a reset.
                with pytest.raises(ConnectionResetError), connect(link) as sock:
                    sock.recv(1)
            else:
                with connect(link) as sock:
                    assert sock.recv(1) == b""
        assert echo_exchange(link, b"ok") == b"ok"
        assert (link.connections, link.dropped) == (3, 2)


def test_break_connections_cuts_every_open_connection_now(echo: EchoServer) -> None:
    with link_to(echo.port) as link, connect(link) as first, connect(link) as second:
        for sock in (first, second):
            sock.sendall(b"hi")
            assert recv_exactly(sock, 2) == b"hi"
        assert link.break_connections(reset=True) == 2
        for sock in (first, second):
            with pytest.raises(ConnectionResetError):
                sock.recv(1)
        assert link.cuts == 2


# Lifecycle ----------------------------------------------------------------------------------


def test_stop_is_idempotent_closes_connections_and_releases_the_port(echo: EchoServer) -> None:
    link = link_to(echo.port)
    port = link.port
    assert link.url == f"http://127.0.0.1:{port}"
    with connect(link) as sock:
        sock.sendall(b"hi")
        assert recv_exactly(sock, 2) == b"hi"
        link.stop()
        link.stop()
        assert link.active_connections == 0
        data, _ = recv_until_closed(sock)
        assert data == b""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    with socket.socket() as again:  # a server may listen there at once
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
    assert link.wait_idle(0)


def test_unstarted_emulator_stops_and_refuses_a_second_start(echo: EchoServer) -> None:
    link = LinkEmulator("127.0.0.1", echo.port)
    with pytest.raises(RuntimeError):
        _ = link.port
    link.stop()
    with LinkEmulator("127.0.0.1", echo.port) as started, pytest.raises(RuntimeError):
        started.start()


def test_unreachable_target_resets_the_client(echo: EchoServer) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead_port = int(unused.getsockname()[1])  # bound, never listening: refused
        # Reset, as a refused connection would be, possibly before connect() even returns.
        with (
            link_to(dead_port) as link,
            pytest.raises(ConnectionResetError),
            connect(link) as sock,
        ):
            sock.recv(1)


@pytest.mark.parametrize(
    "bad",
    [
        {"delay_s": -1.0},
        {"bandwidth_bps": 0.0},
        {"cut_after_bytes": -1},
        {"cut_direction": "sideways"},
        {"cut_scope": "world"},
        {"drop_connections": -1},
    ],
)
def test_profile_rejects_nonsense(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LinkProfile(**bad)  # type: ignore[arg-type]
