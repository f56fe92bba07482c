"""The client side of the sync API: ``SyncTransport`` and its timeouts, statistics and
answers (the retries, the adapters and the TLS/proxy helpers are modules of their own)."""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import logging
import random
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Final, Protocol, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from desktop import __version__
from desktop.errors import InvalidInput
from desktop.i18n import N_, _
from desktop.sync.errors import (
    AuthError,
    CertificateError,
    Delivery,
    NetworkError,
    ProtocolError,
    RequestRejected,
    ServerUnavailable,
    VersionError,
)
from desktop.sync.protocol import (
    GZIP_THRESHOLD,
    MAX_BODY_BYTES,
    PROTOCOL_VERSION,
    SCHEMA_VERSION,
    ApiError,
    LoginRequest,
    Ping,
    RefreshRequest,
    SyncRequest,
    SyncResponse,
    Tokens,
)
from desktop.sync.transport.adapters import Exchange, MeteredBackend, MeteredTransport
from desktop.sync.transport.network import (
    certificate_problem,
    environment_proxy,
    make_pool,
    make_ssl_context,
    normalize_base_url,
)
from desktop.sync.transport.retries import NO_RETRY, Attempt, RetryPolicy, run_with_retries

log = logging.getLogger(__name__)

USER_AGENT: Final = f"homeroom/{__version__}"
PING_PATH: Final = "/api/v1/ping"
LOGIN_PATH: Final = "/api/v1/auth/login"
REFRESH_PATH: Final = "/api/v1/auth/refresh"
SYNC_PATH: Final = "/api/v1/sync"
DEVICE_HEADER: Final = "X-Homeroom-Device"
"""Names this profile to the sign-in limits: a device that signed in before is not refused the
right password while strangers' failures hold the account (``server/signin.py``)."""

MIB: Final = 1024 * 1024
MAX_RESPONSE_BYTES: Final = 64 * MIB
"""The largest answer accepted, after decompression (a page of 2,000 changes is far smaller)."""
MAX_ERROR_BODY_BYTES: Final = 64 * 1024
CLOCK_SKEW_WARNING: Final = 300.0
"""A clock more than five minutes off is worth a warning in the log (never an error: the server
orders everything by its own sequences, client clocks are only claims)."""

RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
NOT_PROCESSED_STATUSES: Final = frozenset({408, 429, 503})
"""Answers that mean "not processed, try later": the only ones after which a request that is not
idempotent may be resent."""
REFRESH_RESEND_BUDGET: Final = 60.0
"""Seconds within which a refresh whose answer was lost is resent: well inside the server's grace
for a just-rotated token (``Settings.refresh_grace``), so the resend gets the same new pair."""

_M = TypeVar("_M", bound=BaseModel)


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``connect``/``read``/``write``/``pool`` are httpx's per-operation timeouts (``read``
    is the longest silence between two chunks); ``total`` is the overall deadline of one exchange
    (request sent, whole answer read); ``ping_total`` the same for the reachability probe."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 5.0
    total: float = 120.0
    ping_total: float = 15.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class TokenSource(Protocol):
    """Where the transport gets its access token (see ``credentials.KeyringTokenSource``)."""

    def access_token(self) -> str | None:
        """The current access token, or ``None`` when there is none (or it has expired)."""
        ...

    def refresh(self) -> None:
        """Obtain a new access token; raises ``AuthError`` when the refresh token is refused."""
        ...


# --------------------------------------------------------------------------- statistics


@dataclass
class CallStats:
    """One API call: every exchange (retries included) it made."""

    endpoint: str
    round_trips: int = 0
    """Exchanges that put at least one byte of request on the wire."""
    attempts: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    body_bytes: int = 0
    """The JSON request body before compression."""
    compressed: bool = False
    elapsed: float = 0.0
    outcome: str = "ok"
    """``ok`` or the name of the error raised."""


@dataclass
class TransportStats:
    """Totals since the transport was made (or ``reset``) and the most recent calls."""

    calls: int = 0
    round_trips: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    recent: deque[CallStats] = field(default_factory=lambda: deque(maxlen=100))

    @property
    def last(self) -> CallStats | None:
        return self.recent[-1] if self.recent else None

    def add(self, call: CallStats) -> None:
        self.calls += 1
        self.round_trips += call.round_trips
        self.bytes_sent += call.bytes_sent
        self.bytes_received += call.bytes_received
        self.recent.append(call)

    def reset(self) -> None:
        self.calls = self.round_trips = self.bytes_sent = self.bytes_received = 0
        self.recent.clear()


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str, limit: int = 300) -> str:
    """A server-provided message made safe to show: no control characters, bounded length."""
    cleaned = _CONTROL.sub(" ", text).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    sent_at: float
    received_at: float
    """Wall-clock times (seconds since the epoch) bracketing the exchange."""

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", "")).split(";")[0].strip().lower()


class _Failure:
    """Why the last attempt failed, to build the final error."""

    def __init__(self, kind: str, status: int | None = None) -> None:
        self.kind = kind  # "connect" | "timeout" | "cut" | "status"
        self.status = status


_SYNC_FAILURES: Final = {
    "status": N_(
        "The school's server is busy or unavailable (HTTP {status}). Your changes are kept and "
        "will be sent later."
    ),
    "timeout": N_(
        "The school's server did not answer in time. Your changes are kept and will be sent later."
    ),
    "connect": N_(
        "Cannot connect to the school's server. Check the network connection; your changes are "
        "kept and will be sent later."
    ),
    "cut": N_(
        "The connection to the school's server was cut. Your changes are kept and will be sent "
        "later."
    ),
}
"""Why a call never got its answer, by ``_Failure.kind``: the sync's words."""
_SIGN_IN_FAILURES: Final = {
    "status": N_(
        "The school's server is busy or unavailable (HTTP {status}). Try signing in again in a "
        "few minutes."
    ),
    "timeout": N_(
        "The school's server did not answer in time. Check the network connection, then sign in "
        "again."
    ),
    "connect": N_(
        "Cannot connect to the school's server. Check the server's address and the network "
        "connection."
    ),
    "cut": N_(
        "The connection to the school's server was cut. Check the network connection, then sign "
        "in again."
    ),
}
"""The same for a sign-in, which says what to check: the sync's "your changes are kept and will
be sent later" puzzled a teacher signing in for the first time, who has no changes yet."""


# --------------------------------------------------------------------------- the transport


class SyncTransport:
    """The client side of the sync API (``docs/sync-protocol.md``), thread-safe.

    ``credentials`` supplies access tokens for ``sync``; ``clock`` (monotonic) and ``sleep`` are
    injectable so tests can record back-off waits without waiting, ``rng`` seeds the jitter and
    ``wall_clock`` (epoch seconds) is used for the clock skew and HTTP-date ``Retry-After``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        credentials: TokenSource | None = None,
        timeout: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
        ca_bundle: str | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
        allow_http: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.base_url = normalize_base_url(base_url, allow_http=allow_http)
        self.credentials = credentials
        self.timeouts = timeout or Timeouts()
        self.retry = retry or RetryPolicy()
        self.max_response_bytes = max_response_bytes
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._wall_clock = wall_clock
        self._local = threading.local()
        self._refresh_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._stats = TransportStats()
        self._server_time: datetime | None = None
        self._skew: float | None = None
        self._skew_warned = False

        self.ssl_context = make_ssl_context(ca_bundle)
        if proxy is None and trust_env:
            proxy = environment_proxy(self.base_url)
        backend = MeteredBackend(self._current_exchange)
        self._client = httpx.Client(
            transport=MeteredTransport(make_pool(self.ssl_context, backend, proxy)),
            # The proxy and CA choices are made above; httpx must not mount its own transports
            # for environment proxies, which would bypass the deadline and the counters.
            trust_env=False,
            follow_redirects=False,
            timeout=self.timeouts.as_httpx(),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
                "X-Homeroom-Protocol": str(PROTOCOL_VERSION),
                "X-Homeroom-Schema": str(SCHEMA_VERSION),
            },
        )

    # ----------------------------------------------------------------- public API

    def ping(self) -> Ping:
        """Reachability and the server's clock: one attempt, short deadline, no credentials."""
        ping = self._call(
            "ping",
            "GET",
            PING_PATH,
            None,
            Ping,
            auth=False,
            idempotent=True,
            total=self.timeouts.ping_total,
            retry=NO_RETRY,
        )
        return ping

    def login(self, username: str, password: str, *, device_key: str | None = None) -> Tokens:
        """Sign in; a wrong name or password is an ``AuthError`` (401)."""
        try:
            message = LoginRequest(username=username, password=password)
        except ValidationError:
            raise InvalidInput(_("Enter a user name and a password.")) from None
        return self._call(
            "login",
            "POST",
            LOGIN_PATH,
            message,
            Tokens,
            auth=False,
            idempotent=True,
            device_key=device_key,
        )

    def refresh(self, refresh_token: str, *, device_key: str | None = None) -> Tokens:
        """Exchange a refresh token for new tokens (the server rotates it: store the new one).

        Safe to resend for a short while: within its grace the server answers a just-rotated
        token with the same new pair; later, a resent token would be taken for a stolen one."""
        try:
            message = RefreshRequest(refresh_token=refresh_token)
        except ValidationError:
            raise AuthError(_("Your session has ended. Sign in again."), status=None) from None
        retry = dataclasses.replace(
            self.retry, budget=min(self.retry.budget, REFRESH_RESEND_BUDGET)
        )
        return self._call(
            "refresh",
            "POST",
            REFRESH_PATH,
            message,
            Tokens,
            auth=False,
            idempotent=True,
            retry=retry,
            device_key=device_key,
        )

    def sync(self, request: SyncRequest) -> SyncResponse:
        """Push the request's intents and pull one page of changes (one round trip if all goes
        well). Safe to repeat: the server is idempotent per intent id."""
        response = self._call(
            "sync", "POST", SYNC_PATH, request, SyncResponse, auth=True, idempotent=True
        )
        if response.protocol != PROTOCOL_VERSION:
            raise VersionError(
                _(
                    "The server answered in protocol version {theirs}; this app speaks {ours}."
                ).format(theirs=response.protocol, ours=PROTOCOL_VERSION)
            )
        return response

    @property
    def stats(self) -> TransportStats:
        return self._stats

    @property
    def clock_skew_seconds(self) -> float | None:
        """Server clock minus this computer's clock, from the last answer with ``server_time``."""
        return self._skew

    @property
    def last_server_time(self) -> datetime | None:
        return self._server_time

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- one call

    def _call(
        self,
        endpoint: str,
        method: str,
        path: str,
        message: BaseModel | None,
        model: type[_M],
        *,
        auth: bool,
        idempotent: bool,
        total: float | None = None,
        retry: RetryPolicy | None = None,
        device_key: str | None = None,
    ) -> _M:
        call = CallStats(endpoint)
        started = self._clock()
        try:
            body, headers = self._encode(message, call)
            if device_key is not None:
                headers[DEVICE_HEADER] = device_key
            token: str | None = None
            refreshed = False
            if auth:
                token, refreshed = self._access_token()
            while True:
                if token is not None:
                    headers["Authorization"] = f"Bearer {token}"
                answer = self._send(
                    method,
                    path,
                    body,
                    headers,
                    call,
                    idempotent=idempotent,
                    total=total if total is not None else self.timeouts.total,
                    retry=retry or self.retry,
                )
                if answer.status == 401 and auth and not refreshed:
                    # The access token expired or was revoked: one refresh, then the same
                    # request once more.
                    token = self._refresh_after(token)
                    refreshed = True
                    continue
                result = self._interpret(endpoint, answer, model)
                self._note_server_time(result, answer)
                return result
        except Exception as error:
            call.outcome = type(error).__name__
            raise
        finally:
            call.elapsed = self._clock() - started
            with self._stats_lock:
                self._stats.add(call)

    def _encode(
        self, message: BaseModel | None, call: CallStats
    ) -> tuple[bytes | None, dict[str, str]]:
        headers: dict[str, str] = {}
        if message is None:
            return None, headers
        raw = message.model_dump_json().encode("utf-8")
        call.body_bytes = len(raw)
        if len(raw) > MAX_BODY_BYTES:
            raise RequestRejected(
                _(
                    "The data to send is too large ({size} MiB; the server accepts {limit} MiB)."
                ).format(size=f"{len(raw) / MIB:.1f}", limit=f"{MAX_BODY_BYTES / MIB:g}")
            )
        headers["Content-Type"] = "application/json"
        if len(raw) > GZIP_THRESHOLD:
            # httpx never compresses request bodies; mtime=0 keeps retries byte-identical.
            raw = gzip.compress(raw, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
            call.compressed = True
        return raw, headers

    # ----------------------------------------------------------------- tokens

    def _access_token(self) -> tuple[str, bool]:
        """The token to send and whether a refresh was needed to get it."""
        if self.credentials is None:
            raise AuthError(_("Sign in to the school's server to sync."), status=None)
        token = self.credentials.access_token()
        if token:
            return token, False
        return self._refresh_after(None), True

    def _refresh_after(self, stale: str | None) -> str:
        """A fresh access token, refreshing at most once for concurrent callers (single flight):
        whoever takes the lock second finds the token already replaced and uses it."""
        assert self.credentials is not None
        with self._refresh_lock:
            current = self.credentials.access_token()
            if not current or current == stale:
                self.credentials.refresh()
                current = self.credentials.access_token()
        if not current:
            raise AuthError(_("Your session has ended. Sign in again."), status=401)
        return current

    # ----------------------------------------------------------------- retries

    def _send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        call: CallStats,
        *,
        idempotent: bool,
        total: float,
        retry: RetryPolicy,
    ) -> _Answer:
        """One exchange, repeated as the retry policy allows; the first answer that is not worth
        retrying is returned, whatever its status."""
        maybe_delivered = False

        def attempt(number: int, left: float) -> Attempt[_Answer | _Failure]:
            nonlocal maybe_delivered
            exchange = Exchange(self._clock() + max(0.0, min(total, left)), self._clock)
            call.attempts += 1
            try:
                answer = self._exchange(exchange, method, path, body, headers)
            except httpx.TransportError as error:
                if certificate_problem(error):
                    raise CertificateError(
                        _(
                            "The server's security certificate is not trusted (or is not for "
                            "this address). Ask the school's IT contact; nothing was sent."
                        )
                    ) from None
                if isinstance(
                    error, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.ProxyError
                ):
                    raise NetworkError(
                        _("The connection to the server could not be set up ({reason}).").format(
                            reason=type(error).__name__
                        ),
                        delivery="unsent" if not maybe_delivered else "unknown",
                        attempts=number,
                    ) from None
                sent = exchange.bytes_sent > 0
                maybe_delivered = maybe_delivered or sent
                log.info("sync %s attempt %d failed: %s", path, number, type(error).__name__)
                return Attempt(
                    _Failure(self._failure_kind(error, exchange, sent)),
                    retryable=idempotent or not sent,
                )
            else:
                status = answer.status
                if status not in RETRY_STATUSES:
                    return Attempt(answer, retryable=False)
                if not idempotent and status not in NOT_PROCESSED_STATUSES:
                    return Attempt(answer, retryable=False)  # maybe processed: not safe to resend
                if status not in NOT_PROCESSED_STATUSES:
                    maybe_delivered = True
                log.info("sync %s attempt %d answered %d", path, number, status)
                return Attempt(
                    _Failure("status", status),
                    retryable=True,
                    retry_after=self._retry_after(answer),
                )
            finally:
                call.bytes_sent += exchange.bytes_sent
                call.bytes_received += exchange.bytes_received
                if exchange.bytes_sent:
                    call.round_trips += 1

        last = run_with_retries(attempt, retry, clock=self._clock, sleep=self._sleep, rng=self._rng)
        if isinstance(last.result, _Answer):
            return last.result
        raise self._give_up(
            call.endpoint, last.result, maybe_delivered, call.attempts, last.retry_after
        )

    @staticmethod
    def _failure_kind(error: httpx.TransportError, exchange: Exchange, sent: bool) -> str:
        if isinstance(error, httpx.TimeoutException) or exchange.expired():
            return "timeout"
        if isinstance(error, httpx.ConnectError) and not sent:
            return "connect"
        return "cut"

    @staticmethod
    def _give_up(
        endpoint: str,
        failure: _Failure,
        maybe_delivered: bool,
        attempts: int,
        retry_after: float | None,
    ) -> NetworkError:
        delivery: Delivery = "unknown" if maybe_delivered else "unsent"
        if failure.kind == "status" and failure.status == 429 and endpoint == "login":
            # The server limits sign-in attempts per user and address.
            return ServerUnavailable(
                _("Too many sign-in attempts. Wait a few minutes, then try again."),
                delivery=delivery,
                attempts=attempts,
                retry_after=retry_after,
            )
        words = _SIGN_IN_FAILURES if endpoint == "login" else _SYNC_FAILURES
        message = _(words[failure.kind]).format(status=failure.status)
        if failure.kind == "status":
            return ServerUnavailable(
                message, delivery=delivery, attempts=attempts, retry_after=retry_after
            )
        return NetworkError(message, delivery=delivery, attempts=attempts)

    def _retry_after(self, answer: _Answer) -> float | None:
        """``Retry-After`` in seconds (a number or an HTTP date), ``None`` if absent or invalid."""
        value = answer.headers.get("retry-after")
        if value is None:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - self._wall_clock())

    # ----------------------------------------------------------------- one exchange

    def _current_exchange(self) -> Exchange | None:
        exchange: Exchange | None = getattr(self._local, "exchange", None)
        return exchange

    def _exchange(
        self,
        exchange: Exchange,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
    ) -> _Answer:
        previous = self._current_exchange()
        self._local.exchange = exchange
        sent_at = self._wall_clock()
        try:
            request = self._client.build_request(
                method, self.base_url + path, content=body, headers=headers
            )
            response = self._client.send(request, stream=True)
            try:
                if 200 <= response.status_code < 300:
                    data = self._read_body(response, self.max_response_bytes)
                else:
                    # An error's body is only a hint (an ApiError, or a proxy's HTML page): a
                    # big or damaged one must not hide the status, which decides what happens.
                    try:
                        data = self._read_body(response, MAX_ERROR_BODY_BYTES)
                    except ProtocolError:
                        data = b""
            finally:
                response.close()
        finally:
            self._local.exchange = previous
        return _Answer(response.status_code, response.headers, data, sent_at, self._wall_clock())

    def _read_body(self, response: httpx.Response, limit: int) -> bytes:
        """The whole body, gunzipped, refusing more than ``limit`` bytes as it streams in."""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity", "gzip"):
            raise ProtocolError(_("The server's answer is in an unknown encoding."))
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        out = bytearray()
        too_large = ProtocolError(
            _("The server's answer is larger than {limit} MiB; it was refused.").format(
                limit=f"{limit / MIB:.3g}"
            )
        )
        try:
            for chunk in response.iter_raw():
                if inflate is None:
                    out += chunk
                else:
                    # max_length stops the inflater one byte past the limit, however
                    # compressible the data is.
                    out += inflate.decompress(chunk, limit - len(out) + 1)
                if len(out) > limit:
                    raise too_large
            if inflate is not None:
                out += inflate.flush()
                if not inflate.eof or inflate.unused_data:
                    raise ProtocolError(_("The server's answer was damaged in transit."))
        except zlib.error:
            raise ProtocolError(_("The server's answer was damaged in transit.")) from None
        if len(out) > limit:
            raise too_large
        return bytes(out)

    # ----------------------------------------------------------------- answers

    def _interpret(self, endpoint: str, answer: _Answer, model: type[_M]) -> _M:
        status = answer.status
        if 200 <= status < 300:
            if answer.content_type != "application/json":
                raise ProtocolError(
                    _(
                        "The answer did not come from the Homeroom server (a Wi-Fi login page "
                        "or a proxy?). Check the network and the server address."
                    )
                )
            try:
                return model.model_validate_json(answer.body)
            except ValidationError:
                raise ProtocolError(
                    _("The server's answer is incomplete or invalid; nothing was changed.")
                ) from None
        problem = self._api_error(answer)
        reason = _clean(problem.message) if problem else _("no reason given")
        if status == 401:
            if endpoint == "login":
                raise AuthError(_("The user name or password is not correct."), status=401)
            raise AuthError(_("Your session has ended. Sign in again."), status=401)
        if status == 403:
            raise AuthError(
                _("The server does not allow this account to do that: {reason}").format(
                    reason=reason
                ),
                status=403,
            )
        if status == 426:
            raise VersionError(
                _("This version of Homeroom does not match the server's: {reason}").format(
                    reason=reason
                )
            )
        if status in (404, 405) or 300 <= status < 400:
            raise ProtocolError(
                _(
                    "There is no Homeroom server at this address (HTTP {status}). Check the "
                    "server address."
                ).format(status=status)
            )
        if 400 <= status < 500:
            raise RequestRejected(
                _("The server refused the request: {reason}").format(reason=reason),
                status=status,
                code=_clean(problem.code, 60) if problem else None,
                server_message=reason if problem else None,
            )
        raise ServerUnavailable(
            _(
                "The school's server is busy or unavailable (HTTP {status}). Your changes "
                "are kept and will be sent later."
            ).format(status=status),
            delivery="unknown",
        )

    @staticmethod
    def _api_error(answer: _Answer) -> ApiError | None:
        if answer.content_type != "application/json":
            return None
        try:
            return ApiError.model_validate_json(answer.body)
        except ValidationError:
            return None

    def _note_server_time(self, result: BaseModel, answer: _Answer) -> None:
        server_time = getattr(result, "server_time", None)
        if not isinstance(server_time, datetime):
            return
        if server_time.tzinfo is None:
            server_time = server_time.replace(tzinfo=UTC)
        # The server stamped its answer somewhere between sending and receiving: use the middle.
        local = (answer.sent_at + answer.received_at) / 2
        skew = server_time.timestamp() - local
        self._server_time = server_time
        self._skew = skew
        if abs(skew) > CLOCK_SKEW_WARNING:
            if not self._skew_warned:
                log.warning("this computer's clock differs from the server's by %.0f s", skew)
                self._skew_warned = True
        else:
            self._skew_warned = False
