"""The fixed facts of the demo school: its year, calendar, subjects and grade-book deadlines.

The calendar follows the real 2025-2026 plan: the ministry's frame (Decision of 11/08/2025:
opening on 05/09/2025, semester I over before 18/01/2026, the year over before 31/05/2026) and the
plan of Vĩnh Long province, which took over Bến Tre's schools on 01/07/2025 (semester I from
08/09/2025 to 10/01/2026, semester II from 12/01/2026 to 23/05/2026, Tết break for pupils from
11/02 to 24/02/2026). Public holidays follow the Labour Code: a holiday that falls on a Sunday is
made up on the next working day (Giỗ Tổ Hùng Vương, 10/3 lunar = Sunday 26/04/2026).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from desktop.domain.calendar import DEFAULT_WEEK, SchoolCalendar
from desktop.domain.grading import Assessment, GradeKind

SCHOOL_CODE = "THPT-NDC-BT"
SCHOOL_NAME = "Trường THPT Nguyễn Đình Chiểu"
GOVERNING_BODY = "SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE"
PROVINCE = "Bến Tre"
LEVEL = "upper_secondary"

YEAR_NAME = "2025-2026"
YEAR_START = 2025
FIRST_DAY = date(2025, 9, 5)
SEMESTER2_START = date(2026, 1, 12)
LAST_DAY = date(2026, 5, 31)
FIRST_LEAVE_DAY = date(2025, 9, 15)
"""No request starts in the first days: parents register for the e-contact book at the first
parents' meeting."""

PARENTS_MEETING = date(2025, 9, 14)

VN_TIME = timezone(timedelta(hours=7), "ICT")
"""Vietnam's wall clock (UTC+7, no daylight saving); the database stores UTC."""


def at_local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """The aware UTC moment of a wall-clock time in Vietnam."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=VN_TIME).astimezone(
        UTC
    )


def local_date(moment: datetime) -> date:
    """The day in Vietnam of an aware moment."""
    return moment.astimezone(VN_TIME).date()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


HOLIDAYS: tuple[tuple[date, str], ...] = (
    (date(2026, 1, 1), "Tết Dương lịch"),
    *((day, "Nghỉ Tết Nguyên đán Bính Ngọ") for day in _days(date(2026, 2, 11), date(2026, 2, 24))),
    (date(2026, 4, 26), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
    (date(2026, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
)


def week_json() -> str:
    """``DEFAULT_WEEK`` as stored in ``school_class.week``: weekday -> session values."""
    week = {
        str(day): sorted((s.value for s in sessions), key=lambda v: v != "morning")
        for day, sessions in sorted(DEFAULT_WEEK.items())
    }
    return json.dumps(week, sort_keys=True)


def demo_calendar() -> SchoolCalendar:
    return SchoolCalendar(
        first_day=FIRST_DAY,
        last_day=LAST_DAY,
        semester2_start=SEMESTER2_START,
        holidays=frozenset(day for day, _name in HOLIDAYS),
        week=dict(DEFAULT_WEEK),
    )


@dataclass(frozen=True)
class SubjectSpec:
    code: str
    name: str
    periods_per_year: int
    assessment: Assessment
    difficulty: float
    """Added to a student's ability: English is the weak subject of the Mekong delta, defence
    education the easy one."""
    science: bool | None
    """True for natural sciences and mathematics, False for humanities, None for neither: a
    student's tilt moves these scores in opposite directions."""


def _s(code: str, name: str, periods: int, difficulty: float, science: bool | None) -> SubjectSpec:
    return SubjectSpec(code, name, periods, Assessment.SCORE, difficulty, science)


def _c(code: str, name: str, periods: int) -> SubjectSpec:
    return SubjectSpec(code, name, periods, Assessment.COMMENT, 0.0, None)


# Circular 32/2018 programme, the same periods in grades 10-12. Compulsory subjects first.
COMPULSORY: tuple[SubjectSpec, ...] = (
    _s("TOAN", "Toán", 105, -0.3, True),
    _s("VAN", "Ngữ văn", 105, -0.2, False),
    _s("ANH", "Ngoại ngữ 1 (Tiếng Anh)", 105, -0.5, None),
    _s("SU", "Lịch sử", 52, 0.2, False),
    _c("GDTC", "Giáo dục thể chất", 70),
    _s("GDQP", "Giáo dục quốc phòng và an ninh", 35, 0.9, None),
)
ACTIVITIES: tuple[SubjectSpec, ...] = (
    _c("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", 105),
    _c("GDDP", "Nội dung giáo dục của địa phương", 35),
)
ELECTIVES: dict[str, SubjectSpec] = {
    spec.code: spec
    for spec in (
        _s("LY", "Vật lí", 70, -0.1, True),
        _s("HOA", "Hóa học", 70, -0.2, True),
        _s("SINH", "Sinh học", 70, 0.1, True),
        _s("TIN", "Tin học", 70, 0.5, True),
        _s("DIA", "Địa lí", 70, 0.3, False),
        _s("KTPL", "Giáo dục kinh tế và pháp luật", 70, 0.5, False),
        _s("CNCN", "Công nghệ (Công nghiệp)", 70, 0.3, True),
    )
}
# The four electives of a class: A1 is the natural-science class of the demo.
COMBINATIONS: tuple[tuple[str, ...], ...] = (
    ("LY", "HOA", "SINH", "TIN"),
    ("LY", "HOA", "TIN", "CNCN"),
    ("DIA", "KTPL", "LY", "TIN"),
    ("DIA", "KTPL", "SINH", "CNCN"),
)


def subjects_for(class_number: int) -> list[SubjectSpec]:
    """The subjects of class A<class_number>, in grade-book order."""
    electives = COMBINATIONS[(class_number - 1) % len(COMBINATIONS)]
    return [*COMPULSORY, *(ELECTIVES[code] for code in electives), *ACTIVITIES]


# Grade-book deadlines: a TX deadline covers every regular column of the semester.
DEADLINES: dict[tuple[int, GradeKind], date] = {
    (1, GradeKind.TX): date(2026, 1, 3),
    (1, GradeKind.GK): date(2025, 11, 15),
    (1, GradeKind.CK): date(2026, 1, 9),
    (2, GradeKind.TX): date(2026, 5, 16),
    (2, GradeKind.GK): date(2026, 3, 28),
    (2, GradeKind.CK): date(2026, 5, 23),
}

# When a column is usually tested and entered: (first day, last day) of its window.
TX_WINDOW = {1: (date(2025, 9, 22), date(2025, 12, 26)), 2: (date(2026, 1, 26), date(2026, 3, 13))}
TX_LAST_SEMESTER2 = (date(2026, 4, 13), date(2026, 4, 25))
"""The last regular column of semester II comes after the mid-term, in April."""
GK_WINDOW = {1: (date(2025, 10, 27), date(2025, 11, 12)), 2: (date(2026, 3, 9), date(2026, 3, 24))}
CK_WINDOW = {1: (date(2025, 12, 29), date(2026, 1, 8)), 2: (date(2026, 5, 4), date(2026, 5, 16))}
SEMESTER1_LAST_ENTRY = date(2026, 1, 11)
"""Make-up entries of semester I stop here: the homeroom teacher reviews on 12/01."""
SEMESTER1_REVIEWED = date(2026, 1, 12)
SEMESTER1_PUBLISHED = date(2026, 1, 13)
SEMESTER1_LOCKED = date(2026, 1, 16)
CONDUCT_SET = date(2026, 1, 9)

# How many classes one teacher takes in a subject (about 17 periods a week).
CLASSES_PER_TEACHER: dict[int, int] = {105: 5, 70: 7, 52: 9, 35: 12}
