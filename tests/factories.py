"""A small, hand-made class for service and CLI tests (the demo generator has its own tests).

The calendar makes session counts easy to work out by hand: the year runs from Friday 05/09/2025
to 31/05/2026, Monday to Friday two sessions, Saturday morning only, 02/01/2026 a holiday.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from desktop.domain.names import normalize, search_key, sort_text
from desktop.domain.policy import SchoolPolicy
from desktop.models import (
    Guardian,
    Holiday,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    Teacher,
)
from desktop.services.scope import save_policy

WEEK = {
    "0": ["morning", "afternoon"],
    "1": ["morning", "afternoon"],
    "2": ["morning", "afternoon"],
    "3": ["morning", "afternoon"],
    "4": ["morning", "afternoon"],
    "5": ["morning"],
}


@dataclass(frozen=True)
class SmallClass:
    class_id: int
    student_ids: list[int]
    guardian_ids: list[int]
    unregistered_guardian_id: int


def build_small_class(session: Session, policy: SchoolPolicy | None = None) -> SmallClass:
    school = School(
        code="NDC",
        name="Trường THPT Nguyễn Đình Chiểu",
        governing_body="SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
        province="Bến Tre",
        level="upper_secondary",
    )
    session.add(school)
    session.flush()
    save_policy(session, school.id, policy or SchoolPolicy())
    year = SchoolYear(
        school_id=school.id,
        name="2025-2026",
        first_day=date(2025, 9, 5),
        semester2_start=date(2026, 1, 12),
        last_day=date(2026, 5, 31),
    )
    year.holidays.append(Holiday(day=date(2026, 1, 2), name="Nghỉ bù Tết Dương lịch"))
    session.add(year)
    teacher = Teacher(
        school_id=school.id, code="GV01", full_name="Trần Thị Hồng Nhung", role="homeroom"
    )
    session.add(teacher)
    session.flush()
    school_class = SchoolClass(
        school_year_id=year.id,
        name="11A1",
        grade_level=11,
        homeroom_teacher_id=teacher.id,
        week=json.dumps(WEEK),
    )
    session.add(school_class)
    session.flush()
    names = ["Nguyễn Văn An", "Lê Thị Bình", "Phạm Minh Đức"]
    students, guardians = [], []
    for index, name in enumerate(names, start=1):
        full = normalize(name)
        student = Student(
            class_id=school_class.id,
            code=f"HS{index:03d}",
            full_name=full,
            sort_key=sort_text(full),
            search_key=search_key(full),
            date_of_birth=date(2009, index, 10),
            gender="male",
        )
        student.guardians.append(
            Guardian(
                full_name=f"Phụ huynh {index}",
                relation="mother",
                phone=f"090000000{index}",
                econtact_registered_on=date(2025, 9, 1),
                consent_recorded_on=date(2025, 9, 1),
            )
        )
        session.add(student)
        students.append(student)
    unregistered = Guardian(
        full_name="Ông Nội",
        relation="grandfather",
        phone="0911111111",
        econtact_registered_on=None,
        consent_recorded_on=None,
    )
    students[0].guardians.append(unregistered)
    session.add_all(
        [
            Subject(
                class_id=school_class.id,
                code="TOAN",
                name="Toán",
                periods_per_year=105,
                assessment="score",
                position=1,
            ),
            Subject(
                class_id=school_class.id,
                code="GDQP",
                name="Giáo dục quốc phòng và an ninh",
                periods_per_year=35,
                assessment="score",
                position=2,
            ),
            Subject(
                class_id=school_class.id,
                code="GDTC",
                name="Giáo dục thể chất",
                periods_per_year=70,
                assessment="comment",
                position=3,
            ),
        ]
    )
    session.flush()
    guardians = [s.guardians[0].id for s in students]
    return SmallClass(school_class.id, [s.id for s in students], guardians, unregistered.id)


def at(day: date, hour: int = 6) -> datetime:
    """A submission time on ``day`` (UTC, which is what the database stores)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
