"""The client's sync state: id, cursors, last success and error, conflicts; queryable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import OutboxIntent, SyncConflict, SyncState

CLIENT_ID = "client_id"
CURSOR = "cursor"
STAGED_CURSOR = "staged_cursor"
LAST_SUCCESS = "last_success"
LAST_ERROR = "last_error"
CLOCK_SKEW = "clock_skew_seconds"
SERVER_URL = "server_url"
USERNAME = "username"
CLASS_ID = "class_id"


def get(session: Session, key: str) -> str | None:
    row = session.get(SyncState, key)
    return row.value if row else None


def put(session: Session, key: str, value: str) -> None:
    session.merge(SyncState(key=key, value=value))


def client_id(session: Session) -> str:
    """This database's client id, made once: a copied profile must not reuse the original's."""
    value = get(session, CLIENT_ID)
    if value is None:
        value = str(uuid.uuid4())
        put(session, CLIENT_ID, value)
    return value


def cursor(session: Session) -> int:
    return int(get(session, CURSOR) or 0)


@dataclass(frozen=True)
class SignedIn:
    """Where and as whom this profile syncs (none of it is a secret; the token is in the
    keyring)."""

    server_url: str
    username: str
    class_id: int


def signed_in(session: Session) -> SignedIn | None:
    server, user, class_id = (
        get(session, SERVER_URL),
        get(session, USERNAME),
        get(session, CLASS_ID),
    )
    if not server or not user or not class_id:
        return None
    return SignedIn(server, user, int(class_id))


def sign_in(session: Session, account: SignedIn) -> None:
    put(session, SERVER_URL, account.server_url)
    put(session, USERNAME, account.username)
    put(session, CLASS_ID, str(account.class_id))


def staged_cursor(session: Session) -> int:
    staged = get(session, STAGED_CURSOR)
    return int(staged) if staged else cursor(session)


@dataclass(frozen=True)
class ConflictView:
    id: int
    intent_name: str
    code: str
    message: str
    mine: str
    theirs: str
    created_at: datetime
    seen: bool


@dataclass(frozen=True)
class SyncStatus:
    client_id: str | None
    cursor: int
    pending_intents: int
    last_success: str | None
    last_error: str | None
    clock_skew_seconds: float | None
    conflicts: tuple[ConflictView, ...]


def status(session: Session) -> SyncStatus:
    conflicts = tuple(
        ConflictView(
            id=c.id,
            intent_name=c.intent_name,
            code=c.code,
            message=c.message,
            mine=c.mine,
            theirs=c.theirs,
            created_at=c.created_at,
            seen=c.seen_at is not None,
        )
        for c in session.scalars(select(SyncConflict).order_by(SyncConflict.id))
    )
    skew = get(session, CLOCK_SKEW)
    return SyncStatus(
        client_id=get(session, CLIENT_ID),
        cursor=cursor(session),
        pending_intents=session.scalar(select(func.count()).select_from(OutboxIntent)) or 0,
        last_success=get(session, LAST_SUCCESS),
        last_error=get(session, LAST_ERROR),
        clock_skew_seconds=float(skew) if skew else None,
        conflicts=conflicts,
    )
