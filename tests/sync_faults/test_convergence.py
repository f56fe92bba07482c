"""Convergence under interleaved work and faults: a Hypothesis state machine.

One real server (SQLite, on loopback) and one link emulator serve the whole test; every
example gets a class of its own on that server (three students, their parents' accounts, a
subject taught by another teacher) and a fresh client profile that bootstraps it. The rules
interleave, in any order:

* parents submitting and cancelling leave requests (the parent endpoints, over HTTP);
* the subject teacher changing grades (the subject-teacher endpoint, over HTTP);
* the homeroom teacher's offline decisions, roll call and grades on the client
  (``intents.perform`` in the client database; the app refusing an action queues nothing);
* sync attempts through the emulator, cut after a drawn number of bytes up or down.

After every step: no intent the teacher queued is lost (it is in the outbox or processed by
the server), and none was processed twice. At the end of every example the link heals and
at most two syncs must converge: the client's tables equal the server's rows of the class,
the outbox is empty, every decision the teacher made offline was either applied on the server
(one audit entry each) or recorded once as a conflict with a message.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from desktop.domain.names import normalize, search_key, sort_text
from desktop.models import (
    GradeEntry,
    Guardian,
    LeaveRequest,
    OutboxIntent,
    SchoolClass,
    Student,
    Subject,
)
from desktop.models.db import open_database
from desktop.sync.engine import sync_once
from desktop.sync.errors import SyncError
from server import auth
from server.settings import Settings
from server.store import Store, open_store
from server.tables import Account, ProcessedMutation
from tests.factories import WEEK
from tests.server.helpers import TODAY, _password_hash, seed
from tests.support.link_emulator import LinkEmulator, LinkProfile
from tests.sync_faults import harness

EXAMPLES = int(os.environ.get("HOMEROOM_CONVERGENCE_EXAMPLES", "200"))
"""200 in CI, as the issue asks; the variable only lets a developer try fewer."""
STEPS = 12
FIRST_DAY = date(2025, 10, 20)  # a Monday
ACCEPTED = ("applied", "duplicate")
REFUSED = ("conflict", "rejected")


@dataclass
class World:
    store: Store
    server: harness.LiveServer
    link: LinkEmulator
    folder: Path
    empty_profile: Path
    teacher_id: int
    maths_id: int
    year_id: int
    teacher_token: str
    maths_token: str
    http: httpx.Client
    examples: int = 0
    second_syncs: int = 0
    steps: Counter[str] = field(default_factory=Counter)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("convergence")
    store = open_store(f"sqlite:///{folder / 'server.sqlite3'}")
    seeded = seed(store)
    with store.read() as session:
        first = session.get_one(SchoolClass, seeded.small.class_id)
        teacher_id, year_id = first.homeroom_teacher_id, first.school_year_id
    empty = folder / "empty-profile.sqlite3"
    open_database(empty).close()
    settings = Settings(today=TODAY)
    try:
        with (
            harness.LiveServer(store, settings) as server,
            LinkEmulator("127.0.0.1", server.port) as link,
            httpx.Client(base_url=server.url, timeout=20) as http,
        ):
            yield World(
                store,
                server,
                link,
                folder,
                empty,
                teacher_id,
                seeded.subject_teacher_id,
                year_id,
                harness.issue_token(store, "gvcn", settings),
                harness.issue_token(store, "gv-toan", settings),
                http,
            )
    finally:
        store.close()


@dataclass(frozen=True)
class NewClass:
    class_id: int
    students: list[int]
    parent_tokens: list[str]


def _new_class(world: World, number: int) -> NewClass:
    """A class of the gvcn teacher: three students, a registered parent account each, maths
    taught by gv-toan and defence education by the homeroom teacher herself."""
    now = datetime.now(UTC)
    with world.store.write() as session:
        school_class = SchoolClass(
            school_year_id=world.year_id,
            name=f"T{number}",
            grade_level=11,
            homeroom_teacher_id=world.teacher_id,
            week=json.dumps(WEEK),
        )
        session.add(school_class)
        session.flush()
        students: list[Student] = []
        for index, name in enumerate(["Đỗ Văn Hùng", "Vũ Thị Mai", "Hồ Minh Tú"], start=1):
            full = normalize(name)
            student = Student(
                class_id=school_class.id,
                code=f"T{number}-{index}",
                full_name=full,
                sort_key=sort_text(full),
                search_key=search_key(full),
                date_of_birth=date(2009, index, 3),
                gender="female" if index == 2 else "male",
            )
            student.guardians.append(
                Guardian(
                    full_name=f"Phụ huynh {number}-{index}",
                    relation="father",
                    phone=f"09{number:04d}{index:04d}",
                    econtact_registered_on=date(2025, 9, 1),
                    consent_recorded_on=date(2025, 9, 1),
                )
            )
            session.add(student)
            students.append(student)
        session.add_all(
            [
                Subject(
                    class_id=school_class.id,
                    code="TOAN",
                    name="Toán",
                    periods_per_year=105,
                    assessment="score",
                    position=1,
                    teacher_id=world.maths_id,
                ),
                Subject(
                    class_id=school_class.id,
                    code="GDQP",
                    name="Giáo dục quốc phòng và an ninh",
                    periods_per_year=35,
                    assessment="score",
                    position=2,
                    teacher_id=world.teacher_id,
                ),
            ]
        )
        session.flush()
        tokens: list[str] = []
        for student in students:
            account = Account(
                username=f"ph-t{number}-{student.id}",
                display_name=student.guardians[0].full_name,
                role="parent",
                password_hash=_password_hash(),
                guardian_id=student.guardians[0].id,
                created_at=now,
            )
            session.add(account)
            session.flush()
            tokens.append(auth.issue(session, account, Settings()).access_token)
        return NewClass(school_class.id, [s.id for s in students], tokens)


class Convergence(RuleBasedStateMachine):
    """One example: a class, its parents, a subject teacher and one offline teacher."""

    world: World

    def __init__(self) -> None:
        super().__init__()
        world = self.world
        world.examples += 1
        self.number = world.examples
        self.audit_from = harness.last_audit_id(world.store)
        self.school = _new_class(world, self.number)
        path = world.folder / f"client-{self.number}.sqlite3"
        self.database = harness.open_clone(world.empty_profile, path)
        self.queued: list[str] = []
        self.requests: list[int] = []
        self.web_grades = 0
        for student in (0, 1):  # waiting for the teacher when the example starts
            self.parent_submits(student, 2 + 3 * student, student, "illness")
        world.link.set_profile(LinkProfile())
        client = harness.transport(world.link.url, world.teacher_token)
        try:
            sync_once(self.database, client, class_id=self.school.class_id)
        finally:
            client.close()
        self.client_id = harness.client_id(self.database)

    # ----------------------------------------------------------------- the others, online

    @rule(
        student=st.integers(0, 2),
        day=st.integers(0, 9),
        length=st.integers(0, 2),
        reason=st.sampled_from(["illness", "family"]),
    )
    def parent_submits(self, student: int, day: int, length: int, reason: str) -> None:
        answer = self.world.http.post(
            "/api/v1/parent/requests",
            headers={"Authorization": f"Bearer {self.school.parent_tokens[student]}"},
            json={
                "first_day": harness.weekday(day, FIRST_DAY).isoformat(),
                "last_day": harness.weekday(day + length, FIRST_DAY).isoformat(),
                "reason_category": reason,
                "reason_text": "Con bị sốt" if reason == "illness" else "Việc nhà",
            },
        )
        assert answer.status_code in (201, 422), answer.text
        if answer.status_code == 201:
            self.requests.append(answer.json()["id"])
        self.world.steps["parent_submits"] += 1

    @rule(pick=st.integers(0, 20))
    def parent_cancels(self, pick: int) -> None:
        if not self.requests:
            return
        request_id = self.requests[pick % len(self.requests)]
        with self.world.store.read() as session:
            student_id = session.get_one(LeaveRequest, request_id).student_id
        token = self.school.parent_tokens[self.school.students.index(student_id)]
        answer = self.world.http.post(
            f"/api/v1/parent/requests/{request_id}/cancel",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code in (200, 409), answer.text
        self.world.steps["parent_cancels"] += 1

    @rule(
        student=st.integers(0, 2),
        slot=st.integers(1, 2),
        value=st.sampled_from(["5", "8,5", "9"]),
        subject=st.sampled_from(["TOAN", "GDQP"]),
    )
    def subject_teacher_grades(self, student: int, slot: int, value: str, subject: str) -> None:
        """The maths teacher, or the homeroom teacher herself on the web (her own subject,
        concurrently with her offline work on this computer)."""
        token = self.world.maths_token if subject == "TOAN" else self.world.teacher_token
        answer = self.world.http.put(
            "/api/v1/subject/grades",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "class_id": self.school.class_id,
                "student_id": self.school.students[student],
                "subject_code": subject,
                "semester": 1,
                "kind": "TX",
                "slot": slot,
                "value": value,
            },
        )
        assert answer.status_code in (200, 409, 422), answer.text
        if answer.status_code == 200 and subject == "GDQP":
            self.web_grades += 1  # audited under the homeroom teacher's name too
        self.world.steps["subject_teacher_grades"] += 1

    # ----------------------------------------------------------------- the teacher, offline

    def _queued(self, intent: str | None, name: str) -> None:
        if intent is not None:
            self.queued.append(intent)
            self.world.steps[name] += 1

    @rule(pick=st.integers(0, 20), approve=st.booleans())
    def teacher_decides(self, pick: int, approve: bool) -> None:
        with self.database.reading() as session:
            known = list(session.scalars(select(LeaveRequest.id).order_by(LeaveRequest.id)))
        if known:
            request_id = known[pick % len(known)]
            note = "" if approve else "Chưa đủ căn cứ"
            self._queued(
                harness.decide(self.database, request_id, approve=approve, note=note),
                "teacher_decides",
            )

    @rule(
        student=st.integers(0, 2),
        day=st.integers(0, 9),
        part=st.sampled_from(["morning", "afternoon"]),
        observed=st.sampled_from(["absent", "late", "present", "excused_by_teacher"]),
    )
    def teacher_calls_the_roll(self, student: int, day: int, part: str, observed: str) -> None:
        intent = harness.roll_call(
            self.database,
            self.school.students[student],
            harness.weekday(day, FIRST_DAY),
            part,
            observed,
        )
        self._queued(intent, "teacher_calls_the_roll")

    @rule(
        student=st.integers(0, 2),
        subject=st.sampled_from(["GDQP", "GDQP", "TOAN"]),
        slot=st.integers(1, 2),
        value=st.sampled_from(["6", "7,5", "9"]),
    )
    def teacher_grades(self, student: int, subject: str, slot: int, value: str) -> None:
        student_id = self.school.students[student]
        with self.database.reading() as session:
            entry = session.scalars(
                select(GradeEntry)
                .join(Subject, Subject.id == GradeEntry.subject_id)
                .where(
                    GradeEntry.student_id == student_id,
                    Subject.code == subject,
                    GradeEntry.semester == 1,
                    GradeEntry.kind == "TX",
                    GradeEntry.slot == slot,
                )
            ).first()
            version = entry.version if entry is not None else 0
        intent = harness.grade(
            self.database, student_id, subject, slot, value, base_version=version
        )
        self._queued(intent, "teacher_grades")

    # ----------------------------------------------------------------- the link

    @rule(cut=st.integers(0, 6000), direction=st.sampled_from(["up", "down"]))
    def sync_over_a_bad_link(self, cut: int, direction: Literal["up", "down"]) -> None:
        world = self.world
        world.link.set_profile(
            LinkProfile(
                cut_after_bytes=cut,
                cut_direction=direction,
                cut_scope="link",
                cut_count=1,
            )
        )
        client = harness.transport(world.link.url, world.teacher_token)
        try:
            sync_once(self.database, client, class_id=self.school.class_id)
            world.steps["sync completed"] += 1
        except SyncError:
            world.steps["sync cut"] += 1
        finally:
            client.close()
            world.server.wait_quiet()
            assert world.link.wait_idle(10)

    # ----------------------------------------------------------------- invariants

    @invariant()
    def nothing_is_lost_or_processed_twice(self) -> None:
        """Every queued intent is still in the outbox or processed by the server, once."""
        with self.world.store.read() as session:
            processed = Counter(
                session.scalars(
                    select(ProcessedMutation.mutation_id).where(
                        ProcessedMutation.client_id == self.client_id
                    )
                )
            )
        assert all(n == 1 for n in processed.values())
        with self.database.reading() as session:
            waiting = set(session.scalars(select(OutboxIntent.id)))
        lost = [i for i in self.queued if i not in waiting and i not in processed]
        assert lost == [], f"intents lost: {lost}"

    def teardown(self) -> None:
        try:
            self._heal_and_check()
        finally:
            self.database.close()

    def _heal_and_check(self) -> None:
        world, store, class_id = self.world, self.world.store, self.school.class_id
        world.link.set_profile(LinkProfile())
        client = harness.transport(world.link.url, world.teacher_token)
        try:
            sync_once(self.database, client, class_id=class_id)
            if harness.differences(
                harness.server_rows(store, class_id), harness.client_rows(self.database)
            ) or harness.pending(self.database):
                world.second_syncs += 1
                sync_once(self.database, client, class_id=class_id)
        finally:
            client.close()
        harness.assert_converged(store, self.database, class_id)

        found = harness.ledger(store, self.client_id, audit_after=self.audit_from)
        assert set(found.statuses) == set(self.queued), "processed intents differ from queued"
        recorded = harness.conflicts(self.database)
        for intent in self.queued:
            if found.statuses[intent] in REFUSED:
                assert intent in recorded and recorded[intent][1], f"refusal of {intent} unseen"
            else:
                assert found.statuses[intent] in ACCEPTED and intent not in recorded
        assert set(recorded) <= set(self.queued)
        world.steps.update(f"conflict {code}" for code, _message in recorded.values())
        names = _names(store, self.client_id)
        applied = Counter(names[i] for i, s in found.statuses.items() if s == "applied")
        actions = Counter(action for (action, _key), n in found.audit.items() for _ in range(n))
        assert actions["attendance.mark"] == applied["set_attendance"]
        assert actions["leave.approve"] + actions["leave.reject"] == applied["decide_leave"]
        grades = actions["grade.enter"] + actions["grade.change"]
        assert grades <= applied["set_grade"] + self.web_grades


def _names(store: Store, client_id: str) -> dict[str, str]:
    with store.read() as session:
        return dict(
            session.execute(
                select(ProcessedMutation.mutation_id, ProcessedMutation.name).where(
                    ProcessedMutation.client_id == client_id
                )
            ).all()
        )


# Hundreds of full syncs: minutes on a busy machine, so beyond the suite's 300 s default.
@pytest.mark.timeout(1800)
def test_server_and_client_converge_whatever_the_interleaving(world: World) -> None:
    """200 derandomized examples of up to 12 steps: after healing, at most two syncs converge,
    no intent is applied twice and no decision is lost."""

    class Machine(Convergence):
        pass

    Machine.world = world
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert world.examples >= EXAMPLES
    with world.store.read() as session:
        total = session.scalar(select(func.count()).select_from(ProcessedMutation)) or 0
    print(
        f"\n{world.examples} examples, {total} intents processed, {dict(world.steps)}; "
        f"{world.second_syncs} needed a second healing sync"
    )
    assert world.second_syncs == 0, "one healed sync should always converge"


def test_a_change_record_listed_before_its_grade_is_applied(world: World) -> None:
    """Three offline edits of one grade (enter, change, change back): the server's feed lists
    the first change record before the grade it belongs to (the grade changed again later),
    and the final step must still apply both (foreign keys checked at commit)."""
    school = _new_class(world, 10_000)
    database = harness.open_clone(world.empty_profile, world.folder / "client-fk.sqlite3")
    try:
        client = harness.transport(world.server.url, world.teacher_token)
        try:
            sync_once(database, client, class_id=school.class_id)
            student = school.students[0]
            for version, value in enumerate(["6", "7,5", "6"]):
                assert harness.grade(database, student, "GDQP", 1, value, base_version=version)
            sync_once(database, client, class_id=school.class_id)
        finally:
            client.close()
        harness.assert_converged(world.store, database, school.class_id)
    finally:
        database.close()
