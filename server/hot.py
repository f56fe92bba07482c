"""The reads every sync makes, as single SQLAlchemy Core statements.

A province's devices poll far more often than they push, so a no-change sync must cost little:
the token check is one statement, and the access check, the client's state and whether the
class's feed has anything after the cursor are another. A single statement is a snapshot on
its own (SQLite and PostgreSQL alike), so these run on connections that need no transaction
(``Store.hot``). No cache: an assignment, a stand-in grant or a revoked token counts from the
next request, in every worker process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, bindparam, exists, or_, select

from desktop.models import SchoolClass
from server.tables import AccessToken, Account, ChangeLogEntry, ClientState, SubstituteGrant

_ACCOUNT_COLUMNS = tuple(Account.__table__.columns)

_TOKEN = (
    select(*_ACCOUNT_COLUMNS)
    .join(AccessToken, AccessToken.account_id == Account.id)
    .where(
        AccessToken.token_hash == bindparam("token_hash"),
        AccessToken.expires_at > bindparam("now"),
        Account.active.is_(True),
    )
)

_STATE = select(ClientState.account_id, ClientState.last_seq).where(
    ClientState.client_id == bindparam("client_id")
)

_CHECK = select(
    or_(
        exists().where(
            SchoolClass.id == bindparam("class_id"),
            SchoolClass.homeroom_teacher_id == bindparam("teacher_id"),
        ),
        exists().where(
            SubstituteGrant.account_id == bindparam("account_id"),
            SubstituteGrant.class_id == bindparam("class_id"),
            SubstituteGrant.until >= bindparam("today"),
        ),
    ).label("allowed"),
    _STATE.with_only_columns(ClientState.account_id).scalar_subquery().label("owner"),
    _STATE.with_only_columns(ClientState.last_seq).scalar_subquery().label("last_seq"),
    exists()
    .where(
        and_(
            ChangeLogEntry.class_id == bindparam("class_id"),
            ChangeLogEntry.seq > bindparam("cursor"),
        )
    )
    .label("behind"),
)


def account_for_token(connection: Connection, token_hash: str, now: datetime) -> Account | None:
    """The active account an unexpired access token (by its hash) belongs to, detached."""
    row = connection.execute(_TOKEN, {"token_hash": token_hash, "now": now}).first()
    return None if row is None else Account(**row._asdict())


@dataclass(frozen=True)
class SyncCheck:
    allowed: bool
    """The account is the class's homeroom teacher, or stands in for them today."""
    owner: int | None
    """The account the client is registered to (``None``: a client not seen before)."""
    last_seq: int
    behind: bool
    """The class's feed has entries after the cursor."""


def sync_check(
    connection: Connection,
    account: Account,
    class_id: int,
    client_id: str,
    cursor: int,
    today: date,
) -> SyncCheck:
    row = connection.execute(
        _CHECK,
        {
            "class_id": class_id,
            "teacher_id": account.teacher_id,
            "account_id": account.id,
            "today": today,
            "client_id": client_id,
            "cursor": cursor,
        },
    ).one()
    return SyncCheck(bool(row.allowed), row.owner, int(row.last_seq or 0), bool(row.behind))
