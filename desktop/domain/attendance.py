"""The attendance ledger (*chuyên cần*, domain.md §3): one mark per student and session.

A mark is *derived*, never typed in: it follows from what roll call observed and from the leave
requests that cover the session. :func:`derive_ledger` is the reference definition; the database
keeps a materialised copy for speed, and property tests compare the two.

Precedence, for one student and one session:

1. Roll call saw the student (present or late): that stands, even under an approved leave; the
   student came, so no absence is counted.
2. An approved leave whose post-audit found no discrepancy: excused (P), whether or not roll call
   was taken.
3. An approved leave whose post-audit found a discrepancy (and no other approved leave): unexcused
   (K). The audit is the school's later verification, so it also overrides a teacher's excuse.
4. The teacher excused the absence directly (say, a paper note from a parent not registered
   online): excused (P).
5. Roll call recorded an absence: unexcused (K). Rejected, cancelled and withdrawn requests excuse
   nothing.
6. Otherwise there is no mark.

The absence limit (Circular 22/2021, Art. 12): more than ``policy.absence_limit`` sessions absent,
excused and unexcused together, and the student is not promoted; primary schools have no limit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from desktop.domain.calendar import SchoolCalendar, Slot, count_absence_units
from desktop.domain.leave import AuditStatus, LeaveStatus
from desktop.domain.names import search_key
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput
from desktop.i18n import N_, _


class Observation(StrEnum):
    """What roll call recorded."""

    PRESENT = "present"
    ABSENT = "absent"
    LATE = "late"
    EXCUSED_BY_TEACHER = "excused_by_teacher"

    @property
    def label(self) -> str:
        return _(_OBSERVATION_LABELS[self])


class MarkStatus(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    UNEXCUSED = "unexcused"
    LATE = "late"

    @property
    def code(self) -> str:
        """The letter of the paper register: P (có phép), K (không phép), M (muộn), "" present."""
        return _MARK_CODES[self]

    @property
    def label(self) -> str:
        return _(_MARK_LABELS[self])

    @property
    def is_absence(self) -> bool:
        return self in (MarkStatus.EXCUSED, MarkStatus.UNEXCUSED)


class MarkSource(StrEnum):
    """Which fact decided a mark."""

    ROLL_CALL = "roll_call"
    LEAVE = "leave"
    AUDIT = "audit"

    @property
    def label(self) -> str:
        return _(_SOURCE_LABELS[self])


_OBSERVATION_LABELS = {
    Observation.PRESENT: N_("Present"),
    Observation.ABSENT: N_("Absent"),
    Observation.LATE: N_("Late"),
    Observation.EXCUSED_BY_TEACHER: N_("Excused by the teacher"),
}
_MARK_LABELS = {
    MarkStatus.PRESENT: N_("Present"),
    MarkStatus.EXCUSED: N_("Excused absence"),
    MarkStatus.UNEXCUSED: N_("Unexcused absence"),
    MarkStatus.LATE: N_("Late"),
}
_MARK_CODES = {
    MarkStatus.PRESENT: "",
    MarkStatus.EXCUSED: "P",
    MarkStatus.UNEXCUSED: "K",
    MarkStatus.LATE: "M",
}
_SOURCE_LABELS = {
    MarkSource.ROLL_CALL: N_("Roll call"),
    MarkSource.LEAVE: N_("Leave request"),
    MarkSource.AUDIT: N_("Post-audit"),
}


@dataclass(frozen=True)
class Cover:
    """A leave request as the ledger sees it: whose sessions, which ones, and how it stands."""

    request_id: int
    student_id: int
    status: LeaveStatus
    audit_status: AuditStatus
    first: Slot
    last: Slot

    def covers(self, slot: Slot) -> bool:
        return self.first <= slot <= self.last

    @property
    def excuses(self) -> bool:
        """Approved and not found false by post-audit (a withdrawn request is not approved)."""
        approved = self.status is LeaveStatus.APPROVED
        return approved and self.audit_status is not AuditStatus.DISCREPANCY

    @property
    def discredited(self) -> bool:
        """Approved, but post-audit found a discrepancy."""
        approved = self.status is LeaveStatus.APPROVED
        return approved and self.audit_status is AuditStatus.DISCREPANCY

    @property
    def effect(self) -> tuple[bool, bool]:
        """All ``derive_mark`` reads of a request: two covers with the same effect over the same
        sessions imply the same marks (a pending request rejected excuses nothing either way)."""
        return (self.excuses, self.discredited)


class Mark(NamedTuple):
    """One derived mark; ``request_id`` names the leave that decided it (lowest id on a tie)."""

    status: MarkStatus
    source: MarkSource
    request_id: int | None = None


LedgerKey = tuple[int, Slot]
"""``(student_id, slot)``."""


def derive_mark(observation: Observation | None, covers: Sequence[Cover]) -> Mark | None:
    """The mark of one student's session, from roll call (``None`` if none was taken) and the
    requests of that student that cover the session (any status). See the module docstring."""
    if observation is Observation.PRESENT:
        return Mark(MarkStatus.PRESENT, MarkSource.ROLL_CALL)
    if observation is Observation.LATE:
        return Mark(MarkStatus.LATE, MarkSource.ROLL_CALL)
    excusing = [c.request_id for c in covers if c.excuses]
    if excusing:
        return Mark(MarkStatus.EXCUSED, MarkSource.LEAVE, min(excusing))
    discredited = [c.request_id for c in covers if c.discredited]
    if discredited:
        return Mark(MarkStatus.UNEXCUSED, MarkSource.AUDIT, min(discredited))
    if observation is Observation.EXCUSED_BY_TEACHER:
        return Mark(MarkStatus.EXCUSED, MarkSource.ROLL_CALL)
    if observation is Observation.ABSENT:
        return Mark(MarkStatus.UNEXCUSED, MarkSource.ROLL_CALL)
    return None


def derive_ledger(
    observations: Mapping[LedgerKey, Observation],
    covers: Iterable[Cover],
    calendar: SchoolCalendar,
) -> dict[LedgerKey, Mark]:
    """Every mark the inputs imply: for each student-session with a roll-call observation or
    inside a request (a request covers only the calendar's school sessions; an observation
    counts wherever it was taken, e.g. on a make-up day). Sessions with no mark are left out."""
    by_student: dict[int, list[Cover]] = defaultdict(list)
    keys: set[LedgerKey] = set(observations)
    for cover in covers:
        by_student[cover.student_id].append(cover)
        slots = calendar.slots_between(cover.first, cover.last)
        keys.update((cover.student_id, slot) for slot in slots)
    ledger: dict[LedgerKey, Mark] = {}
    for key in sorted(keys):
        student_id, slot = key
        applicable = [c for c in by_student.get(student_id, ()) if c.covers(slot)]
        mark = derive_mark(observations.get(key), applicable)
        if mark is not None:
            ledger[key] = mark
    return ledger


def marks_of(ledger: Mapping[LedgerKey, Mark], student_id: int) -> dict[Slot, Mark]:
    """One student's marks, by session."""
    return {slot: mark for (sid, slot), mark in ledger.items() if sid == student_id}


@dataclass(frozen=True)
class StudentTotals:
    """A student's running totals.

    ``excused``, ``unexcused`` and ``late`` count sessions; ``total_absent`` counts excused and
    unexcused together in the units of ``policy.counting_rule`` (with one-per-day, a day with two
    absent sessions is 1). ``warning`` is the highest warning threshold reached (``None`` below
    the first, and always for a primary school, which has no limit)."""

    excused: int
    unexcused: int
    late: int
    total_absent: int
    warning: int | None
    over_limit: bool


def totals(marks: Mapping[Slot, Mark | MarkStatus], policy: SchoolPolicy) -> StudentTotals:
    """The totals of one student's marks (as :func:`marks_of` returns them, or bare statuses)."""
    statuses = {slot: _status(mark) for slot, mark in marks.items()}
    absent = sorted(slot for slot, status in statuses.items() if status.is_absence)
    units = count_absence_units(absent, policy.counting_rule)
    warning: int | None = None
    over_limit = False
    if policy.has_absence_limit:
        reached = [threshold for threshold in policy.absence_warnings if threshold <= units]
        warning = max(reached) if reached else None
        over_limit = units > policy.absence_limit
    counts = list(statuses.values())
    return StudentTotals(
        excused=counts.count(MarkStatus.EXCUSED),
        unexcused=counts.count(MarkStatus.UNEXCUSED),
        late=counts.count(MarkStatus.LATE),
        total_absent=units,
        warning=warning,
        over_limit=over_limit,
    )


def warning_text(student_totals: StudentTotals, policy: SchoolPolicy) -> str | None:
    """What to tell the teacher about a student's absences, or ``None`` if nothing yet."""
    if student_totals.over_limit:
        return _(
            "Absent {total} sessions, more than the limit of {limit}: "
            "not promoted (Circular 22, Art. 12)."
        ).format(total=student_totals.total_absent, limit=policy.absence_limit)
    if student_totals.warning is not None:
        return _("Absent {total} sessions: the warning level of {threshold} is reached.").format(
            total=student_totals.total_absent, threshold=student_totals.warning
        )
    return None


_OBSERVATION_WORDS: dict[str, Observation | None] = {
    "present": Observation.PRESENT,
    "absent": Observation.ABSENT,
    "late": Observation.LATE,
    "excused": Observation.EXCUSED_BY_TEACHER,
    "clear": None,
    "co mat": Observation.PRESENT,
    "vang": Observation.ABSENT,
    "khong phep": Observation.ABSENT,
    "vang khong phep": Observation.ABSENT,
    "k": Observation.ABSENT,
    "co phep": Observation.EXCUSED_BY_TEACHER,
    "vang co phep": Observation.EXCUSED_BY_TEACHER,
    "p": Observation.EXCUSED_BY_TEACHER,
    "muon": Observation.LATE,
    "di muon": Observation.LATE,
    "m": Observation.LATE,
    "xoa": None,
}
"""Folded (``names.search_key``): any case, with or without diacritics."""


def parse_observation(text: str) -> Observation | None:
    """What roll call saw, as typed: ``vắng``, ``có phép``, ``không phép``, ``muộn``, ``có
    mặt`` (any case, diacritics optional), the register's letters P, K, M, or the English
    words; ``xoá``/``clear`` is ``None`` (the observation taken back)."""
    key = search_key(text)
    if key not in _OBSERVATION_WORDS:
        raise InvalidInput(
            _(
                "'{text}' is not a roll-call mark: use có mặt, vắng (không phép), có phép, "
                "muộn or xoá (or present, absent, excused, late, clear)."
            ).format(text=text.strip())
        )
    return _OBSERVATION_WORDS[key]


def _status(mark: Mark | MarkStatus) -> MarkStatus:
    return mark if isinstance(mark, MarkStatus) else mark.status
