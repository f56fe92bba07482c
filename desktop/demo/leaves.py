"""Leave requests of one demo class: who asks, for which sessions, and how each one ended.

Requests are first planned (see ``desktop.demo.planner``), then numbered in submission order,
post-audited and joined with roll call (``desktop.demo.roll_call``). The mix: about 120 requests
in every status; special cases (more than six sessions) approved with the principal's sign-off or
still awaiting it; retroactive ones, some late enough to be always audited; overlapping ones;
level-3 paper originals received, awaited or overdue; and two students whose absences come close
to the 45-session limit.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from desktop.demo.planner import LeaveResult, Plan, Planner, StudentInfo
from desktop.demo.roll_call import NEAR_LIMIT_TARGETS, marks, post_audits, request_row, roll_call
from desktop.demo.school import PARENTS_MEETING, local_date
from desktop.demo.texts import DUPLICATE_NOTE, ILLNESS
from desktop.domain.calendar import SchoolCalendar
from desktop.domain.leave import LeaveStatus, ReasonCategory, requires_original
from desktop.domain.policy import SchoolPolicy

__all__ = ["NEAR_LIMIT_TARGETS", "generate_leaves"]


def generate_leaves(
    rng: random.Random,
    *,
    calendar: SchoolCalendar,
    policy: SchoolPolicy,
    today: date,
    students: Sequence[StudentInfo],
    homeroom: str,
    principal: str,
    next_request_id: Callable[[], int],
    next_audit_id: Callable[[], int],
    next_mark_id: Callable[[], int],
) -> LeaveResult:
    """Every leave request, post-audit and attendance mark of one class."""
    planner = Planner(rng, calendar, policy, today, homeroom, principal)
    online = [s for s in students if s.registered_by(PARENTS_MEETING)]
    near = rng.sample(online, 2)
    _near_limit_stories(planner, near)
    _special_cases(planner, [s for s in online if s not in near])
    _overlaps(planner, [s for s in online if s not in near])
    _generic(planner, [s for s in students if s.registered and s not in near])
    _originals(planner)

    plans = sorted(planner.plans, key=lambda p: (p.submitted_at, p.student.id, p.start))
    for plan in plans:
        plan.id = next_request_id()
    audits = post_audits(planner, plans, next_audit_id)
    observations = roll_call(planner, plans, students, near)
    mark_rows = marks(planner, plans, audits, observations, next_mark_id)
    return LeaveResult(
        requests=[request_row(planner, plan) for plan in plans],
        audits=audits,
        marks=mark_rows,
        near_limit=tuple(s.id for s in near),
    )


# --- Planning ---------------------------------------------------------------------------------


def _near_limit_stories(planner: Planner, near: Sequence[StudentInfo]) -> None:
    """Two students with long illnesses, many short leaves and days skipped without leave; roll
    call fills the rest up to exactly their targets (see ``desktop.demo.roll_call.roll_call``)."""
    approved, rejected = LeaveStatus.APPROVED, LeaveStatus.REJECTED
    # (status, sessions, roll call saw the absence; None = draw it like any request)
    stories: tuple[list[tuple[LeaveStatus, int, bool | None]], ...] = (
        [
            (approved, 10, True),
            (approved, 8, True),
            (approved, 2, True),
            (approved, 2, False),
            (approved, 2, True),
            (rejected, 2, True),
            (LeaveStatus.WITHDRAWN, 1, False),
            (LeaveStatus.CANCELLED, 2, False),
        ],
        [
            (approved, 8, True),
            (approved, 2, True),
            (approved, 2, False),
            (approved, 1, True),
            (approved, 2, True),
            (rejected, 1, True),
            (LeaveStatus.SUBMITTED, 2, None),
        ],
    )
    for student, story in zip(near, stories, strict=True):
        for status, length, observed in story:
            if status is LeaveStatus.SUBMITTED:
                window = (planner.now, planner.now + 10)
                plan = planner.make(student, status, length, window=window, timing="ahead_evening")
            else:
                plan = planner.make(student, status, length)
            if plan is not None:
                plan.observed = observed


def _special_cases(planner: Planner, pool: Sequence[StudentInfo]) -> None:
    """More than six sessions: approved with the principal's sign-off (paper original received,
    or overdue), and two awaiting a decision, one signed off and one not."""
    rng = planner.rng
    lo, now = planner.past()
    for status, window, timing in (
        (LeaveStatus.APPROVED, (lo, now - 30), "retro_late"),
        (LeaveStatus.APPROVED, (lo, now - 20), "ahead_evening"),
        (LeaveStatus.APPROVED, (lo, now - 12), "retro_same_day"),
        (LeaveStatus.SUBMITTED, (now - 2, now + 8), "retro_same_day"),
        (LeaveStatus.SUBMITTED, (now, now + 12), "planned"),
    ):
        for student in rng.sample(list(pool), len(pool)):
            length = rng.choice((7, 8, 8, 10))
            if not planner.within_budget(student, length):
                continue
            plan = planner.make(student, status, length, window=window, timing=timing)
            if plan is None:
                continue
            if status is LeaveStatus.SUBMITTED and timing == "planned":
                plan.signoff_on = min(
                    local_date(plan.submitted_at) + timedelta(days=1),
                    planner.today - timedelta(days=1),
                )
            plan.observed = True
            break


def _overlaps(planner: Planner, pool: Sequence[StudentInfo]) -> None:
    """Requests overlapping another of the same student: a duplicate rejected, a duplicate the
    parent cancelled, an approved extension, and a pending one over an approved future leave."""
    rng = planner.rng
    lo, now = planner.past()
    students = rng.sample(list(pool), len(pool))

    def base(student: StudentInfo, window: tuple[int, int], length: int) -> Plan | None:
        if not planner.within_budget(student, 2 * length + 2):
            return None
        return planner.make(
            student, LeaveStatus.APPROVED, length, window=window, timing="ahead_evening"
        )

    done = 0
    for student in students:
        if done == 0 and (first := base(student, (lo, now), 2)) is not None:
            later = first.submitted_at + timedelta(minutes=rng.randint(10, 90))
            dup = planner.make(
                student,
                LeaveStatus.REJECTED,
                2,
                at=(first.start, first.end),
                submitted=min(later, planner.midnight - timedelta(hours=1)),
            )
            if dup is not None:
                dup.decision_note = DUPLICATE_NOTE
                dup.decided_at = planner.decision(dup.submitted_at)
                done += 1
        elif done == 1 and (first := base(student, (lo, now), 1)) is not None:
            later = first.submitted_at + timedelta(minutes=rng.randint(5, 40))
            dup = planner.make(
                student,
                LeaveStatus.CANCELLED,
                1,
                at=(first.start, first.end),
                submitted=min(later, planner.midnight - timedelta(hours=1)),
            )
            done += dup is not None
        elif done == 2 and (first := base(student, (lo, now - 10), 2)) is not None:
            first.category, first.text = ReasonCategory.ILLNESS, rng.choice(ILLNESS)
            extension = planner.make(
                student,
                LeaveStatus.APPROVED,
                3,
                at=(first.end, first.end + 2),
                # In the evening, so both UTC and local readings call it retroactive.
                submitted=planner.time_on(planner.slots[first.end].day, 20, 21),
            )
            if extension is not None:
                extension.category, extension.text = first.category, "Chưa khỏi bệnh, xin nghỉ thêm"
                done += 1
        elif done == 3 and (first := base(student, (now, now + 8), 1)) is not None:
            pending = planner.make(
                student,
                LeaveStatus.SUBMITTED,
                2,
                at=(first.start, first.start + 1),
                submitted=max(
                    first.submitted_at + timedelta(hours=2),
                    planner.time_on(planner.today - timedelta(days=1), 19, 21),
                ),
            )
            done += pending is not None
        if done == 4:
            return


def _generic(planner: Planner, pool: Sequence[StudentInfo]) -> None:
    """Ordinary requests up to about 120, with every status; a few students send many."""
    rng = planner.rng
    # Some families send requests often, most rarely: skewed, but not so much that the
    # frequent-requests audit rule would pick half of the class.
    weights = {s.id: rng.paretovariate(3.0) for s in pool}
    counts: dict[LeaveStatus, int] = defaultdict(int)
    for plan in planner.plans:
        counts[plan.status] += 1
    total = rng.randint(114, 126)
    targets = {
        LeaveStatus.SUBMITTED: rng.randint(9, 12),
        LeaveStatus.CANCELLED: rng.randint(8, 11),
        LeaveStatus.REJECTED: rng.randint(8, 11),
        LeaveStatus.WITHDRAWN: rng.randint(4, 7),
    }
    queue: list[LeaveStatus] = []
    for status, target in targets.items():
        queue += [status] * max(0, target - counts[status])
    queue += [LeaveStatus.APPROVED] * max(0, total - len(planner.plans) - len(queue))
    rng.shuffle(queue)
    lo, now = planner.past()
    for status in queue:
        for _attempt in range(40):
            student = rng.choices(list(pool), [weights[s.id] for s in pool])[0]
            length = rng.choices((1, 2, 3, 4, 5, 6), (30, 45, 10, 8, 4, 3))[0]
            if not planner.within_budget(student, length):
                continue
            if status is LeaveStatus.SUBMITTED:
                window, timing = (now - 3, now + 10), "ahead_evening"
                if rng.random() < 0.3:
                    window, timing = (now - 3, now), "retro_same_day"
            elif status is LeaveStatus.APPROVED and rng.random() < 0.04:
                window, timing = (now, now + 10), "planned"
            else:
                window, timing = (lo, now), None
            if timing is None and status in (LeaveStatus.CANCELLED, LeaveStatus.WITHDRAWN):
                timing = rng.choice(("ahead_evening", "planned"))
            if planner.make(student, status, length, window=window, timing=timing):
                break


def _originals(planner: Planner) -> None:
    """Paper originals of approved level-3 requests and special cases: mostly handed in when
    the student came back; a few overdue; recent ones awaited."""
    rng = planner.rng
    today = planner.today
    calendar = planner.calendar
    overdue_after = planner.policy.original_overdue_school_days
    needing = [
        p
        for p in planner.plans
        if p.status is LeaveStatus.APPROVED
        and requires_original(p.channel, planner.special(p))
        and planner.slots[p.end].day < today
    ]
    old = [
        p
        for p in needing
        if calendar.school_days_after(planner.slots[p.end].day, today) > overdue_after
    ]
    overdue = {id(p) for p in rng.sample(old, min(len(old), rng.randint(2, 4)))}
    for plan in needing:
        if id(plan) in overdue:
            continue
        back = calendar.add_school_days(planner.slots[plan.end].day, 1)
        received = calendar.add_school_days(back, rng.choices((0, 1, 2), (60, 25, 15))[0])
        submitted_on = local_date(plan.submitted_at)
        if received < submitted_on:
            received = calendar.add_school_days(submitted_on - timedelta(days=1), 1)
        if received >= today:
            continue  # still awaited
        plan.received_on = received
