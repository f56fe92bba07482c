"""The grade book service on the demo class: columns by Circular 22, rows in Vietnamese order,
missing, overdue and late cells against the deadlines, the live average, who may enter a
subject, when a change needs a reason, a cell's history, and a handful of queries per read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from desktop.cli.main import main
from desktop.domain.calendar import school_time
from desktop.errors import InvalidGrade, InvalidInput, StaleVersion
from desktop.models import GradeChange, GradeEntry, OutboxIntent, Subject
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.services import grade_book, rights, workspace
from desktop.services.grade_book import GradeBook
from desktop.services.students import class_list
from tests.support.profiles import copy_profile

DEMO_TODAY = date(2026, 3, 16)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder / DATABASE_FILE


@pytest.fixture
def demo(template: Path, tmp_path: Path) -> Iterator[Database]:
    database = open_database(copy_profile(template, tmp_path / "copy" / DATABASE_FILE))
    yield database
    database.close()


def subject_id(database: Database, code: str) -> int:
    with database.reading() as session:
        found = session.scalar(select(Subject.id).where(Subject.code == code))
    assert found is not None
    return found


def book(
    database: Database,
    code: str | None = None,
    semester: int | None = None,
    today: date = DEMO_TODAY,
) -> GradeBook:
    chosen = subject_id(database, code) if code else None
    with workspace.work(database, None, write=False) as unit:
        return grade_book.read_book(
            unit.session, unit.scope, subject_id=chosen, semester=semester, today=today
        )


def enter(database: Database, code: str, semester: int, row: int, column: str, value: str) -> None:
    shown = book(database, code, semester)
    index = [c.label for c in shown.columns].index(column)
    target = shown.columns[index]
    with workspace.work(database, None) as unit:
        grade_book.enter_grade(
            unit.session,
            unit.scope,
            subject_id=shown.subject.id,
            semester=semester,
            student_id=shown.rows[row].student_id,
            kind=target.kind,
            slot=target.slot,
            value=value,
            base_version=shown.rows[row].cells[index].version,
            actor=unit.actor,
        )


def queued(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0


def test_the_default_book_is_the_teachers_own_subject_this_semester(demo: Database) -> None:
    """Ngữ văn (taught by the homeroom teacher), semester II on 16/03/2026, editable, the
    students in Vietnamese order, every subject offered with its teacher."""
    shown = book(demo)
    assert (shown.subject.code, shown.semester, shown.read_only) == ("VAN", 2, False)
    assert [c.label for c in shown.columns] == ["TX1", "TX2", "TX3", "TX4", "GK", "CK"]
    with workspace.work(demo, None, write=False) as unit:
        expected = [s.id for s in class_list(unit.session, unit.scope)]
    assert [r.student_id for r in shown.rows] == expected
    assert len(shown.subjects) == 12
    assert {s.code for s in shown.subjects if s.editable} == {"VAN", "HDTN"}


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("GDQP", ["TX1", "TX2", "GK", "CK"]),  # 35 periods a year
        ("LY", ["TX1", "TX2", "TX3", "GK", "CK"]),  # 70 periods
        ("TOAN", ["TX1", "TX2", "TX3", "TX4", "GK", "CK"]),  # 105 periods
        ("GDTC", ["TX1", "TX2", "GK", "CK"]),  # assessed by comment
    ],
)
def test_the_columns_follow_circular_22(demo: Database, code: str, labels: list[str]) -> None:
    """TX1..n by the periods a year (2 up to 35, 3 up to 70, 4 above; 2 for comments)."""
    assert [c.label for c in book(demo, code, 1).columns] == labels


def test_another_teachers_subject_is_read_only_and_refused_before_queueing(
    demo: Database,
) -> None:
    """Toán is Mai Thị Tuyết's: read-only with her name, and entering a grade is refused with
    the server's own sentence, nothing queued."""
    shown = book(demo, "TOAN", 2)
    assert shown.read_only and shown.subject.teacher_name == "Mai Thị Tuyết"
    assert shown.refusal.startswith("Môn Toán do ")
    assert shown.refusal.endswith("; chỉ giáo viên đó được nhập điểm môn này.")
    before = queued(demo)
    with pytest.raises(InvalidInput, match="Môn Toán do Mai Thị Tuyết dạy"):
        enter(demo, "TOAN", 2, 0, "TX4", "8")
    assert queued(demo) == before


def test_who_may_enter_is_the_servers_rule(demo: Database) -> None:
    """A subject's own teacher, or anyone when the school named none; nobody else."""
    with demo.transaction() as session:
        subject = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        own = subject.teacher_id
        assert rights.grade_refusal(subject, own, "Mai Thị Tuyết") is None
        assert rights.grade_refusal(subject, -1, "Mai Thị Tuyết") is not None
        subject.teacher_id = None
        assert rights.grade_refusal(subject, -1, "Mai Thị Tuyết") is None


def test_missing_cells_turn_overdue_after_their_deadline(demo: Database) -> None:
    """An empty TX cell is missing before 16/05/2026 and overdue after it; CK (due 23/05)
    still only missing then."""
    before = book(demo, "VAN", 2)
    tx = before.columns[0].due
    assert tx == date(2026, 5, 16) and before.columns[-1].due == date(2026, 5, 23)
    empty = [c for r in before.rows for c in r.cells if c.missing]
    assert empty and not any(c.overdue for c in empty)
    after = book(demo, "VAN", 2, today=tx + timedelta(days=1))
    regular = [c for r in after.rows for c in r.cells[:4] if c.missing]
    final = [r.cells[-1] for r in after.rows]
    assert regular and all(c.overdue for c in regular)
    assert all(c.missing and not c.overdue for c in final)


def test_late_cells_are_those_first_entered_after_their_deadline(demo: Database) -> None:
    """Toán semester I has entries typed after the deadline; each is marked late, no other."""
    shown = book(demo, "TOAN", 1)
    late = {c.entry_id for r in shown.rows for c in r.cells if c.late}
    assert late
    with demo.reading() as session:
        entries = session.scalars(
            select(GradeEntry).where(
                GradeEntry.subject_id == shown.subject.id, GradeEntry.semester == 1
            )
        ).all()
        dues = {c.kind: c.due for c in shown.columns}
        expected = {
            e.id
            for e in entries
            if dues[e.kind] is not None and school_time(e.entered_at).date() > dues[e.kind]
        }
    assert late == expected


def test_the_average_appears_once_the_row_is_complete(demo: Database) -> None:
    """(6 + 7,5 + 7 + 8 + 2·7 + 3·9) / 9 = 7,72… → "7,7"; nothing until CK is in."""
    first = book(demo, "VAN", 2).rows[0]
    assert [c.value for c in first.cells[:3]] == ["6", "7,5", "7"]
    assert first.summary == ""
    enter(demo, "VAN", 2, 0, "TX4", "8")
    enter(demo, "VAN", 2, 0, "GK", "7")
    assert book(demo, "VAN", 2).rows[0].summary == ""
    enter(demo, "VAN", 2, 0, "CK", "9")
    assert book(demo, "VAN", 2).rows[0].summary == "7,7"


def test_a_comment_subject_sums_up_as_d_or_cd(demo: Database) -> None:
    """Hoạt động trải nghiệm semester I: every cell Đ gives Đ; one CĐ (after the lock, with a
    reason) gives CĐ; a score is refused."""
    assert book(demo, "HDTN", 1).rows[0].summary == "Đ"
    shown = book(demo, "HDTN", 1)
    with workspace.work(demo, None) as unit:
        grade_book.enter_grade(
            unit.session,
            unit.scope,
            subject_id=shown.subject.id,
            semester=1,
            student_id=shown.rows[0].student_id,
            kind="CK",
            slot=1,
            value="cđ",
            reason="Chưa hoàn thành sản phẩm",
            base_version=shown.rows[0].cells[3].version,
            actor=unit.actor,
        )
    assert book(demo, "HDTN", 1).rows[0].summary == "CĐ"
    with pytest.raises(InvalidGrade):
        grade_book.check_value("comment", "8")


def test_a_change_needs_a_reason_after_lock_or_deadline_never_to_fill_a_cell(
    demo: Database,
) -> None:
    """Semester I is locked: changing a grade needs a reason, filling an empty cell does not;
    semester II before its deadlines: no reason; past a column's deadline: a reason."""
    locked = book(demo, "VAN", 1)
    assert locked.locked_on == date(2026, 1, 16)
    assert locked.needs_reason(0, locked.rows[0].cells[0])
    open_ = book(demo, "VAN", 2)
    filled = open_.rows[0].cells[0]
    empty = open_.rows[0].cells[3]
    assert not open_.needs_reason(0, filled)
    assert not locked.needs_reason(3, empty) and empty.missing
    late = book(demo, "VAN", 2, today=date(2026, 5, 17))
    assert late.needs_reason(0, late.rows[0].cells[0])
    with pytest.raises(InvalidInput, match="phải ghi rõ lý do"):
        enter(demo, "VAN", 1, 0, "TX1", "10" if locked.rows[0].cells[0].value != "10" else "9")


def test_a_stale_version_is_refused_and_none_means_the_stored_one(demo: Database) -> None:
    """The version the teacher saw is checked; ``None`` reads the stored one (a second
    change of a cell whose first was not yet answered)."""
    shown = book(demo, "VAN", 2)
    student = shown.rows[1].student_id
    args = {
        "subject_id": shown.subject.id,
        "semester": 2,
        "student_id": student,
        "kind": "TX",
        "slot": 4,
    }
    with workspace.work(demo, None) as unit:
        grade_book.enter_grade(
            unit.session, unit.scope, **args, value="8", base_version=0, actor=unit.actor
        )
    with pytest.raises(StaleVersion), workspace.work(demo, None) as unit:
        grade_book.enter_grade(
            unit.session, unit.scope, **args, value="9", base_version=0, actor=unit.actor
        )
    with workspace.work(demo, None) as unit:
        grade_book.enter_grade(
            unit.session, unit.scope, **args, value="9", base_version=None, actor=unit.actor
        )
    assert book(demo, "VAN", 2).rows[1].cells[3].value == "9"


def test_a_cells_history_reads_the_vietnamese_way(demo: Database) -> None:
    """The first entry, then each change with its reason; values with the decimal comma."""
    with demo.reading() as session:
        change = session.scalars(select(GradeChange).order_by(GradeChange.id)).first()
        assert change is not None
        entry_id = change.entry_id
    with workspace.work(demo, None, write=False) as unit:
        lines = grade_book.cell_history(unit.session, unit.scope, entry_id=entry_id)
    assert len(lines) == 2
    first, changed = lines
    assert first.old_value == "" and first.new_value == change.old_value.replace(".", ",")
    assert changed.new_value == change.new_value.replace(".", ",")
    assert "." not in changed.new_value and Decimal(change.new_value) % 1 != 0
    assert changed.reason == change.reason and changed.change_request
    assert first.at < changed.at


def test_students_of_entries_keeps_to_the_subject_and_semester(demo: Database) -> None:
    """Entry ids of another subject or semester name no row of this book."""
    van, toan = book(demo, "VAN", 2), book(demo, "TOAN", 2)
    mine = [str(van.rows[0].cells[0].entry_id), str(toan.rows[1].cells[0].entry_id), "-3", "x"]
    with demo.reading() as session:
        found = grade_book.students_of_entries(
            session, subject_id=van.subject.id, semester=2, entry_ids=mine
        )
    assert found == {van.rows[0].student_id}


def test_a_read_costs_a_handful_of_queries(demo: Database) -> None:
    """Opening a book, whatever the class's size, is a fixed number of statements."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    chosen = subject_id(demo, "VAN")
    with workspace.work(demo, None, write=False) as unit:
        event.listen(demo.engine, "before_cursor_execute", count)
        try:
            shown = grade_book.read_book(
                unit.session, unit.scope, subject_id=chosen, semester=2, today=DEMO_TODAY
            )
        finally:
            event.remove(demo.engine, "before_cursor_execute", count)
    assert len(shown.rows) == 41
    assert len(statements) <= 5, statements
