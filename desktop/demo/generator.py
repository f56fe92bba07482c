"""Deterministic demo data: one realistic class, or a whole school for benchmarks.

``generate_demo_class`` fills an empty profile with class 11A1 of Trường THPT Nguyễn Đình Chiểu
(Bến Tre) as it stands on ``today`` (16/03/2026 by default, mid-semester II): students and
guardians, about 120 leave requests in every state with their post-audits, roll call and the
derived attendance ledger, and the grade book. ``generate_demo_school`` writes 40 such classes
sharing one school, year and staff.

Everything comes from ``random.Random`` instances seeded from ``seed`` alone, never from the
clock or the global generator, and rows get explicit ids in generation order: the same seed
gives the same rows, byte for byte. Rows go in with bulk ``INSERT`` statements, one class at a
time, which keeps 40 classes (about 170,000 rows) well under a minute.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.demo.grades import ClassSubject, Pupil, generate_grades
from desktop.demo.leaves import generate_leaves
from desktop.demo.people import (
    People,
    Staff,
    class_plan,
    homeroom_subject,
    make_staff,
    make_students,
)
from desktop.demo.planner import GuardianInfo, StudentInfo
from desktop.demo.school import (
    FIRST_DAY,
    GOVERNING_BODY,
    HOLIDAYS,
    LAST_DAY,
    LEVEL,
    PROVINCE,
    SCHOOL_CODE,
    SCHOOL_NAME,
    SEMESTER2_START,
    YEAR_NAME,
    YEAR_START,
    SubjectSpec,
    at_local,
    demo_calendar,
    subjects_for,
    week_json,
)
from desktop.domain.calendar import SchoolCalendar, format_date
from desktop.domain.grading import Level
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import (
    AttendanceMark,
    ConductRating,
    GradeChange,
    GradeDeadline,
    GradeEntry,
    Guardian,
    Holiday,
    LeaveRequest,
    PolicySetting,
    PostAudit,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    SubjectTerm,
    Teacher,
)
from desktop.models.base import Base
from desktop.services import audit_log

DEMO_TODAY = date(2026, 3, 16)
"""A Monday in semester II: grades half entered, leaves in every state, audits under way."""
EARLIEST_TODAY = date(2026, 2, 2)
"""The story needs semester I finished and a few weeks of semester II."""

Row = dict[str, Any]


@dataclass(frozen=True)
class DemoSummary:
    """What one generated class holds."""

    class_id: int
    class_name: str
    students: int
    guardians: int
    registered_guardians: int
    requests_by_status: dict[str, int] = field(hash=False)
    grade_entries: int
    marks: int

    @property
    def requests(self) -> int:
        return sum(self.requests_by_status.values())


def generate_demo_class(
    session: Session, *, seed: int = 2025, today: date = DEMO_TODAY
) -> DemoSummary:
    """Write the demo class 11A1 into an empty database; raises ``InvalidInput`` otherwise."""
    return _generate(session, seed=seed, today=today, classes=1)[0]


def generate_demo_school(
    session: Session, *, seed: int = 2025, classes: int = 40, today: date = DEMO_TODAY
) -> list[DemoSummary]:
    """Write a school of ``classes`` classes (grades 10-12, 11A1 first) into an empty database."""
    if classes < 1:
        raise InvalidInput(_("A demo school needs at least one class."))
    return _generate(session, seed=seed, today=today, classes=classes)


# --- Plumbing ---------------------------------------------------------------------------------


def _ids(session: Session, column: InstrumentedAttribute[int]) -> Callable[[], int]:
    """Explicit ids after any already in the table, so bulk inserts need no RETURNING."""
    start = (session.scalar(select(func.max(column))) or 0) + 1
    counter = itertools.count(start)
    return lambda: next(counter)


def _insert(session: Session, model: type[Base], rows: Sequence[Row]) -> None:
    if rows:
        session.execute(insert(model), list(rows))


# --- The whole run ----------------------------------------------------------------------------


def _generate(session: Session, *, seed: int, today: date, classes: int) -> list[DemoSummary]:
    if session.scalar(select(func.count()).select_from(School)):
        raise InvalidInput(
            _("This profile already has a school: demo data can only fill an empty profile.")
        )
    if not EARLIEST_TODAY <= today <= LAST_DAY:
        raise InvalidInput(
            _("The demo's date must fall between {first} and {last}.").format(
                first=format_date(EARLIEST_TODAY), last=format_date(LAST_DAY)
            )
        )
    master = random.Random(seed)
    school_rng = random.Random(master.getrandbits(64))
    plan = class_plan(classes)
    class_seeds = {key: master.getrandbits(64) for key in plan}
    calendar = demo_calendar()
    policy = SchoolPolicy()

    school_id = _ids(session, School.id)()
    _insert(
        session,
        School,
        [
            {
                "id": school_id,
                "code": SCHOOL_CODE,
                "name": SCHOOL_NAME,
                "governing_body": GOVERNING_BODY,
                "province": PROVINCE,
                "level": LEVEL,
            }
        ],
    )
    _insert(
        session,
        PolicySetting,
        [
            {"school_id": school_id, "key": key, "value": value}
            for key, value in sorted(policy.to_strings().items())
        ],
    )
    year_id = _ids(session, SchoolYear.id)()
    _insert(
        session,
        SchoolYear,
        [
            {
                "id": year_id,
                "school_id": school_id,
                "name": YEAR_NAME,
                "first_day": FIRST_DAY,
                "semester2_start": SEMESTER2_START,
                "last_day": LAST_DAY,
            }
        ],
    )
    holiday_id = _ids(session, Holiday.id)
    _insert(
        session,
        Holiday,
        [
            {"id": holiday_id(), "school_year_id": year_id, "day": day, "name": name}
            for day, name in HOLIDAYS
        ],
    )

    specs = {key: subjects_for(key[1]) for key in plan}
    homeroom_subjects = {key: homeroom_subject(i, specs[key]) for i, key in enumerate(plan)}
    people = People(school_rng)
    staff, teachers = make_staff(
        school_rng,
        people,
        school_id=school_id,
        plan=plan,
        homeroom_subjects=homeroom_subjects,
        specs=specs,
        next_teacher_id=_ids(session, Teacher.id),
    )
    _insert(session, Teacher, teachers)
    ids = _ClassIds(session)
    student_numbers = itertools.count(1)
    code_width = 3 if classes == 1 else 4  # HS2025001 for the class, HS20250001 in a school

    def student_code() -> str:
        return f"HS{YEAR_START}{next(student_numbers):0{code_width}d}"

    summaries = []
    for key in plan:
        summaries.append(
            _generate_class(
                session,
                random.Random(class_seeds[key]),
                key=key,
                year_id=year_id,
                calendar=calendar,
                policy=policy,
                today=today,
                staff=staff,
                homeroom_subject=homeroom_subjects[key],
                specs=specs[key],
                ids=ids,
                people=people,
                student_code=student_code,
            )
        )
    session.flush()
    audit_log.append(
        session,
        actor="homeroom",
        action="demo.generate",
        entity="school",
        entity_id=school_id,
        after={
            "seed": seed,
            "today": today.isoformat(),
            "classes": [summary.class_name for summary in summaries],
        },
        at=at_local(today, 6),
    )
    return summaries


class _ClassIds:
    """Id counters shared by every class of the run."""

    def __init__(self, session: Session) -> None:
        self.school_class = _ids(session, SchoolClass.id)
        self.subject = _ids(session, Subject.id)
        self.student = _ids(session, Student.id)
        self.guardian = _ids(session, Guardian.id)
        self.request = _ids(session, LeaveRequest.id)
        self.audit = _ids(session, PostAudit.id)
        self.mark = _ids(session, AttendanceMark.id)
        self.entry = _ids(session, GradeEntry.id)
        self.change = _ids(session, GradeChange.id)


def _generate_class(
    session: Session,
    rng: random.Random,
    *,
    key: tuple[int, int],
    year_id: int,
    calendar: SchoolCalendar,
    policy: SchoolPolicy,
    today: date,
    staff: Staff,
    homeroom_subject: str,
    specs: Sequence[SubjectSpec],
    ids: _ClassIds,
    people: People,
    student_code: Callable[[], str],
) -> DemoSummary:
    grade, number = key
    class_id = ids.school_class()
    homeroom_id, homeroom = staff.homeroom[key]
    _insert(
        session,
        SchoolClass,
        [
            {
                "id": class_id,
                "school_year_id": year_id,
                "name": f"{grade}A{number}",
                "grade_level": grade,
                "homeroom_teacher_id": homeroom_id,
                "week": week_json(),
            }
        ],
    )

    subjects: list[ClassSubject] = []
    subject_rows: list[Row] = []
    for position, spec in enumerate(specs, start=1):
        teacher_id, teacher = staff.teacher_for(key, spec, homeroom_subject)
        subject = ClassSubject(ids.subject(), spec, teacher)
        subjects.append(subject)
        subject_rows.append(
            {
                "id": subject.id,
                "class_id": class_id,
                "code": spec.code,
                "name": spec.name,
                "periods_per_year": spec.periods_per_year,
                "assessment": spec.assessment.value,
                "teacher_id": teacher_id,
                "position": position,
            }
        )
    _insert(session, Subject, subject_rows)

    students, guardians = make_students(
        rng,
        class_id,
        grade,
        people,
        next_student_id=ids.student,
        next_guardian_id=ids.guardian,
        student_code=student_code,
    )
    _insert(session, Student, students)
    _insert(session, Guardian, guardians)
    by_student: dict[int, list[GuardianInfo]] = {row["id"]: [] for row in students}
    for row in guardians:
        by_student[row["student_id"]].append(GuardianInfo(row["id"], row["econtact_registered_on"]))
    infos = [StudentInfo(sid, tuple(gs)) for sid, gs in by_student.items()]

    leaves = generate_leaves(
        rng,
        calendar=calendar,
        policy=policy,
        today=today,
        students=infos,
        homeroom=homeroom,
        principal=staff.principal,
        next_request_id=ids.request,
        next_audit_id=ids.audit,
        next_mark_id=ids.mark,
    )
    _insert(session, LeaveRequest, leaves.requests)
    _insert(session, PostAudit, leaves.audits)
    _insert(session, AttendanceMark, leaves.marks)

    # The student closest to the limit is also the weakest; sometimes one more struggles.
    most_absent, second = leaves.near_limit
    others = [row["id"] for row in students if row["id"] not in leaves.near_limit]
    weak = {most_absent, *rng.sample(others, rng.randint(0, 1))}
    hints = {sid: Level.KHA for sid in weak} | {most_absent: Level.DAT, second: Level.KHA}
    ordered = sorted(students, key=lambda row: row["sort_key"])
    grades = generate_grades(
        rng,
        calendar=calendar,
        today=today,
        class_id=class_id,
        homeroom=homeroom,
        subjects=subjects,
        pupils=[Pupil(row["id"], row["id"] in weak) for row in ordered],
        conduct_hints=hints,
        next_entry_id=ids.entry,
        next_change_id=ids.change,
    )
    _insert(session, GradeEntry, grades.entries)
    _insert(session, GradeChange, grades.changes)
    _insert(session, GradeDeadline, grades.deadlines)
    _insert(session, SubjectTerm, grades.terms)
    _insert(session, ConductRating, grades.conduct)

    statuses = Counter(row["status"] for row in leaves.requests)
    return DemoSummary(
        class_id=class_id,
        class_name=f"{grade}A{number}",
        students=len(students),
        guardians=len(guardians),
        registered_guardians=sum(1 for g in guardians if g["econtact_registered_on"]),
        requests_by_status=dict(sorted(statuses.items())),
        grade_entries=len(grades.entries),
        marks=len(leaves.marks),
    )
