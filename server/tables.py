"""The server's own tables: accounts, tokens, login attempts, the push ledger and the change log.

They live in their own ``MetaData`` (not ``desktop.models.Base``): the client builds its list of
synced tables from ``Base.metadata``, and a test process that imports both the client and the
server must not see these tables there. The school's data uses the desktop's tables unchanged.

No Alembic for the server yet: ``store.open_store`` creates missing tables with ``create_all``
and adds missing *nullable* columns of these tables (``refresh_token.successor_seal`` came
later). Any other change needs a real migration; until then it needs a fresh database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from desktop.models import Guardian, SchoolClass, Teacher
from desktop.models.base import NAMING_CONVENTION, UtcDateTime

ROLES = ("homeroom", "subject", "principal", "parent")


class ServerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Account(ServerBase):
    """A person who signs in: a teacher (homeroom, subject), the principal, or a parent.

    ``password_hash`` is ``scrypt$n$r$p$salt$hash`` (base64); ``teacher_id`` links a teacher or
    the principal to the school's staff row, ``guardian_id`` a parent to one guardian row.
    """

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey(Teacher.id), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey(Guardian.id), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SubstituteGrant(ServerBase):
    """A teacher standing in for a class's homeroom teacher until ``until`` (inclusive)."""

    __tablename__ = "substitute_grant"
    __table_args__ = (UniqueConstraint("account_id", "class_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(Account.id))
    class_id: Mapped[int] = mapped_column(ForeignKey(SchoolClass.id))
    until: Mapped[date]


class RefreshToken(ServerBase):
    """A refresh token, by its SHA-256 only. Each use rotates it within its ``family``; a use of
    an already rotated token means it leaked, and revokes the whole family, except a repeat
    within the grace (``server.auth``): ``successor_seal`` is the new pair sealed under this
    token, erased when the grace is over."""

    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(Account.id), index=True)
    family: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    successor_seal: Mapped[str | None] = mapped_column(String(100))


class AccessToken(ServerBase):
    """An opaque bearer token (random, 32 bytes), by its SHA-256; lives 15 minutes."""

    __tablename__ = "access_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(Account.id), index=True)
    family: Mapped[str] = mapped_column(String(36), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class LoginAttempt(ServerBase):
    """One sign-in attempt, for the per-user and per-address rate limits."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    ok: Mapped[bool]
    device: Mapped[str | None] = mapped_column(String(64))
    """The SHA-256 of the device key sent with the attempt, if any."""


class KnownDevice(ServerBase):
    """A device key that came with a good sign-in: that account's later sign-ins from it are
    limited per device, so strangers' failures do not lock the teacher out. Only the SHA-256 is
    kept; the key never leaves the device otherwise."""

    __tablename__ = "known_device"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(Account.id), index=True)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())


class ClientState(ServerBase):
    """Per client (one desktop profile): the account it belongs to and its last processed seq."""

    __tablename__ = "client_state"

    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(Account.id))
    last_seq: Mapped[int] = mapped_column(default=0)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessedMutation(ServerBase):
    """A pushed intent the server has processed, with the result it answered (JSON of a
    ``MutationResult``); written in the same transaction as the intent's effect."""

    __tablename__ = "processed_mutation"
    __table_args__ = (
        UniqueConstraint("client_id", "mutation_id"),
        UniqueConstraint("client_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    mutation_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    class_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(Text)
    client_time: Mapped[datetime] = mapped_column(UtcDateTime())
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChangeCounter(ServerBase):
    """The last change seq handed out for a class; locked by each writing transaction."""

    __tablename__ = "change_counter"

    class_id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)


class ChangeLogEntry(ServerBase):
    """The latest change of one row as a class's feed shows it (one entry per row and class).

    ``data`` is the JSON of every column (``None`` for a delete tombstone).
    """

    __tablename__ = "change_log"
    __table_args__ = (
        UniqueConstraint("class_id", "seq"),
        UniqueConstraint("class_id", "entity", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int]
    seq: Mapped[int]
    entity: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    op: Mapped[str] = mapped_column(String(10))
    data: Mapped[str | None] = mapped_column(Text)


class ServerSetting(ServerBase):
    """Server-wide settings kept in the database (e.g. the demo school's fixed "today")."""

    __tablename__ = "server_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
