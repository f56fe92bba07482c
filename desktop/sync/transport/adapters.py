"""httpx over an httpcore pool whose every socket operation respects one exchange's overall
deadline and is counted (see the package's docstring for why)."""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import httpcore
import httpx

WRITE_PIECE: Final = 16 * 1024
"""Request bodies are written in pieces this big so the deadline is checked between them."""


# --------------------------------------------------------------------------- metered network


class Exchange:
    """The deadline and byte counters of one HTTP exchange (one attempt)."""

    def __init__(self, deadline: float, clock: Callable[[], float]) -> None:
        self.deadline = deadline
        self.clock = clock
        self.bytes_sent = 0
        self.bytes_received = 0

    def expired(self) -> bool:
        return self.clock() >= self.deadline

    def bound(self, timeout: float | None, error: type[Exception]) -> float:
        """``timeout`` cut to the time left; ``error`` at once when none is left."""
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            raise error("overall deadline exceeded")
        return remaining if timeout is None else min(timeout, remaining)


class _MeteredStream(httpcore.NetworkStream):
    """A socket stream whose every operation respects the current exchange's deadline and is
    counted. The exchange is looked up per operation: pooled connections outlive exchanges."""

    def __init__(
        self, inner: httpcore.NetworkStream, current: Callable[[], Exchange | None]
    ) -> None:
        self._inner = inner
        self._current = current

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        exchange = self._current()
        if exchange is None:
            return self._inner.read(max_bytes, timeout)
        data = self._inner.read(max_bytes, exchange.bound(timeout, httpcore.ReadTimeout))
        exchange.bytes_received += len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        exchange = self._current()
        if exchange is None:
            self._inner.write(buffer, timeout)
            return
        view = memoryview(buffer)
        for start in range(0, len(view), WRITE_PIECE):
            piece = bytes(view[start : start + WRITE_PIECE])
            self._inner.write(piece, exchange.bound(timeout, httpcore.WriteTimeout))
            exchange.bytes_sent += len(piece)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        exchange = self._current()
        if exchange is not None:
            timeout = exchange.bound(timeout, httpcore.ConnectTimeout)
        return _MeteredStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout), self._current
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class MeteredBackend(httpcore.NetworkBackend):
    def __init__(self, current: Callable[[], Exchange | None]) -> None:
        self._inner = httpcore.SyncBackend()
        self._current = current

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        exchange = self._current()
        if exchange is not None:
            timeout = exchange.bound(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _MeteredStream(stream, self._current)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _httpx_error_types() -> dict[type[Exception], type[httpx.TransportError]]:
    return {
        httpcore.TimeoutException: httpx.TimeoutException,
        httpcore.ConnectTimeout: httpx.ConnectTimeout,
        httpcore.ReadTimeout: httpx.ReadTimeout,
        httpcore.WriteTimeout: httpx.WriteTimeout,
        httpcore.PoolTimeout: httpx.PoolTimeout,
        httpcore.NetworkError: httpx.NetworkError,
        httpcore.ConnectError: httpx.ConnectError,
        httpcore.ReadError: httpx.ReadError,
        httpcore.WriteError: httpx.WriteError,
        httpcore.ProxyError: httpx.ProxyError,
        httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
        httpcore.ProtocolError: httpx.ProtocolError,
        httpcore.LocalProtocolError: httpx.LocalProtocolError,
        httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    }


_HTTPX_ERRORS: Final = _httpx_error_types()


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    """Raise httpcore's errors as the matching (most specific) httpx ones, as httpx itself does."""
    try:
        yield
    except tuple(_HTTPX_ERRORS) as error:
        raise _as_httpx(error) from error


def _as_httpx(error: Exception) -> httpx.TransportError:
    for kind in type(error).__mro__:
        if kind in _HTTPX_ERRORS:
            return _HTTPX_ERRORS[kind](str(error))
    return httpx.TransportError(str(error))  # pragma: no cover - every httpcore error is mapped


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class MeteredTransport(httpx.BaseTransport):
    """httpx's ``HTTPTransport`` over an httpcore pool that uses the metered network backend
    (httpx does not let a caller choose the network backend)."""

    def __init__(self, pool: httpcore.ConnectionPool) -> None:
        self._pool = pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            answer = self._pool.handle_request(core_request)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_ResponseStream(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()
