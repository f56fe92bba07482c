"""The sync transport over real HTTP on the loopback, against a scripted stdlib server.

Each test scripts the server's answers (status, body, compression, a reset, a cut, a dribble);
back-off waits go to a fake ``sleep`` that records them and moves a fake clock forward instead
of waiting, so retries cost no time.
"""

from __future__ import annotations

import email.utils
import gzip
import inspect
import json
import logging
import random
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
import pytest

import desktop.sync.transport.client as transport_module
from desktop import __version__
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.sync.credentials import KeyringStore, connect
from desktop.sync.errors import (
    AuthError,
    CertificateError,
    NetworkError,
    ProtocolError,
    RequestRejected,
    ServerUnavailable,
    VersionError,
)
from desktop.sync.protocol import (
    PROTOCOL_VERSION,
    SCHEMA_VERSION,
    Change,
    Mutation,
    Ping,
    SyncRequest,
    SyncResponse,
    Tokens,
)
from desktop.sync.transport import (
    NO_RETRY,
    REFRESH_RESEND_BUDGET,
    RetryPolicy,
    SyncTransport,
    Timeouts,
)
from tests.sync.keyring_backend import MemoryKeyring

CLIENT_ID = "11111111-2222-3333-4444-555555555555"


# --------------------------------------------------------------------------- scripted server


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    compress: bool | None = None
    """``None``: gzip above 1 KiB when the client accepts it, as the real server does."""
    action: str = "send"
    """``send``, ``reset`` (RST instead of an answer), ``cut`` (close half-way through the
    body), ``dribble`` (``dribble_from`` bytes at once, then one byte per ``interval``)."""
    dribble_from: int = 0
    interval: float = 0.2


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: bytes


Script = Callable[[Seen], Reply]


class ScriptedServer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.replies: deque[Reply | Script] = deque()
        self.default: Script | None = None
        self.seen: list[Seen] = []
        self.bytes_out: list[int] = []
        self.stop = threading.Event()

    def queue(self, *replies: Reply | Script) -> None:
        self.replies.extend(replies)

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in handler.headers.items()}
        body = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
        seen = Seen(handler.command, handler.path, headers, raw, body)
        self.seen.append(seen)
        if self.replies:
            scripted = self.replies.popleft()
            reply = scripted(seen) if callable(scripted) else scripted
        elif self.default is not None:
            reply = self.default(seen)
        else:
            reply = Reply(500, b'{"code": "unscripted", "message": "no reply scripted"}')
        self._answer(handler, seen, reply)

    def _answer(self, handler: BaseHTTPRequestHandler, seen: Seen, reply: Reply) -> None:
        connection: socket.socket = handler.connection
        handler.close_connection = reply.action != "send"
        if reply.action == "reset":
            # Linger 0 turns close() into a TCP RST, as a dropped mobile link or a NAT does.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
            return
        body = reply.body
        compress = reply.compress
        if compress is None:
            compress = len(body) > 1024 and "gzip" in seen.headers.get("accept-encoding", "")
        if compress:
            body = gzip.compress(body)
        head = [f"HTTP/1.1 {reply.status} Scripted", f"Content-Length: {len(body)}"]
        if compress:
            head.append("Content-Encoding: gzip")
        if reply.content_type:
            head.append(f"Content-Type: {reply.content_type}")
        head += [f"{key}: {value}" for key, value in reply.headers.items()]
        header = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        payload = header + body
        try:
            if reply.action == "cut":
                handler.wfile.write(payload[: len(header) + len(body) // 2])
                handler.wfile.flush()
            elif reply.action == "dribble":
                handler.wfile.write(payload[: reply.dribble_from])
                handler.wfile.flush()
                for index in range(reply.dribble_from, len(payload)):
                    if self.stop.wait(reply.interval):
                        return
                    handler.wfile.write(payload[index : index + 1])
                    handler.wfile.flush()
            else:
                # Counted before writing: the client may finish reading before this thread
                # runs again.
                self.bytes_out.append(len(payload))
                handler.wfile.write(payload)
                handler.wfile.flush()
        except OSError:
            return  # the client gave up: expected in the deadline tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server

    def do_GET(self) -> None:
        self.server.script.serve(self)  # type: ignore[attr-defined]

    do_POST = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _start(context: ssl.SSLContext | None = None) -> tuple[ScriptedServer, Callable[[], None]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    if context is not None:
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    scheme = "https" if context is not None else "http"
    script = ScriptedServer(f"{scheme}://127.0.0.1:{httpd.server_address[1]}")
    httpd.script = script  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()

    def stop() -> None:
        script.stop.set()
        httpd.shutdown()
        httpd.server_close()

    return script, stop


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    script, stop = _start()
    yield script
    stop()


# --------------------------------------------------------------------------- client side


class FakeClock:
    """Monotonic time plus the waits "slept" so far: deadlines still work in real time while
    back-off waits are only recorded."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds


class FakeTokens:
    """A ``TokenSource``: ``refresh`` swaps ``token`` for ``fresh`` (or raises ``error``)."""

    def __init__(
        self,
        token: str | None = "old",
        *,
        fresh: str = "new",
        error: Exception | None = None,
        delay: float = 0.0,
    ) -> None:
        self.token = token
        self.fresh = fresh
        self.error = error
        self.delay = delay
        self.refreshes = 0

    def access_token(self) -> str | None:
        return self.token

    def refresh(self) -> None:
        self.refreshes += 1
        time.sleep(self.delay)  # widens the window for concurrent refreshes
        if self.error is not None:
            raise self.error
        self.token = self.fresh


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(fake_clock: FakeClock, server: ScriptedServer) -> Iterator[Callable[..., SyncTransport]]:
    made: list[SyncTransport] = []

    def factory(url: str | None = None, **options: Any) -> SyncTransport:
        options.setdefault("credentials", FakeTokens())
        options.setdefault("clock", fake_clock.clock)
        options.setdefault("sleep", fake_clock.sleep)
        options.setdefault("rng", random.Random(7))
        options.setdefault("timeout", Timeouts(connect=2, read=2, write=2, total=5))
        options.setdefault("trust_env", False)
        transport = SyncTransport(url or server.url, **options)
        made.append(transport)
        return transport

    yield factory
    for transport in made:
        transport.close()


def ping_body(offset: float = 0.0) -> bytes:
    now = datetime.now(UTC) + timedelta(seconds=offset)
    return (
        Ping(
            protocol=PROTOCOL_VERSION,
            schema_version=SCHEMA_VERSION,
            server_time=now,
            school_today=now.date(),
        )
        .model_dump_json()
        .encode()
    )


def tokens_body(access: str = "access-1", refresh: str = "r" * 32) -> bytes:
    return (
        Tokens(
            access_token=access,
            refresh_token=refresh,
            expires_in=900,
            role="homeroom",
            class_ids=[1],
            display_name="Cô Lan",
        )
        .model_dump_json()
        .encode()
    )


def sync_request(mutations: int = 0) -> SyncRequest:
    return SyncRequest(
        protocol=PROTOCOL_VERSION,
        schema_version=SCHEMA_VERSION,
        client_id=CLIENT_ID,
        class_id=1,
        cursor=0,
        mutations=[
            Mutation(
                id=f"00000000-0000-4000-8000-{index:012d}",
                seq=index + 1,
                name="set_attendance",
                args={"student_id": index, "day": "2025-10-06", "status": "absent_excused"},
                client_time=datetime(2025, 10, 6, 7, 30, tzinfo=UTC),
            )
            for index in range(mutations)
        ],
    )


def sync_body(changes: int = 0, protocol: int = PROTOCOL_VERSION) -> bytes:
    return (
        SyncResponse(
            protocol=protocol,
            results=[],
            last_seq_processed=0,
            changes=[
                Change(
                    entity="student",
                    op="upsert",
                    data={"id": index, "full_name": f"Nguyễn Văn {index}"},
                )
                for index in range(changes)
            ],
            cursor=changes,
            more=False,
            server_time=datetime.now(UTC),
        )
        .model_dump_json()
        .encode()
    )


def ok(body: bytes) -> Reply:
    return Reply(200, body)


def api_error(status: int, code: str, message: str, **headers: str) -> Reply:
    return Reply(status, json.dumps({"code": code, "message": message}).encode(), headers=headers)


def translated(message: str) -> bool:
    """Vietnamese is the default language: a translated message has diacritics."""
    return not message.isascii()


# --------------------------------------------------------------------------- headers, gzip


def test_headers_and_small_bodies_travel_uncompressed(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(ok(ping_body()), ok(tokens_body()))
    transport = make()

    ping = transport.ping()
    tokens = transport.login("lan.nguyen", "mật khẩu")

    assert ping.protocol == PROTOCOL_VERSION
    assert tokens.display_name == "Cô Lan"
    get, login = server.seen
    for seen in (get, login):
        assert seen.headers["x-homeroom-protocol"] == str(PROTOCOL_VERSION)
        assert seen.headers["x-homeroom-schema"] == str(SCHEMA_VERSION)
        assert seen.headers["user-agent"] == f"homeroom/{__version__}"
        assert seen.headers["accept-encoding"] == "gzip"
        assert "authorization" not in seen.headers
    assert (get.method, get.path) == ("GET", "/api/v1/ping")
    assert (login.method, login.path) == ("POST", "/api/v1/auth/login")
    assert "content-encoding" not in login.headers
    assert json.loads(login.raw) == {"username": "lan.nguyen", "password": "mật khẩu"}


def test_bodies_over_1_kib_are_gzipped_both_ways(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    request = sync_request(mutations=40)
    server.queue(ok(sync_body(changes=200)))
    transport = make()

    response = transport.sync(request)

    seen = server.seen[0]
    assert seen.headers["content-encoding"] == "gzip"
    assert seen.headers["authorization"] == "Bearer old"
    assert SyncRequest.model_validate_json(seen.body) == request
    assert len(seen.raw) < len(seen.body)
    assert len(response.changes) == 200
    call = transport.stats.last
    assert call is not None
    assert call.compressed and call.round_trips == 1
    assert call.bytes_sent < call.body_bytes
    assert call.bytes_received == server.bytes_out[0]
    assert call.bytes_received < len(sync_body(changes=200)) / 3


# --------------------------------------------------------------------------- retries


def test_503_and_429_retry_after_is_honoured_in_seconds_and_as_a_date(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    in_three_seconds = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=3), True)
    server.queue(
        api_error(503, "maintenance", "Đang bảo trì", **{"Retry-After": "2"}),
        api_error(429, "slow_down", "Chậm lại", **{"Retry-After": in_three_seconds}),
        ok(sync_body()),
    )
    transport = make()

    transport.sync(sync_request(mutations=3))

    assert fake_clock.sleeps[0] == 2.0
    assert 1.0 <= fake_clock.sleeps[1] <= 3.0  # an HTTP date has one-second resolution
    assert len(server.seen) == 3
    assert len({seen.raw for seen in server.seen}) == 1  # the very same batch each time
    assert transport.stats.last is not None
    assert transport.stats.last.round_trips == 3


def test_a_retry_after_beyond_the_cap_gives_up_at_once(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    server.queue(api_error(429, "slow_down", "Chậm lại", **{"Retry-After": "600"}))
    transport = make()

    with pytest.raises(ServerUnavailable) as raised:
        transport.sync(sync_request())

    assert raised.value.retry_after == 600.0
    assert raised.value.delivery == "unsent"  # 429: refused before processing
    assert fake_clock.sleeps == []
    assert len(server.seen) == 1


def test_5xx_waits_are_full_jitter_exponential_from_the_seeded_rng(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    proxy_page = Reply(502, b"<html>" + b"x" * 200_000, "text/html")  # big, not an ApiError
    server.queue(Reply(500, b"oops", "text/plain"), proxy_page, Reply(504), ok(sync_body()))
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0)
    transport = make(retry=policy)

    transport.sync(sync_request())

    expected = random.Random(7)
    assert fake_clock.sleeps == [expected.uniform(0, 0.5 * 2**n) for n in range(3)]


def test_a_connection_reset_is_retried(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(Reply(action="reset"), ok(sync_body(changes=2)))
    transport = make()

    response = transport.sync(sync_request(mutations=1))

    assert len(response.changes) == 2
    assert len(server.seen) == 2


def test_a_connection_cut_in_the_middle_of_the_answer_is_retried(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(Reply(200, sync_body(changes=5), action="cut"), ok(sync_body(changes=5)))
    transport = make()

    assert len(transport.sync(sync_request()).changes) == 5
    assert len(server.seen) == 2


def test_after_the_last_attempt_the_delivery_is_unknown(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    """The request reached the server each time and the answer was lost: it may have been
    processed. The caller keeps its outbox and resends; the server dedupes by intent id."""
    server.default = lambda seen: Reply(action="reset")
    transport = make(retry=RetryPolicy(attempts=4))

    with pytest.raises(NetworkError) as raised:
        transport.sync(sync_request(mutations=1))

    assert raised.value.delivery == "unknown"
    assert raised.value.attempts == 4
    assert len(server.seen) == 4
    assert len(fake_clock.sleeps) == 3
    assert translated(raised.value.message)


def test_the_retry_budget_bounds_the_whole_call(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    server.default = lambda seen: Reply(503)
    transport = make(retry=RetryPolicy(attempts=100, budget=10.0, base_delay=1.0, max_delay=4.0))

    with pytest.raises(ServerUnavailable) as raised:
        transport.sync(sync_request())

    assert sum(fake_clock.sleeps) < 10.0
    assert 3 <= len(server.seen) < 100
    assert raised.value.delivery == "unsent"  # 503 every time: never processed


def test_an_unreachable_server_means_nothing_was_sent(
    make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = make(f"http://127.0.0.1:{port}", retry=RetryPolicy(attempts=3))

    with pytest.raises(NetworkError) as raised:
        transport.sync(sync_request())

    assert raised.value.delivery == "unsent"
    assert len(fake_clock.sleeps) == 2
    assert transport.stats.last is not None
    assert transport.stats.last.round_trips == 0
    assert translated(raised.value.message)


def test_a_sign_in_that_cannot_reach_the_server_says_to_check_its_address(
    make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    """A first sign-in on an empty profile has no changes to keep: its failure names what to
    check, not the sync's "your changes are kept and will be sent later"."""
    with socket.socket() as probe:  # a port that was free a moment ago: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = make(f"http://127.0.0.1:{port}", retry=RetryPolicy(attempts=2))

    with pytest.raises(NetworkError) as raised:
        transport.login("gvcn", "mật khẩu")

    assert raised.value.message == (
        "Không kết nối được với máy chủ của trường. Thầy/cô hãy kiểm tra địa chỉ máy chủ và "
        "kết nối mạng."
    )
    assert raised.value.delivery == "unsent"


def test_a_sign_in_the_server_cannot_serve_says_to_try_again_later(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    server.default = lambda seen: Reply(503)
    transport = make(retry=RetryPolicy(attempts=2))

    with pytest.raises(ServerUnavailable) as raised:
        transport.login("gvcn", "mật khẩu")

    assert "thử đăng nhập lại sau ít phút" in raised.value.message
    assert "sẽ được gửi sau" not in raised.value.message


def test_a_refresh_whose_answer_was_lost_is_resent_within_the_servers_grace(
    server: ScriptedServer, make: Callable[..., SyncTransport], fake_clock: FakeClock
) -> None:
    """The server gives a just-rotated token the same new pair again for a while, so a lost
    answer is resent at once, but never past ``REFRESH_RESEND_BUDGET``."""
    server.queue(Reply(action="reset"), ok(tokens_body("access-2")))
    transport = make(retry=RetryPolicy(attempts=5, budget=600.0))

    assert transport.refresh("r" * 32).access_token == "access-2"
    assert len(server.seen) == 2
    assert all(seen.path == "/api/v1/auth/refresh" for seen in server.seen)

    server.seen.clear()
    fake_clock.sleeps.clear()
    server.default = lambda seen: Reply(action="reset")
    patient = make(retry=RetryPolicy(attempts=100, budget=600.0, base_delay=8.0))
    with pytest.raises(NetworkError) as raised:
        patient.refresh("r" * 32)
    assert raised.value.delivery == "unknown"
    assert sum(fake_clock.sleeps) < REFRESH_RESEND_BUDGET
    assert 2 <= len(server.seen) < 100


# --------------------------------------------------------------------------- authentication


def _bearer(token: str) -> Script:
    def respond(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == f"Bearer {token}":
            return ok(sync_body())
        return api_error(401, "token_expired", "Phiên đăng nhập hết hạn")

    return respond


_bearer_new = _bearer("new")


def test_401_refreshes_once_then_resends_the_same_batch(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.default = _bearer_new
    tokens = FakeTokens()
    transport = make(credentials=tokens)

    transport.sync(sync_request(mutations=30))

    assert tokens.refreshes == 1
    first, second = server.seen
    assert first.headers["authorization"] == "Bearer old"
    assert second.headers["authorization"] == "Bearer new"
    assert first.raw == second.raw


def test_401_again_after_the_refresh_is_an_auth_error(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.default = lambda seen: api_error(401, "token_revoked", "Phiên bị thu hồi")
    tokens = FakeTokens()
    transport = make(credentials=tokens)

    with pytest.raises(AuthError) as raised:
        transport.sync(sync_request())

    assert raised.value.status == 401
    assert tokens.refreshes == 1
    assert len(server.seen) == 2


def test_no_access_token_refreshes_before_sending(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.default = _bearer_new
    tokens = FakeTokens(token=None)
    transport = make(credentials=tokens)

    transport.sync(sync_request())

    assert tokens.refreshes == 1
    assert len(server.seen) == 1


def test_a_refused_refresh_token_is_an_auth_error(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.default = _bearer_new
    tokens = FakeTokens(error=AuthError("sign in again", status=401))
    transport = make(credentials=tokens)

    with pytest.raises(AuthError):
        transport.sync(sync_request())
    assert len(server.seen) == 1


def test_concurrent_401s_share_one_refresh(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.default = _bearer_new
    tokens = FakeTokens(delay=0.2)
    transport = make(credentials=tokens)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            transport.sync(sync_request())
        except BaseException as error:  # reported to the main thread below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert tokens.refreshes == 1


def test_wrong_password_is_an_auth_error_without_refresh(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(api_error(401, "bad_credentials", "Sai tên hoặc mật khẩu"))
    tokens = FakeTokens()
    transport = make(credentials=tokens)

    with pytest.raises(AuthError) as raised:
        transport.login("lan", "sai")

    assert tokens.refreshes == 0
    assert translated(raised.value.message)


def test_keyring_token_source_end_to_end(
    server: ScriptedServer,
    fake_clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sign in, then a sync whose access token was revoked: the source rotates the refresh
    token through the same transport and the keyring ends with the newest one."""
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(tmp_path / "config"))
    first, second = "refresh-1".ljust(32, "x"), "refresh-2".ljust(32, "x")

    def respond(seen: Seen) -> Reply:
        if seen.path == "/api/v1/auth/login":
            return ok(tokens_body("access-1", first))
        if seen.path == "/api/v1/auth/refresh":
            assert json.loads(seen.body) == {"refresh_token": first}
            return ok(tokens_body("access-2", second))
        return _bearer("access-2")(seen)

    server.default = respond
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        transport, source = connect(
            server.url, "lan", clock=fake_clock.clock, sleep=fake_clock.sleep, trust_env=False
        )
        with transport:
            source.login("mật khẩu")
            transport.sync(sync_request())
        assert KeyringStore(server.url, "lan").load() == second
    finally:
        keyring.set_keyring(previous)
    assert [seen.path.rsplit("/", 1)[-1] for seen in server.seen] == [
        "login",
        "sync",
        "refresh",
        "sync",
    ]
    assert [call.endpoint for call in transport.stats.recent] == ["login", "refresh", "sync"]


# --------------------------------------------------------------------------- hostile answers

BOMB = gzip.compress(b"0" * (20 * 1024 * 1024))


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(200, b'{"protocol": 1, "results": [], "last_seq'), id="truncated"),
        pytest.param(Reply(200, b"<html>Wi-Fi login</html>", "text/html"), id="content-type"),
        pytest.param(Reply(200, b'{"protocol": 1, "hello": "world"}'), id="schema"),
        pytest.param(Reply(200, b"\xff\xfe\x00garbage"), id="garbage"),
        pytest.param(Reply(200, b"[" * 100_000), id="deep-nesting"),
        pytest.param(
            Reply(200, b"not gzip at all", headers={"Content-Encoding": "gzip"}, compress=False),
            id="false-gzip",
        ),
        pytest.param(
            Reply(200, b"x", headers={"Content-Encoding": "br"}, compress=False), id="brotli"
        ),
        pytest.param(Reply(200, sync_body(changes=200), compress=False), id="oversized"),
        pytest.param(
            Reply(200, BOMB, headers={"Content-Encoding": "gzip"}, compress=False), id="gzip-bomb"
        ),
        pytest.param(
            Reply(
                200,
                gzip.compress(sync_body())[:-12],
                headers={"Content-Encoding": "gzip"},
                compress=False,
            ),
            id="truncated-gzip",
        ),
    ],
)
def test_a_malformed_or_hostile_answer_is_a_protocol_error(
    server: ScriptedServer, make: Callable[..., SyncTransport], reply: Reply
) -> None:
    server.queue(reply)
    transport = make(max_response_bytes=16 * 1024)

    with pytest.raises(ProtocolError) as raised:
        transport.sync(sync_request())

    assert translated(raised.value.message)
    assert len(server.seen) == 1  # never retried: the same server would answer the same


def test_a_newer_protocol_in_the_answer_is_a_version_error(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(ok(sync_body(protocol=PROTOCOL_VERSION + 1)))
    with pytest.raises(VersionError):
        make().sync(sync_request())


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (api_error(403, "not_your_class", "Không phải lớp chủ nhiệm"), AuthError),
        (api_error(426, "upgrade", "Hãy cập nhật ứng dụng"), VersionError),
        (api_error(422, "too_many", "Quá 500 thay đổi"), RequestRejected),
        (api_error(413, "too_large", "Quá lớn"), RequestRejected),
        (Reply(400, b"bad", "text/plain"), RequestRejected),
        (Reply(404, b"<h1>Not found</h1>", "text/html"), ProtocolError),
        (Reply(302, headers={"Location": "http://portal.example/login"}), ProtocolError),
    ],
)
def test_client_errors_map_to_typed_errors_without_retry(
    server: ScriptedServer,
    make: Callable[..., SyncTransport],
    reply: Reply,
    error: type[Exception],
) -> None:
    server.queue(reply)
    with pytest.raises(error):
        make().sync(sync_request())
    assert len(server.seen) == 1


def test_request_rejected_carries_the_servers_explanation(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(api_error(422, "too_many", "Quá 500 thay đổi\x1b[31m"))
    with pytest.raises(RequestRejected) as raised:
        make().sync(sync_request())
    assert raised.value.code == "too_many"
    assert raised.value.server_message == "Quá 500 thay đổi [31m"  # control characters removed
    assert "Quá 500 thay đổi" in raised.value.message


def test_a_request_body_over_the_limit_is_refused_before_sending(
    server: ScriptedServer, make: Callable[..., SyncTransport], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport_module, "MAX_BODY_BYTES", 2000)
    with pytest.raises(RequestRejected):
        make().sync(sync_request(mutations=40))
    assert server.seen == []


# --------------------------------------------------------------------------- deadline


@pytest.mark.parametrize("dribble_from", [0, 60], ids=["head", "body"])
def test_the_overall_deadline_stops_a_dribbling_server(
    server: ScriptedServer, make: Callable[..., SyncTransport], dribble_from: int
) -> None:
    """One byte every 0.2 s never trips a 5 s read timeout; the 1 s deadline does: the answer
    is abandoned part-way (whole, it would take a minute), as a timeout, once the transport's
    clock says the second is up. No bound on the machine's speed: the clock is the judge."""
    body = sync_body(changes=3)
    server.queue(Reply(200, body, action="dribble", dribble_from=dribble_from))
    transport = make(timeout=Timeouts(connect=5, read=5, write=5, total=1.0), retry=NO_RETRY)

    with pytest.raises(NetworkError) as raised:
        transport.sync(sync_request())

    call = transport.stats.last
    assert call is not None and call.attempts == 1
    assert call.elapsed >= 1.0, "given up before the deadline"
    assert call.bytes_received < dribble_from + len(body) // 2, "waited for the dribble"
    assert raised.value.delivery == "unknown"
    assert raised.value.message == _(
        "The school's server did not answer in time. Your changes are kept and will be sent later."
    )


# --------------------------------------------------------------------------- TLS, addresses


def test_tls_verification_is_always_on(make: Callable[..., SyncTransport]) -> None:
    transport = make("https://homeroom.example.edu.vn")
    assert transport.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert transport.ssl_context.check_hostname is True
    assert transport.ssl_context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert "verify" not in inspect.signature(SyncTransport).parameters


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_an_untrusted_certificate_is_refused_and_a_schools_ca_file_is_accepted(
    self_signed: tuple[Path, Path],
    make: Callable[..., SyncTransport],
    fake_clock: FakeClock,
) -> None:
    cert, key = self_signed
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    script, stop = _start(context)
    try:
        script.default = lambda seen: ok(ping_body())
        with pytest.raises(CertificateError) as raised:
            make(script.url, retry=RetryPolicy(attempts=3)).sync(sync_request())
        assert fake_clock.sleeps == []  # not a network hiccup: never retried
        assert translated(raised.value.message)

        assert make(script.url, ca_bundle=str(cert)).ping().protocol == PROTOCOL_VERSION
    finally:
        stop()


def test_plain_http_is_refused_except_on_the_loopback_or_when_allowed() -> None:
    with pytest.raises(InvalidInput):
        SyncTransport("http://homeroom.example.edu.vn")
    with pytest.raises(InvalidInput):
        SyncTransport("ftp://homeroom.example.edu.vn")
    SyncTransport("http://192.168.1.10:8000", allow_http=True).close()
    with SyncTransport("HTTPS://Homeroom.Example.edu.vn/school/") as transport:
        assert transport.base_url == "https://homeroom.example.edu.vn/school"


# --------------------------------------------------------------------------- clock, counters


def test_clock_skew_is_measured_and_a_large_one_logged_once(
    server: ScriptedServer,
    make: Callable[..., SyncTransport],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.queue(ok(ping_body(offset=600)), ok(ping_body(offset=600)), ok(ping_body()))
    transport = make()

    with caplog.at_level(logging.WARNING, logger="desktop.sync.transport"):
        transport.ping()
        transport.ping()
    skew = transport.clock_skew_seconds
    assert skew is not None and 598 < skew < 602
    assert len([r for r in caplog.records if "clock" in r.getMessage()]) == 1

    transport.ping()
    skew = transport.clock_skew_seconds
    assert skew is not None and abs(skew) < 2
    assert transport.last_server_time is not None


def test_counters_add_up_per_call_and_in_total(
    server: ScriptedServer, make: Callable[..., SyncTransport]
) -> None:
    server.queue(ok(ping_body()), Reply(503), ok(sync_body(changes=10)))
    transport = make()

    transport.ping()
    transport.sync(sync_request(mutations=2))

    ping, sync = transport.stats.recent
    assert (ping.endpoint, ping.round_trips, ping.attempts) == ("ping", 1, 1)
    assert ping.bytes_received == server.bytes_out[0]
    assert ping.bytes_sent > 100  # request line and headers
    assert (sync.endpoint, sync.round_trips, sync.attempts) == ("sync", 2, 2)
    assert sync.bytes_received > server.bytes_out[1]  # the 503's bytes count too
    assert sync.outcome == "ok"
    stats = transport.stats
    assert stats.calls == 2 and stats.round_trips == 3
    assert stats.bytes_sent == ping.bytes_sent + sync.bytes_sent
    assert stats.bytes_received == ping.bytes_received + sync.bytes_received
