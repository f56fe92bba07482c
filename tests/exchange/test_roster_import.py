"""The class list from Excel: export, correct by program with openpyxl, import; only what
changed becomes an intent; every problem reported with its sheet, row and column and nothing
imported; what the school office alone does is refused from a file."""

from __future__ import annotations

import json
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from desktop.errors import InvalidInput
from desktop.exchange.excel import exports, roster_import
from desktop.exchange.excel.problems import CellProblem, WorkbookRejected
from desktop.models import Guardian, Student
from desktop.models.db import Database, open_database
from desktop.models.sync import OutboxIntent
from desktop.services import workspace
from desktop.services.profile import TODAY_KEY, set_setting
from tests.factories import build_small_class

SHEET = "Danh sách lớp"
DEMO_SEED = 2025


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """The small hand-made class: HS001 (two guardians, the second not registered), HS002,
    HS003; rows 6, 7, 8 of the list."""
    database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
    with database.transaction() as session:
        build_small_class(session)
        set_setting(session, TODAY_KEY, "2025-10-20")
    yield database
    database.close()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    from desktop.demo.generator import generate_demo_class

    print(f"demo seed {DEMO_SEED}")
    database = open_database(tmp_path / "demo" / "homeroom.sqlite3")
    with database.transaction() as session:
        generate_demo_class(session, seed=DEMO_SEED)
    yield database
    database.close()


def export(database: Database, path: Path) -> Path:
    with workspace.work(database, None, write=False) as w:
        exports.export_roster(w.session, w.scope, path=path)
    return path


def run_import(database: Database, path: Path) -> roster_import.RosterImport:
    with workspace.work(database, None) as w:
        return roster_import.import_roster(w.session, w.scope, path, actor=w.actor)


def rejected(database: Database, path: Path) -> list[CellProblem]:
    with pytest.raises(WorkbookRejected) as caught:
        run_import(database, path)
    return list(caught.value.cells)


def outbox(database: Database) -> list[tuple[str, dict[str, object]]]:
    with database.reading() as session:
        return [
            (i.name, json.loads(i.args))
            for i in session.scalars(select(OutboxIntent).order_by(OutboxIntent.seq))
        ]


def snapshot(database: Database) -> list[tuple[object, ...]]:
    with database.reading() as session:
        students = [
            (s.id, s.full_name, s.date_of_birth, s.gender) for s in session.scalars(select(Student))
        ]
        guardians = [
            (g.id, g.student_id, g.full_name, g.relation, g.phone, g.econtact_registered_on)
            for g in session.scalars(select(Guardian))
        ]
    return [*students, *guardians]


def fill(path: Path, values: dict[str, object], out: Path) -> Path:
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for where, value in values.items():
        sheet[where] = value
    workbook.save(out)
    return out


def where(problems: list[CellProblem]) -> list[str]:
    return [f"{p.column}{p.row}" for p in problems]


# ------------------------------------------------------------------------------ round trips


def test_demo_round_trip_changes_the_rows_and_queues_the_intents(
    demo: Database, tmp_path: Path
) -> None:
    """A phone, a guardian's name and a date of birth changed in Excel are changed in the
    record, each as its intent; the export afterwards shows them."""
    path = export(demo, tmp_path / "lop.xlsx")
    sheet = load_workbook(path).worksheets[0]
    code, born = sheet["B6"].value, sheet["D6"].value
    first_guardian, phone = sheet["F7"].value, sheet["H8"].value
    assert isinstance(born, datetime)
    changed = fill(
        path,
        {
            "D6": datetime(born.year, born.month, 28),
            "F7": "Trần Thị Ngọc Hân",
            "H8": "0987 654 321",
        },
        tmp_path / "sua.xlsx",
    )
    result = run_import(demo, changed)

    assert result.changes.summary == "Đã nhập 3 thay đổi vào danh sách lớp."
    names = [name for name, _args in outbox(demo)]
    assert names == ["update_student", "set_guardian", "set_guardian"]
    again = load_workbook(export(demo, tmp_path / "sau.xlsx")).worksheets[0]
    assert again["B6"].value == code
    assert again["D6"].value == datetime(born.year, born.month, 28)
    assert again["F7"].value == "Trần Thị Ngọc Hân" != first_guardian
    assert again["H8"].value == "0987654321" != phone


def test_an_unchanged_export_queues_nothing(demo: Database, tmp_path: Path) -> None:
    before = snapshot(demo)
    result = run_import(demo, export(demo, tmp_path / "lop.xlsx"))
    assert result.plan.changes == ()
    assert result.changes.summary == "Danh sách lớp không có gì thay đổi."
    assert outbox(demo) == []
    assert snapshot(demo) == before


def test_names_are_compared_after_nfc(database: Database, tmp_path: Path) -> None:
    """A name typed decomposed (an old input method) with stray spaces is the same name."""
    decomposed = unicodedata.normalize("NFD", "  Phạm   Minh Đức ")
    path = fill(export(database, tmp_path / "a.xlsx"), {"C8": decomposed}, tmp_path / "b.xlsx")
    assert run_import(database, path).plan.changes == ()


def test_a_new_guardian_goes_in_the_next_guardians_columns(
    database: Database, tmp_path: Path
) -> None:
    """HS002 has one guardian: the second one's columns add one (a provisional row until the
    sync); the relation in Vietnamese words, the phone as Excel keeps a number (no 0)."""
    path = fill(
        export(database, tmp_path / "a.xlsx"),
        {"J7": "Lê Văn Hùng", "K7": "bố", "L7": 912345679},
        tmp_path / "b.xlsx",
    )
    result = run_import(database, path)
    [(name, args)] = outbox(database)
    assert name == "set_guardian"
    assert args == {
        "student_id": 2,
        "guardian_id": None,
        "full_name": "Lê Văn Hùng",
        "relation": "father",
        "phone": "0912345679",
    }
    [added] = result.changes.ids("guardian")
    with database.reading() as session:
        guardian = session.get_one(Guardian, int(added))
        assert guardian.id < 0 and guardian.econtact_registered_on is None


def test_a_list_made_in_english_imports(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop import i18n

    i18n.set_language("en")
    try:
        path = export(database, tmp_path / "en.xlsx")
    finally:
        i18n.set_language("vi")
    path = fill(path, {"E8": "Nữ", "G6": "father"}, tmp_path / "b.xlsx")
    result = run_import(database, path)
    assert [c.args for c in result.plan.changes] == [
        {"student_id": 1, "full_name": "Phụ huynh 1", "relation": "father",
         "phone": "0900000001", "guardian_id": 1},
        {"student_id": 3, "gender": "female"},
    ]  # fmt: skip


# ------------------------------------------------------------------------------ problems


def test_every_cell_problem_is_reported_and_nothing_imported(
    database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    path = fill(
        export(database, tmp_path / "a.xlsx"),
        {
            "C6": "Nguyễn Văn 4n",  # a digit in a name
            "D7": "31/02/2009",  # no such day
            "D8": date(2024, 5, 1),  # a baby
            "H6": "0123",  # not a Vietnamese phone
            "G8": "hàng xóm",  # not a relation
            "E7": "X",  # not a gender
            "F9": "",
            "B9": "HS404",  # not in the class: the office's
            "C9": "Người Mới",
            "B10": "HS002",  # twice
            "I7": "01/10/2025",  # a registration typed in
            "J6": None,  # the second guardian erased
            "K6": None,
            "L6": None,
        },
        tmp_path / "b.xlsx",
    )
    problems = rejected(database, path)
    assert where(problems) == ["C6", "H6", "J6", "D7", "E7", "I7", "D8", "G8", "B9", "B10"]
    assert {p.sheet for p in problems} == {SHEET}
    why = {f"{p.column}{p.row}": p.why for p in problems}
    assert why["C6"] == "Họ tên chỉ gồm chữ cái; “4” không phải chữ cái."
    assert why["D7"] == "Ngày này không có thật."
    assert why["D8"].startswith("Học sinh sinh ngày này sẽ 1 tuổi")
    assert why["H6"].startswith("Đây không phải số điện thoại Việt Nam")
    assert why["G8"].startswith("Quan hệ không có trong danh sách: cha, mẹ")
    assert why["E7"] == "Giới tính là Nam hoặc Nữ."
    assert why["I7"].startswith("Việc đăng kí sổ liên lạc điện tử và sự đồng ý do nhà trường")
    assert why["J6"].startswith("Không thể xoá phụ huynh bằng tệp")
    assert why["B9"].endswith(
        "Chỉ văn phòng nhà trường được thêm hoặc bớt học sinh của lớp "
        "(chuyển trường, chuyển lớp); hãy đề nghị văn phòng rồi đồng bộ."
    )
    assert why["B10"] == "Học sinh này đã có ở dòng 7."
    assert [p.value for p in problems if p.row == 7] == ["31/02/2009", "X", "01/10/2025"]
    assert outbox(database) == []
    assert snapshot(database) == before


def test_missing_extra_and_merged_columns_and_formulas(database: Database, tmp_path: Path) -> None:
    path = export(database, tmp_path / "a.xlsx")
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet["G5"] = "Nghề nghiệp"  # the first guardian's relation column renamed
    sheet["R5"] = "Ghi chú"  # an extra column after the last (spare) guardian
    sheet["R7"] = "chuyển lớp"
    sheet.merge_cells("C8:D8")
    sheet["H7"] = '=0&"900000002"'
    workbook.save(tmp_path / "b.xlsx")
    problems = rejected(database, tmp_path / "b.xlsx")
    assert where(problems) == ["G5", "R5", "H7", "R7", "C8"]
    why = {f"{p.column}{p.row}": p.why for p in problems}
    assert why["G5"] == "Thiếu cột “Quan hệ” ở đây; hãy xuất lại danh sách lớp."
    assert why["R5"] == why["R7"]
    assert why["R5"].startswith("Cột thêm không thuộc danh sách lớp")
    assert why["C8"] == "Danh sách không được có ô gộp; hãy bỏ gộp ô."
    assert why["H7"] == "Không được dùng công thức; hãy gõ trực tiếp giá trị."
    assert outbox(database) == []


def test_a_list_of_another_class_and_a_foreign_sheet(database: Database, tmp_path: Path) -> None:
    path = fill(export(database, tmp_path / "a.xlsx"), {"B2": "12A3"}, tmp_path / "b.xlsx")
    [problem] = rejected(database, path)
    assert (problem.column, problem.row, problem.value) == ("B", 2, "12A3")
    assert problem.why == "Danh sách này là của lớp khác, không phải lớp 11A1."

    other = Workbook()
    sheet = other.active
    assert sheet is not None
    sheet["A1"] = "Sổ gọi tên"
    other.save(tmp_path / "khac.xlsx")
    [problem] = rejected(database, tmp_path / "khac.xlsx")
    assert problem.why.startswith("Đây không phải danh sách lớp do Sổ Chủ Nhiệm xuất")


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (150 * 1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("content", "start"),
    [
        (b"", "Tệp ds.xlsx trống."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "Tệp ds.xlsx là tệp Excel đời cũ (.xls) hoặc có mật khẩu",
        ),
        ("Mã học sinh;Họ và tên\nHS001;Nguyễn Văn An\n".encode(), "Tệp ds.xlsx không phải"),
        (b"PK\x03\x04 cut short", "Tệp ds.xlsx bị hỏng"),
        (None, "Tệp ds.xlsx khi giải nén"),
    ],
    ids=["empty", "xls-or-password", "csv-renamed", "damaged", "zip-bomb"],
)
def test_files_that_are_not_a_workbook_change_nothing(
    database: Database, tmp_path: Path, content: bytes | None, start: str
) -> None:
    path = tmp_path / "ds.xlsx"
    if content is None:
        _zip_bomb(path)
    else:
        path.write_bytes(content)
    before = snapshot(database)
    with pytest.raises(InvalidInput) as refused:
        run_import(database, path)
    assert refused.value.message.startswith(start), refused.value.message
    assert outbox(database) == [] and snapshot(database) == before


def test_a_guardian_added_here_is_corrected_only_after_the_sync(
    database: Database, tmp_path: Path
) -> None:
    """Its id is provisional: an intent naming it could never reach the server's row."""
    added = fill(
        export(database, tmp_path / "a.xlsx"),
        {"J7": "Lê Văn Hùng", "K7": "cha", "L7": "0912345679"},
        tmp_path / "b.xlsx",
    )
    run_import(database, added)
    path = fill(export(database, tmp_path / "c.xlsx"), {"H7": "0912000111"}, tmp_path / "d.xlsx")
    sheet = load_workbook(path).worksheets[0]
    assert sheet["F7"].value == "Lê Văn Hùng"  # provisional ids sort first
    [problem] = rejected(database, path)
    assert (problem.column, problem.row) == ("F", 7)
    assert (
        problem.why
        == "Phụ huynh này mới thêm trên máy này và chưa được đồng bộ; hãy đồng bộ trước."
    )
