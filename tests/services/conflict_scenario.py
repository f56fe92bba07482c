"""Real conflicts, produced by syncing a desktop profile with the real reference server.

The demo class on the server (``seed_demo``), a profile that synced it, then offline on the
desktop the teacher approves one request (which the parent cancels on the server meanwhile),
approves another (which the teacher's other device rejects first), rejects a special case (which
the principal signs off first, so the request moved on) and enters a grade in a subject another
teacher teaches; then the profile syncs and the server refuses all four.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from desktop.models import AuditLogEntry, GradeEntry, LeaveRequest, SchoolClass, Student, Subject
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.services import leave
from desktop.services.scope import load_scope
from desktop.sync import state
from desktop.sync.engine import sync_once
from server.scope import load_scope_by_id
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

CLASS_ID = 1


@dataclass(frozen=True)
class Conflicts:
    store: Store
    url: str
    token: str
    profile: Path
    """A synced profile holding the four conflicts (copy it before writing to it)."""
    cancelled: int
    cancelled_at: datetime
    """When the parent cancelled, by the server's audit log."""
    decided_elsewhere: int
    decided_at: datetime
    decided_by: str
    signed_off: int
    graded_student: int
    names: dict[int, str]
    """Student name by request id (and by student id for the grade)."""


@contextmanager
def conflicts(folder: Path) -> Iterator[Conflicts]:
    """The server stays up while the context lasts."""
    store = open_store(f"sqlite:///{folder / 'server.sqlite3'}")
    try:
        seed_demo(store, seed=2025, password="demo")
        with serve_store(store) as url:
            token = harness.issue_token(store, "gvcn")
            profile = folder / "profile" / DATABASE_FILE
            profile.parent.mkdir(parents=True, exist_ok=True)
            database = open_database(profile)
            try:
                yield _produce(store, url, token, database, profile)
            finally:
                database.close()
    finally:
        store.close()


def _sync(database: Database, url: str, token: str) -> None:
    link = harness.transport(url, token)
    try:
        sync_once(database, link, class_id=CLASS_ID)
    finally:
        link.close()


def _produce(store: Store, url: str, token: str, database: Database, profile: Path) -> Conflicts:
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", CLASS_ID))
    _sync(database, url, token)
    with database.reading() as session:
        scope = load_scope(session)
        pending = session.scalars(
            select(LeaveRequest).where(LeaveRequest.status == "submitted").order_by(LeaveRequest.id)
        ).all()
        ordinary = [r for r in pending if not leave.facts_of(r, scope).special_case]
        special = [
            r
            for r in pending
            if leave.facts_of(r, scope).special_case and not r.principal_signoff_by
        ]
        cancelled, elsewhere, signed_off = ordinary[0].id, ordinary[1].id, special[0].id
        names = {
            r.id: session.get_one(Student, r.student_id).full_name
            for r in (ordinary[0], ordinary[1], special[0])
        }
        homeroom = session.get_one(SchoolClass, CLASS_ID).homeroom_teacher_id
        foreign = session.scalars(
            select(Subject)
            .where(
                Subject.teacher_id.is_not(None),
                Subject.teacher_id != homeroom,
                Subject.assessment == "score",
            )
            .order_by(Subject.id)
        ).first()
        assert foreign is not None
        taken = set(
            session.execute(
                select(GradeEntry.student_id, GradeEntry.slot).where(
                    GradeEntry.subject_id == foreign.id,
                    GradeEntry.semester == 2,
                    GradeEntry.kind == "TX",
                )
            )
        )
        student, slot = next(
            (s, n)
            for s in session.scalars(select(Student).order_by(Student.id))
            for n in (1, 2, 3, 4)
            if (s.id, n) not in taken
        )
        names[student.id] = student.full_name
        subject_code = foreign.code
    with database.transaction() as session:
        # This computer still believes the subject is the homeroom teacher's (the school
        # reassigned it since the last sync): the client queues the grade, the server refuses.
        session.get_one(Subject, foreign.id).teacher_id = homeroom

    assert harness.decide(database, cancelled, approve=True)
    assert harness.decide(database, elsewhere, approve=True)
    assert harness.decide(database, signed_off, approve=False, note="Chưa đủ giấy tờ")
    graded = harness.perform(
        database,
        "set_grade",
        {
            "student_id": student.id,
            "subject_code": subject_code,
            "semester": 2,
            "kind": "TX",
            "slot": slot,
            "value": "8.5",
            "reason": "Nhập bổ sung",
            "base_version": 0,
        },
    )
    assert graded is not None

    with store.write() as session:
        scope = load_scope_by_id(session, CLASS_ID)
        leave.cancel(session, scope, request_id=cancelled, actor="Phụ huynh")
        leave.decide(
            session, scope, request_id=elsewhere, approve=False, note="Trùng lịch", actor="Cô Lan"
        )
        leave.sign_off(
            session, scope, request_id=signed_off, by="Võ Thị Lan", on=date.today(), actor="Cô Lan"
        )
    with store.read() as session:
        cancelled_at = session.scalars(
            select(AuditLogEntry.at)
            .where(
                AuditLogEntry.action == "leave.cancel", AuditLogEntry.entity_id == str(cancelled)
            )
            .order_by(AuditLogEntry.id.desc())
        ).first()
        decided = session.get_one(LeaveRequest, elsewhere)
        decided_at, decided_by = decided.decided_at, decided.decided_by
    assert cancelled_at is not None and decided_at is not None

    _sync(database, url, token)
    return Conflicts(
        store=store,
        url=url,
        token=token,
        profile=profile,
        cancelled=cancelled,
        cancelled_at=cancelled_at,
        decided_elsewhere=elsewhere,
        decided_at=decided_at,
        decided_by=decided_by,
        signed_off=signed_off,
        graded_student=student.id,
        names=names,
    )
