"""The server's tunables, with the values the protocol documents as defaults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from desktop.domain.calendar import school_time
from desktop.sync.protocol import MAX_BODY_BYTES, MAX_CHANGES_PER_PAGE

HEADER_TIMEOUT = 10.0
"""A client on a slow link sends its headers (under 1 KiB) in well under a second."""
BODY_TIMEOUT = 30.0
"""Between two parts of a body: a link too slow for this has already failed the sync."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=60)
    """A teacher away for a whole summer signs in again."""
    refresh_grace: timedelta = timedelta(minutes=5)
    """How long a just-rotated refresh token still gets the same new pair (its answer may have
    been lost, or the client killed before storing it): the client resends at once, or at its
    next start. Its successor's first use ends the grace at once."""
    login_window: timedelta = timedelta(minutes=5)
    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    login_delay: timedelta = timedelta(seconds=30)
    """Past a limit, the wait after the last failure: doubled by each further failure, at most
    ``login_window``. The server answers ``429`` at once; it never sleeps on a request."""
    known_device_keep: timedelta = timedelta(days=400)
    """A device key not seen (signing in or refreshing) for this long is forgotten: its next
    sign-in counts like a stranger's until it succeeds. Longer than a school year plus a summer."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (``10.0.0.0/8``) of the reverse proxies whose ``X-Forwarded-For``
    names the client; from any other peer the header is ignored. Default: none."""
    header_timeout: float = HEADER_TIMEOUT
    """Seconds a connection has to send a request's complete headers, then it is closed."""
    body_timeout: float = BODY_TIMEOUT
    """Seconds a request's body may pause between two of its parts, then it is refused (408)."""
    page_size: int = MAX_CHANGES_PER_PAGE
    max_body_bytes: int = MAX_BODY_BYTES
    today: date | None = None
    """A fixed school day for a demo server (the demo school stands on 16/03/2026)."""
    clock: Callable[[], datetime] = field(default=_utc_now)
    """The real clock: tokens, rate limits, ``server_time`` (clients measure skew with it)."""

    def now(self) -> datetime:
        """The domain's now (a request's submission, a grade's entry), aware UTC; on a demo
        server, the real wall-clock time moved to ``today``."""
        moment = self.clock()
        if self.today is None:
            return moment
        return moment + (self.today - school_time(moment).date())

    def school_today(self) -> date:
        return self.today or school_time(self.now()).date()
