"""The toolkit an intent's declaration uses to tell the teacher what became of it.

The sync stores what the server said about a refused or conflicting intent: its name and
arguments, the server's present rows it touched and the refusal's code (``desktop.sync.state``).
An intent's ``reading`` turns those ``Facts`` into a ``Told``: whom and what it was about, what
the teacher did and what happened on the server, in the language in force and in the school's
time zone. The server's stored ``message`` is a sentence in the server's language; it is used
only when nothing better can be said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date, format_moment
from desktop.domain.leave import LeaveStatus
from desktop.i18n import _, format_decimal
from desktop.models import LeaveRequest, Subject
from desktop.services.attendance import session_label
from desktop.sync.state import ConflictView

Row = dict[str, Any]

_MOMENT = re.compile(r"\b\d{2}:\d{2} \d{2}/\d{2}/\d{4}\b")
"""A moment as the server writes it in a refusal (``HH:MM dd/mm/yyyy``, school time)."""


@dataclass(frozen=True)
class Facts:
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
class Told:
    """What one intent kind says: about what, whom, what the teacher did, what happened."""

    student_id: int | None
    about: str
    mine: str
    theirs: str
    request_id: int | None = None
    can_redo: bool = False


def refused(facts: Facts) -> str:
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


def generic(facts: Facts) -> Told:
    """An intent this version does not know, or whose arguments it cannot read."""
    return Told(
        student_id=None,
        about="",
        mine=_("You made a change on this computer."),
        theirs=refused(facts),
    )


def moment_of(value: object) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return format_moment(moment) if moment.tzinfo is not None else ""


def subject_name(facts: Facts, code: str) -> str:
    name = facts.session.scalar(select(Subject.name).where(Subject.code == code.strip().upper()))
    return name or code


def grade_value(value: object) -> str:
    return format_decimal(str(value))


# --------------------------------------------------------------------------- leave requests


@dataclass(frozen=True)
class _Request:
    """A request as this computer now knows it (after the sync applied the server's state)."""

    id: int
    student_id: int | None
    status: LeaveStatus | None
    about: str


def _request(facts: Facts) -> _Request:
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


def leave_told(facts: Facts, mine: str, redo_when: LeaveStatus) -> Told:
    """A leave request's intent: what became of the request; it can be acted on again when it
    is back in ``redo_when``."""
    request = _request(facts)
    return Told(
        student_id=request.student_id,
        about=request.about,
        mine=mine,
        theirs=_leave_happened(facts, request),
        request_id=request.id,
        can_redo=request.status is redo_when,
    )


def _leave_happened(facts: Facts, request: _Request) -> str:
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
    return refused(facts)


def _already_decided(row: Row) -> str:
    status = _status_of(row)
    who = str(row.get("decided_by") or "") or _("someone else")
    at = moment_of(row.get("decided_at"))
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
