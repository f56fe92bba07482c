"""``seed-demo``: the demo school of ``homeroom init --demo`` on the server, with accounts.

The generator writes with bulk INSERTs, which the change-capture hooks do not see, so the whole
change log is filled from the tables afterwards (``changes.capture_all``), in the same
transaction. The demo's fixed "today" (16/03/2026) is stored, so ``serve`` answers as on that day.

Accounts (one password for all, the demo's): ``gvcn`` the homeroom teacher of 11A1
(``gvcn-<class>`` for the other classes of a school), ``hieutruong`` the principal,
``gv-<subject code>`` each other subject teacher (by the first subject they teach), and
``ph-<student code>`` each guardian registered for the e-contact book (``-2`` for a second one)
— of the first class only unless ``all_parents``: scrypt costs ~40 ms an account on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.demo.generator import (
    DEMO_TODAY,
    DemoSummary,
    generate_demo_class,
    generate_demo_school,
)
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import Guardian, School, SchoolClass, Student, Subject, Teacher
from server.accounts import create_account, get_setting, put_setting
from server.changes import capture_all
from server.store import Store

TODAY_SETTING = "today"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str


@dataclass(frozen=True)
class SeedReport:
    classes: list[DemoSummary]
    log_entries: int
    accounts: list[DemoAccount] = field(default_factory=list)


def seed_demo(
    store: Store, *, seed: int, password: str, classes: int = 1, all_parents: bool = False
) -> SeedReport:
    """Fill an empty server database with the demo school and its accounts."""
    now = datetime.now(UTC)
    with store.write() as session:
        if session.scalar(select(func.count()).select_from(School)):
            raise InvalidInput(_("This server already has a school; seed an empty database."))
        if classes == 1:
            summaries = [generate_demo_class(session, seed=seed)]
        else:
            summaries = generate_demo_school(session, seed=seed, classes=classes)
        entries = capture_all(session)
        put_setting(session, TODAY_SETTING, DEMO_TODAY.isoformat())
    # PostgreSQL's id sequences must move past the generator's explicit ids before any insert.
    store.fix_sequences()
    with store.write() as session:
        accounts = demo_accounts(
            session, summaries, password=password, now=now, all_parents=all_parents
        )
    return SeedReport(summaries, entries, accounts)


def demo_accounts(
    session: Session,
    summaries: list[DemoSummary],
    *,
    password: str,
    now: datetime,
    all_parents: bool = False,
) -> list[DemoAccount]:
    made: list[DemoAccount] = []
    taken: set[str] = set()

    def add(base: str, role: str, name: str, **links: int) -> None:
        username, n = base.lower(), 2
        while username in taken:
            username, n = f"{base.lower()}-{n}", n + 1
        taken.add(username)
        create_account(
            session,
            username=username,
            display_name=name,
            role=role,
            password=password,
            now=now,
            **links,
        )
        made.append(DemoAccount(username, role, name))

    with_account: set[int] = set()
    for index, summary in enumerate(summaries):
        school_class = session.get_one(SchoolClass, summary.class_id)
        teacher = session.get_one(Teacher, school_class.homeroom_teacher_id)
        if teacher.id in with_account:
            continue
        with_account.add(teacher.id)
        add(
            "gvcn" if index == 0 else f"gvcn-{school_class.name}",
            "homeroom",
            teacher.full_name,
            teacher_id=teacher.id,
        )
    for principal in session.scalars(select(Teacher).where(Teacher.role == "principal")):
        with_account.add(principal.id)
        add("hieutruong", "principal", principal.full_name, teacher_id=principal.id)
    first_subjects = session.execute(
        select(Subject.teacher_id, Subject.code).order_by(Subject.class_id, Subject.position)
    ).all()
    for teacher_id, code in first_subjects:
        if teacher_id is None or teacher_id in with_account:
            continue
        with_account.add(teacher_id)
        teacher = session.get_one(Teacher, teacher_id)
        add(f"gv-{code}", "subject", teacher.full_name, teacher_id=teacher_id)
    parent_classes = [s.class_id for s in (summaries if all_parents else summaries[:1])]
    guardians = session.execute(
        select(Guardian, Student)
        .join(Student, Student.id == Guardian.student_id)
        .where(Student.class_id.in_(parent_classes), Guardian.econtact_registered_on.is_not(None))
        .order_by(Student.class_id, Student.code, Guardian.id)
    ).all()
    for guardian, student in guardians:
        add(f"ph-{student.code}", "parent", guardian.full_name, guardian_id=guardian.id)
    return made


def seeded_today(store: Store) -> date | None:
    """The demo day ``seed_demo`` stored, which a demo server answers the domain rules for."""
    with store.read() as session:
        stored = get_setting(session, TODAY_SETTING)
    return date.fromisoformat(stored) if stored else None
