"""The class exchange file: identical round trips, every problem located, nothing half-imported."""

from __future__ import annotations

import copy
import json
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop import i18n
from desktop.domain.names import normalize, search_key, sort_text
from desktop.domain.policy import SchoolPolicy
from desktop.errors import ImportRejected, InvalidInput
from desktop.exchange import export as export_module
from desktop.exchange import validation
from desktop.exchange.export import dumps, export_database, write_export
from desktop.exchange.importer import ImportSummary, import_file
from desktop.exchange.layout import (
    FIELD_DOCS,
    LOCAL_TABLES,
    MAX_FILE_BYTES,
    TABLE_DOCS,
    committed_schema_path,
    exchange_tables,
    json_schema,
    markdown_reference,
    schema_text,
)
from desktop.models import (
    AttendanceMark,
    AuditLogEntry,
    Base,
    ConductRating,
    GradeChange,
    GradeDeadline,
    GradeEntry,
    Guardian,
    Holiday,
    LeaveRequest,
    PolicySetting,
    PostAudit,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    SubjectTerm,
    Teacher,
)
from desktop.models.db import Database, open_database
from desktop.services import audit_log

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
WEEK = json.dumps(
    {
        "0": ["morning", "afternoon"],
        "1": ["morning", "afternoon"],
        "2": ["morning"],
        "3": ["morning", "afternoon"],
        "4": ["morning", "afternoon"],
        "5": ["morning"],
    }
)


def moment(day: date, hour: int = 7, microsecond: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, 0, microsecond, tzinfo=UTC)


def add_student(session: Session, class_id: int, code: str, name: str, born: date) -> Student:
    full = normalize(name)
    student = Student(
        class_id=class_id,
        code=code,
        full_name=full,
        sort_key=sort_text(full),
        search_key=search_key(full),
        date_of_birth=born,
        gender="female" if "Thị" in full else "male",
    )
    session.add(student)
    session.flush()
    return student


def build_small_class(session: Session) -> None:
    """A school, a year, a class, its teachers, three students with Vietnamese names, their
    guardians, scored and comment subjects with grades, leave requests, an audit and marks."""
    school = School(
        code="NDC",
        name="Trường THPT Nguyễn Đình Chiểu",
        governing_body="SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
        province="Bến Tre",
        level="upper_secondary",
    )
    session.add(school)
    session.flush()
    for key, value in SchoolPolicy().to_strings().items():
        session.add(PolicySetting(school_id=school.id, key=key, value=value))
    year = SchoolYear(
        school_id=school.id,
        name="2025-2026",
        first_day=date(2025, 9, 5),
        semester2_start=date(2026, 1, 12),
        last_day=date(2026, 5, 31),
    )
    session.add(year)
    session.flush()
    session.add(Holiday(school_year_id=year.id, day=date(2026, 1, 2), name="Nghỉ bù Tết"))
    homeroom = Teacher(
        school_id=school.id, code="GV01", full_name="Trần Thị Hồng Nhung", role="homeroom"
    )
    maths = Teacher(school_id=school.id, code="GV02", full_name="Võ Văn Kiệt", role="subject")
    session.add_all([homeroom, maths])
    session.flush()
    school_class = SchoolClass(
        school_year_id=year.id,
        name="11A1",
        grade_level=11,
        homeroom_teacher_id=homeroom.id,
        week=WEEK,
    )
    session.add(school_class)
    session.flush()
    an = add_student(session, school_class.id, "HS001", "Nguyễn Văn An", date(2009, 3, 10))
    binh = add_student(session, school_class.id, "HS002", "Lê Thị Bình", date(2009, 11, 2))
    anh = add_student(session, school_class.id, "HS003", "Phạm Đức Ánh", date(2010, 1, 31))
    mother = Guardian(
        student_id=an.id,
        full_name="Đỗ Thị Hạnh",
        relation="mẹ",
        phone="0901234567",
        econtact_registered_on=date(2025, 9, 1),
        consent_recorded_on=date(2025, 9, 1),
        consent_note="Ký giấy đồng ý ngày họp phụ huynh",
    )
    father = Guardian(
        student_id=binh.id,
        full_name="Lê Văn Hùng",
        relation="bố",
        phone="0912345678",
        econtact_registered_on=date(2025, 9, 3),
        consent_recorded_on=date(2025, 9, 3),
    )
    grandfather = Guardian(
        student_id=anh.id,
        full_name="Phạm Văn Ẩn",
        relation="ông",
        phone="0987654321",
        econtact_registered_on=None,
        consent_recorded_on=None,
    )
    session.add_all([mother, father, grandfather])
    toan = Subject(
        class_id=school_class.id,
        code="TOAN",
        name="Toán",
        periods_per_year=105,
        assessment="score",
        teacher_id=maths.id,
        position=1,
    )
    su = Subject(
        class_id=school_class.id,
        code="SU",
        name="Lịch sử",
        periods_per_year=52,
        assessment="score",
        position=2,
    )
    gdtc = Subject(
        class_id=school_class.id,
        code="GDTC",
        name="Giáo dục thể chất",
        periods_per_year=70,
        assessment="comment",
        position=3,
    )
    session.add_all([toan, su, gdtc])
    session.flush()
    entered = moment(date(2025, 10, 1), microsecond=123456)
    grades: list[tuple[Student, Subject, str, int, str]] = [
        (an, toan, "TX", 1, "7.5"),
        (an, toan, "TX", 2, "8"),
        (an, toan, "GK", 1, "10"),
        (binh, toan, "TX", 1, "6.5"),
        (binh, su, "TX", 3, "0"),
        (anh, su, "CK", 1, "9.5"),
    ]
    for student, subject, kind, slot, value in grades:
        session.add(
            GradeEntry(
                student_id=student.id,
                subject_id=subject.id,
                semester=1,
                kind=kind,
                slot=slot,
                score=Decimal(value),
                comment=None,
                author="Võ Văn Kiệt",
                entered_at=entered,
                updated_at=entered,
            )
        )
    for student, result in ((an, "Đ"), (anh, "CĐ")):
        session.add(
            GradeEntry(
                student_id=student.id,
                subject_id=gdtc.id,
                semester=1,
                kind="TX",
                slot=1,
                score=None,
                comment=result,
                author="Trần Thị Hồng Nhung",
                entered_at=entered,
                updated_at=entered,
            )
        )
    session.flush()
    changed = session.scalars(select(GradeEntry).order_by(GradeEntry.id)).first()
    assert changed is not None
    changed.version = 2
    session.add(
        GradeChange(
            entry_id=changed.id,
            old_value="7",
            new_value="7.5",
            changed_by="Võ Văn Kiệt",
            changed_at=moment(date(2025, 10, 20)),
            reason="Chấm phúc khảo",
            kind="change_request",
            review_state="pending",
        )
    )
    session.add_all(
        [
            GradeDeadline(
                class_id=school_class.id, semester=1, kind="TX", due_on=date(2025, 12, 1)
            ),
            SubjectTerm(
                subject_id=toan.id,
                semester=1,
                published_at=moment(date(2025, 10, 15)),
                locked_at=None,
                review_state="reviewed",
                reviewed_by="Trần Thị Hồng Nhung",
                reviewed_at=moment(date(2025, 10, 16)),
            ),
            ConductRating(
                student_id=an.id,
                term=1,
                level="Tốt",
                set_by="Trần Thị Hồng Nhung",
                set_at=moment(date(2026, 1, 5)),
            ),
        ]
    )
    sick = LeaveRequest(
        student_id=an.id,
        guardian_id=mother.id,
        submitted_at=moment(date(2025, 10, 6), hour=0),
        first_day=date(2025, 10, 6),
        first_session="morning",
        last_day=date(2025, 10, 7),
        last_session="afternoon",
        reason_category="illness",
        reason_text="Sốt cao",
        channel=3,
        status="approved",
        decided_by="Trần Thị Hồng Nhung",
        decided_at=moment(date(2025, 10, 6), hour=2),
        original_received_on=date(2025, 10, 8),
        audit_status="confirmed",
        version=3,
    )
    family = LeaveRequest(
        student_id=binh.id,
        guardian_id=father.id,
        submitted_at=moment(date(2025, 11, 3), hour=1),
        first_day=date(2025, 11, 4),
        first_session="afternoon",
        last_day=date(2025, 11, 4),
        last_session="afternoon",
        reason_category="family",
        reason_text="Việc gia đình",
        channel=4,
        status="submitted",
    )
    session.add_all([sick, family])
    session.flush()
    session.add(
        PostAudit(
            request_id=sick.id,
            selected_because="random",
            selection_seed=2025,
            method="phone",
            outcome="confirmed",
            note="Đã gọi điện cho mẹ",
            auditor="Hiệu trưởng",
            selected_at=moment(date(2025, 10, 9)),
            recorded_at=moment(date(2025, 10, 10)),
        )
    )
    marks = [
        (an, date(2025, 10, 6), "morning", "absent", "excused", "leave", sick.id),
        (an, date(2025, 10, 6), "afternoon", "absent", "excused", "leave", sick.id),
        (binh, date(2025, 10, 6), "morning", "late", "late", "roll_call", None),
        (anh, date(2025, 10, 6), "morning", "absent", "unexcused", "roll_call", None),
    ]
    for student, day, half, observed, status, source, request_id in marks:
        session.add(
            AttendanceMark(
                student_id=student.id,
                day=day,
                session=half,
                observed=observed,
                status=status,
                source=source,
                leave_request_id=request_id,
                updated_at=moment(day, hour=9),
            )
        )
    # A mark made offline: the provisional (negative) id must survive the trip.
    session.add(
        AttendanceMark(
            id=-1,
            student_id=binh.id,
            day=date(2025, 10, 7),
            session="morning",
            observed="present",
            status="present",
            source="roll_call",
            leave_request_id=None,
            updated_at=moment(date(2025, 10, 7), hour=9),
        )
    )
    # Local only: must not travel.
    audit_log.append(
        session, actor="test", action="profile.init", entity="profile", entity_id=1, after={}
    )


# --------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    database = open_database(tmp_path_factory.mktemp("small") / "homeroom.sqlite3")
    with database.transaction() as session:
        build_small_class(session)
    with database.reading() as session:
        document = export_database(session, exported_at=AT)
    database.close()
    return document


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "fresh" / "homeroom.sqlite3")
    yield database
    database.close()


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(None)


def write(tmp_path: Path, document: Any, name: str = "class.json") -> Path:
    path = tmp_path / name
    path.write_text(dumps(document), encoding="utf-8")
    return path


def row_counts(database: Database) -> dict[str, int]:
    with database.reading() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in exchange_tables()
        }


def assert_empty(database: Database) -> None:
    assert set(row_counts(database).values()) == {0}


def index_of(document: dict[str, Any], table: str, **match: Any) -> int:
    rows = document["tables"][table]
    return next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))


def rejected(database: Database, path: Path) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught, database.transaction() as session:
        import_file(session, path)
    assert_empty(database)
    return caught.value


# --------------------------------------------------------------------------------------------
# The format
# --------------------------------------------------------------------------------------------


def test_export_holds_every_class_table_in_canonical_form(small_document: dict[str, Any]) -> None:
    """Ids kept, rows sorted by id, decimals as strings, dates and offset times as ISO text."""
    assert small_document["format"] == "homeroom-class-exchange"
    assert small_document["version"] == 1
    assert small_document["exported_at"] == "2026-03-16T08:00:00+00:00"
    tables = small_document["tables"]
    assert set(tables) == {t.name for t in exchange_tables()}
    assert "audit_log" not in tables and "outbox" not in tables
    for name, rows in tables.items():
        if rows and "id" in rows[0]:
            ids = [r["id"] for r in rows]
            assert ids == sorted(ids), name
    assert tables["attendance_mark"][0]["id"] == -1
    scores = [e["score"] for e in tables["grade_entry"] if e["score"] is not None]
    assert scores == ["7.5", "8", "10", "6.5", "0", "9.5"]
    assert tables["school_year"][0]["first_day"] == "2025-09-05"
    assert tables["grade_entry"][0]["entered_at"] == "2025-10-01T07:00:00.123456+00:00"
    assert tables["student"][0]["full_name"] == "Nguyễn Văn An"
    assert tables["leave_request"][0]["channel"] == 3


def test_schema_file_is_current_valid_and_accepts_a_real_export(
    small_document: dict[str, Any],
) -> None:
    """The shipped schema is a valid draft 2020-12 schema, generated from the tables, and a real
    export follows it."""
    path = committed_schema_path()
    assert path.name == "class-exchange-v1.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(), "regenerate the committed schema"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(Draft202012Validator(schema).iter_errors(small_document)) == []
    assert json.loads(json.dumps(small_document)) == small_document


def test_every_table_and_field_is_decided_and_documented() -> None:
    """A new table must be exported or listed as local; every field has a description, and the
    format document carries the current field reference."""
    tables = set(Base.metadata.tables) - {"alembic_version"}
    exported = {t.name for t in exchange_tables()}
    assert tables == exported | set(LOCAL_TABLES)
    assert "audit_log" in LOCAL_TABLES and not exported & set(LOCAL_TABLES)
    assert set(TABLE_DOCS) == exported
    assert set(FIELD_DOCS) == {(t.name, c.name) for t in exchange_tables() for c in t.columns}
    document = (ROOT / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    assert markdown_reference() in document, "paste markdown_reference() into the docs"
    for name in LOCAL_TABLES:
        assert f"`{name}`" in document


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


def test_export_import_export_is_byte_identical(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """A class survives the trip through the file byte for byte."""
    source = write(tmp_path, small_document)
    with fresh.transaction() as session:
        summary = import_file(session, source)
    assert summary.rows["student"] == 3
    assert summary.rows["grade_entry"] == 8
    assert summary.total == sum(len(rows) for rows in small_document["tables"].values())
    assert not summary.replaced
    again = tmp_path / "again.json"
    with fresh.reading() as session:
        write_export(session, again, exported_at=AT)
    assert again.read_bytes() == source.read_bytes()
    with fresh.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditLogEntry)) == 0


def test_the_demo_class_round_trips(fresh: Database, tmp_path: Path) -> None:
    """The demo generator's class (every kind of row, as the services make them) too."""
    from desktop.demo.generator import generate_demo_class

    source_db = open_database(tmp_path / "demo" / "homeroom.sqlite3")
    with source_db.transaction() as session:
        generate_demo_class(session, seed=11)
    first = tmp_path / "demo.json"
    with source_db.reading() as session:
        write_export(session, first, exported_at=AT)
    source_db.close()
    with fresh.transaction() as session:
        import_file(session, first)
    second = tmp_path / "demo-again.json"
    with fresh.reading() as session:
        write_export(session, second, exported_at=AT)
    assert second.read_bytes() == first.read_bytes()


def test_summary_reads_in_the_users_language(english: None) -> None:
    summary = ImportSummary({"student": 3, "guardian": 0, "grade_entry": 8})
    assert str(summary) == "students: 3, grades: 8"
    assert str(ImportSummary({"student": 0})) == "no rows"
    i18n.set_language("vi")
    assert str(summary) == "học sinh: 3, điểm: 8"


# --------------------------------------------------------------------------------------------
# Invalid records: each located, nothing imported
# --------------------------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], str]
"""Breaks a copy of the small class's document; returns where the problem must be reported."""


def set_field(table: str, field: str, value: Any, **match: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> str:
        index = index_of(document, table, **match)
        document["tables"][table][index][field] = value
        return f"/tables/{table}/{index}/{field}"

    return mutate


def drop_field(table: str, field: str, **match: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> str:
        index = index_of(document, table, **match)
        del document["tables"][table][index][field]
        return f"/tables/{table}/{index}/{field}"

    return mutate


def add_field(table: str, field: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> str:
        document["tables"][table][0][field] = value
        return f"/tables/{table}/0/{field}"

    return mutate


def leave_ends_before_it_begins(document: dict[str, Any]) -> str:
    request = document["tables"]["leave_request"][0]
    request["last_day"] = "2025-10-05"
    return "/tables/leave_request/0/last_day"


def same_day_afternoon_to_morning(document: dict[str, Any]) -> str:
    request = document["tables"]["leave_request"][1]
    request["last_session"] = "morning"
    return "/tables/leave_request/1/last_session"


def duplicate_student_id(document: dict[str, Any]) -> str:
    students = document["tables"]["student"]
    students[2]["id"] = students[0]["id"]
    return "/tables/student/2/id"


def guardian_of_another_student(document: dict[str, Any]) -> str:
    requests = document["tables"]["leave_request"]
    requests[0]["guardian_id"] = requests[1]["guardian_id"]
    return "/tables/leave_request/0/guardian_id"


def mark_for_another_students_leave(document: dict[str, Any]) -> str:
    marks = document["tables"]["attendance_mark"]
    index = index_of(document, "attendance_mark", source="roll_call", status="late")
    marks[index]["leave_request_id"] = document["tables"]["leave_request"][0]["id"]
    return f"/tables/attendance_mark/{index}/leave_request_id"


def comment_subject_with_a_score(document: dict[str, Any]) -> str:
    index = index_of(document, "grade_entry", comment="Đ")
    document["tables"]["grade_entry"][index]["score"] = "8"
    return f"/tables/grade_entry/{index}/score"


def bad_policy_combination(document: dict[str, Any]) -> str:
    index = index_of(document, "policy_setting", key="absence_warnings")
    document["tables"]["policy_setting"][index]["value"] = "45,30"
    return f"/tables/policy_setting/{index}/value"


def impossible_export_time(document: dict[str, Any]) -> str:
    document["exported_at"] = "2026-02-30T08:00:00+00:00"
    return "/exported_at"


INVALID: dict[str, Mutation] = {
    "export time": impossible_export_time,
    "score 11": set_field("grade_entry", "score", "11", score="7.5"),
    "score 7.25": set_field("grade_entry", "score", "7.25", score="7.5"),
    "score -1": set_field("grade_entry", "score", "-1", score="7.5"),
    "score not a number": set_field("grade_entry", "score", "bảy", score="7.5"),
    "score as a JSON number": set_field("grade_entry", "score", 7.5, score="7.5"),
    "score with a comma": set_field("grade_entry", "score", "7,5", score="7.5"),
    "comment X": set_field("grade_entry", "comment", "X", comment="Đ"),
    "kind TK": set_field("grade_entry", "kind", "TK", score="7.5"),
    "semester 3": set_field("grade_entry", "semester", 3, score="7.5"),
    "slot 5": set_field("grade_entry", "slot", 5, score="7.5"),
    "TX4 of a 52-period subject": set_field("grade_entry", "slot", 4, score="0"),
    "scored subject without score": set_field("grade_entry", "score", None, score="8"),
    "comment subject with a score": comment_subject_with_a_score,
    "unknown subject": set_field("grade_entry", "subject_id", 999, score="7.5"),
    "unknown student in a grade": set_field("grade_entry", "student_id", 999, score="7.5"),
    "leave outside the year": set_field("leave_request", "first_day", "2024-10-06", channel=3),
    "leave ends before it begins": leave_ends_before_it_begins,
    "leave afternoon to morning": same_day_afternoon_to_morning,
    "leave of an unknown student": set_field("leave_request", "student_id", 999, channel=3),
    "leave by an unknown guardian": set_field("leave_request", "guardian_id", 999, channel=3),
    "leave by another student's guardian": guardian_of_another_student,
    "status maybe": set_field("leave_request", "status", "maybe", channel=3),
    "channel 5": set_field("leave_request", "channel", 5, channel=3),
    "session evening": set_field("leave_request", "first_session", "evening", channel=3),
    "reason category": set_field("leave_request", "reason_category", "bored", channel=3),
    "not a real date": set_field("leave_request", "last_day", "2026-02-30", channel=3),
    "date in another form": set_field("leave_request", "last_day", "07/10/2025", channel=3),
    "time without offset": set_field(
        "leave_request", "submitted_at", "2025-10-06T00:00:00", channel=3
    ),
    "mark outside the year": set_field("attendance_mark", "day", "2026-06-01", id=-1),
    "observed sleeping": set_field("attendance_mark", "observed", "sleeping", id=-1),
    "mark status": set_field("attendance_mark", "status", "absent", id=-1),
    "mark for another student's leave": mark_for_another_students_leave,
    "unknown student": set_field("guardian", "student_id", 999, relation="mẹ"),
    "missing date of birth": drop_field("student", "date_of_birth", code="HS003"),
    "missing name": drop_field("student", "full_name", code="HS002"),
    "blank name": set_field("student", "full_name", "   ", code="HS002"),
    "born after the year began": set_field("student", "date_of_birth", "2025-09-05", code="HS002"),
    "gender": set_field("student", "gender", "x", code="HS002"),
    "id as text": set_field("student", "id", "1", code="HS002"),
    "duplicate id": duplicate_student_id,
    "duplicate student code": set_field("student", "code", "HS001", code="HS002"),
    "unknown field": add_field("student", "nickname", "Bo"),
    "year ends before it begins": set_field("school_year", "last_day", "2025-09-01", id=1),
    "semester II outside the year": set_field("school_year", "semester2_start", "2026-06-15", id=1),
    "holiday outside the year": set_field("holiday", "day", "2026-07-01", id=1),
    "week": set_field("school_class", "week", '{"7": ["night"]}', id=1),
    "grade level 13": set_field("school_class", "grade_level", 13, id=1),
    "periods 0": set_field("subject", "periods_per_year", 0, code="SU"),
    "policy value": set_field("policy_setting", "value", "many", key="special_case_sessions"),
    "policy combination": bad_policy_combination,
    "conduct level": set_field("conduct_rating", "level", "Giỏi", term=1),
    "audit outcome": set_field("post_audit", "outcome", "maybe", method="phone"),
    "too long": set_field("guardian", "phone", "0" * 81, relation="mẹ"),
    "huge integer": set_field("student", "id", 2**70, code="HS002"),
}


@pytest.mark.parametrize("mutation", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_record_is_reported_with_its_location_and_nothing_is_imported(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path, mutation: Mutation
) -> None:
    """Bad grades, dates outside the year, broken references, wrong enums, missing fields…"""
    document = copy.deepcopy(small_document)
    where = mutation(document)
    error = rejected(fresh, write(tmp_path, document))
    located = [p for p in error.problems if p.startswith(f"{where}: ")]
    assert located, error.problems
    assert all(p.split(": ", 1)[1].strip() for p in located)
    assert error.message


def test_explanations_are_translated_and_say_what_is_wrong(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path, english: None
) -> None:
    """The same file explained in English and (by default) in Vietnamese."""
    document = copy.deepcopy(small_document)
    where_11 = set_field("grade_entry", "score", "11", score="7.5")(document)
    where_725 = set_field("grade_entry", "score", "7.25", score="10")(document)
    where_status = set_field("leave_request", "status", "maybe", channel=3)(document)
    where_dob = drop_field("student", "date_of_birth", code="HS003")(document)
    where_day = set_field("attendance_mark", "day", "2026-06-01", id=-1)(document)
    path = write(tmp_path, document)
    english_problems = dict(p.split(": ", 1) for p in rejected(fresh, path).problems)
    assert "outside the score range" in english_problems[where_11]
    assert "more than one digit" in english_problems[where_725]
    assert '"maybe" is not allowed' in english_problems[where_status]
    assert english_problems[where_dob] == "required field missing"
    assert "outside the school year" in english_problems[where_day]
    i18n.set_language("vi")
    error = rejected(fresh, path)
    vietnamese = dict(p.split(": ", 1) for p in error.problems)
    assert set(vietnamese) == set(english_problems)
    assert all(vietnamese[k] != english_problems[k] for k in vietnamese)
    assert "chưa nhập dữ liệu nào" in error.message


def test_every_problem_is_reported_in_file_order(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """Schema, value, reference and rule problems all come back together, in file order."""
    document = copy.deepcopy(small_document)
    wheres = [
        set_field("student", "gender", "x", code="HS001")(document),
        set_field("leave_request", "channel", 5, channel=3)(document),
        set_field("leave_request", "student_id", 999, channel=4)(document),
        set_field("grade_entry", "score", "11", score="7.5")(document),
        set_field("attendance_mark", "day", "2026-02-30", id=-1)(document),
        set_field("school_year", "last_day", "2025-09-01", id=1)(document),
    ]
    error = rejected(fresh, write(tmp_path, document))
    assert [p.split(": ")[0] for p in error.problems] == sorted(
        wheres, key=lambda w: (w.split("/")[2], int(w.split("/")[3]))
    )
    assert "6" in error.message


def test_a_problem_outside_the_tables_does_not_hide_the_others(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    document = copy.deepcopy(small_document)
    document["exported_at"] = "yesterday"
    document["comment"] = "exported by hand"
    where = set_field("attendance_mark", "day", "2026-06-01", id=-1)(document)
    error = rejected(fresh, write(tmp_path, document))
    assert [p.split(": ")[0] for p in error.problems] == ["/comment", "/exported_at", where]


def test_a_broken_parent_is_reported_once_not_by_every_child(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """A student the schema refuses still exists for the rows that name it."""
    document = copy.deepcopy(small_document)
    where = set_field("student", "gender", "x", code="HS001")(document)
    error = rejected(fresh, write(tmp_path, document))
    assert error.problems == [f"{where}: " + error.problems[0].split(": ", 1)[1]]


def test_the_outline_of_the_file_is_checked_first(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """A missing table, or a table that is not a list, is reported without further checks."""
    document = copy.deepcopy(small_document)
    del document["tables"]["holiday"]
    document["tables"]["guardian"] = {"0": "x"}
    document["extra"] = 1
    error = rejected(fresh, write(tmp_path, document))
    assert [p.split(": ")[0] for p in error.problems] == [
        "/extra",
        "/tables/guardian",
        "/tables/holiday",
    ]


def test_decomposed_text_is_composed_on_the_way_in(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """NFD names (old Windows input methods) are stored NFC with their keys derived again; an
    enum value typed decomposed still matches."""
    document = copy.deepcopy(small_document)
    index = index_of(document, "student", code="HS002")
    student = document["tables"]["student"][index]
    student["full_name"] = unicodedata.normalize("NFD", "  Lê   Thị Bình ")
    student["sort_key"] = "stale"
    student["search_key"] = "stale"
    rating = document["tables"]["conduct_rating"][0]
    rating["level"] = unicodedata.normalize("NFD", "Chưa đạt")
    with fresh.transaction() as session:
        import_file(session, write(tmp_path, document))
    with fresh.reading() as session:
        stored = session.get(Student, student["id"])
        assert stored is not None
        assert stored.full_name == "Lê Thị Bình"
        assert stored.sort_key == sort_text("Lê Thị Bình")
        assert stored.search_key == "le thi binh"
        assert session.scalars(select(ConductRating.level)).one() == "Chưa đạt"


# --------------------------------------------------------------------------------------------
# Files that are not class files
# --------------------------------------------------------------------------------------------

VALID_HEAD = '{"format": "homeroom-class-exchange", "version": 1, "exported_at": "x", "tables": '


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON (line 1, column 2)"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "a JSON object is expected"),
        (b'"homeroom"', "a JSON object is expected"),
        (b"42", "a JSON object is expected"),
        (b'{"format": "something-else", "version": 1}', "not a Homeroom class file"),
        (b'{"version": 1}', "not a Homeroom class file"),
        (b'{"format": "homeroom-class-exchange", "version": 99}', "version 99"),
        (b'{"format": "homeroom-class-exchange", "version": "1"}', "not supported"),
        (b'{"format": "homeroom-class-exchange", "version": true}', "not supported"),
        (b'{"format": "homeroom-class-exchange"}', "not supported"),
        (b'{"format": "homeroom-class-exchange", "version": 1, "version": 1}', "twice"),
        (b'{"format": "homeroom-class-exchange", "version": NaN}', "NaN"),
        (b"[" * 100_000, "nested too deeply"),
        (
            (VALID_HEAD + '{"school": [{"id": ' + "[" * 40 + "]" * 40 + "}]}}").encode(),
            "nested too deeply",
        ),
        (b'{"format": "homeroom-class-exchange", "version": ' + b"9" * 5000 + b"}", "too long"),
    ],
)
def test_malformed_files_are_refused_clearly(
    fresh: Database, tmp_path: Path, content: bytes, expected: str, english: None
) -> None:
    """Not JSON, not UTF-8, not an object, another format, another version, absurd nesting."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    error = rejected(fresh, path)
    assert expected in error.message


def test_a_newer_version_asks_for_an_update(fresh: Database, tmp_path: Path, english: None) -> None:
    path = tmp_path / "future.json"
    path.write_text('{"format": "homeroom-class-exchange", "version": 2}', encoding="utf-8")
    assert "Please update the app" in rejected(fresh, path).message


def test_a_file_too_large_is_refused_unread(
    small_document: dict[str, Any],
    fresh: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write(tmp_path, small_document)
    assert MAX_FILE_BYTES >= 100 * 1024 * 1024
    monkeypatch.setattr(validation, "MAX_FILE_BYTES", path.stat().st_size - 1)
    assert "MiB" in rejected(fresh, path).message


def test_a_missing_file_is_refused(fresh: Database, tmp_path: Path) -> None:
    assert str(tmp_path / "nowhere.json") in rejected(fresh, tmp_path / "nowhere.json").message


def test_a_byte_order_mark_is_accepted(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """Notepad adds one when a teacher edits the file."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + dumps(small_document).encode("utf-8"))
    with fresh.transaction() as session:
        assert import_file(session, path).rows["student"] == 3


# --------------------------------------------------------------------------------------------
# Replacing a class
# --------------------------------------------------------------------------------------------


def test_import_into_a_profile_with_a_class_needs_replace(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """Without replace the profile is left alone; with it, its class is replaced exactly."""
    path = write(tmp_path, small_document)
    with fresh.transaction() as session:
        import_file(session, path)
    before = row_counts(fresh)
    with pytest.raises(InvalidInput) as caught, fresh.transaction() as session:
        import_file(session, path)
    assert not isinstance(caught.value, ImportRejected)
    assert "--replace" in caught.value.message
    assert row_counts(fresh) == before

    smaller = copy.deepcopy(small_document)
    tables = smaller["tables"]
    gone = tables["student"].pop()["id"]
    for name in ("guardian", "grade_entry", "leave_request", "attendance_mark", "conduct_rating"):
        tables[name] = [r for r in tables[name] if r["student_id"] != gone]
    entries = {e["id"] for e in tables["grade_entry"]}
    tables["grade_change"] = [c for c in tables["grade_change"] if c["entry_id"] in entries]
    tables["student"][0]["full_name"] = "Nguyễn Văn Ân"
    tables["student"][0]["sort_key"] = sort_text("Nguyễn Văn Ân")
    tables["student"][0]["search_key"] = search_key("Nguyễn Văn Ân")
    first_id = tables["student"][0]["id"]
    with fresh.transaction() as session:
        loaded = session.get(Student, first_id)
        assert loaded is not None and loaded.full_name == "Nguyễn Văn An"
        summary = import_file(session, write(tmp_path, smaller, "smaller.json"), replace=True)
        assert summary.replaced
        # Objects read before the import are not handed out stale afterwards.
        assert loaded.full_name == "Nguyễn Văn Ân"
    with fresh.reading() as session:
        assert dumps(export_database(session, exported_at=AT)) == dumps(smaller)


def test_replace_with_an_invalid_file_keeps_the_class(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """Every check runs before the old class is deleted."""
    with fresh.transaction() as session:
        import_file(session, write(tmp_path, small_document))
    before = row_counts(fresh)
    document = copy.deepcopy(small_document)
    set_field("grade_entry", "score", "11", score="7.5")(document)
    with pytest.raises(ImportRejected), fresh.transaction() as session:
        import_file(session, write(tmp_path, document, "bad.json"), replace=True)
    assert row_counts(fresh) == before


def test_replace_into_an_empty_profile_is_a_plain_import(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    with fresh.transaction() as session:
        summary = import_file(session, write(tmp_path, small_document), replace=True)
    assert not summary.replaced and summary.rows["school"] == 1


def test_an_import_is_undone_with_the_callers_transaction(
    small_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """Whatever fails after the import in the same transaction leaves the profile empty."""
    with pytest.raises(RuntimeError), fresh.transaction() as session:
        import_file(session, write(tmp_path, small_document))
        raise RuntimeError("the audit-log entry could not be written")
    assert_empty(fresh)


# --------------------------------------------------------------------------------------------
# Writing the file
# --------------------------------------------------------------------------------------------


def test_the_file_is_written_atomically(
    small_document: dict[str, Any],
    fresh: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A failed write leaves the previous file as it was and no temporary file behind."""
    with fresh.transaction() as session:
        import_file(session, write(tmp_path, small_document, "source.json"))
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "class.json"
    target.write_text("previous export", encoding="utf-8")

    def crash(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module.os, "replace", crash)
    with pytest.raises(InvalidInput) as caught, fresh.reading() as session:
        write_export(session, target, exported_at=AT)
    assert "ổ đĩa đã đầy" in caught.value.message  # said by errno, not in the OS's English
    assert target.read_text(encoding="utf-8") == "previous export"
    assert [p.name for p in folder.iterdir()] == ["class.json"]
    monkeypatch.undo()
    with fresh.reading() as session:
        write_export(session, target, exported_at=AT)
    assert [p.name for p in folder.iterdir()] == ["class.json"]
    assert target.read_text(encoding="utf-8") == dumps(small_document)


def test_a_folder_that_does_not_exist_is_reported(fresh: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput), fresh.reading() as session:
        write_export(session, tmp_path / "missing" / "class.json", exported_at=AT)


def test_the_export_time_must_be_aware(fresh: Database) -> None:
    with pytest.raises(ValueError), fresh.reading() as session:
        export_database(session, exported_at=datetime(2026, 3, 16, 8))


def test_the_export_time_defaults_to_now(fresh: Database) -> None:
    with fresh.reading() as session:
        written = datetime.fromisoformat(export_database(session)["exported_at"])
    assert abs(written - datetime.now(UTC)) < timedelta(minutes=1)


def test_export_times_are_written_in_utc(fresh: Database) -> None:
    later = datetime(2026, 3, 16, 15, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert later.hour == 22
    with fresh.reading() as session:
        assert export_database(session, exported_at=later)["exported_at"] == (
            "2026-03-16T15:00:00+00:00"
        )


# --------------------------------------------------------------------------------------------
# Property: any small class survives the trip
# --------------------------------------------------------------------------------------------

LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ"]
FIRST_DAY = date(2025, 9, 5)
LAST_DAY = date(2026, 5, 31)
YEAR_DAYS = (LAST_DAY - FIRST_DAY).days

words = st.text(alphabet=LETTERS, min_size=1, max_size=7).map(lambda w: w[0].upper() + w[1:])
person_names = st.builds(
    lambda family, middle, given: normalize(f"{family} {middle} {given}"),
    st.sampled_from(FAMILIES),
    words,
    words,
)
scores = st.integers(0, 100).map(lambda tenths: Decimal(tenths) / 10)
days = st.integers(0, YEAR_DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))
times = st.builds(
    lambda day, seconds, micro: (
        datetime(day.year, day.month, day.day, tzinfo=UTC)
        + timedelta(seconds=seconds, microseconds=micro)
    ),
    days,
    st.integers(0, 86_399),
    st.integers(0, 999_999),
)


@dataclass(frozen=True)
class SubjectSpec:
    periods: int
    assessment: str


@dataclass(frozen=True)
class ClassSpec:
    students: list[str]
    subjects: list[SubjectSpec]
    grades: list[tuple[int, int, int, int, Decimal, bool]]
    leaves: list[tuple[int, date, int, str, str, str, datetime, bool]]
    marks: list[tuple[int, date, str, str, datetime]]


class_specs = st.builds(
    ClassSpec,
    students=st.lists(person_names, min_size=1, max_size=5),
    subjects=st.lists(
        st.builds(
            SubjectSpec,
            periods=st.sampled_from([35, 52, 70, 105]),
            assessment=st.sampled_from(["score", "comment"]),
        ),
        min_size=1,
        max_size=3,
    ),
    # student, subject, semester, column (index into the expected slots), score, pass?
    grades=st.lists(
        st.tuples(
            st.integers(0, 99),
            st.integers(0, 99),
            st.sampled_from([1, 2]),
            st.integers(0, 5),
            scores,
            st.booleans(),
        ),
        max_size=12,
    ),
    # student, first day, length in days, sessions, status, reason, submitted, by guardian?
    leaves=st.lists(
        st.tuples(
            st.integers(0, 99),
            days,
            st.integers(0, 4),
            st.sampled_from(["morning", "afternoon"]),
            st.sampled_from(["submitted", "approved", "rejected", "cancelled", "withdrawn"]),
            st.text(alphabet=LETTERS + " ,.", max_size=30),
            times,
            st.booleans(),
        ),
        max_size=4,
    ),
    marks=st.lists(
        st.tuples(
            st.integers(0, 99),
            days,
            st.sampled_from(["morning", "afternoon"]),
            st.sampled_from(["present", "excused", "unexcused", "late"]),
            times,
        ),
        max_size=8,
    ),
)


def build_random_class(session: Session, spec: ClassSpec) -> None:
    from desktop.domain.grading import Assessment, expected_slots

    school = School(
        code="S1",
        name="Trường THCS Ấp Bắc",
        governing_body="PHÒNG GD&ĐT",
        province="Cần Thơ",
        level="lower_secondary",
    )
    session.add(school)
    session.flush()
    year = SchoolYear(
        school_id=school.id,
        name="2025-2026",
        first_day=FIRST_DAY,
        semester2_start=date(2026, 1, 12),
        last_day=LAST_DAY,
    )
    teacher = Teacher(school_id=school.id, code="GV", full_name="Ngô Bảo Châu", role="homeroom")
    session.add_all([year, teacher])
    session.flush()
    school_class = SchoolClass(
        school_year_id=year.id,
        name="8A",
        grade_level=8,
        homeroom_teacher_id=teacher.id,
        week=WEEK,
    )
    session.add(school_class)
    session.flush()
    students = [
        add_student(session, school_class.id, f"HS{i}", name, date(2012, 1 + i, 1))
        for i, name in enumerate(spec.students)
    ]
    guardians = []
    for student in students:
        guardian = Guardian(
            student_id=student.id,
            full_name=f"Phụ huynh {student.full_name}",
            relation="mẹ",
            phone="0900000000",
            econtact_registered_on=FIRST_DAY,
            consent_recorded_on=None,
        )
        session.add(guardian)
        guardians.append(guardian)
    subjects = []
    for i, subject_spec in enumerate(spec.subjects):
        subject = Subject(
            class_id=school_class.id,
            code=f"M{i}",
            name=f"Môn {i}",
            periods_per_year=subject_spec.periods,
            assessment=subject_spec.assessment,
            position=i,
        )
        session.add(subject)
        subjects.append(subject)
    session.flush()
    taken: set[tuple[int, int, int, str, int]] = set()
    for who, which, semester, column, score, passed in spec.grades:
        student = students[who % len(students)]
        subject = subjects[which % len(subjects)]
        slots = expected_slots(subject.periods_per_year, Assessment(subject.assessment))
        kind, slot = slots[column % len(slots)]
        key = (student.id, subject.id, semester, kind.value, slot)
        if key in taken:
            continue
        taken.add(key)
        scored = subject.assessment == "score"
        session.add(
            GradeEntry(
                student_id=student.id,
                subject_id=subject.id,
                semester=semester,
                kind=kind.value,
                slot=slot,
                score=score if scored else None,
                comment=None if scored else ("Đ" if passed else "CĐ"),
                author="Ngô Bảo Châu",
                entered_at=AT,
                updated_at=AT,
            )
        )
    for who, first, length, half, status, reason, submitted, by_guardian in spec.leaves:
        index = who % len(students)
        last = min(first + timedelta(days=length), LAST_DAY)
        session.add(
            LeaveRequest(
                student_id=students[index].id,
                guardian_id=guardians[index].id if by_guardian else None,
                submitted_at=submitted,
                first_day=first,
                first_session="morning",
                last_day=last,
                last_session=half,
                reason_category="other",
                reason_text=normalize(reason),
                channel=3 if by_guardian else 4,
                status=status,
            )
        )
    marked: set[tuple[int, date, str]] = set()
    for who, day, half, status, updated in spec.marks:
        student = students[who % len(students)]
        if (student.id, day, half) in marked:
            continue
        marked.add((student.id, day, half))
        session.add(
            AttendanceMark(
                student_id=student.id,
                day=day,
                session=half,
                observed=None,
                status=status,
                source="roll_call",
                leave_request_id=None,
                updated_at=updated,
            )
        )


@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(spec=class_specs)
def test_round_trip_holds_for_any_small_class(spec: ClassSpec) -> None:
    """Property: export → import → export is identical for any generated class."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = open_database(root / "a" / "homeroom.sqlite3")
        with source.transaction() as session:
            build_random_class(session, spec)
        with source.reading() as session:
            first = dumps(export_database(session, exported_at=AT))
        source.close()
        path = root / "class.json"
        path.write_text(first, encoding="utf-8")
        target = open_database(root / "b" / "homeroom.sqlite3")
        try:
            with target.transaction() as session:
                import_file(session, path)
            with target.reading() as session:
                second = dumps(export_database(session, exported_at=AT))
        finally:
            target.close()
    assert second == first


def test_tables_are_inserted_parents_first() -> None:
    """The insert order follows the foreign keys (the reverse is the delete order)."""
    order = [t.name for t in exchange_tables()]
    for table in exchange_tables():
        for key in table.foreign_keys:
            assert order.index(key.column.table.name) < order.index(table.name)
    assert json_schema()["properties"]["tables"]["required"] == order
