"""TLS and proxy helpers of the sync client: the verifying TLS context, the server address
check, the OS's proxy and the connection pool."""

from __future__ import annotations

import ipaddress
import logging
import ssl
import urllib.parse
import urllib.request
from typing import Any

import certifi
import httpcore
import httpx

from desktop.errors import InvalidInput
from desktop.i18n import _

log = logging.getLogger(__name__)


def make_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """A verifying TLS context: the OS's trusted CAs, certifi's, and a school's own CA file.

    Verification and host-name checking are always on; there is deliberately no way to turn
    them off (a school with its own CA passes its certificate file as ``ca_bundle``).
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    # The OS store can be empty (a frozen build, a bare container): certifi always has the
    # public CAs.
    context.load_verify_locations(cafile=certifi.where())
    if ca_bundle is not None:
        context.load_verify_locations(cafile=ca_bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    return context


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(base_url: str, *, allow_http: bool = False) -> str:
    """``scheme://host[:port][/prefix]`` without a trailing slash; https only, except for the
    loopback (tests, a server on the same machine) or when ``allow_http`` is given: the refresh
    token must never cross a network in clear."""
    parts = urllib.parse.urlsplit(base_url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput(_("The server address must look like https://server.example.edu.vn."))
    if parts.scheme == "http" and not (allow_http or _is_loopback(host)):
        raise InvalidInput(_("The server address must start with https:// (a secure connection)."))
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", "")
    )


def environment_proxy(base_url: str) -> str | None:
    """The HTTP(S) proxy the OS or the environment sets for ``base_url`` (``None`` if none).

    ``urllib.request.getproxies`` reads the environment, the Windows registry and the macOS
    settings, where a school's proxy is usually configured."""
    parts = urllib.parse.urlsplit(base_url)
    host = parts.hostname or ""
    if _is_loopback(host):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    if urllib.parse.urlsplit(proxy).scheme not in ("http", "https"):
        log.warning("ignoring an unsupported proxy scheme for sync")
        return None
    return proxy


def make_pool(
    context: ssl.SSLContext, backend: httpcore.NetworkBackend, proxy: str | None
) -> httpcore.ConnectionPool:
    common: dict[str, Any] = {
        "ssl_context": context,
        "max_connections": 4,
        "max_keepalive_connections": 2,
        "keepalive_expiry": 30.0,
        "network_backend": backend,
    }
    if proxy is None:
        return httpcore.ConnectionPool(**common)
    settings = httpx.Proxy(proxy)
    return httpcore.HTTPProxy(
        proxy_url=httpcore.URL(
            scheme=settings.url.raw_scheme,
            host=settings.url.raw_host,
            port=settings.url.port,
            target=settings.url.raw_path,
        ),
        proxy_auth=settings.raw_auth,
        proxy_headers=settings.headers.raw,
        proxy_ssl_context=settings.ssl_context,
        **common,
    )


def certificate_problem(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _depth in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
