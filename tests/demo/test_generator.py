"""The demo generator: deterministic, realistic, and consistent with the domain rules."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.demo.generator import (
    DEMO_TODAY,
    DemoSummary,
    generate_demo_class,
    generate_demo_school,
)
from desktop.demo.texts import GET_WELL_NOTE
from desktop.domain import attendance as ledger
from desktop.domain import leave as rules
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.domain.grading import (
    Assessment,
    ColumnDeadline,
    GradeKind,
    Level,
    RecordedEntry,
    academic_level,
    comment_semester_result,
    completeness,
    expected_entries,
    expected_slots,
    format_score,
    parse_comment,
    regular_count,
    semester_average,
    validate_score,
)
from desktop.domain.names import sort_key, sort_text
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput
from desktop.models import (
    AttendanceMark,
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
from desktop.services.attendance import cover_of
from desktop.services.scope import ClassScope, load_scope

VN = timezone(timedelta(hours=7))
TODAY = DEMO_TODAY


def _generate(path: Path, seed: int = 2025) -> DemoSummary:
    database = open_database(path)
    try:
        with database.transaction() as session:
            return generate_demo_class(session, seed=seed)
    finally:
        database.close()


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in storage order, as SQLite holds them."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in tables
            if table != "alembic_version"
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    """The default demo class, generated once for the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "homeroom.sqlite3"
    summary = _generate(path)
    database = open_database(path)
    yield database, summary
    database.close()


@pytest.fixture
def session(demo: tuple[Database, DemoSummary]) -> Iterator[Session]:
    with demo[0].reading() as reading:
        yield reading


@pytest.fixture
def scope(session: Session) -> ClassScope:
    return load_scope(session)


def _local(moment: datetime) -> datetime:
    """The Vietnamese wall-clock time of a stored UTC moment, naive, as the leave rules read it."""
    return moment.astimezone(VN).replace(tzinfo=None)


def _first(request: LeaveRequest) -> Slot:
    return Slot.of(request.first_day, SchoolSession(request.first_session))


def _last(request: LeaveRequest) -> Slot:
    return Slot.of(request.last_day, SchoolSession(request.last_session))


def _sessions(request: LeaveRequest, scope: ClassScope) -> int:
    return rules.count_sessions(_first(request), _last(request), scope.calendar)


def _requests(session: Session) -> list[LeaveRequest]:
    return list(session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))


# --- Determinism and refusal ------------------------------------------------------------------


def test_same_seed_gives_identical_tables_and_another_seed_differs(tmp_path: Path) -> None:
    """Two runs with one seed write the same rows, byte for byte; another seed writes others."""
    first = tmp_path / "a.sqlite3"
    second = tmp_path / "b.sqlite3"
    other = tmp_path / "c.sqlite3"
    _generate(first)
    _generate(second)
    _generate(other, seed=7)
    assert _dump(first) == _dump(second)
    assert _dump(first)["student"] != _dump(other)["student"]
    assert _dump(first)["leave_request"] != _dump(other)["leave_request"]


def test_refuses_a_database_that_already_has_a_school(tmp_path: Path) -> None:
    database = open_database(tmp_path / "homeroom.sqlite3")
    try:
        with database.transaction() as session:
            generate_demo_class(session)
        with pytest.raises(InvalidInput), database.transaction() as session:
            generate_demo_class(session)
        with pytest.raises(InvalidInput), database.transaction() as session:
            generate_demo_school(session, classes=2)
        with database.reading() as session:
            assert len(session.scalars(select(School)).all()) == 1
    finally:
        database.close()


# --- School, year, class ----------------------------------------------------------------------


def test_school_year_calendar_and_policy(session: Session, scope: ClassScope) -> None:
    school = session.scalars(select(School)).one()
    assert (school.name, school.governing_body, school.province, school.level) == (
        "Trường THPT Nguyễn Đình Chiểu",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
        "Bến Tre",
        "upper_secondary",
    )
    stored = {row.key: row.value for row in session.scalars(select(PolicySetting))}
    assert stored == SchoolPolicy().to_strings()
    year = session.scalars(select(SchoolYear)).one()
    assert (year.name, year.first_day, year.semester2_start, year.last_day) == (
        "2025-2026",
        date(2025, 9, 5),
        date(2026, 1, 12),
        date(2026, 5, 31),
    )
    holidays = {h.day for h in session.scalars(select(Holiday))}
    assert {
        date(2026, 1, 1),
        date(2026, 2, 17),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
    } <= holidays
    assert not scope.calendar.is_school_day(date(2026, 2, 16))  # Tết
    school_class = session.scalars(select(SchoolClass)).one()
    assert (school_class.name, school_class.grade_level) == ("11A1", 11)
    assert school_class.week == (
        '{"0": ["morning", "afternoon"], "1": ["morning", "afternoon"], '
        '"2": ["morning", "afternoon"], "3": ["morning", "afternoon"], '
        '"4": ["morning", "afternoon"], "5": ["morning"]}'
    )
    roles = Counter(t.role for t in session.scalars(select(Teacher)))
    assert roles["principal"] == 1 and roles["homeroom"] == 1 and roles["subject"] >= 8


def test_circular_22_subjects_of_grade_11(session: Session) -> None:
    subjects = {s.code: s for s in session.scalars(select(Subject))}
    periods = {code: (s.periods_per_year, s.assessment) for code, s in subjects.items()}
    assert periods["TOAN"] == (105, "score") and periods["VAN"] == (105, "score")
    assert periods["ANH"] == (105, "score") and periods["SU"] == (52, "score")
    assert periods["GDTC"] == (70, "comment") and periods["GDQP"] == (35, "score")
    assert periods["HDTN"] == (105, "comment") and periods["GDDP"] == (35, "comment")
    electives = set(subjects) - {"TOAN", "VAN", "ANH", "SU", "GDTC", "GDQP", "HDTN", "GDDP"}
    assert len(electives) == 4
    assert all(periods[code] == (70, "score") for code in electives)
    assert all(s.teacher_id is not None for s in subjects.values())


# --- People -----------------------------------------------------------------------------------


def test_students_and_guardians(session: Session, demo: tuple[Database, DemoSummary]) -> None:
    summary = demo[1]
    students = session.scalars(select(Student)).all()
    guardians = session.scalars(select(Guardian)).all()
    assert 40 <= len(students) <= 45
    assert summary.students == len(students) and summary.guardians == len(guardians)
    assert [s.code for s in sorted(students, key=lambda s: s.id)][:2] == ["HS2025001", "HS2025002"]
    assert all(s.date_of_birth.year == 2009 for s in students)
    assert len({s.full_name for s in students}) == len(students)
    family = Counter(s.full_name.split(" ")[0] for s in students)
    assert family["Nguyễn"] >= 5  # the most common family name, about a third of people
    for student in students:
        assert unicodedata.is_normalized("NFC", student.full_name)
        assert student.sort_key == sort_text(student.full_name)
        assert 1 <= len(student.guardians) <= 2
    registered = [g for g in guardians if g.econtact_registered_on is not None]
    assert summary.registered_guardians == len(registered)
    assert 0.6 <= len(registered) / len(guardians) <= 0.8
    for guardian in guardians:
        assert unicodedata.is_normalized("NFC", guardian.full_name)
        assert guardian.phone.startswith("09") and len(guardian.phone) == 10
        assert guardian.relation in {
            "mother",
            "father",
            "grandmother",
            "grandfather",
            "aunt",
            "uncle",
        }
        assert (guardian.consent_recorded_on is None) == (guardian.econtact_registered_on is None)


def test_stored_sort_key_orders_like_the_domain_key(session: Session) -> None:
    """SQL ``ORDER BY sort_key`` gives the Vietnamese class-list order of ``names.sort_key``."""
    by_sql = [s.full_name for s in session.scalars(select(Student).order_by(Student.sort_key))]
    assert by_sql == sorted(by_sql, key=sort_key)
    tricky = [
        "Lê Thị Bình",
        "Nguyễn Văn An",
        "Trần Ân",
        "Phạm Anh",
        "Đỗ Đạt",
        "Vũ Dũng",
        "Lê Văn Ơn",
        "Lê Văn Ôn",
        "Lê Văn On",
        "Hoàng Yến",
        "Nguyễn Hòa",
        "Nguyễn Hoà",
        "Lê",
        "Lê Văn",
        "Nguyễn Văn An 2",
        "Nguyễn Văn Zoë",
        "Trần Thị Ánh",
        "Trần Thị Ảnh",
    ]
    assert sorted(tricky, key=sort_text) == sorted(tricky, key=sort_key)


# --- Leave requests ---------------------------------------------------------------------------


def test_about_120_requests_in_every_status(
    session: Session, demo: tuple[Database, DemoSummary]
) -> None:
    requests = _requests(session)
    statuses = Counter(r.status for r in requests)
    assert 110 <= len(requests) <= 130
    assert set(statuses) == {s.value for s in rules.LeaveStatus}
    assert dict(statuses) == demo[1].requests_by_status
    assert statuses["approved"] > len(requests) / 2
    assert {r.channel for r in requests} == {3, 4}
    assert {r.reason_category for r in requests} == {c.value for c in rules.ReasonCategory}
    assert all(r.reason_text and unicodedata.is_normalized("NFC", r.reason_text) for r in requests)


def test_a_get_well_wish_is_only_ever_on_an_illness(session: Session) -> None:
    """The teacher's notes fit the reason: the demo wished a quick recovery on a funeral
    leave. The class itself stays as it was (same requests, same notes elsewhere)."""
    requests = _requests(session)
    wishes = [r for r in requests if r.decision_note == GET_WELL_NOTE]
    assert wishes and all(r.reason_category == rules.ReasonCategory.ILLNESS for r in wishes)
    condolences = [r for r in requests if r.decision_note == "Chia buồn cùng gia đình em."]
    assert all(r.reason_category == rules.ReasonCategory.BEREAVEMENT for r in condolences)


def test_every_request_comes_from_a_registered_guardian_of_its_student(session: Session) -> None:
    guardians = {g.id: g for g in session.scalars(select(Guardian))}
    for request in _requests(session):
        guardian = guardians[request.guardian_id or 0]
        assert guardian.student_id == request.student_id
        assert guardian.econtact_registered_on is not None
        assert guardian.consent_recorded_on is not None
        assert guardian.econtact_registered_on <= _local(request.submitted_at).date()


def test_request_dates_and_times(session: Session, scope: ClassScope) -> None:
    """Inside the year, on school sessions; submitted and decided before today, in order."""
    calendar = scope.calendar
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=VN)
    for request in _requests(session):
        rules.validate_range(_first(request), _last(request), calendar)
        assert calendar.is_school_session(_first(request))
        assert calendar.is_school_session(_last(request))
        assert request.submitted_at.tzinfo is not None
        assert request.submitted_at.utcoffset() == timedelta(0)
        assert request.submitted_at < midnight
        decided = request.status in ("approved", "rejected", "withdrawn")
        assert (request.decided_at is not None) == decided
        assert bool(request.decided_by) == decided
        if request.decided_at is not None:
            assert request.submitted_at < request.decided_at < midnight
        if request.status == "rejected":
            assert request.decision_note.strip()
        if request.original_received_on is not None:
            assert request.status == "approved"
            assert request.submitted_at.astimezone(VN).date() <= request.original_received_on
            assert calendar.is_school_day(request.original_received_on)
            assert request.original_received_on < TODAY
        if request.principal_signoff_on is not None:
            assert request.principal_signoff_by
            assert request.principal_signoff_on < TODAY


def test_special_retroactive_overlapping_and_paper_originals(
    session: Session, scope: ClassScope
) -> None:
    calendar, policy = scope.calendar, scope.policy
    requests = _requests(session)
    special = [r for r in requests if rules.is_special_case(_sessions(r, scope), policy)]
    approved_special = [r for r in special if r.status == "approved"]
    pending_special = [r for r in special if r.status == "submitted"]
    # Approval of a special case needs the principal's sign-off first.
    assert approved_special and all(r.principal_signoff_on for r in approved_special)
    assert any(r.principal_signoff_on for r in pending_special)
    assert any(r.principal_signoff_on is None for r in pending_special)
    assert all(r.principal_signoff_on is None for r in requests if r not in special)

    retro = [
        rules.retroactive_days(_local(r.submitted_at), _first(r), calendar)
        for r in requests
        if rules.is_retroactive(_local(r.submitted_at), _first(r), calendar)
    ]
    assert len(retro) >= 10
    assert any(rules.is_late_retroactive(days, policy) for days in retro)
    assert any(days == 0 for days in retro)  # submitted during the first day of the absence

    facts = [
        rules.LeaveFacts(
            r.id,
            r.student_id,
            rules.LeaveStatus(r.status),
            rules.Channel(r.channel),
            _first(r),
            _last(r),
            r.submitted_at,
            r.version,
            r.principal_signoff_on is not None,
            r.original_received_on,
            rules.AuditStatus(r.audit_status),
            r in special,
        )
        for r in requests
    ]
    assert sum(1 for f in facts if rules.find_overlaps(f, facts)) >= 4

    states = Counter(rules.original_state(f, TODAY, calendar, policy) for f in facts)
    assert states[rules.OriginalState.RECEIVED] >= 5
    assert states[rules.OriginalState.OVERDUE] >= 2
    level3 = [
        f
        for f in facts
        if f.channel is rules.Channel.LEVEL_3 and f.status is rules.LeaveStatus.APPROVED
    ]
    assert any(f.original_received_on for f in level3)


def test_post_audits(session: Session) -> None:
    requests = {r.id: r for r in _requests(session)}
    audits = session.scalars(select(PostAudit)).all()
    statuses = Counter(r.audit_status for r in requests.values())
    assert set(statuses) == {s.value for s in rules.AuditStatus}
    audited = {a.request_id for a in audits}
    assert audited == {r.id for r in requests.values() if r.audit_status != "none"}
    for audit in audits:
        request = requests[audit.request_id]
        assert request.status == "approved"
        assert audit.selection_seed is not None and audit.selected_because
        assert audit.selected_at > (request.decided_at or audit.selected_at)
        if request.audit_status == "selected":
            assert (audit.method, audit.outcome, audit.recorded_at) == (None, None, None)
        else:
            assert audit.outcome == request.audit_status
            assert audit.method in {m.value for m in rules.AuditMethod}
            assert audit.recorded_at is not None and audit.recorded_at > audit.selected_at
            assert audit.note and audit.auditor


# --- Attendance -------------------------------------------------------------------------------


def test_ledger_is_what_the_domain_derives(session: Session, scope: ClassScope) -> None:
    marks = session.scalars(select(AttendanceMark)).all()
    observations = {
        (m.student_id, Slot.of(m.day, SchoolSession(m.session))): ledger.Observation(m.observed)
        for m in marks
        if m.observed is not None
    }
    covers = [cover_of(r) for r in _requests(session)]
    derived = ledger.derive_ledger(observations, covers, scope.calendar)
    stored = {
        (m.student_id, Slot.of(m.day, SchoolSession(m.session))): ledger.Mark(
            ledger.MarkStatus(m.status), ledger.MarkSource(m.source), m.leave_request_id
        )
        for m in marks
    }
    assert stored == derived
    # Presence is the default and is not stored; roll call saw absences and lates.
    assert {m.observed for m in marks} <= {None, "absent", "late", "excused_by_teacher"}
    assert {"absent", "late"} <= {m.observed for m in marks}
    kinds = Counter((m.status, m.source) for m in marks)
    assert kinds[("excused", "leave")] and kinds[("unexcused", "roll_call")]
    assert kinds[("unexcused", "audit")] and kinds[("late", "roll_call")]
    assert any(m.observed is None and m.status == "excused" for m in marks)
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=VN)
    assert all(m.updated_at < midnight for m in marks)
    assert all(m.day < TODAY for m in marks if m.observed is not None)


def test_two_students_near_the_absence_limit(session: Session, scope: ClassScope) -> None:
    by_student: dict[int, dict[Slot, ledger.MarkStatus]] = defaultdict(dict)
    for m in session.scalars(select(AttendanceMark)):
        by_student[m.student_id][Slot.of(m.day, SchoolSession(m.session))] = ledger.MarkStatus(
            m.status
        )
    totals = sorted(
        (ledger.totals(marks, scope.policy).total_absent for marks in by_student.values()),
        reverse=True,
    )
    assert totals[:2] == [43, 38]
    assert totals[2] < 30  # nobody else reaches the first warning


# --- Grades -----------------------------------------------------------------------------------


def _entries(session: Session) -> list[GradeEntry]:
    return list(session.scalars(select(GradeEntry)))


def test_semester_one_is_complete_and_valid(session: Session) -> None:
    students = [s.id for s in session.scalars(select(Student))]
    subjects = session.scalars(select(Subject)).all()
    entries = _entries(session)
    have = {(e.student_id, e.subject_id, e.semester, e.kind, e.slot) for e in entries}
    for subject in subjects:
        assessment = Assessment(subject.assessment)
        slots = expected_slots(subject.periods_per_year, assessment)
        assert sum(1 for kind, _slot in slots if kind is GradeKind.TX) == regular_count(
            subject.periods_per_year, assessment
        )
        expected = {
            (sid, subject.id, 1, kind.value, slot) for sid in students for kind, slot in slots
        }
        assert expected <= have
        assert {k for k in have if k[1] == subject.id and k[2] == 1} == expected
    for entry in entries:
        if entry.score is not None:
            assert entry.comment is None
            assert validate_score(entry.score) == entry.score
            assert not str(entry.score).endswith(".0")  # stored as parse_score gives it
        else:
            parse_comment(entry.comment or "")
        assert entry.entered_at <= entry.updated_at
    comments = Counter(e.comment for e in entries if e.comment)
    assert comments["CĐ"] >= 1 and comments["Đ"] > 50 * comments["CĐ"]


def test_semester_two_is_under_way(session: Session) -> None:
    entries = [e for e in _entries(session) if e.semester == 2]
    kinds = Counter(e.kind for e in entries)
    students = len(session.scalars(select(Student)).all())
    subjects = session.scalars(select(Subject)).all()
    assert kinds["CK"] == 0
    assert 0 < kinds["GK"] < students * len(subjects)
    tx_expected = students * sum(
        regular_count(s.periods_per_year, Assessment(s.assessment)) for s in subjects
    )
    assert kinds["TX"] > tx_expected / 2
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=VN)
    assert all(e.entered_at < midnight for e in entries)


def test_academic_results_of_semester_one_vary(session: Session) -> None:
    """Some Tốt, many Khá, some Đạt, one or a few Chưa đạt."""
    subjects = session.scalars(select(Subject)).all()
    grid: dict[tuple[int, int], dict[tuple[str, int], GradeEntry]] = defaultdict(dict)
    for e in _entries(session):
        if e.semester == 1:
            grid[(e.student_id, e.subject_id)][(e.kind, e.slot)] = e
    levels: Counter[Level | None] = Counter()
    for student in session.scalars(select(Student)):
        scored: dict[str, Decimal | None] = {}
        commented = {}
        for subject in subjects:
            cells = grid[(student.id, subject.id)]
            n = regular_count(subject.periods_per_year, Assessment(subject.assessment))
            if subject.assessment == "score":
                scored[subject.code] = semester_average(
                    [cells[("TX", i)].score for i in range(1, n + 1)],
                    cells[("GK", 1)].score,
                    cells[("CK", 1)].score,
                    n,
                )
            else:
                results = [parse_comment(cell.comment or "") for cell in cells.values()]
                commented[subject.code] = comment_semester_result(results, n + 2)
        levels[academic_level(scored, commented)] += 1
    assert levels[None] == 0
    assert levels[Level.TOT] >= 3 and levels[Level.DAT] >= 3
    assert levels[Level.KHA] == max(levels.values())
    assert 1 <= levels[Level.CHUA_DAT] <= 4


def test_late_entries_changes_and_reviews(session: Session) -> None:
    subjects = {s.id: s for s in session.scalars(select(Subject))}
    students = [s.id for s in session.scalars(select(Student))]
    entries = _entries(session)
    deadlines = [
        ColumnDeadline(d.semester, GradeKind(d.kind), d.due_on)
        for d in session.scalars(select(GradeDeadline))
    ]
    assert len(deadlines) == 6
    expected = [
        e
        for s in subjects.values()
        for e in expected_entries(
            students, s.code, s.periods_per_year, Assessment(s.assessment), semesters=(1,)
        )
    ]
    recorded = [
        RecordedEntry(
            e.student_id,
            subjects[e.subject_id].code,
            e.semester,
            GradeKind(e.kind),
            e.slot,
            _local(e.entered_at),
        )
        for e in entries
        if e.semester == 1
    ]
    report = completeness(expected, recorded, deadlines, TODAY)
    assert report.missing == () and report.unexpected == ()
    assert 3 <= len(report.late) < len(recorded) / 10

    terms = session.scalars(select(SubjectTerm)).all()
    first = [t for t in terms if t.semester == 1]
    second = [t for t in terms if t.semester == 2]
    assert len(first) == len(second) == len(subjects)
    assert all(t.published_at and t.locked_at and t.review_state == "reviewed" for t in first)
    assert all(t.published_at is None and t.locked_at is None for t in second)
    states = Counter(t.review_state for t in second)
    assert states["returned"] == 1 and states["reviewed"] >= 1 and states["pending"] >= 1
    returned = next(t for t in second if t.review_state == "returned")
    assert returned.review_note and returned.reviewed_by and returned.reviewed_at
    published = min(t.published_at for t in first if t.published_at)

    changes = session.scalars(select(GradeChange)).all()
    assert 3 <= len(changes) <= 5
    assert {c.review_state for c in changes} <= {"pending", "checked"}
    by_id = {e.id: e for e in entries}
    for change in changes:
        entry = by_id[change.entry_id]
        assert change.kind == "change_request" and change.reason
        assert change.changed_at > published
        assert entry.score is not None and change.new_value == format_score(entry.score)
        assert change.old_value != change.new_value
        assert (entry.version, entry.updated_at) == (2, change.changed_at)


def test_conduct_of_semester_one(session: Session) -> None:
    ratings = session.scalars(select(ConductRating)).all()
    assert {r.student_id for r in ratings} == {s.id for s in session.scalars(select(Student))}
    assert all(r.term == 1 for r in ratings)
    levels = Counter(r.level for r in ratings)
    assert levels["Tốt"] > len(ratings) / 2 and levels["Khá"] >= 1


def test_one_audit_log_entry_in_an_intact_chain(session: Session) -> None:
    report = audit_log.verify(session)
    assert report.intact and report.entries == 1


# --- The school profile -----------------------------------------------------------------------


def test_school_profile_shares_school_year_and_staff(tmp_path: Path) -> None:
    database = open_database(tmp_path / "school.sqlite3")
    try:
        with database.transaction() as session:
            summaries = generate_demo_school(session, classes=2)
        with database.reading() as session:
            assert [s.class_name for s in summaries] == ["11A1", "10A1"]
            assert len(session.scalars(select(School)).all()) == 1
            assert len(session.scalars(select(SchoolYear)).all()) == 1
            assert Counter(t.role for t in session.scalars(select(Teacher)))["homeroom"] == 2
            codes = [s.code for s in session.scalars(select(Student))]
            assert len(codes) == len(set(codes)) == sum(s.students for s in summaries)
            for summary in summaries:
                assert 40 <= summary.students <= 45 and 110 <= summary.requests <= 130
                assert set(summary.requests_by_status) == {s.value for s in rules.LeaveStatus}
            births = {(s.class_id, s.date_of_birth.year) for s in session.scalars(select(Student))}
            assert {year for _class, year in births} == {2009, 2010}
            assert len(session.scalars(select(AttendanceMark)).all()) == sum(
                s.marks for s in summaries
            )
            assert len(session.scalars(select(GradeEntry)).all()) == sum(
                s.grade_entries for s in summaries
            )
    finally:
        database.close()


def test_invalid_arguments_are_refused(tmp_path: Path) -> None:
    database = open_database(tmp_path / "homeroom.sqlite3")
    try:
        with pytest.raises(InvalidInput), database.transaction() as session:
            generate_demo_school(session, classes=0)
        with pytest.raises(InvalidInput), database.transaction() as session:
            generate_demo_class(session, today=date(2026, 7, 1))
    finally:
        database.close()


def test_times_are_aware_utc(session: Session) -> None:
    request = _requests(session)[0]
    assert request.submitted_at.tzinfo is not None
    assert request.submitted_at.astimezone(UTC) == request.submitted_at
