"""Everything this profile holds about one student, laid out for the guardian who asked to see
it (Law 91/2025/QH15: the data subject's right of access): the student, the guardians with
their phones and consent, the leave requests with their reasons and decisions, the post-audits,
the attendance marks, the grades and their changes, the conduct ratings, how many audit-log
entries concern them, and what the app keeps and why.

The content is ``subject_access.collect``'s, the same the JSON export writes; ``collect`` adds
the subjects' names, ``draw`` only draws (any thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.attendance import MarkSource, MarkStatus
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date, school_time
from desktop.domain.grading import GradeKind, Level, format_score_display, format_value_display
from desktop.domain.guardians import relation_label
from desktop.domain.leave import AuditOutcome, LeaveStatus, ReasonCategory
from desktop.i18n import _
from desktop.models import Subject
from desktop.reports.administrative import (
    BODY,
    WIDTH,
    Issuer,
    field,
    render_administrative,
    section,
)
from desktop.reports.fonts import SERIF_ITALIC
from desktop.reports.layout import Column, table, text
from desktop.services import subject_access
from desktop.services.attendance import session_label
from desktop.services.grade_report import YEAR_TERM
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope
from desktop.services.students import gender_label

SIZE = 10.5
"""The tables' text: a year's grades run to a few pages at this size."""


@dataclass(frozen=True)
class StudentRecord:
    held: dict[str, Any]
    """``subject_access.collect``'s."""
    subjects: dict[int, str]
    """Names by id, in the grade book's order."""
    issuer: Issuer
    year: str
    today: date


def collect(session: Session, scope: ClassScope, code: str) -> StudentRecord:
    held = subject_access.collect(session, scope, code)
    ordered = select(Subject).order_by(Subject.position, Subject.id)
    subjects = {s.id: s.name for s in session.scalars(ordered)}
    issuer = Issuer(scope.governing_body, scope.school_name, scope.province)
    return StudentRecord(held, subjects, issuer, scope.year_name, effective_today(session))


def render_student_record(session: Session, scope: ClassScope, code: str) -> bytes:
    return draw(collect(session, scope, code))


def _day(value: date | None) -> str:
    return format_date(value) if value is not None else "–"


def _moment(value: datetime | None) -> str:
    return format_date(school_time(value).date()) if value is not None else "–"


def _none(what: str) -> list[Any]:
    return [text(what, size=BODY, font=SERIF_ITALIC)]


def _student(record: StudentRecord) -> list[Any]:
    student = record.held["student"]
    return [
        *section(_("1. The student")),
        field(_("Full name:"), student["full_name"]),
        field(_("Student code:"), student["code"]),
        field(_("Date of birth:"), _day(student["date_of_birth"])),
        field(_("Gender:"), gender_label(student["gender"])),
        field(
            _("Class:"),
            _("{name}, school year {year}").format(name=record.held["class"], year=record.year),
        ),
    ]


def _guardians(held: dict[str, Any]) -> list[Any]:
    story = section(_("2. Guardians, phones and consent"))
    if not held["guardians"]:
        return story + _none(_("No guardian is recorded."))
    heads = [
        Column(_("Full name"), 38 * mm, align="LEFT"),
        Column(_("Relation"), 20 * mm),
        Column(_("Phone"), 26 * mm),
        Column(_("E-contact book since"), 26 * mm),
        Column(_("Consent recorded on"), 26 * mm),
        Column(_("Consent note"), WIDTH - 136 * mm, align="LEFT"),
    ]
    rows = [
        [
            g["full_name"],
            relation_label(g["relation"]),
            g["phone"],
            _day(g["econtact_registered_on"]),
            _day(g["consent_recorded_on"]),
            g["consent_note"],
        ]
        for g in held["guardians"]
    ]
    return [*story, table(heads, rows, size=SIZE)]


def _slot(day: date, value: str) -> str:
    return f"{session_label(SchoolSession(value))} {format_date(day)}"


def _requests(held: dict[str, Any]) -> list[Any]:
    story = section(_("3. Leave requests"))
    if not held["leave_requests"]:
        return story + _none(_("No leave request is recorded."))
    heads = [
        Column(_("No."), 10 * mm),
        Column(_("Sent on"), 20 * mm),
        Column(_("From – to"), 32 * mm),
        Column(_("Reason"), 42 * mm, align="LEFT"),
        Column(_("Outcome"), 21 * mm),
        Column(_("Decision note"), WIDTH - 125 * mm, align="LEFT"),
    ]
    rows = []
    for r in held["leave_requests"]:
        reason = ReasonCategory(r["reason_category"]).label
        if r["reason_text"]:
            reason = f"{reason}: {r['reason_text']}"
        first, last = (
            _slot(r["first_day"], r["first_session"]),
            _slot(r["last_day"], r["last_session"]),
        )
        period = f"{first} – {last}"
        rows.append(
            [
                str(r["id"]),
                _moment(r["submitted_at"]),
                period,
                reason,
                LeaveStatus(r["status"]).label,
                r["decision_note"],
            ]
        )
    story += [table(heads, rows, size=SIZE)]
    audits = held["post_audits"]
    if audits:
        heads = [
            Column(_("Request no."), 22 * mm),
            Column(_("Checked on"), 24 * mm),
            Column(_("Result"), 30 * mm),
            Column(_("Note"), WIDTH - 76 * mm, align="LEFT"),
        ]
        rows = [
            [
                str(a["request_id"]),
                _moment(a["recorded_at"]),
                AuditOutcome(a["outcome"]).label if a["outcome"] else _("not checked yet"),
                a["note"],
            ]
            for a in audits
        ]
        story += [*section(_("Post-audits"), size=SIZE + 1), table(heads, rows, size=SIZE)]
    return story


def _attendance(held: dict[str, Any]) -> list[Any]:
    story = section(_("4. Attendance marks"))
    marks = held["attendance_marks"]
    if not marks:
        return story + _none(_("No attendance mark is recorded."))
    heads = [
        Column(_("Date"), 26 * mm),
        Column(_("Session"), 26 * mm),
        Column(_("Mark"), 40 * mm),
        Column(_("Decided by"), WIDTH - 92 * mm),
    ]
    rows = [
        [
            format_date(m["day"]),
            session_label(SchoolSession(m["session"])),
            MarkStatus(m["status"]).label,
            MarkSource(m["source"]).label,
        ]
        for m in marks
    ]
    return [*story, table(heads, rows, size=SIZE)]


def _grade_value(entry: dict[str, Any]) -> str:
    score: Decimal | None = entry["score"]
    if score is not None:
        return format_score_display(score)
    return str(entry["comment"] or "–")


def _grades(record: StudentRecord) -> list[Any]:
    held = record.held
    story = section(_("5. Grades and conduct"))
    if held["grades"]:
        heads = [
            Column(_("Subject"), WIDTH - 100 * mm, align="LEFT"),
            Column(_("Semester"), 20 * mm),
            Column(_("Column"), 30 * mm),
            Column(_("Grade"), 20 * mm),
            Column(_("Entered on"), 30 * mm),
        ]
        place = {subject_id: index for index, subject_id in enumerate(record.subjects)}
        ordered = sorted(
            held["grades"],
            key=lambda g: (
                g["semester"],
                place.get(g["subject_id"], len(place)),
                GradeKind(g["kind"]).order,
                g["slot"],
            ),
        )
        rows = [
            [
                record.subjects.get(g["subject_id"], str(g["subject_id"])),
                str(g["semester"]),
                f"{GradeKind(g['kind']).label} {g['slot']}",
                _grade_value(g),
                _moment(g["entered_at"]),
            ]
            for g in ordered
        ]
        story += [table(heads, rows, size=SIZE)]
    else:
        story += _none(_("No grade is recorded."))
    if held["grade_changes"]:
        heads = [
            Column(_("Changed on"), 26 * mm),
            Column(_("Before"), 18 * mm),
            Column(_("After"), 18 * mm),
            Column(_("Reason"), WIDTH - 62 * mm, align="LEFT"),
        ]
        rows = [
            [
                _moment(c["changed_at"]),
                format_value_display(c["old_value"]) if c["old_value"] else "–",
                format_value_display(c["new_value"]) if c["new_value"] else "–",
                c["reason"],
            ]
            for c in held["grade_changes"]
        ]
        story += [*section(_("Changes to grades"), size=SIZE + 1), table(heads, rows, size=SIZE)]
    ratings = held["conduct_ratings"]
    if ratings:
        story += [
            Spacer(1, 4),
            *[field(_term(r["term"]), Level(r["level"]).label) for r in ratings],
        ]
    return story


def _term(term: int) -> str:
    if term == YEAR_TERM:
        return _("Conduct for the year:")
    return _("Conduct, semester {term}:").format(term=term)


def _keeping(held: dict[str, Any]) -> list[Any]:
    entries = len(held["audit_log"])
    reasons = [
        _(
            "Name, date of birth and gender, and the guardians with their phones: to know the "
            "student and reach the guardians; they come from the school's class list."
        ),
        _(
            "Leave requests with their reasons, the teacher's decisions and the school's "
            "post-audits: to decide the requests and count the sessions missed. The reasons "
            "and notes are removed once the school's retention period after the school year "
            "has passed."
        ),
        _(
            "Attendance marks, grades and conduct: the school's records of the year under "
            "Circular 22/2021/TT-BGDĐT; they stay with the school."
        ),
        _(
            "The log of decisions: who changed what and when, to show the record was not "
            "altered. It holds no reasons. Entries about this student: {count}."
        ).format(count=entries),
        _(
            "The data is kept on this computer and on the school's server. To correct it or "
            "to withdraw consent, ask the homeroom teacher."
        ),
    ]
    return [
        *section(_("6. What Homeroom keeps and why")),
        *[text(f"– {reason}", size=BODY, space_after=3) for reason in reasons],
    ]


def draw(record: StudentRecord) -> bytes:
    student = record.held["student"]
    story: list[Any] = [
        text(
            _(
                "At the request of the student's guardian, this is everything Homeroom holds "
                "about {name} on this computer on {day}."
            ).format(name=student["full_name"], day=format_date(record.today)),
            size=BODY,
        ),
        *_student(record),
        *_guardians(record.held),
        *_requests(record.held),
        *_attendance(record.held),
        *_grades(record),
        *_keeping(record.held),
    ]
    return render_administrative(
        record.issuer, record.today, _("Personal data held about a student"), story
    )
