"""The overview, the window's start screen: what needs the teacher today, in one read.

Each line counts one kind of thing (pending requests, students at an absence warning, grades
past their deadline, changes the server refused...), names the first few and links to the
screen that deals with them, already filtered. It only gathers what the leave, attendance,
grade and sync services already compute (one pass per kind), and keeps the inputs of its
texts rather than the texts, so ``Line.title()`` and ``Line.detail()`` follow the language in
force when they are shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from sqlalchemy.orm import Session

from desktop.domain.calendar import format_date, format_moment, school_time
from desktop.domain.leave import AuditStatus, LeaveStatus, OriginalState
from desktop.i18n import N_, _, format_decimal
from desktop.services import attendance, grade_report, leave
from desktop.services.leave import LeaveRow
from desktop.services.scope import ClassScope
from desktop.sync import state

FIRST_ITEMS = 3
"""How many items a line names before "and N more"."""
_IDENTITY = ("code", "semester", "threshold")

# Screen keys, as desktop.ui.navigation names them (this layer imports no Qt; a test checks
# they agree). The grade lines are about completeness: they open the homeroom teacher's review.
LEAVE = "leave"
POST_AUDIT = "post_audit"
CONFLICTS = "conflicts"
ATTENDANCE = "attendance"
GRADE_REVIEW = "grade_review"


class Severity(StrEnum):
    """How much a line asks for attention; the window gives each a colour."""

    CALM = "calm"
    """Nothing to do (a zero count)."""
    INFO = "info"
    """Ordinary work waiting."""
    NOTICE = "notice"
    """Worth a look soon (amber)."""
    WARNING = "warning"
    """Overdue or refused (orange)."""
    ALERT = "alert"
    """At the limit (red)."""


class SectionKind(StrEnum):
    LEAVE = "leave"
    ATTENDANCE = "attendance"
    GRADES = "grades"
    SYNC = "sync"

    @property
    def label(self) -> str:
        return _(_SECTION_TITLES[self])


class LineKind(StrEnum):
    PENDING = "pending"
    SPECIAL_CASES = "special_cases"
    ORIGINALS_OVERDUE = "originals_overdue"
    POST_AUDITS = "post_audits"
    ABSENCES = "absences"
    NO_ABSENCE_LIMIT = "no_absence_limit"
    GRADES_MISSING = "grades_missing"
    GRADES_OVERDUE = "grades_overdue"
    GRADES_LATE = "grades_late"
    ACCOUNT = "account"
    WAITING = "waiting"
    SYNC_ERROR = "sync_error"
    CONFLICTS = "conflicts"


@dataclass(frozen=True)
class Link:
    """A screen key and the filters it opens with, as plain data: ``Link("leave",
    {"status": "submitted"})``; the window turns it into a ``navigation.Target``."""

    screen: str
    filters: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def to(cls, screen: str, **filters: object) -> Link:
        return cls(screen, MappingProxyType(dict(filters)))


@dataclass(frozen=True)
class Item:
    """One thing a line names: a request's or a student's name with its number (days waiting,
    sessions, absences), or a refused change (``name`` is then the intent's untranslated label,
    translated when shown)."""

    name: str
    number: int = 0
    ref: int | None = None
    """The request's (or the student's) id."""
    flagged: bool = False
    """Over the absence limit."""


@dataclass(frozen=True)
class Line:
    kind: LineKind
    count: int | None
    """``None`` for a line that states something rather than counts (the sync account)."""
    severity: Severity
    link: Link | None
    """``None``: nothing to open (a zero count, or a statement)."""
    items: tuple[Item, ...] = ()
    """The first few of what is counted."""
    more: int = 0
    """How many were left out of ``items``."""
    args: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """The rest of the text's inputs: a threshold, a subject, a server address..."""

    @property
    def key(self) -> tuple[str, ...]:
        """What the line is about (its kind, and the subject or the threshold it is for),
        the same across recomputations whatever the counts: the selection stays on it."""
        return (self.kind.value, *(str(self.args.get(name, "")) for name in _IDENTITY))

    def title(self) -> str:
        """The line in the teacher's words, without its count."""
        return _title(self)

    def detail(self) -> str:
        """The first few items, or a statement that completes the title; may be empty."""
        return _detail(self)


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    lines: tuple[Line, ...]

    @property
    def title(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class Overview:
    class_name: str
    today: date
    sections: tuple[Section, ...]

    def section(self, kind: SectionKind) -> Section:
        return next(s for s in self.sections if s.kind is kind)

    def lines(self, kind: LineKind) -> list[Line]:
        return [line for s in self.sections for line in s.lines if line.kind is kind]


def overview(session: Session, scope: ClassScope, *, today: date) -> Overview:
    """Everything the start screen shows, as of ``today`` (the profile's effective today)."""
    requests = leave.list_requests(session, scope, today=today)
    return Overview(
        class_name=scope.class_name,
        today=today,
        sections=(
            Section(SectionKind.LEAVE, _leave_lines(requests, scope, today)),
            Section(SectionKind.ATTENDANCE, _attendance_lines(session, scope)),
            Section(SectionKind.GRADES, _grade_lines(session, scope, today)),
            Section(SectionKind.SYNC, _sync_lines(session)),
        ),
    )


# --- Building the lines ---------------------------------------------------------------------


def _first(items: Sequence[Item]) -> tuple[tuple[Item, ...], int]:
    return tuple(items[:FIRST_ITEMS]), max(0, len(items) - FIRST_ITEMS)


def _counted(
    kind: LineKind,
    items: Sequence[Item],
    severity: Severity,
    link: Link,
    **args: object,
) -> Line:
    """A line counting ``items``: calm and without a link when there are none."""
    shown, more = _first(items)
    return Line(
        kind=kind,
        count=len(items),
        severity=severity if items else Severity.CALM,
        link=link if items else None,
        items=shown,
        more=more,
        args=MappingProxyType(args),
    )


def _leave_link(status: str, rows: Sequence[LeaveRow], *, select_first: bool = False) -> Link:
    """The leave list in ``status``, with the first request selected when there is only one
    or when the list cannot be narrowed further (special cases, overdue originals)."""
    if rows and (select_first or len(rows) == 1):
        return Link.to(LEAVE, status=status, request_id=rows[0].id)
    return Link.to(LEAVE, status=status)


def _leave_lines(rows: list[LeaveRow], scope: ClassScope, today: date) -> tuple[Line, ...]:
    submitted = LeaveStatus.SUBMITTED.value
    pending = sorted(
        (r for r in rows if r.status == submitted), key=lambda r: (r.submitted_at, r.id)
    )
    awaiting_principal = [r for r in pending if r.special_case and r.principal_signoff_on is None]
    overdue = sorted(
        (r for r in rows if r.original == OriginalState.OVERDUE.value),
        key=lambda r: (r.last_day, r.id),
    )
    audits = [r for r in rows if r.audit_status == AuditStatus.SELECTED.value]
    limit = scope.policy.original_overdue_school_days

    def waited(row: LeaveRow) -> int:
        return max(0, (today - school_time(row.submitted_at).date()).days)

    def late_by(row: LeaveRow) -> int:
        return scope.calendar.school_days_after(row.last_day, today) - limit

    approved = LeaveStatus.APPROVED.value
    return (
        _counted(
            LineKind.PENDING,
            [Item(r.student_name, waited(r), r.id) for r in pending],
            Severity.INFO,
            _leave_link(submitted, pending),
        ),
        _counted(
            LineKind.SPECIAL_CASES,
            [Item(r.student_name, r.sessions, r.id) for r in awaiting_principal],
            Severity.NOTICE,
            _leave_link(submitted, awaiting_principal, select_first=True),
        ),
        _counted(
            LineKind.ORIGINALS_OVERDUE,
            [Item(r.student_name, late_by(r), r.id) for r in overdue],
            Severity.WARNING,
            _leave_link(approved, overdue, select_first=True),
            days=limit,
        ),
        _counted(
            LineKind.POST_AUDITS,
            [Item(r.student_name, 0, r.id) for r in audits],
            Severity.INFO,
            Link.to(POST_AUDIT),
        ),
    )


def _attendance_lines(session: Session, scope: ClassScope) -> tuple[Line, ...]:
    policy = scope.policy
    if not policy.has_absence_limit:
        return (Line(LineKind.NO_ABSENCE_LIMIT, None, Severity.CALM, None),)
    students = attendance.summary(session, scope)
    thresholds = sorted(policy.absence_warnings, reverse=True)
    severities = [Severity.ALERT, Severity.WARNING]
    lines = []
    for rank, threshold in enumerate(thresholds):
        reached = sorted(
            (s for s in students if s.warning == threshold),
            key=lambda s: -s.total_absences,
        )
        items = [
            Item(s.student_name, s.total_absences, s.student_id, flagged=s.over_limit)
            for s in reached
        ]
        link = (
            Link.to(ATTENDANCE, student_id=reached[0].student_id)
            if len(reached) == 1
            else Link.to(ATTENDANCE, warning=threshold)
        )
        upper = thresholds[rank - 1] - 1 if rank > 0 else None
        lines.append(
            _counted(
                LineKind.ABSENCES,
                items,
                severities[rank] if rank < len(severities) else Severity.NOTICE,
                link,
                threshold=threshold,
                upper=upper,
            )
        )
    return tuple(lines)


def _grade_lines(session: Session, scope: ClassScope, today: date) -> tuple[Line, ...]:
    result = grade_report.completeness(session, scope, today=today)
    missing = result.expected - result.entered
    lines = [
        Line(
            LineKind.GRADES_MISSING,
            missing,
            Severity.INFO if missing else Severity.CALM,
            Link.to(GRADE_REVIEW),
            args=MappingProxyType(
                {
                    "entered": result.entered,
                    "expected": result.expected,
                    "percent": str(result.percent),
                    "overdue": sum(row.overdue for row in result.subjects),
                }
            ),
        )
    ]
    for kind, severity, field_name in (
        (LineKind.GRADES_OVERDUE, Severity.WARNING, "overdue"),
        (LineKind.GRADES_LATE, Severity.NOTICE, "late"),
    ):
        for row in result.subjects:
            count: int = getattr(row, field_name)
            if count:
                lines.append(
                    Line(
                        kind,
                        count,
                        severity,
                        Link.to(GRADE_REVIEW, subject=row.subject_code, semester=row.semester),
                        args=MappingProxyType(
                            {
                                "subject": row.subject_name,
                                "code": row.subject_code,
                                "semester": row.semester,
                            }
                        ),
                    )
                )
    return tuple(lines)


def _sync_lines(session: Session) -> tuple[Line, ...]:
    status = state.status(session)
    account = state.signed_in(session)
    lines = [
        Line(
            LineKind.ACCOUNT,
            None,
            Severity.CALM if account else Severity.NOTICE,
            None,
            args=MappingProxyType(
                {"user": account.username, "server": account.server_url} if account else {}
            ),
        ),
        Line(
            LineKind.WAITING,
            status.pending_intents,
            Severity.INFO if status.pending_intents else Severity.CALM,
            None,
            args=MappingProxyType({"last_success": status.last_success or ""}),
        ),
    ]
    if status.last_error:
        lines.append(
            Line(
                LineKind.SYNC_ERROR,
                None,
                Severity.WARNING,
                None,
                args=MappingProxyType({"message": status.last_error}),
            )
        )
    unseen = [c for c in status.conflicts if not c.seen]
    lines.append(
        _counted(
            LineKind.CONFLICTS,
            _conflict_items(unseen),
            Severity.WARNING,
            Link.to(CONFLICTS),
        )
    )
    return tuple(lines)


def _conflict_items(unseen: Sequence[state.ConflictView]) -> list[Item]:
    if not unseen:
        return []
    # Only when there is a refused change to name: the declarations bring pydantic and every
    # use case, which the start screen's first read (and the memory it peaks at) does without.
    from desktop.services.intents import label_of

    return [Item(label_of(c.intent_name), 0, _request_of(c.mine)) for c in unseen]


def _request_of(mine: str) -> int | None:
    """The leave request a refused change was about, if it names one."""
    try:
        args = json.loads(mine)
    except ValueError:
        return None
    value = args.get("request_id") if isinstance(args, dict) else None
    return value if isinstance(value, int) else None


# --- The texts, built when shown ------------------------------------------------------------

_SECTION_TITLES = {
    SectionKind.LEAVE: N_("Leave requests"),
    SectionKind.ATTENDANCE: N_("Attendance"),
    SectionKind.GRADES: N_("Grades"),
    SectionKind.SYNC: N_("Sync with the school's server"),
}
_TITLES = {
    LineKind.PENDING: N_("Requests awaiting your decision"),
    LineKind.SPECIAL_CASES: N_("Special cases awaiting the principal's sign-off"),
    LineKind.ORIGINALS_OVERDUE: N_("Paper originals overdue"),
    LineKind.POST_AUDITS: N_("Post-audits to carry out"),
    LineKind.NO_ABSENCE_LIMIT: N_("No limit on absences at this school level"),
    LineKind.GRADES_MISSING: N_("Grades not entered yet"),
    LineKind.GRADES_OVERDUE: N_("{subject}, semester {semester}"),
    LineKind.GRADES_LATE: N_("{subject}, semester {semester}"),
    LineKind.WAITING: N_("Changes waiting to be sent"),
    LineKind.SYNC_ERROR: N_("The last sync did not succeed"),
    LineKind.CONFLICTS: N_("Changes the server refused or that conflicted"),
}


def _title(line: Line) -> str:
    args = line.args
    if line.kind is LineKind.ACCOUNT:
        if not args:
            return _("Not signed in to the school's server")
        return _("Signed in as {user}").format(user=args["user"])
    if line.kind is LineKind.ABSENCES:
        if args["upper"] is None:
            return _("Absent {threshold} sessions or more").format(threshold=args["threshold"])
        return _("Absent {low} to {high} sessions").format(
            low=args["threshold"], high=args["upper"]
        )
    return _(_TITLES[line.kind]).format(**args)


def _detail(line: Line) -> str:
    args = line.args
    if line.kind is LineKind.ACCOUNT:
        if not args:
            return _("Everything you do is kept on this computer until you sign in.")
        return str(args["server"])
    if line.kind is LineKind.WAITING:
        last = str(args["last_success"])
        if not last:
            return _("Never synced yet.")
        return _("Last sync: {when}").format(when=format_moment(datetime.fromisoformat(last)))
    if line.kind is LineKind.SYNC_ERROR:
        return str(args["message"])
    if line.kind is LineKind.GRADES_MISSING:
        done = _("Entered {entered} of {expected} ({percent} %).").format(
            entered=args["entered"],
            expected=args["expected"],
            percent=format_decimal(str(args["percent"])),
        )
        if not args["overdue"]:
            return done + " " + _("None is past its deadline.")
        return done
    if line.kind is LineKind.GRADES_OVERDUE:
        return _("grades past their deadline, not entered")
    if line.kind is LineKind.GRADES_LATE:
        return _("grades entered after their deadline")
    if line.kind is LineKind.ORIGINALS_OVERDUE and not line.items:
        return _("Due {days} school days after the leave ends.").format(days=args["days"])
    parts = [_item_text(line.kind, item) for item in line.items]
    if line.more:
        parts.append(_more(line.kind, line.more))
    return " · ".join(parts)


def _more(kind: LineKind, count: int) -> str:
    if kind is LineKind.ABSENCES:
        one, many = N_("and one more student"), N_("and {count} more students")
    elif kind is LineKind.CONFLICTS:
        one, many = N_("and one more change"), N_("and {count} more changes")
    else:
        one, many = N_("and one more request"), N_("and {count} more requests")
    return _(one) if count == 1 else _(many).format(count=count)


def _item_text(kind: LineKind, item: Item) -> str:
    if kind is LineKind.PENDING:
        if item.number == 0:
            return _("{name} (submitted today)").format(name=item.name)
        if item.number == 1:
            return _("{name} (waiting 1 day)").format(name=item.name)
        return _("{name} (waiting {days} days)").format(name=item.name, days=item.number)
    if kind is LineKind.SPECIAL_CASES:
        return _("{name} ({sessions} sessions)").format(name=item.name, sessions=item.number)
    if kind is LineKind.ORIGINALS_OVERDUE:
        return _("{name} (request #{id}, {days} school days late)").format(
            name=item.name, id=item.ref, days=item.number
        )
    if kind is LineKind.POST_AUDITS:
        return _("{name} (request #{id})").format(name=item.name, id=item.ref)
    if kind is LineKind.ABSENCES:
        text = _("{name}: {count} sessions").format(name=item.name, count=item.number)
        return text + (" " + _("(over the limit)") if item.flagged else "")
    if kind is LineKind.CONFLICTS:
        return _(item.name).format(id=item.ref or "")
    return item.name


def today_text(value: date) -> str:
    """The overview's date line."""
    return _("Today: {day}").format(day=format_date(value))
