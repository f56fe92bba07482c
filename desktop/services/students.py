"""The class list and one student's page: who the students are, their guardians and their
e-contact-book registration, their absences, leave requests and grades.

The roster is in Vietnamese class-list order (the stored ``student.sort_key``); search ignores
diacritics (``domain.names``). Every answer is a frozen dataclass: no live ORM object leaves.
Guardians' phone numbers are personal data of minors' families: they are returned to be shown,
and nothing here logs them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.domain import attendance as ledger
from desktop.domain import grading
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.domain.grading import Assessment, CommentResult
from desktop.domain.guardians import relation_label
from desktop.domain.names import matches, sort_key
from desktop.errors import NotFound
from desktop.i18n import _
from desktop.models import (
    AttendanceMark,
    GradeChange,
    GradeEntry,
    Guardian,
    LeaveRequest,
    PostAudit,
    Student,
    Subject,
    Teacher,
)
from desktop.services import leave
from desktop.services.grades import semester_result
from desktop.services.leave import LeaveRow
from desktop.services.scope import ClassScope


def class_list(session: Session, scope: ClassScope, query: str = "") -> list[Student]:
    students = session.scalars(select(Student).where(Student.class_id == scope.class_id)).all()
    students = sorted(students, key=lambda s: sort_key(s.full_name))
    if query.strip():
        return [s for s in students if matches(query, s.full_name)]
    return list(students)


# --- The roster -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianRow:
    id: int
    full_name: str
    relation: str
    """A code ("mother") or the school's own words ("mẹ kế"); ``relation_label`` shows it."""
    relation_label: str
    phone: str
    econtact_registered_on: date | None
    consent_recorded_on: date | None


@dataclass(frozen=True)
class RosterRow:
    id: int
    code: str
    full_name: str
    date_of_birth: date
    gender: str
    """``male`` or ``female``."""
    guardians: tuple[GuardianRow, ...]
    sort_text: str
    """The Vietnamese class-list order as text (``domain.names.sort_text``)."""
    search_text: str
    """Name and code folded for a diacritic-blind search (``domain.names.search_key``)."""

    @property
    def registered(self) -> GuardianRow | None:
        """The first guardian registered for the e-contact book (who can send requests)."""
        return next((g for g in self.guardians if g.econtact_registered_on is not None), None)


def roster(
    session: Session, scope: ClassScope, *, student_ids: Collection[int] | None = None
) -> list[RosterRow]:
    """The class's students in class-list order, with their guardians (two queries);
    ``student_ids`` narrows it (an id not in the answer is not, or no longer, in the class)."""
    query = select(Student).where(Student.class_id == scope.class_id)
    guardian_query = select(Guardian).join(Student).where(Student.class_id == scope.class_id)
    if student_ids is not None:
        query = query.where(Student.id.in_(student_ids))
        guardian_query = guardian_query.where(Guardian.student_id.in_(student_ids))
    guardians: dict[int, list[GuardianRow]] = defaultdict(list)
    for guardian in session.scalars(guardian_query.order_by(Guardian.id)):
        guardians[guardian.student_id].append(_guardian_row(guardian))
    return [
        RosterRow(
            id=student.id,
            code=student.code,
            full_name=student.full_name,
            date_of_birth=student.date_of_birth,
            gender=student.gender,
            guardians=tuple(guardians.get(student.id, ())),
            sort_text=student.sort_key,
            search_text=f"{student.search_key} {student.code.casefold()}",
        )
        for student in session.scalars(query.order_by(Student.sort_key, Student.id))
    ]


def _guardian_row(guardian: Guardian) -> GuardianRow:
    return GuardianRow(
        id=guardian.id,
        full_name=guardian.full_name,
        relation=guardian.relation,
        relation_label=relation_label(guardian.relation),
        phone=guardian.phone,
        econtact_registered_on=guardian.econtact_registered_on,
        consent_recorded_on=guardian.consent_recorded_on,
    )


def gender_label(gender: str) -> str:
    return {"male": _("Male"), "female": _("Female")}.get(gender, gender)


# --- What a change touched ------------------------------------------------------------------

WATCHED = (
    "student",
    "guardian",
    "leave_request",
    "post_audit",
    "attendance_mark",
    "grade_entry",
    "grade_change",
)
"""The tables whose rows belong to one student (directly or through a request or a grade)."""

CLASS_WIDE = ("subject", "subject_term", "school_class", "policy_setting", "holiday")
"""Tables whose change can alter every student's page (a subject's columns, the calendar)."""


@dataclass(frozen=True)
class Touched:
    students: frozenset[int]
    """The students whose row or page a change concerns."""
    unresolved: bool
    """Some touched row is gone and its student cannot be told: read the whole roster."""
    class_wide: bool
    """A change every page depends on (a subject, the calendar)."""


def touched_students(session: Session, touched: Mapping[str, Iterable[str]]) -> Touched:
    """Which students the rows in ``touched`` (a ``Changes.touched``) belong to.

    An attendance mark arrives as ``student:day:session`` from a local change and as its id
    from a sync; both are understood. A row deleted meanwhile (a guardian removed by the
    school) cannot be traced back, which ``unresolved`` says.
    """
    found: set[int] = set()
    unresolved = False

    def ids(kind: str) -> set[int]:
        return {int(key) for key in touched.get(kind, ()) if key.lstrip("-").isdigit()}

    def resolve(
        kind: str, column: InstrumentedAttribute[int], key_column: InstrumentedAttribute[int]
    ) -> None:
        nonlocal unresolved
        wanted = ids(kind)
        if not wanted:
            return
        rows = session.execute(select(key_column, column).where(key_column.in_(wanted))).all()
        found.update(student for _key, student in rows)
        unresolved = unresolved or len(rows) < len(wanted)

    found.update(ids("student"))
    resolve("guardian", Guardian.student_id, Guardian.id)
    resolve("leave_request", LeaveRequest.student_id, LeaveRequest.id)
    resolve("grade_entry", GradeEntry.student_id, GradeEntry.id)
    if audits := ids("post_audit"):
        found.update(
            session.scalars(
                select(LeaveRequest.student_id)
                .join(PostAudit, PostAudit.request_id == LeaveRequest.id)
                .where(PostAudit.id.in_(audits))
            )
        )
    if changes := ids("grade_change"):
        found.update(
            session.scalars(
                select(GradeEntry.student_id)
                .join(GradeChange, GradeChange.entry_id == GradeEntry.id)
                .where(GradeChange.id.in_(changes))
            )
        )
    marks = set(touched.get("attendance_mark", ()))
    found.update(int(key.split(":")[0]) for key in marks if ":" in key)
    # A mark a sync deleted names no student any more; its page shows an absence too many
    # until the next change of that student, so it counts as unresolved.
    resolve("attendance_mark", AttendanceMark.student_id, AttendanceMark.id)
    return Touched(
        frozenset(found),
        unresolved,
        any(touched.get(kind) for kind in CLASS_WIDE),
    )


# --- A student's page -----------------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceRow:
    """One session missed or arrived late, and which fact decided it."""

    day: date
    session: str
    """``morning`` or ``afternoon``."""
    status: str
    """``excused``, ``unexcused`` or ``late`` (``domain.attendance.MarkStatus``)."""
    source: str
    """``roll_call``, ``leave`` or ``audit`` (``domain.attendance.MarkSource``)."""
    request_id: int | None


@dataclass(frozen=True)
class GradeResult:
    """A subject for one student: each semester's average (scored subjects) or result
    (comment subjects) and the year's, with how many of the semester's entries are in."""

    subject_code: str
    subject_name: str
    assessment: str
    teacher_name: str
    semester1: Decimal | str | None
    semester2: Decimal | str | None
    year: Decimal | str | None
    """A ``Decimal`` average, a comment result ("Đ" / "CĐ"), or ``None`` while incomplete."""
    entered: tuple[int, int]
    expected: int
    """Entries recorded in semester I and II, of the ``expected`` per semester."""


@dataclass(frozen=True)
class StudentPage:
    student: RosterRow
    totals: ledger.StudentTotals
    warning: str | None
    """The absence warning in words (30/40/45 sessions), or ``None``."""
    absences: tuple[AbsenceRow, ...]
    """Newest first."""
    requests: tuple[LeaveRow, ...]
    """Newest first."""
    grades: tuple[GradeResult, ...]
    """In the school's subject order."""


def student_page(
    session: Session, scope: ClassScope, student_id: int, *, today: date
) -> StudentPage:
    """Everything the student's page shows, in a handful of queries."""
    found = roster(session, scope, student_ids=[student_id])
    if not found:
        raise NotFound(_("There is no student #{id} in this class.").format(id=student_id))
    marks = session.scalars(
        select(AttendanceMark).where(
            AttendanceMark.student_id == student_id,
            AttendanceMark.status != ledger.MarkStatus.PRESENT.value,
        )
    ).all()
    by_slot = {Slot.of(m.day, SchoolSession(m.session)): ledger.MarkStatus(m.status) for m in marks}
    totals = ledger.totals(by_slot, scope.policy)
    absences = sorted(
        (AbsenceRow(m.day, m.session, m.status, m.source, m.leave_request_id) for m in marks),
        key=lambda a: (a.day, SchoolSession(a.session).order),
        reverse=True,
    )
    requests = leave.list_requests(session, scope, today=today, students={student_id})
    return StudentPage(
        student=found[0],
        totals=totals,
        warning=ledger.warning_text(totals, scope.policy),
        absences=tuple(absences),
        requests=tuple(sorted(requests, key=lambda r: (r.first_day, r.id), reverse=True)),
        grades=tuple(_grades(session, scope, student_id)),
    )


def _grades(session: Session, scope: ClassScope, student_id: int) -> list[GradeResult]:
    subjects = session.execute(
        select(Subject, Teacher.full_name)
        .outerjoin(Teacher, Teacher.id == Subject.teacher_id)
        .where(Subject.class_id == scope.class_id)
        .order_by(Subject.position, Subject.id)
    ).all()
    cells = {
        (e.subject_id, e.semester, e.kind, e.slot): e
        for e in session.scalars(select(GradeEntry).where(GradeEntry.student_id == student_id))
    }
    exact = not scope.policy.round_semester_before_year
    results = []
    for subject, teacher in subjects:
        assessment = Assessment(subject.assessment)
        expected = grading.expected_slots(subject.periods_per_year, assessment)
        wanted = {(kind.value, slot) for kind, slot in expected}
        entered = tuple(
            sum(
                1
                for (sid, sem, kind, slot), entry in cells.items()
                if sid == subject.id
                and sem == semester
                and (kind, slot) in wanted
                and (entry.score is not None or entry.comment)
            )
            for semester in (1, 2)
        )
        s1 = semester_result(subject, cells, 1)
        s2 = semester_result(subject, cells, 2)
        year: Decimal | CommentResult | None
        if assessment is Assessment.COMMENT:
            year = grading.comment_year_result(_comment(s1), _comment(s2))
        else:
            e1 = semester_result(subject, cells, 1, exact=exact)
            e2 = semester_result(subject, cells, 2, exact=exact)
            year = grading.year_average(_average(e1), _average(e2), round_semesters=not exact)
        results.append(
            GradeResult(
                subject_code=subject.code,
                subject_name=subject.name,
                assessment=subject.assessment,
                teacher_name=teacher or "",
                semester1=_result(s1),
                semester2=_result(s2),
                year=_result(year),
                entered=(entered[0], entered[1]),
                expected=len(expected),
            )
        )
    return results


def _comment(value: object) -> CommentResult | None:
    return value if isinstance(value, CommentResult) else None


def _average(value: object) -> Decimal | Fraction | None:
    return value if isinstance(value, Decimal | Fraction) else None


def _result(value: object) -> Decimal | str | None:
    if isinstance(value, CommentResult):
        return value.value
    return value if isinstance(value, Decimal) else None
