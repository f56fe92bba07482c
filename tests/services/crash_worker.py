"""Runs random use cases on a profile for ever, printing ``step`` after each; the crash test
kills it after a chosen number of steps."""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session, Slot
from desktop.errors import HomeroomError
from desktop.models import LeaveRequest, Student
from desktop.models.db import open_database
from desktop.services import attendance, grades, leave
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope
from tests.factories import at


def one_step(db_path: Path, rng: random.Random) -> None:
    database = open_database(db_path)
    try:
        with database.transaction() as s:
            scope = load_scope(s)
            students = s.scalars(select(Student).order_by(Student.id)).all()
            student = rng.choice(students)
            day = date(2025, 9, 8) + timedelta(days=rng.randrange(200))
            slot = Slot.of(day, rng.choice([Session.MORNING, Session.AFTERNOON]))
            action = rng.randrange(4)
            if action == 0:
                last = Slot.of(day + timedelta(days=rng.randrange(4)), Session.AFTERNOON)
                leave.submit(
                    s,
                    scope,
                    NewRequest(
                        student_id=student.id,
                        guardian_id=student.guardians[0].id,
                        first=slot,
                        last=last,
                        reason_category="illness",
                        reason_text="Ốm",
                        channel=rng.choice([3, 4]),
                        submitted_at=at(day),
                    ),
                    actor="parent",
                )
            elif action == 1:
                pending = s.scalars(
                    select(LeaveRequest.id).where(
                        LeaveRequest.status.in_(["submitted", "approved"])
                    )
                ).all()
                if pending:
                    rid = rng.choice(pending)
                    if rng.random() < 0.2:
                        leave.cancel(s, scope, request_id=rid, actor="parent")
                    else:
                        leave.decide(
                            s,
                            scope,
                            request_id=rid,
                            approve=rng.random() < 0.7,
                            note="Không đủ lý do",
                            actor="GV",
                        )
            elif action == 2:
                attendance.mark(
                    s,
                    scope,
                    student_id=student.id,
                    slot=slot,
                    observed=rng.choice(list(Observation)),
                    actor="GV",
                )
            else:
                grades.set_grade(
                    s,
                    scope,
                    student_ref=student.code,
                    subject_code="TOAN",
                    semester=rng.choice([1, 2]),
                    kind="TX",
                    slot=rng.randrange(1, 5),
                    value=str(rng.randrange(11)),
                    reason="Sửa",
                    actor="GV",
                    today=date(2026, 3, 16),
                )
    except HomeroomError:
        pass  # an illegal random action is refused and changes nothing, as in real use
    finally:
        database.close()


def main() -> None:
    path, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    print("ready", flush=True)
    while True:
        one_step(path, rng)
        print("step", flush=True)


if __name__ == "__main__":
    main()
