"""Creating accounts and stand-in grants (the CLI and the demo seed use these)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _
from desktop.models import Guardian, SchoolClass, Teacher
from server.auth import hash_password
from server.tables import ROLES, Account, ServerSetting, SubstituteGrant

MIN_PASSWORD = 4


def create_account(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    now: datetime,
    teacher_id: int | None = None,
    guardian_id: int | None = None,
) -> Account:
    """A new account; a teacher or the principal is linked to a staff row, a parent to a
    guardian row."""
    username = username.strip().lower()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise InvalidInput(_("A user name is 1 to 100 characters without spaces."))
    if role not in ROLES:
        raise InvalidInput(
            _("Unknown role {role}: use one of {roles}.").format(role=role, roles=", ".join(ROLES))
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            _("The password needs at least {count} characters.").format(count=MIN_PASSWORD)
        )
    if session.scalars(select(Account).where(Account.username == username)).first():
        raise InvalidInput(_("The user name {name} is taken.").format(name=username))
    if role == "parent":
        if guardian_id is None or session.get(Guardian, guardian_id) is None:
            raise InvalidInput(_("A parent account needs an existing guardian (--guardian-id)."))
        teacher_id = None
    else:
        if teacher_id is None or session.get(Teacher, teacher_id) is None:
            raise InvalidInput(_("A teacher's account needs an existing teacher (--teacher-code)."))
        guardian_id = None
    account = Account(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
        teacher_id=teacher_id,
        guardian_id=guardian_id,
        active=True,
        created_at=now,
    )
    session.add(account)
    session.flush()
    return account


def teacher_by_code(session: Session, code: str) -> Teacher:
    teacher = session.scalars(select(Teacher).where(Teacher.code == code.strip())).first()
    if teacher is None:
        raise NotFound(_("There is no teacher with code {code}.").format(code=code))
    return teacher


def grant_substitute(session: Session, *, username: str, class_id: int, until: date) -> None:
    """Let a teacher sync a class in its homeroom teacher's place until ``until``."""
    account = session.scalars(
        select(Account).where(Account.username == username.strip().lower())
    ).first()
    if account is None or account.role not in ("homeroom", "subject"):
        raise NotFound(_("There is no teacher account {name}.").format(name=username))
    if session.get(SchoolClass, class_id) is None:
        raise NotFound(_("There is no class #{id} on this server.").format(id=class_id))
    grant = session.scalars(
        select(SubstituteGrant).where(
            SubstituteGrant.account_id == account.id, SubstituteGrant.class_id == class_id
        )
    ).first()
    if grant is None:
        session.add(SubstituteGrant(account_id=account.id, class_id=class_id, until=until))
    else:
        grant.until = until


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(ServerSetting, key)
    return row.value if row else None


def put_setting(session: Session, key: str, value: str) -> None:
    session.merge(ServerSetting(key=key, value=value))
