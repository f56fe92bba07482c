"""A leave request in the teacher's words, shared by the command line and the desktop."""

from __future__ import annotations

from collections.abc import Callable

from desktop.domain.calendar import Session, format_date, format_moment
from desktop.domain.guardians import relation_label
from desktop.domain.leave import AuditStatus, Channel, LeaveFlag, LeaveStatus, ReasonCategory
from desktop.i18n import _
from desktop.services.attendance import session_label
from desktop.services.leave import LeaveRow


def period(row: LeaveRow) -> str:
    first = f"{session_label(Session(row.first_session))} {format_date(row.first_day)}"
    last = f"{session_label(Session(row.last_session))} {format_date(row.last_day)}"
    return f"{first} – {last}"


def flags(row: LeaveRow) -> str:
    found = []
    if row.special_case:
        found.append(_("special case"))
    if row.retroactive:
        found.append(_("retroactive"))
    if row.overlaps_with:
        found.append(_("overlaps"))
    return ", ".join(found)


def compact_period(row: LeaveRow) -> str:
    """The period for a narrow column: a session is named only where the leave starts in the
    afternoon or ends in the morning ("chiều 17/03 – 20/03/2026"); a whole day is its date."""
    first_part = row.first_day.strftime(
        "%d/%m" if row.first_day.year == row.last_day.year else "%d/%m/%Y"
    )
    if row.first_session == Session.AFTERNOON.value:
        first_part = f"{session_label(Session.AFTERNOON)} {first_part}"
    last_part = format_date(row.last_day)
    if row.last_session == Session.MORNING.value:
        last_part = f"{session_label(Session.MORNING)} {last_part}"
    if row.first_day == row.last_day:
        if row.first_session == row.last_session:
            return f"{session_label(Session(row.first_session))} {format_date(row.first_day)}"
        return format_date(row.first_day)
    return f"{first_part} – {last_part}"


def short_period(row: LeaveRow) -> str:
    """``12/03 – 13/03`` (one day: ``12/03``), to name a request inside a sentence."""
    first, last = row.first_day.strftime("%d/%m"), row.last_day.strftime("%d/%m")
    return first if first == last else f"{first} – {last}"


def flag_marks(row: LeaveRow) -> list[tuple[str, str]]:
    """``(short mark, full sentence)`` per flag, for a narrow column and its tooltip."""
    marks = []
    if row.special_case:
        marks.append((_("S"), LeaveFlag.SPECIAL_CASE.label))
    if row.retroactive:
        marks.append((_("R"), retroactive_text(row)))
    if row.overlaps_with:
        marks.append((_("O"), LeaveFlag.OVERLAP.label))
    return marks


def flag_texts(row: LeaveRow, find: Callable[[int], LeaveRow | None]) -> list[str]:
    """Each flag in full; an overlap names the other request (``find`` looks it up)."""
    texts = []
    if row.special_case:
        texts.append(LeaveFlag.SPECIAL_CASE.label)
    if row.retroactive:
        texts.append(retroactive_text(row))
    for other_id in row.overlaps_with:
        other = find(other_id)
        texts.append(overlap_text(other if other is not None else other_id))
    return texts


def retroactive_text(row: LeaveRow) -> str:
    days = row.retroactive_school_days
    if days == 0:
        # Sent during the first day of the leave: "0 school days late" read as not late at all.
        return _("Submitted on the first day of the absence, after it had begun")
    if days == 1:
        return _("Submitted after the absence began (1 school day late)")
    return _("Submitted after the absence began ({days} school days late)").format(days=days)


def overlap_text(other: LeaveRow | int) -> str:
    """ "Overlaps request #107 (12/03 – 13/03)"; the period only when the other row is known."""
    if isinstance(other, int):
        return _("Overlaps request #{id}").format(id=other)
    return _("Overlaps request #{id} ({period})").format(id=other.id, period=short_period(other))


def _signoff(row: LeaveRow) -> str:
    if not row.principal_signoff_by:
        return ""
    day = format_date(row.principal_signoff_on) if row.principal_signoff_on else ""
    return f"{row.principal_signoff_by} {day}".strip()


def details(row: LeaveRow) -> list[tuple[str, str]]:
    """``(label, value)`` lines of everything the teacher weighs; empty values left out; the
    post-audit state last, as a sentence with an empty label."""
    lines = [
        (_("Request"), f"#{row.id} (v{row.version})"),
        (_("Student"), f"{row.student_name} ({row.student_code})"),
        (_("Guardian"), f"{row.guardian_name} ({relation_label(row.guardian_relation)})"),
        (_("Submitted at"), format_moment(row.submitted_at)),
        (_("Leave"), period(row)),
        (_("Sessions"), str(row.sessions)),
        (_("Reason"), f"{ReasonCategory(row.reason_category).label}: {row.reason_text}"),
        (_("Procedure level"), Channel(row.channel).label),
        (_("State"), row.state_label),
        (_("Flags"), flags(row)),
        (_("Principal's sign-off"), _signoff(row)),
        (_("Decision note"), row.decision_note),
        (_("Decided by"), row.decided_by),
        (_("Decided at"), format_moment(row.decided_at) if row.decided_at else ""),
        (
            _("Paper original received"),
            format_date(row.original_received_on) if row.original_received_on else "",
        ),
    ]
    return [(label, value) for label, value in lines if value] + [
        ("", AuditStatus(row.audit_status).label)
    ]


def bulk_skip_reason(row: LeaveRow) -> str | None:
    """Why approving several at once leaves ``row`` to be decided on its own (``None``: it is
    a plain pending request)."""
    if row.status != LeaveStatus.SUBMITTED.value:
        return _("request #{id} is no longer awaiting a decision").format(id=row.id)
    if row.special_case and not row.principal_signoff_on:
        return _("request #{id} needs the principal's sign-off").format(id=row.id)
    if row.special_case:
        return _("request #{id} is a special case").format(id=row.id)
    if row.overlaps_with:
        return _("request #{id} overlaps another request").format(id=row.id)
    if row.retroactive:
        return _("request #{id} was submitted after the absence began").format(id=row.id)
    return None
