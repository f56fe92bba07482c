"""A leave request in the teacher's words, shared by the command line and the desktop."""

from __future__ import annotations

from desktop.domain.calendar import Session, format_date, format_moment
from desktop.domain.guardians import relation_label
from desktop.domain.leave import AuditStatus, Channel, ReasonCategory
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
