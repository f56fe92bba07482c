"""The grade-entry workbook: export, fill by program with openpyxl, import; every problem kind
reported with its sheet, row and column; malformed files refused with nothing changed."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from desktop.errors import InvalidInput
from desktop.exchange.excel import grade_import, template
from desktop.exchange.excel.opening import MAX_UNPACKED_BYTES
from desktop.exchange.excel.problems import CellProblem, WorkbookRejected
from desktop.models import GradeDeadline, GradeEntry, Subject, Teacher
from desktop.models.db import Database, open_database
from desktop.models.sync import OutboxIntent
from desktop.services import workspace
from desktop.services.profile import TODAY_KEY, set_setting
from tests.factories import build_small_class

SHEET = "Nhập điểm"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
    with database.transaction() as session:
        build_small_class(session)
        set_setting(session, TODAY_KEY, "2025-10-20")
    yield database
    database.close()


def export(database: Database, path: Path, subject: str = "TOAN", semester: int = 1) -> Path:
    with workspace.work(database, None) as w:
        template.export_template(
            w.session, w.scope, subject_code=subject, semester=semester, today=w.today, path=path
        )
    return path


def run_import(database: Database, path: Path) -> grade_import.GradeImport:
    with workspace.work(database, None) as w:
        return grade_import.import_template(w.session, w.scope, path, actor=w.actor, today=w.today)


def rejected(database: Database, path: Path) -> list[CellProblem]:
    with pytest.raises(WorkbookRejected) as caught:
        run_import(database, path)
    return list(caught.value.cells)


def stored(database: Database) -> dict[tuple[int, str, int], Decimal | str | None]:
    with database.reading() as session:
        return {
            (e.student_id, e.kind, e.slot): e.score if e.score is not None else e.comment
            for e in session.scalars(select(GradeEntry))
        }


def outbox(database: Database) -> list[dict[str, object]]:
    with database.reading() as session:
        return [json.loads(i.args) for i in session.scalars(select(OutboxIntent))]


def fill(path: Path, values: dict[str, object], out: Path | None = None) -> Path:
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for where, value in values.items():
        sheet[where] = value
    workbook.save(out or path)
    return out or path


def test_template_lists_students_columns_header_and_locks(
    database: Database, tmp_path: Path
) -> None:
    """The template names class, subject, semester and teacher, lists the students in name order
    with TX1-4, GK, CK and the reason column, unlocks only those cells and holds no formula."""
    path = export(database, tmp_path / "t.xlsx")
    sheet = load_workbook(path).worksheets[0]
    assert sheet.title == SHEET
    assert (sheet["B1"].value, sheet["B2"].value, sheet["C2"].value, sheet["B3"].value) == (
        "11A1",
        "TOAN",
        "Toán",
        1,
    )
    assert sheet["B4"].value
    header = [c.value for c in sheet[7]]
    assert header == [
        "Mã học sinh",
        "Họ và tên",
        "TX1",
        "TX2",
        "TX3",
        "TX4",
        "GK",
        "CK",
        "Lý do sửa điểm",
    ]
    assert [sheet.cell(row=r, column=2).value for r in (8, 9, 10)] == [
        "Nguyễn Văn An",
        "Lê Thị Bình",
        "Phạm Minh Đức",
    ]
    assert sheet.protection.sheet
    assert sheet["A8"].protection.locked and sheet["B8"].protection.locked
    assert not sheet["C8"].protection.locked and not sheet["I8"].protection.locked
    assert sheet["C8"].number_format == "0.0"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_round_trip_enters_grades_as_set_grade_intents(database: Database, tmp_path: Path) -> None:
    """Numbers typed in the template become the students' grades, one set_grade intent each;
    the next template shows them as numbers and a second import of it changes nothing."""
    path = export(database, tmp_path / "t.xlsx")
    fill(path, {"C8": 7.5, "G8": 8, "H9": 6.25 + 0.05, "C10": 10})
    result = run_import(database, path)
    assert result.changed == 4
    intents = outbox(database)
    assert [i["value"] for i in intents] == ["7.5", "8.0", "6.3", "10.0"]
    assert {i["kind"] for i in intents} == {"TX", "GK", "CK"}
    again = export(database, tmp_path / "again.xlsx")
    sheet = load_workbook(again).worksheets[0]
    assert sheet["C8"].value == 7.5 and sheet["G8"].value == 8
    assert run_import(database, again).changed == 0
    assert len(outbox(database)) == 4


def test_comment_subject_takes_d_and_cd(database: Database, tmp_path: Path) -> None:
    """A comment subject's cells take Đ / CĐ as text; a number there is a problem."""
    path = export(database, tmp_path / "t.xlsx", subject="GDTC")
    fill(path, {"C8": "Đ", "C9": "cđ"})
    assert run_import(database, path).changed == 2
    assert sorted(str(v) for v in stored(database).values()) == ["CĐ", "Đ"]
    fill(path, {"D8": 7})
    problems = rejected(database, path)
    assert [(p.row, p.column) for p in problems] == [(8, "D")]


def test_every_cell_problem_is_reported_and_nothing_imported(
    database: Database, tmp_path: Path
) -> None:
    """Out of range, two decimals, text, a formula, an extra column, an unknown and a wrong
    student are each reported at their sheet, row and column; no grade is written."""
    path = export(database, tmp_path / "t.xlsx")
    fill(
        path,
        {
            "C8": 7.5,
            "D8": 11,
            "E8": 7.25,
            "F8": "tám",
            "G8": "=5+3",
            "J8": 4,
            "A9": "HS999",
            "B10": "Người Khác",
        },
    )
    problems = rejected(database, path)
    where = {(p.sheet, p.row, p.column): p for p in problems}
    assert set(where) == {
        (SHEET, 8, "D"),
        (SHEET, 8, "E"),
        (SHEET, 8, "F"),
        (SHEET, 8, "G"),
        (SHEET, 8, "J"),
        (SHEET, 9, "A"),
        (SHEET, 10, "B"),
    }
    assert where[(SHEET, 8, "D")].value == "11"
    assert "0" in where[(SHEET, 8, "D")].why and "10" in where[(SHEET, 8, "D")].why
    assert where[(SHEET, 8, "E")].value == "7,25"
    assert where[(SHEET, 8, "G")].value == "=5+3"
    assert stored(database) == {} and outbox(database) == []


def test_missing_merged_and_extra_columns(database: Database, tmp_path: Path) -> None:
    """A renamed header, merged cells in the table and an extra header are problems."""
    path = export(database, tmp_path / "t.xlsx")
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet["D7"] = "TX9"
    sheet["J7"] = "Ghi chú"
    sheet.merge_cells("C9:D9")
    workbook.save(path)
    places = {(p.row, p.column) for p in rejected(database, path)}
    assert {(7, "D"), (7, "J"), (9, "C")} <= places


def test_duplicate_erased_and_header_problems(database: Database, tmp_path: Path) -> None:
    """A student twice, an erased grade, and a template of another class or semester."""
    path = export(database, tmp_path / "t.xlsx")
    fill(path, {"C8": 7})
    run_import(database, path)
    again = export(database, tmp_path / "again.xlsx")
    fill(again, {"C8": None, "A9": "HS001", "B9": "Nguyễn Văn An"})
    places = {(p.row, p.column) for p in rejected(database, again)}
    assert places == {(8, "C"), (9, "A")}
    fill(again, {"B1": "12A9", "B3": 5})
    places = {(p.row, p.column) for p in rejected(database, again)}
    assert places == {(1, "B"), (3, "B")}


def test_change_after_deadline_needs_reason(database: Database, tmp_path: Path) -> None:
    """After the TX deadline a changed grade needs the reason column; with it, it is queued."""
    path = export(database, tmp_path / "t.xlsx")
    fill(path, {"C8": 7})
    run_import(database, path)
    with database.transaction() as session:
        class_id = session.scalars(select(Subject.class_id)).first()
        session.add(
            GradeDeadline(class_id=class_id, semester=1, kind="TX", due_on=date(2025, 10, 1))
        )
    again = export(database, tmp_path / "again.xlsx")
    fill(again, {"C8": 8})
    problems = rejected(database, again)
    assert [(p.row, p.column) for p in problems] == [(8, "I")]
    fill(again, {"I8": "Chấm phúc khảo"})
    assert run_import(database, again).changed == 1
    assert outbox(database)[-1]["reason"] == "Chấm phúc khảo"


def test_another_teachers_subject_is_refused_naming_them(
    database: Database, tmp_path: Path
) -> None:
    """A subject taught by another teacher is refused at once, naming that teacher."""
    path = export(database, tmp_path / "t.xlsx")
    fill(path, {"C8": 7})
    with database.transaction() as session:
        school = session.scalars(select(Teacher.school_id)).first()
        other = Teacher(school_id=school, code="GV99", full_name="Đỗ Văn Toàn", role="subject")
        session.add(other)
        session.flush()
        subject = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        subject.teacher_id = other.id
    problems = rejected(database, path)
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (2, "B")
    assert "Đỗ Văn Toàn" in problems[0].why
    assert stored(database) == {} and outbox(database) == []


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("empty", "trống"),
        ("xls", ".xls"),
        ("encrypted", "mật khẩu"),
        ("csv", "CSV"),
        ("corrupt", "hỏng"),
        ("truncated", "hỏng"),
        ("bomb", "giải nén"),
    ],
)
def test_malformed_files_are_refused_in_vietnamese(
    database: Database, tmp_path: Path, kind: str, says: str
) -> None:
    """Each malformed file gives a clear Vietnamese InvalidInput and changes nothing."""
    path = tmp_path / "bad.xlsx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    if kind == "empty":
        path.write_bytes(b"")
    elif kind in ("xls", "encrypted"):
        path.write_bytes(ole)  # both are OLE compound files
    elif kind == "csv":
        path.write_text("Mã học sinh,Họ và tên,TX1\nHS001,Nguyễn Văn An,7\n", encoding="utf-8")
    elif kind == "corrupt":
        _zip(path, {"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b"<x"})
    elif kind == "truncated":
        good = export(database, tmp_path / "good.xlsx").read_bytes()
        path.write_bytes(good[: len(good) // 2])
    else:
        _zip(path, {"xl/workbook.xml": b"\0" * (MAX_UNPACKED_BYTES + 1)})
    with pytest.raises(InvalidInput) as caught:
        run_import(database, path)
    assert not isinstance(caught.value, WorkbookRejected) or kind == "never"
    assert says in caught.value.message
    assert stored(database) == {} and outbox(database) == []


def test_a_foreign_workbook_is_a_list_of_problems(database: Database, tmp_path: Path) -> None:
    """A real .xlsx that is not a template says so at the header cells."""
    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    places = {(p.row, p.column) for p in rejected(database, path)}
    assert (2, "B") in places and (3, "B") in places


def test_a_workbook_of_several_subjects_is_checked_as_a_whole(
    database: Database, tmp_path: Path
) -> None:
    """A sheet per subject: a problem in one imports nothing of the others; fixed, all enter."""
    path = tmp_path / "all.xlsx"
    with workspace.work(database, None) as w:
        template.export_templates(
            w.session,
            w.scope,
            subject_codes=["TOAN", "GDQP", "GDTC"],
            semester=1,
            today=w.today,
            path=path,
        )
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["TOAN", "GDQP", "GDTC"]
    workbook["TOAN"]["C8"] = 9
    workbook["GDTC"]["C8"] = "Đ"
    workbook["GDQP"]["C9"] = -1
    workbook.save(path)
    problems = rejected(database, path)
    assert [(p.sheet, p.row, p.column) for p in problems] == [("GDQP", 9, "C")]
    assert outbox(database) == []
    workbook["GDQP"]["C9"] = 6.5
    workbook.save(path)
    result = run_import(database, path)
    assert result.changed == 3
    assert result.subjects == (("TOAN", 1), ("GDQP", 1), ("GDTC", 1))


def test_a_template_made_in_english_imports_in_vietnamese(
    database: Database, tmp_path: Path
) -> None:
    """The header row may be in English (a computer set to English made the template)."""
    from desktop import i18n

    i18n.set_language("en")
    try:
        path = export(database, tmp_path / "t.xlsx")
    finally:
        i18n.set_language(None)
    assert load_workbook(path).worksheets[0]["A7"].value == "Student code"
    fill(path, {"C8": 6})
    assert run_import(database, path).changed == 1


def test_a_dense_bomb_under_the_size_limit_is_refused_by_its_ratio(
    database: Database, tmp_path: Path
) -> None:
    """A few kilobytes unpacking to tens of megabytes is refused before openpyxl reads it."""
    from desktop.exchange.excel.opening import RATIO_FROM_BYTES

    path = _zip(tmp_path / "bomb.xlsx", {"xl/workbook.xml": b"<" * (RATIO_FROM_BYTES + 1)})
    assert path.stat().st_size * 200 < RATIO_FROM_BYTES
    with pytest.raises(InvalidInput) as caught:
        run_import(database, path)
    assert "giải nén" in caught.value.message
