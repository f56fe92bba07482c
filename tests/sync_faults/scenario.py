"""A fixed sync scenario, built once and cloned for every run: the small class on the server
with four leave requests, a client profile that bootstrapped the class, then went offline and
queued fourteen intents (decisions, roll call, grades), while a parent cancelled one request
on the server. Its push is one request; its pull after the push is three pages.

Expected refusals: the decision on the cancelled request (``leave_cancelled``) and a grade in
a subject another teacher teaches (``not_owner``): the school gave the subject to its teacher
after the client's last sync, so the client, which still had it as the homeroom teacher's,
queued the grade.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, make_url, select, text

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.models import Subject, Teacher
from desktop.models.db import Database, open_database
from desktop.services import leave
from desktop.sync.engine import sync_once
from server.scope import load_scope_by_id
from server.settings import Settings
from server.store import Store, open_store
from tests.factories import at
from tests.server.helpers import TODAY, Seeded, seed
from tests.sync_faults import harness

PAGE_SIZE = 8


@dataclass(frozen=True)
class Workload:
    class_id: int
    token: str
    intents: list[str]
    expected_conflicts: dict[str, str]
    """intent id → the refusal code the server must give it"""


def settings() -> Settings:
    return Settings(today=TODAY, page_size=PAGE_SIZE)


def _submit(store: Store, seeded: Seeded, index: int, first: date, last: date) -> int:
    with store.write() as session:
        scope = load_scope_by_id(session, seeded.small.class_id)
        changes = leave.submit(
            session,
            scope,
            leave.NewRequest(
                student_id=seeded.small.student_ids[index],
                guardian_id=seeded.small.guardian_ids[index],
                first=Slot.of(first, SchoolSession.MORNING),
                last=Slot.of(last, SchoolSession.AFTERNOON),
                reason_category="family",
                reason_text="Việc gia đình",
                channel=4,
                submitted_at=at(TODAY),
            ),
            actor=f"Phụ huynh {index + 1}",
        )
        return int(next(iter(changes.ids("leave_request"))))


def build(store: Store, client_path: Path) -> Workload:
    """Seed ``store``, bootstrap a client at ``client_path`` over HTTP, then the offline work."""
    seeded = seed(store)
    small = seeded.small
    requests = [
        *seeded.requests,
        _submit(store, seeded, 1, date(2025, 10, 27), date(2025, 10, 27)),
        _submit(store, seeded, 2, date(2025, 10, 28), date(2025, 10, 29)),
    ]
    _assign_maths(store, small.class_id, to_homeroom=True)
    token = harness.issue_token(store, "gvcn")
    database = open_database(client_path)
    try:
        with harness.LiveServer(store, settings()) as server:
            link = harness.transport(server.url, token)
            try:
                sync_once(database, link, class_id=small.class_id)
            finally:
                link.close()
        with store.write() as session:  # the parent cancels while the teacher is offline
            scope = load_scope_by_id(session, small.class_id)
            leave.cancel(session, scope, request_id=requests[1], actor="Phụ huynh 1")
        _assign_maths(store, small.class_id, to_homeroom=False)
        return Workload(
            small.class_id, token, *_offline_work(database, small.student_ids, requests)
        )
    finally:
        database.close()


def _assign_maths(store: Store, class_id: int, *, to_homeroom: bool) -> None:
    """Toán to the class's homeroom teacher, or back to the maths teacher of the seed."""
    with store.write() as session:
        maths = session.scalars(
            select(Subject).where(Subject.class_id == class_id, Subject.code == "TOAN")
        ).one()
        maths.teacher_id = (
            load_scope_by_id(session, class_id).teacher_id
            if to_homeroom
            else session.scalars(select(Teacher.id).where(Teacher.code == "GV03")).one()
        )


def _offline_work(
    database: Database, students: list[int], requests: list[int]
) -> tuple[list[str], dict[str, str]]:
    done: list[str | None] = [
        harness.decide(database, requests[0], approve=True),
        harness.decide(database, requests[1], approve=True),
        harness.decide(database, requests[2], approve=False, note="Không đủ lý do"),
        harness.decide(database, requests[3], approve=True),
        harness.roll_call(database, students[2], date(2025, 10, 20), "morning", "absent"),
        harness.roll_call(database, students[2], date(2025, 10, 20), "afternoon", "absent"),
        harness.roll_call(database, students[1], date(2025, 10, 21), "morning", "late"),
        harness.roll_call(database, students[0], date(2025, 10, 21), "afternoon", "absent"),
        harness.roll_call(database, students[0], date(2025, 10, 24), "morning", "present"),
        harness.roll_call(
            database, students[1], date(2025, 10, 24), "afternoon", "excused_by_teacher"
        ),
        harness.grade(database, students[0], "GDQP", 1, "8", base_version=0),
        harness.grade(database, students[1], "GDQP", 1, "7,5", base_version=0),
        harness.grade(database, students[2], "GDQP", 1, "9", base_version=0),
        harness.grade(database, students[0], "TOAN", 1, "6", base_version=0),
    ]
    ids = [d for d in done if d is not None]
    assert len(ids) == len(done), "the offline work was refused on the client"
    return ids, {ids[1]: "leave_cancelled", ids[13]: "not_owner"}


class ServerTemplate:
    """A seeded server database to clone per run: an SQLite file, or a PostgreSQL template
    database (``CREATE DATABASE … TEMPLATE``)."""

    def __init__(self, folder: Path, pg_admin_url: str | None) -> None:
        self.folder = folder
        self.pg_admin_url = pg_admin_url
        self.runs = 0
        if pg_admin_url is None:
            self.url = f"sqlite:///{folder / 'template.sqlite3'}"
        else:
            self.name = f"hr_tmpl_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE template0')
            self.url = self._url(self.name)

    def _url(self, name: str) -> str:
        assert self.pg_admin_url is not None
        return make_url(self.pg_admin_url).set(database=name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        assert self.pg_admin_url is not None
        engine = create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    @contextmanager
    def clone(self) -> Iterator[Store]:
        """A fresh copy of the template, open; dropped afterwards."""
        self.runs += 1
        if self.pg_admin_url is None:
            path = self.folder / f"run-{self.runs}.sqlite3"
            harness.clone_sqlite(self.folder / "template.sqlite3", path)
            store = open_store(f"sqlite:///{path}")
            try:
                yield store
            finally:
                store.close()
                path.unlink()
            return
        name = f"{self.name}_{self.runs}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        store = open_store(self._url(name))
        try:
            yield store
        finally:
            store.close()
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        if self.pg_admin_url is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
