"""Post-audits, roll call and the attendance ledger of one demo class.

The ledger rows are exactly what ``desktop.domain.attendance.derive_ledger`` derives from the roll
call and the requests, as the services keep them; post-audits are drawn with the app's own
sampling rule (``desktop.domain.post_audit.select``) in three rounds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from desktop.demo.planner import Plan, Planner, Row, StudentInfo
from desktop.demo.school import VN_TIME, at_local
from desktop.demo.texts import AUDIT_NOTES, DISCREPANCY_NOTES
from desktop.domain import attendance as ledger
from desktop.domain import post_audit as sampling
from desktop.domain.calendar import Session, Slot
from desktop.domain.leave import (
    AuditMethod,
    AuditOutcome,
    AuditStatus,
    LeaveStatus,
    retroactive_days,
)

NEAR_LIMIT_TARGETS = (43, 38)
"""Absent sessions (excused and unexcused) of the two students close to the 45-session limit."""
AUDIT_ROUNDS = (date(2025, 11, 3), date(2026, 1, 5), date(2026, 3, 9))
"""Mondays on which the school drew its post-audit sample."""


def post_audits(
    planner: Planner, plans: Sequence[Plan], next_audit_id: Callable[[], int]
) -> list[Row]:
    """Three sampling rounds with ``desktop.domain.post_audit.select``; earlier rounds are fully
    recorded, the last one only in part. One or two checks find a discrepancy."""
    rng = planner.rng
    rows: list[Row] = []
    recorded: list[tuple[Plan, Row]] = []
    for number, round_day in enumerate(AUDIT_ROUNDS, start=1):
        moment = at_local(round_day, 8, rng.randint(0, 30))
        if moment >= planner.midnight:
            break
        candidates = [
            sampling.AuditCandidate(
                request_id=p.id,
                student_id=p.student.id,
                submitted_at=p.submitted_at,
                special_case=planner.special(p),
                retroactive_days=retroactive_days(
                    p.submitted_at.astimezone(VN_TIME).replace(tzinfo=None),
                    planner.slots[p.start],
                    planner.calendar,
                ),
                audit_status=p.audit_status,
            )
            for p in plans
            if p.status is LeaveStatus.APPROVED
            and p.decided_at is not None
            and p.decided_at < moment
        ]
        history = [(p.student.id, p.submitted_at) for p in plans if p.submitted_at < moment]
        seed = rng.randint(1, 2**31 - 1)
        by_id = {p.id: p for p in plans}
        first_of_round = len(rows)
        for selection in sampling.select(candidates, history, planner.policy, seed):
            plan = by_id[selection.request_id]
            plan.audit_status = AuditStatus.SELECTED
            row: Row = {
                "id": next_audit_id(),
                "request_id": plan.id,
                "selected_because": ",".join(reason.value for reason in selection.reasons),
                "selection_seed": seed,
                "method": None,
                "outcome": None,
                "note": "",
                "auditor": "",
                "selected_at": moment,
                "recorded_at": None,
            }
            rows.append(row)
            done_at = at_local(
                round_day + timedelta(days=rng.randint(1, 9)),
                rng.randint(8, 16),
                rng.randint(0, 59),
            )
            # The last round is still under way: its first pick, at least, is not yet checked.
            last_round = number == len(AUDIT_ROUNDS)
            if done_at >= planner.midnight or (
                last_round and (row is rows[first_of_round] or rng.random() < 0.5)
            ):
                continue
            method = rng.choices(tuple(AuditMethod), (50, 25, 25))[0]
            row.update(
                method=method.value,
                outcome=AuditOutcome.CONFIRMED.value,
                note=AUDIT_NOTES[method],
                auditor=planner.principal,
                recorded_at=done_at,
            )
            plan.audit_status = AuditStatus.CONFIRMED
            recorded.append((plan, row))
    early = [(p, r) for p, r in recorded if r["selected_at"] < at_local(AUDIT_ROUNDS[-1], 0)]
    early = early or recorded
    for plan, row in rng.sample(early, min(len(early), rng.randint(1, 2))):
        row.update(outcome=AuditOutcome.DISCREPANCY.value, note=rng.choice(DISCREPANCY_NOTES))
        plan.audit_status = AuditStatus.DISCREPANCY
    return rows


# --- Roll call and the ledger -----------------------------------------------------------------

_OBSERVED_SHARE = {
    LeaveStatus.APPROVED: 0.6,
    LeaveStatus.REJECTED: 0.65,
    LeaveStatus.WITHDRAWN: 0.15,
    LeaveStatus.CANCELLED: 0.05,
    LeaveStatus.SUBMITTED: 0.8,
}


def roll_call(
    planner: Planner,
    plans: Sequence[Plan],
    students: Sequence[StudentInfo],
    near: Sequence[StudentInfo],
) -> dict[tuple[int, Slot], ledger.Observation]:
    """What the teacher recorded at roll call (absences and lates only; presence is the
    default and is not stored)."""
    rng = planner.rng
    slots, now = planner.slots, planner.now
    observations: dict[tuple[int, Slot], ledger.Observation] = {}
    for plan in plans:
        observed = plan.observed
        if observed is None:
            observed = rng.random() < _OBSERVED_SHARE[plan.status]
        if observed:
            for index in range(plan.start, min(plan.end + 1, now)):
                observations[(plan.student.id, slots[index])] = ledger.Observation.ABSENT

    def free(student_id: int, index: int) -> bool:
        return (
            index not in planner.occupied[student_id]
            and (student_id, slots[index]) not in observations
        )

    def day_of(index: int) -> list[int]:
        return [
            i
            for i in (index - 1, index, index + 1)
            if 0 <= i < now and slots[i].day == slots[index].day
        ]

    # Days skipped without a request; parents who are not online may send a paper note.
    others = [s for s in students if s not in near]
    weights = [1.0 if s.registered else 3.0 for s in others]
    remaining = rng.randint(20, 40)
    while remaining > 0:
        student = rng.choices(others, weights)[0]
        index = rng.randrange(planner.lo, now)
        sessions = [i for i in day_of(index) if free(student.id, i)]
        if rng.random() < 0.5:
            sessions = sessions[:1]
        if not sessions or not planner.within_budget(student, len(sessions)):
            remaining -= 1  # a full class list must not loop forever
            continue
        kind = ledger.Observation.ABSENT
        if not student.registered and rng.random() < 0.5:
            kind = ledger.Observation.EXCUSED_BY_TEACHER
        for i in sessions:
            observations[(student.id, slots[i])] = kind
        planner.potential[student.id] += len(sessions)
        remaining -= len(sessions)

    # Late arrivals, mostly in the morning (roads flooded at high tide, a flat tyre).
    for _late in range(rng.randint(25, 45)):
        student = rng.choice(list(students))
        index = rng.randrange(planner.lo, now)
        if slots[index].session is Session.AFTERNOON and rng.random() < 0.8:
            index -= 1
        if index >= planner.lo and free(student.id, index):
            observations[(student.id, slots[index])] = ledger.Observation.LATE

    # Top the two chosen students up to their targets with days skipped without leave.
    covers = [_cover(planner, p) for p in plans]
    derived = ledger.derive_ledger(observations, covers, planner.calendar)
    for student, target in zip(near, NEAR_LIMIT_TARGETS, strict=True):
        absent = sum(
            1
            for (sid, _slot), mark in derived.items()
            if sid == student.id and mark.status.is_absence
        )
        if absent > target:
            raise RuntimeError(f"demo plan overshoots the absence target of student {student.id}")
        need = target - absent
        for _attempt in range(10_000):
            if need == 0:
                break
            index = rng.randrange(planner.lo, now)
            for i in day_of(index)[:need]:
                if free(student.id, i):
                    observations[(student.id, slots[i])] = ledger.Observation.ABSENT
                    need -= 1
        if need:
            raise RuntimeError(f"no room to reach the absence target of student {student.id}")
    return observations


def _cover(planner: Planner, plan: Plan) -> ledger.Cover:
    return ledger.Cover(
        request_id=plan.id,
        student_id=plan.student.id,
        status=plan.status,
        audit_status=plan.audit_status,
        first=planner.slots[plan.start],
        last=planner.slots[plan.end],
    )


def marks(
    planner: Planner,
    plans: Sequence[Plan],
    audits: Sequence[Row],
    observations: dict[tuple[int, Slot], ledger.Observation],
    next_mark_id: Callable[[], int],
) -> list[Row]:
    """The ledger exactly as ``derive_ledger`` defines it, stamped with when it last changed."""
    covers = [_cover(planner, p) for p in plans]
    derived = ledger.derive_ledger(observations, covers, planner.calendar)
    decided = {p.id: p.decided_at for p in plans}
    audited = {row["request_id"]: row["recorded_at"] for row in audits if row["recorded_at"]}
    rows: list[Row] = []
    for (student_id, slot), mark in sorted(derived.items(), key=lambda item: item[0]):
        observation = observations.get((student_id, slot))
        moments: list[datetime] = []
        if observation is not None:
            hour = 7 if slot.session is Session.MORNING else 13
            moments.append(at_local(slot.day, hour, 20))
        if mark.request_id is not None:
            when = (audited if mark.source is ledger.MarkSource.AUDIT else decided)[mark.request_id]
            if when is not None:
                moments.append(when)
        rows.append(
            {
                "id": next_mark_id(),
                "student_id": student_id,
                "day": slot.day,
                "session": slot.session.value,
                "observed": observation.value if observation is not None else None,
                "status": mark.status.value,
                "source": mark.source.value,
                "leave_request_id": mark.request_id,
                "updated_at": max(moments),
            }
        )
    return rows


def request_row(planner: Planner, plan: Plan) -> Row:
    first, last = planner.slots[plan.start], planner.slots[plan.end]
    decided = plan.status not in (LeaveStatus.SUBMITTED, LeaveStatus.CANCELLED)
    # The version counts every change of the request's content after submission.
    version = 1 + int(plan.signoff_on is not None) + int(decided)
    version += int(plan.status in (LeaveStatus.CANCELLED, LeaveStatus.WITHDRAWN))
    version += int(plan.received_on is not None)
    version += {AuditStatus.NONE: 0, AuditStatus.SELECTED: 1}.get(plan.audit_status, 2)
    return {
        "id": plan.id,
        "student_id": plan.student.id,
        "guardian_id": plan.guardian_id,
        "submitted_at": plan.submitted_at,
        "first_day": first.day,
        "first_session": first.session.value,
        "last_day": last.day,
        "last_session": last.session.value,
        "reason_category": plan.category.value,
        "reason_text": plan.text,
        "channel": int(plan.channel),
        "status": plan.status.value,
        "decision_note": plan.decision_note if decided else "",
        "decided_by": planner.homeroom if decided else "",
        "decided_at": plan.decided_at if decided else None,
        "original_received_on": plan.received_on,
        "principal_signoff_by": planner.principal if plan.signoff_on is not None else "",
        "principal_signoff_on": plan.signoff_on,
        "audit_status": plan.audit_status.value,
        "version": version,
    }
