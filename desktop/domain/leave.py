"""The leave request (*đơn xin nghỉ học*) state machine and its checks (domain.md §2).

Every action is a pure function of the request's facts: it returns the new status (or audit
status) when the action is allowed and raises a typed, translated error naming the request and its
state when it is not. The services apply the result and write the outbox row; the server, the
referee, runs the same functions.

Life cycle::

    submitted ──approve──▶ approved ──cancel──▶ withdrawn
        │  └──reject──▶ rejected          │
        └──cancel──▶ cancelled            ├──receive_original (level 3 or special case)
                                          └──select_for_audit──▶ selected ──record_audit──▶
                                                                 confirmed | discrepancy

Decisions documented here (domain.md leaves them open):

- A special case needs the principal's sign-off *before* approval, and always needs the paper
  original afterwards, whatever channel the parent used.
- An audit may be recorded on an approved request that was never selected: a principal's spot check
  is a selection and an audit at once. A request is audited once; a second result would rewrite
  evidence, so it is refused.
- A parent may withdraw an approved request at any time, audited or not; the covered sessions then
  fall back to what roll call recorded (see ``desktop.domain.attendance``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum

from desktop.domain.calendar import SchoolCalendar, Session, Slot, format_date
from desktop.domain.policy import SchoolPolicy
from desktop.errors import IllegalTransition, InvalidDate, InvalidInput, StaleVersion
from desktop.i18n import N_, _

MORNING_START = time(7, 0)
AFTERNOON_START = time(13, 0)
"""When the first session of a leave begins: a request submitted at or after this time on the
first day arrived after the absence began, so it is retroactive."""


class LeaveStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    """Cancelled by the parent before a decision."""
    WITHDRAWN = "withdrawn"
    """Cancelled by the parent after approval: the absences are no longer excused."""

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self])


class Channel(IntEnum):
    """The online public-service level; Decree 42/2022 renamed the levels."""

    LEVEL_3 = 3
    """*Một phần* (partial): the paper original follows when the student returns."""
    LEVEL_4 = 4
    """*Toàn trình* (full): entirely online, no paper."""

    @property
    def label(self) -> str:
        """The current term with the legacy one beside it: "một phần (mức độ 3)"."""
        return _(N_("partial (level 3)") if self is Channel.LEVEL_3 else N_("full (level 4)"))


class ReasonCategory(StrEnum):
    ILLNESS = "illness"
    FAMILY = "family"
    BEREAVEMENT = "bereavement"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(_REASON_LABELS[self])


class AuditStatus(StrEnum):
    NONE = "none"
    SELECTED = "selected"
    CONFIRMED = "confirmed"
    DISCREPANCY = "discrepancy"

    @property
    def label(self) -> str:
        return _(_AUDIT_STATUS_LABELS[self])


class AuditMethod(StrEnum):
    PHONE = "phone"
    MEETING = "meeting"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return _(_AUDIT_METHOD_LABELS[self])


class AuditOutcome(StrEnum):
    CONFIRMED = "confirmed"
    DISCREPANCY = "discrepancy"

    @property
    def label(self) -> str:
        return _(_AUDIT_OUTCOME_LABELS[self])


class OriginalState(StrEnum):
    """Where the paper original of a request stands."""

    NOT_REQUIRED = "not_required"
    AWAITING = "awaiting"
    OVERDUE = "overdue"
    RECEIVED = "received"

    @property
    def label(self) -> str:
        return _(_ORIGINAL_LABELS[self])


class LeaveFlag(StrEnum):
    """What the teacher should notice before deciding."""

    SPECIAL_CASE = "special_case"
    RETROACTIVE = "retroactive"
    LATE_RETROACTIVE = "late_retroactive"
    OVERLAP = "overlap"

    @property
    def label(self) -> str:
        return _(_FLAG_LABELS[self])


_STATUS_LABELS = {
    LeaveStatus.SUBMITTED: N_("Awaiting decision"),
    LeaveStatus.APPROVED: N_("Approved"),
    LeaveStatus.REJECTED: N_("Rejected"),
    LeaveStatus.CANCELLED: N_("Cancelled by the parent"),
    LeaveStatus.WITHDRAWN: N_("Withdrawn by the parent after approval"),
}
_REASON_LABELS = {
    ReasonCategory.ILLNESS: N_("Illness"),
    ReasonCategory.FAMILY: N_("Family matter"),
    ReasonCategory.BEREAVEMENT: N_("Bereavement"),
    ReasonCategory.OTHER: N_("Other reason"),
}
_AUDIT_STATUS_LABELS = {
    AuditStatus.NONE: N_("Not selected for post-audit"),
    AuditStatus.SELECTED: N_("Selected for post-audit"),
    AuditStatus.CONFIRMED: N_("Post-audit confirmed"),
    AuditStatus.DISCREPANCY: N_("Post-audit found a discrepancy"),
}
_AUDIT_METHOD_LABELS = {
    AuditMethod.PHONE: N_("Phone call"),
    AuditMethod.MEETING: N_("Meeting in person"),
    AuditMethod.DOCUMENT: N_("Supporting document"),
}
_AUDIT_OUTCOME_LABELS = {
    AuditOutcome.CONFIRMED: N_("Confirmed (as stated)"),
    AuditOutcome.DISCREPANCY: N_("Discrepancy found"),
}
_ORIGINAL_LABELS = {
    OriginalState.NOT_REQUIRED: N_("No paper original needed"),
    OriginalState.AWAITING: N_("Awaiting the paper original"),
    OriginalState.OVERDUE: N_("Paper original overdue"),
    OriginalState.RECEIVED: N_("Paper original received"),
}
_FLAG_LABELS = {
    LeaveFlag.SPECIAL_CASE: N_("Special case"),
    LeaveFlag.RETROACTIVE: N_("Submitted after the absence began"),
    LeaveFlag.LATE_RETROACTIVE: N_("Submitted late: always post-audited"),
    LeaveFlag.OVERLAP: N_("Overlaps another request"),
}
# How an error sentence names the state a request is in ("Request #12 is already rejected; ...").
_STATE_PHRASES = {
    LeaveStatus.SUBMITTED: N_("is still awaiting a decision"),
    LeaveStatus.APPROVED: N_("is already approved"),
    LeaveStatus.REJECTED: N_("is already rejected"),
    LeaveStatus.CANCELLED: N_("was cancelled by the parent"),
    LeaveStatus.WITHDRAWN: N_("was withdrawn by the parent"),
}
_SESSION_LABELS = {Session.MORNING: N_("morning"), Session.AFTERNOON: N_("afternoon")}


@dataclass(frozen=True)
class LeaveFacts:
    """What the rules need to know about one request; ``special_case`` comes from
    :func:`is_special_case` on the request's session count."""

    request_id: int
    student_id: int
    status: LeaveStatus
    channel: Channel
    first: Slot
    last: Slot
    submitted_at: datetime
    version: int
    principal_signoff: bool = False
    original_received_on: date | None = None
    audit_status: AuditStatus = AuditStatus.NONE
    special_case: bool = False


# --- Transitions ----------------------------------------------------------------------------


def approve(facts: LeaveFacts, *, base_version: int) -> LeaveStatus:
    """The teacher approves a pending request, decided on ``base_version`` of it."""
    _require_status(facts, {LeaveStatus.SUBMITTED}, N_("it cannot be approved"))
    _require_version(facts, base_version)
    if facts.special_case and not facts.principal_signoff:
        raise IllegalTransition(
            _(
                "Request #{id} is a special case: the principal must sign it off "
                "before it can be approved."
            ).format(id=facts.request_id)
        )
    return LeaveStatus.APPROVED


def reject(facts: LeaveFacts, *, reason: str, base_version: int) -> LeaveStatus:
    """The teacher rejects a pending request; the parent will read ``reason``."""
    _require_status(facts, {LeaveStatus.SUBMITTED}, N_("it cannot be rejected"))
    _require_version(facts, base_version)
    if not reason.strip():
        raise InvalidInput(
            _("Request #{id}: a rejection needs a reason for the parent.").format(
                id=facts.request_id
            )
        )
    return LeaveStatus.REJECTED


def cancel(facts: LeaveFacts) -> LeaveStatus:
    """The parent cancels: a pending request is cancelled, an approved one withdrawn."""
    _require_status(
        facts, {LeaveStatus.SUBMITTED, LeaveStatus.APPROVED}, N_("it cannot be cancelled")
    )
    return LeaveStatus.CANCELLED if facts.status is LeaveStatus.SUBMITTED else LeaveStatus.WITHDRAWN


def sign_off(facts: LeaveFacts) -> None:
    """The principal signs off a pending special case, which the teacher may then approve."""
    _require_status(facts, {LeaveStatus.SUBMITTED}, N_("the principal can no longer sign it off"))
    if not facts.special_case:
        raise IllegalTransition(
            _("Request #{id} is not a special case; it needs no sign-off by the principal.").format(
                id=facts.request_id
            )
        )
    if facts.principal_signoff:
        raise IllegalTransition(
            _("Request #{id} is already signed off by the principal.").format(id=facts.request_id)
        )


def receive_original(facts: LeaveFacts, received_on: date, calendar: SchoolCalendar) -> None:
    """The teacher records the day the paper original arrived (a day of the school year, not
    before the request was submitted)."""
    _require_status(facts, {LeaveStatus.APPROVED}, N_("its paper original cannot be recorded"))
    if not requires_original(facts.channel, facts.special_case):
        raise IllegalTransition(
            _("Request #{id} is fully online (level 4); it has no paper original.").format(
                id=facts.request_id
            )
        )
    if facts.original_received_on is not None:
        raise IllegalTransition(
            _("The paper original of request #{id} was already received on {day}.").format(
                id=facts.request_id, day=format_date(facts.original_received_on)
            )
        )
    submitted_on = facts.submitted_at.date()
    if received_on < submitted_on:
        raise InvalidDate(
            _(
                "The paper original cannot have arrived ({received}) before request #{id} "
                "was submitted ({submitted})."
            ).format(
                received=format_date(received_on),
                id=facts.request_id,
                submitted=format_date(submitted_on),
            )
        )
    calendar.require_in_year(received_on)


def select_for_audit(facts: LeaveFacts) -> AuditStatus:
    """The school picks an approved request for post-audit."""
    _require_status(facts, {LeaveStatus.APPROVED}, N_("it cannot be selected for post-audit"))
    if facts.audit_status is AuditStatus.SELECTED:
        raise IllegalTransition(
            _("Request #{id} is already selected for post-audit.").format(id=facts.request_id)
        )
    _require_not_audited(facts)
    return AuditStatus.SELECTED


def record_audit(facts: LeaveFacts, outcome: AuditOutcome) -> AuditStatus:
    """The auditor records the outcome; selection first is not required (a spot check)."""
    _require_status(facts, {LeaveStatus.APPROVED}, N_("no post-audit result can be recorded"))
    _require_not_audited(facts)
    if outcome is AuditOutcome.CONFIRMED:
        return AuditStatus.CONFIRMED
    return AuditStatus.DISCREPANCY


def _require_status(facts: LeaveFacts, allowed: set[LeaveStatus], consequence: str) -> None:
    if facts.status not in allowed:
        raise IllegalTransition(
            _("Request #{id} {state}; {consequence}.").format(
                id=facts.request_id,
                state=_(_STATE_PHRASES[facts.status]),
                consequence=_(consequence),
            )
        )


def _require_version(facts: LeaveFacts, base_version: int) -> None:
    if base_version != facts.version:
        raise StaleVersion(
            _(
                "Request #{id} has changed since you opened it (version {base}, now {current}); "
                "review it again before deciding."
            ).format(id=facts.request_id, base=base_version, current=facts.version)
        )


def _require_not_audited(facts: LeaveFacts) -> None:
    if facts.audit_status in (AuditStatus.CONFIRMED, AuditStatus.DISCREPANCY):
        raise IllegalTransition(
            _("Request #{id} already has a post-audit result: {outcome}.").format(
                id=facts.request_id, outcome=AuditOutcome(facts.audit_status.value).label
            )
        )


# --- The paper original ---------------------------------------------------------------------


def requires_original(channel: Channel, special_case: bool) -> bool:
    """Level-3 requests and every special case need the paper original."""
    return channel is Channel.LEVEL_3 or special_case


def original_state(
    facts: LeaveFacts, today: date, calendar: SchoolCalendar, policy: SchoolPolicy
) -> OriginalState:
    """Received once recorded; awaited only while the request is approved; overdue when
    ``today`` is more than ``policy.original_overdue_school_days`` school days after the last
    day of the leave."""
    if facts.original_received_on is not None:
        return OriginalState.RECEIVED
    if facts.status is not LeaveStatus.APPROVED or not requires_original(
        facts.channel, facts.special_case
    ):
        return OriginalState.NOT_REQUIRED
    late_by = calendar.school_days_after(facts.last.day, today)
    if late_by > policy.original_overdue_school_days:
        return OriginalState.OVERDUE
    return OriginalState.AWAITING


# --- The range of a request -----------------------------------------------------------------


def format_slot(slot: Slot) -> str:
    """A session as users read it: "morning of 05/02/2026"."""
    return _("{session} of {day}").format(
        session=_(_SESSION_LABELS[slot.session]), day=format_date(slot.day)
    )


def validate_range(first: Slot, last: Slot, calendar: SchoolCalendar) -> list[Slot]:
    """The school sessions from ``first`` to ``last``; raises ``InvalidDate`` for a range outside
    the school year, backwards, or covering no school session."""
    calendar.require_in_year(first.day)
    calendar.require_in_year(last.day)
    if last < first:
        raise InvalidDate(
            _("The leave ends ({last}) before it begins ({first}).").format(
                last=format_slot(last), first=format_slot(first)
            )
        )
    slots = calendar.slots_between(first, last)
    if not slots:
        raise InvalidDate(
            _("The leave from {first} to {last} covers no school session.").format(
                first=format_slot(first), last=format_slot(last)
            )
        )
    return slots


def count_sessions(first: Slot, last: Slot, calendar: SchoolCalendar) -> int:
    """School sessions from ``first`` to ``last`` inclusive (weekends, holidays and sessions the
    class does not attend are left out)."""
    return len(calendar.slots_between(first, last))


def is_special_case(sessions: int, policy: SchoolPolicy) -> bool:
    """More than ``policy.special_case_sessions`` sessions (default 6, i.e. 3 full days)."""
    return sessions > policy.special_case_sessions


# --- Retroactive requests -------------------------------------------------------------------


def is_retroactive(submitted_at: datetime, first: Slot, calendar: SchoolCalendar) -> bool:
    """Submitted after the absence began: after the day of the first school session of the leave,
    or on that day at or after the session's start (07:00 morning, 13:00 afternoon).

    ``submitted_at`` is read as the school's wall-clock time. A leave starting on a non-school
    session (say a Sunday) begins at the next school session.
    """
    start = _first_school_slot(first, calendar)
    starts_at = MORNING_START if start.session is Session.MORNING else AFTERNOON_START
    submitted_on = submitted_at.date()
    return submitted_on > start.day or (
        submitted_on == start.day and submitted_at.time() >= starts_at
    )


def retroactive_days(submitted_at: datetime, first: Slot, calendar: SchoolCalendar) -> int:
    """How many school days after the absence began the request was submitted.

    0 when it is not retroactive, and also when it was submitted on the first day itself (use
    :func:`is_retroactive` to tell these apart). Submitted Tuesday for a leave from Monday: 1;
    on Wednesday: 2; the weekend in between does not count.
    """
    if not is_retroactive(submitted_at, first, calendar):
        return 0
    start = _first_school_slot(first, calendar)
    return calendar.school_days_after(start.day, submitted_at.date())


def is_late_retroactive(days: int, policy: SchoolPolicy) -> bool:
    """Late enough to be always post-audited: ``days`` ≥ ``policy.late_retroactive_school_days``.

    0 days is never late (it also means "not retroactive"), so a threshold of 0 behaves as 1.
    """
    return days > 0 and days >= policy.late_retroactive_school_days


def _first_school_slot(first: Slot, calendar: SchoolCalendar) -> Slot:
    """The first school session at or after ``first`` (``first`` itself when there is none)."""
    day = first.day
    while day <= calendar.last_day:
        for session in sorted(calendar.sessions_on(day), key=lambda s: s.order):
            slot = Slot.of(day, session)
            if slot >= first:
                return slot
        day += timedelta(days=1)
    return first


# --- Overlaps -------------------------------------------------------------------------------


def overlaps(a_first: Slot, a_last: Slot, b_first: Slot, b_last: Slot) -> bool:
    """Whether two inclusive session ranges share at least one session."""
    return a_first <= b_last and b_first <= a_last


def find_overlaps(candidate: LeaveFacts, others: Iterable[LeaveFacts]) -> list[int]:
    """Ids, ascending, of the same student's pending or approved requests that overlap
    ``candidate`` (the candidate itself is skipped)."""
    live = (LeaveStatus.SUBMITTED, LeaveStatus.APPROVED)
    return sorted(
        other.request_id
        for other in others
        if other.student_id == candidate.student_id
        and other.request_id != candidate.request_id
        and other.status in live
        and overlaps(candidate.first, candidate.last, other.first, other.last)
    )


def flags(
    *,
    special_case: bool,
    retroactive: bool,
    retroactive_days: int,
    overlapping_ids: Sequence[int],
    policy: SchoolPolicy,
) -> tuple[LeaveFlag, ...]:
    """The flags to show beside a request; ``policy.flag_retroactive`` and
    ``policy.flag_overlaps`` switch those flags off (post-audit selection is unaffected)."""
    result: list[LeaveFlag] = []
    if special_case:
        result.append(LeaveFlag.SPECIAL_CASE)
    if policy.flag_retroactive and retroactive:
        late = is_late_retroactive(retroactive_days, policy)
        result.append(LeaveFlag.LATE_RETROACTIVE if late else LeaveFlag.RETROACTIVE)
    if policy.flag_overlaps and overlapping_ids:
        result.append(LeaveFlag.OVERLAP)
    return tuple(result)


# --- What the teacher sees ------------------------------------------------------------------


def display_state(
    facts: LeaveFacts, today: date, calendar: SchoolCalendar, policy: SchoolPolicy
) -> str:
    """One line for a list: the status, then what is still open ("Approved – awaiting the paper
    original – selected for post-audit")."""
    parts = [facts.status.label]
    if facts.status is LeaveStatus.SUBMITTED and facts.special_case:
        parts.append(
            _("signed off by the principal")
            if facts.principal_signoff
            else _("needs the principal's sign-off")
        )
    if facts.status is LeaveStatus.APPROVED:
        original = original_state(facts, today, calendar, policy)
        if original is not OriginalState.NOT_REQUIRED:
            parts.append(_(_ORIGINAL_FRAGMENTS[original]))
        if facts.audit_status is not AuditStatus.NONE:
            parts.append(_(_AUDIT_FRAGMENTS[facts.audit_status]))
    return " – ".join(parts)


_ORIGINAL_FRAGMENTS = {
    OriginalState.AWAITING: N_("awaiting the paper original"),
    OriginalState.OVERDUE: N_("paper original overdue"),
    OriginalState.RECEIVED: N_("paper original received"),
}
_AUDIT_FRAGMENTS = {
    AuditStatus.SELECTED: N_("selected for post-audit"),
    AuditStatus.CONFIRMED: N_("post-audit confirmed"),
    AuditStatus.DISCREPANCY: N_("post-audit found a discrepancy"),
}
