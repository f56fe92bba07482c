"""A change the server refused or that conflicted, in the teacher's words, built when shown.

The engine stores what it was told (``desktop.sync.engine``): the intent's name and arguments
(``mine``), the server's present rows it touched (``theirs``) and the refusal's code. From those
and the local database (the student, the request's period, the subject), this module says who and
what the change was about, what the teacher did and what happened on the server, in the language
in force and in the school's time zone. The server's stored ``message`` is a sentence in the
server's language; it is used only when nothing better can be said.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date, format_moment
from desktop.domain.grading import GradeKind, column_label
from desktop.domain.leave import AuditMethod, AuditOutcome, LeaveStatus
from desktop.i18n import _, format_decimal
from desktop.models import LeaveRequest, Student, Subject
from desktop.services.attendance import session_label
from desktop.sync import state
from desktop.sync.state import ConflictView

Row = dict[str, Any]

_MOMENT = re.compile(r"\b\d{2}:\d{2} \d{2}/\d{2}/\d{4}\b")
"""A moment as the server writes it in a refusal (``HH:MM dd/mm/yyyy``, school time)."""


class Choice(StrEnum):
    """What the teacher can do about a conflict."""

    DECIDE_AGAIN = "decide_again"
    """Open the request (or, later, the grade) and act on it again."""
    TAKE_THEIRS = "take_theirs"
    """Keep the server's value: already applied locally by the sync, so this acknowledges it."""
    DISMISS = "dismiss"


@dataclass(frozen=True)
class ConflictText:
    id: int
    intent_name: str
    code: str
    created_at: datetime
    when: str
    """When this computer learned of it, in school time."""
    student_id: int | None
    student_name: str
    """Empty when the change named no student."""
    about: str
    """The request or grade: "Leave request #12 (morning 12/03/2026 – afternoon 12/03/2026)"."""
    mine: str
    """What the teacher did."""
    theirs: str
    """What happened on the server."""
    request_id: int | None
    choices: tuple[Choice, ...]
    seen: bool


@dataclass(frozen=True)
class _Facts:
    """What one conflict's texts are built from."""

    session: Session
    conflict: ConflictView
    args: Row
    rows: tuple[Row, ...]

    @property
    def code(self) -> str:
        return self.conflict.code

    def server_row(self, *columns: str, **match: object) -> Row | None:
        """The server's row (from ``theirs``) that has ``columns`` and every ``match``: the rows
        come without their table's name, so a table is told by its columns."""
        for row in self.rows:
            if all(column in row for column in columns) and all(
                row.get(key) == value for key, value in match.items()
            ):
                return row
        return None


@dataclass(frozen=True)
class _Told:
    """What one intent kind says: about what, whom, what the teacher did, what happened."""

    student_id: int | None
    about: str
    mine: str
    theirs: str
    request_id: int | None = None
    can_redo: bool = False


def conflicts(session: Session, *, include_seen: bool = False) -> list[ConflictText]:
    """Every conflict and refusal, newest first; those already seen only if asked."""
    found = [
        describe(session, conflict)
        for conflict in state.status(session).conflicts
        if include_seen or not conflict.seen
    ]
    return sorted(found, key=lambda text: (text.created_at, text.id), reverse=True)


def describe(session: Session, conflict: ConflictView) -> ConflictText:
    """One conflict in the teacher's words (see the module docstring)."""
    facts = _Facts(session, conflict, _json_object(conflict.mine), _json_rows(conflict.theirs))
    builder = _BUILDERS.get(conflict.intent_name, _generic)
    try:
        told = builder(facts)
    except (KeyError, TypeError, ValueError):
        # Arguments of an older or newer app version: still shown, in general words.
        told = _generic(facts)
    student = session.get(Student, told.student_id) if told.student_id is not None else None
    choices = [Choice.DECIDE_AGAIN] if told.can_redo else []
    if _server_has_a_value(conflict.code):
        choices.append(Choice.TAKE_THEIRS)
    choices.append(Choice.DISMISS)
    return ConflictText(
        id=conflict.id,
        intent_name=conflict.intent_name,
        code=conflict.code,
        created_at=conflict.created_at,
        when=format_moment(conflict.created_at),
        student_id=told.student_id,
        student_name=student.full_name if student else "",
        about=told.about,
        mine=told.mine,
        theirs=told.theirs,
        request_id=told.request_id,
        choices=tuple(choices),
        seen=conflict.seen,
    )


def _server_has_a_value(code: str) -> bool:
    """Whether the record moved on (there is a server's value to take) rather than the data
    being refused outright."""
    return code in {
        "leave_cancelled",
        "leave_withdrawn",
        "already_decided",
        "stale_request",
        "stale_version",
        "illegal_transition",
        "grade_conflict",
    }


# --------------------------------------------------------------------------- leave requests


@dataclass(frozen=True)
class _Request:
    """A request as this computer now knows it (after the sync applied the server's state)."""

    id: int
    student_id: int | None
    status: LeaveStatus | None
    about: str


def _request(facts: _Facts) -> _Request:
    request_id = int(facts.args["request_id"])
    local = facts.session.get(LeaveRequest, request_id)
    if local is not None:
        period = _period(local.first_day, local.first_session, local.last_day, local.last_session)
        return _Request(
            request_id,
            local.student_id,
            LeaveStatus(local.status),
            _("Leave request #{id} ({period})").format(id=request_id, period=period),
        )
    row = facts.server_row("first_day", "status", id=request_id) or {}
    student_id = row.get("student_id")
    return _Request(
        request_id,
        student_id if isinstance(student_id, int) else None,
        None,
        _("Leave request #{id}").format(id=request_id),
    )


def _period(first_day: date, first_session: str, last_day: date, last_session: str) -> str:
    first = f"{session_label(SchoolSession(first_session))} {format_date(first_day)}"
    last = f"{session_label(SchoolSession(last_session))} {format_date(last_day)}"
    return first if first == last else f"{first} – {last}"


def _leave(facts: _Facts, mine: str, redo_when: LeaveStatus) -> _Told:
    request = _request(facts)
    return _Told(
        student_id=request.student_id,
        about=request.about,
        mine=mine,
        theirs=_leave_happened(facts, request),
        request_id=request.id,
        can_redo=request.status is redo_when,
    )


def _leave_happened(facts: _Facts, request: _Request) -> str:
    row = facts.server_row("first_day", "status", id=request.id) or {}
    moment = _MOMENT.search(facts.conflict.message)
    match facts.code:
        case "leave_cancelled":
            if moment:
                return _("The parent cancelled the request at {time}.").format(time=moment[0])
            return _("The parent cancelled the request before your change reached the server.")
        case "leave_withdrawn":
            if moment:
                return _("The parent withdrew the request at {time}.").format(time=moment[0])
            return _("The parent withdrew the request before your change reached the server.")
        case "already_decided":
            return _already_decided(row)
        case "stale_request" | "stale_version" | "illegal_transition":
            status = request.status or _status_of(row)
            if status is None:
                return _("The request changed on the server before your change arrived.")
            return _(
                "The request changed on the server before your change arrived; it is now: {state}."
            ).format(state=status.label)
        case "not_found":
            return _("The server no longer has this request.")
    return _refused(facts)


def _already_decided(row: Row) -> str:
    status = _status_of(row)
    who = str(row.get("decided_by") or "") or _("someone else")
    at = _moment_of(row.get("decided_at"))
    if status is LeaveStatus.APPROVED:
        text = (
            _("{who} had already approved the request at {time}.")
            if at
            else _("{who} had already approved the request.")
        )
    elif status is LeaveStatus.REJECTED:
        text = (
            _("{who} had already rejected the request at {time}.")
            if at
            else _("{who} had already rejected the request.")
        )
    else:
        return _("The request had already been decided on the server.")
    return text.format(who=who, time=at)


def _status_of(row: Row) -> LeaveStatus | None:
    try:
        return LeaveStatus(str(row.get("status")))
    except ValueError:
        return None


def _moment_of(value: object) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return format_moment(moment) if moment.tzinfo is not None else ""


def _decide_leave(facts: _Facts) -> _Told:
    if facts.args["approve"] is True:
        mine = _("You approved the request.")
    else:
        note = str(facts.args.get("note") or "").strip()
        mine = (
            _("You rejected the request: “{note}”.").format(note=note)
            if note
            else _("You rejected the request.")
        )
    return _leave(facts, mine, LeaveStatus.SUBMITTED)


def _receive_original(facts: _Facts) -> _Told:
    day = date.fromisoformat(str(facts.args["received_on"]))
    mine = _("You recorded the paper original as received on {day}.").format(day=format_date(day))
    return _leave(facts, mine, LeaveStatus.APPROVED)


def _record_signoff(facts: _Facts) -> _Told:
    day = date.fromisoformat(str(facts.args["on"]))
    mine = _("You recorded the principal's sign-off by {by} on {day}.").format(
        by=facts.args["by"], day=format_date(day)
    )
    return _leave(facts, mine, LeaveStatus.APPROVED)


def _select_for_audit(facts: _Facts) -> _Told:
    return _leave(facts, _("You selected the request for post-audit."), LeaveStatus.APPROVED)


def _record_audit(facts: _Facts) -> _Told:
    mine = _("You recorded its post-audit: {method}, {outcome}.").format(
        method=AuditMethod(facts.args["method"]).label.lower(),
        outcome=AuditOutcome(facts.args["outcome"]).label.lower(),
    )
    return _leave(facts, mine, LeaveStatus.APPROVED)


# --------------------------------------------------------------------------- attendance, grades


def _set_attendance(facts: _Facts) -> _Told:
    day = date.fromisoformat(str(facts.args["day"]))
    slot = f"{session_label(SchoolSession(facts.args['session']))} {format_date(day)}"
    observed = facts.args.get("observed")
    mine = (
        _("You recorded “{observation}” at roll call.").format(
            observation=Observation(observed).label
        )
        if observed
        else _("You cleared the roll call.")
    )
    return _Told(
        student_id=int(facts.args["student_id"]),
        about=_("Roll call, {slot}").format(slot=slot),
        mine=mine,
        theirs=_refused(facts),
    )


def _subject_name(facts: _Facts, code: str) -> str:
    name = facts.session.scalar(select(Subject.name).where(Subject.code == code.strip().upper()))
    return name or code


def _grade_value(value: object) -> str:
    return format_decimal(str(value))


def _set_grade(facts: _Facts) -> _Told:
    args = facts.args
    about = _("{subject}, column {column}, semester {semester}").format(
        subject=_subject_name(facts, str(args["subject_code"])),
        column=column_label(GradeKind(args["kind"]), int(args["slot"])),
        semester=args["semester"],
    )
    mine = _("You entered {value}.").format(value=_grade_value(args["value"]))
    theirs = _refused(facts)
    entry = facts.server_row(
        "subject_id",
        student_id=int(args["student_id"]),
        semester=args["semester"],
        kind=args["kind"],
        slot=args["slot"],
    )
    if facts.code == "grade_conflict" and entry is not None:
        value = entry.get("score") if entry.get("score") is not None else entry.get("comment")
        at = _moment_of(entry.get("updated_at"))
        author = str(entry.get("author") or "") or _("someone else")
        theirs = (
            _("{who} had entered {value} at {time}; the server kept it.")
            if at
            else _("{who} had entered {value}; the server kept it.")
        ).format(who=author, value=_grade_value(value), time=at)
    elif facts.code == "grade_conflict":
        theirs = _("The grade changed on the server before your change arrived.")
    elif facts.code == "not_owner":
        theirs = _("Only the subject's teacher can enter its grades; the server kept its value.")
    return _Told(student_id=int(args["student_id"]), about=about, mine=mine, theirs=theirs)


def _set_conduct(facts: _Facts) -> _Told:
    term = int(facts.args["term"])
    about = (
        _("Conduct, whole year")
        if term == 0
        else _("Conduct, semester {semester}").format(semester=term)
    )
    return _Told(
        student_id=int(facts.args["student_id"]),
        about=about,
        mine=_("You rated conduct “{level}”.").format(level=facts.args["level"]),
        theirs=_refused(facts),
    )


def _review_subject(facts: _Facts) -> _Told:
    about = _("{subject}, semester {semester}").format(
        subject=_subject_name(facts, str(facts.args["subject_code"])),
        semester=facts.args["semester"],
    )
    mine = (
        _("You sent the subject's grades back to its teacher.")
        if facts.args.get("send_back")
        else _("You approved the subject's grades.")
    )
    return _Told(student_id=None, about=about, mine=mine, theirs=_refused(facts))


def _check_grade_change(facts: _Facts) -> _Told:
    return _Told(
        student_id=None,
        about=_("Grade change #{id}").format(id=facts.args["change_id"]),
        mine=_("You checked a change of grade."),
        theirs=_refused(facts),
    )


def _generic(facts: _Facts) -> _Told:
    return _Told(
        student_id=None,
        about="",
        mine=_("You made a change on this computer."),
        theirs=_refused(facts),
    )


def _refused(facts: _Facts) -> str:
    """What the server said, by code; its own sentence only when the code says too little."""
    match facts.code:
        case "not_owner":
            return _("This belongs to another teacher; the server did not accept your change.")
        case "not_found":
            return _("The server no longer has this record.")
        case "stale_version" | "illegal_transition":
            return _("The record changed on the server before your change arrived.")
    if facts.conflict.message:
        return facts.conflict.message
    return _("The server did not accept this change.")


_BUILDERS: Mapping[str, Callable[[_Facts], _Told]] = {
    "decide_leave": _decide_leave,
    "receive_original": _receive_original,
    "record_signoff": _record_signoff,
    "select_for_audit": _select_for_audit,
    "record_audit": _record_audit,
    "set_attendance": _set_attendance,
    "set_grade": _set_grade,
    "set_conduct": _set_conduct,
    "review_subject": _review_subject,
    "check_grade_change": _check_grade_change,
}


def _json_object(text: str) -> Row:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _json_rows(text: str) -> tuple[Row, ...]:
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(row for row in value if isinstance(row, dict)) if isinstance(value, list) else ()
