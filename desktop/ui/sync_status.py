"""What the status bar and the tray say about sync, and when to try again: plain Python, so
the decisions are tested without Qt and the controller only wires timers and signals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.calendar import format_moment
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models import LeaveRequest
from desktop.sync import state
from desktop.sync.cycle import Progress
from desktop.sync.errors import NetworkError, ServerUnavailable

LEAVE_REQUESTS = LeaveRequest.__tablename__


@dataclass(frozen=True)
class SyncLine:
    """The status bar's sync state in the teacher's words."""

    text: str
    signed_in: bool
    has_error: bool


def describe(
    status: state.SyncStatus,
    account: state.SignedIn | None,
    failure: str | None = None,
    *,
    online: bool | None = None,
    syncing: bool = False,
) -> SyncLine:
    """``failure``: why the last attempt failed before the engine could record it (no token in
    the keyring, say); ``online``: whether the last attempt reached the server (``None``: not
    tried yet)."""
    if account is None:
        return SyncLine(_("Not signed in to the school's server."), False, False)
    parts = []
    if syncing:
        parts.append(_("Syncing…"))
    elif online is not None:
        parts.append(_("Online") if online else _("Offline"))
    parts += [
        _("Waiting to be sent: {count}").format(count=status.pending_intents),
        _("Last sync: {when}").format(
            when=format_moment(datetime.fromisoformat(status.last_success))
            if status.last_success
            else _("never")
        ),
    ]
    unseen = sum(1 for c in status.conflicts if not c.seen)
    if unseen:
        parts.append(_("Not applied by the server: {count}").format(count=unseen))
    error = failure or status.last_error
    if error:
        parts.append(error)
    return SyncLine(" · ".join(parts), True, bool(error))


def reached_server(error: HomeroomError) -> bool:
    """Whether a failed sync got an answer from the server (busy, refused credentials...), as
    opposed to finding no network: only the latter is "offline" and retried soon."""
    return not isinstance(error, NetworkError) or isinstance(error, ServerUnavailable)


@dataclass(frozen=True)
class Backoff:
    """Seconds before the next try after consecutive failures to reach the server: soon at
    first (the Wi-Fi is back in a moment), then less and less often, never past ``ceiling``."""

    first: float = 10.0
    factor: float = 2.0
    ceiling: float = 300.0

    def delay(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return float(min(self.ceiling, self.first * self.factor ** (failures - 1)))


def progress_text(progress: Progress) -> str:
    return _("Receiving the class's data: {rows} rows so far…").format(rows=progress.pulled)


def known_leave_requests(session: Session) -> frozenset[str]:
    """The leave requests already on this computer (to tell which ones a sync brought)."""
    return frozenset(str(i) for i in session.scalars(select(LeaveRequest.id)))


def new_pending_requests(session: Session, touched: Iterable[str], known: frozenset[str]) -> int:
    """How many of the requests a sync touched are new here and wait for a decision."""
    fresh = [int(key) for key in touched if key not in known and key.lstrip("-").isdigit()]
    if not fresh:
        return 0
    return len(
        session.scalars(
            select(LeaveRequest.id).where(
                LeaveRequest.id.in_(fresh), LeaveRequest.status == "submitted"
            )
        ).all()
    )


def tray_message(count: int) -> str:
    """A tray notification never names a student: only how many requests came."""
    if count == 1:
        return _("A new leave request from a parent is waiting for your decision.")
    return _("{count} new leave requests from parents are waiting for your decision.").format(
        count=count
    )
