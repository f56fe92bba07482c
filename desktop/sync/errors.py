"""Typed errors of the sync client: network, server answers, credentials.

Every one is a ``HomeroomError`` with a message already translated for the teacher. None of them
means "drop the outbox": the caller keeps every pending intent and tries again later (the server is
idempotent per intent id, so a resend is always safe for ``sync``).
"""

from __future__ import annotations

from typing import Literal

from desktop.errors import HomeroomError

EXIT_SYNC = 4
"""The CLI's exit code for a sync that could not run (network, server, credentials)."""

Delivery = Literal["unsent", "unknown"]
"""What the client knows about a failed request: ``unsent`` when no attempt wrote a single byte
(nothing can have been processed), ``unknown`` when an attempt may have reached the server."""


class SyncError(HomeroomError):
    """Base of the sync errors; the outbox is kept."""

    exit_code = EXIT_SYNC


class NetworkError(SyncError):
    """The server could not be reached, or did not answer in time, after the allowed retries.

    ``delivery`` says whether the request may have reached the server (see ``Delivery``);
    ``attempts`` how many were made; ``retry_after`` the wait the server asked for, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        delivery: Delivery = "unknown",
        attempts: int = 1,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.delivery: Delivery = delivery
        self.attempts = attempts
        self.retry_after = retry_after


class ServerUnavailable(NetworkError):
    """The server answered, but with 5xx / 429 / 503 every time (busy, restarting, overloaded)."""


class CertificateError(SyncError):
    """The server's TLS certificate is not trusted or not for this address; never retried."""


class ProtocolError(SyncError):
    """The answer is not a valid Homeroom answer: truncated, malformed, too large, wrong type
    (a Wi-Fi login page, a proxy's error page), or not the expected message."""


class AuthError(SyncError):
    """The server refused the credentials (401) or the action (403); ``status`` tells which.

    A refused refresh token means the teacher must sign in again; the outbox is kept.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class VersionError(SyncError):
    """The app and the server speak different protocol or schema versions (426)."""


class RequestRejected(SyncError):
    """The server refused the request itself (400, 413, 422, ...); ``code`` and
    ``server_message`` are the server's ``ApiError``, when it sent one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        server_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.server_message = server_message


class CredentialsError(SyncError):
    """The OS password store (keyring) is missing, locked or failing; never a plaintext fallback."""
