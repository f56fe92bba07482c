"""The sync client's HTTP transport: one synchronous ``httpx.Client`` made safe for poor networks.

What it adds to httpx, and why:

* **An overall deadline per exchange.** httpx's read timeout is the longest silence between two
  chunks, so a server (or a captive portal, or a dying 3G link) that dribbles one byte a second
  never trips it. Every socket operation goes through ``_MeteredStream``, which caps each
  connect / TLS handshake / read / write timeout by the time left before the deadline; no
  watchdog thread is needed and a stalled or dribbling peer fails at the deadline. (Name
  resolution happens inside ``socket.getaddrinfo`` and is not bounded by it.)
* **Exact wire counters.** The same stream counts the bytes sent and received (HTTP headers
  included, TLS framing excluded) for ``stats``, used by the benchmarks.
* **gzip both ways.** httpx never compresses request bodies: a JSON body over
  ``GZIP_THRESHOLD`` is gzipped by hand. Answers are read raw and gunzipped here with a bound on
  the decompressed size, so a hostile "zip bomb" cannot fill the memory.
* **Bounded retries** with full-jitter exponential back-off, only where safe: network errors,
  408, 429, 5xx (``Retry-After`` honoured). ``sync`` and ``login`` are safe to resend (the
  server is idempotent per intent id). ``refresh`` rotates the refresh token, but the server
  answers a just-rotated token again with the same new pair for a grace period (5 minutes by
  default), so it is resent too, within ``REFRESH_RESEND_BUDGET``.
* **401 → one serialized refresh → the same request once.**
* **Typed, translated errors** (``desktop.sync.errors``) instead of raw httpx / pydantic ones.

Import this module lazily (only when syncing): httpx costs start-up time.

The package's modules, one job each: ``adapters`` (the metered httpx transport), ``network``
(TLS, the server address, proxies, the connection pool), ``retries`` (the retry loop, on
tenacity) and ``client`` (``SyncTransport`` itself). Callers import from the package.
"""

from desktop.sync.transport.client import (
    LOGIN_PATH,
    MAX_RESPONSE_BYTES,
    PING_PATH,
    REFRESH_PATH,
    REFRESH_RESEND_BUDGET,
    SYNC_PATH,
    USER_AGENT,
    CallStats,
    SyncTransport,
    Timeouts,
    TokenSource,
    TransportStats,
)
from desktop.sync.transport.network import make_ssl_context, normalize_base_url
from desktop.sync.transport.retries import NO_RETRY, RetryPolicy

__all__ = [
    "LOGIN_PATH",
    "MAX_RESPONSE_BYTES",
    "NO_RETRY",
    "PING_PATH",
    "REFRESH_PATH",
    "REFRESH_RESEND_BUDGET",
    "SYNC_PATH",
    "USER_AGENT",
    "CallStats",
    "RetryPolicy",
    "SyncTransport",
    "Timeouts",
    "TokenSource",
    "TransportStats",
    "make_ssl_context",
    "normalize_base_url",
]
