"""Benchmark of the Excel exchange (issue 9): importing a filled 45-student × 13-subject
workbook (a sheet per subject, every grade cell filled) into a fresh profile, as a ratio to
openpyxl alone loading the same file and reading the same cells, in the same run (target
<= 1.5). The import is the whole of ``import_template``: the safe opening (zip checks), every
cell checked, and a ``set_grade`` intent per grade in one transaction; the check alone (the
same without the intents) is printed too. Medians over the runs; values random with the seed
printed.

Run: ``.venv/bin/python bench/excel.py`` (``--quick`` for fewer runs).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

from desktop.domain.names import normalize, search_key, sort_text  # noqa: E402
from desktop.errors import InvalidInput  # noqa: E402
from desktop.exchange.excel import grade_import, template  # noqa: E402
from desktop.models import SchoolClass, Student, Subject  # noqa: E402
from desktop.models.db import open_database  # noqa: E402
from desktop.services import workspace  # noqa: E402
from desktop.services.profile import TODAY_KEY, set_setting  # noqa: E402
from tests.factories import build_small_class  # noqa: E402

TARGET = 1.5
STUDENTS, SUBJECTS = 45, 13


def build_profile(folder: Path) -> Path:
    path = folder / "homeroom.sqlite3"
    database = open_database(path)
    with database.transaction() as session:
        build_small_class(session)
        set_setting(session, TODAY_KEY, "2025-10-20")
        class_id = session.scalars(select(SchoolClass.id)).one()
        have = len(session.scalars(select(Student.id)).all())
        for index in range(have + 1, STUDENTS + 1):
            full = normalize(f"Nguyễn Văn Học Sinh {index:02d}")
            session.add(
                Student(
                    class_id=class_id,
                    code=f"HS{index:03d}",
                    full_name=full,
                    sort_key=sort_text(full),
                    search_key=search_key(full),
                    date_of_birth=date(2009, 1 + index % 12, 1 + index % 28),
                    gender="female" if index % 2 else "male",
                )
            )
        for index in range(len(session.scalars(select(Subject.id)).all()), SUBJECTS):
            session.add(
                Subject(
                    class_id=class_id,
                    code=f"MON{index:02d}",
                    name=f"Môn {index:02d}",
                    periods_per_year=105 if index % 2 else 70,
                    assessment="score",
                    position=10 + index,
                )
            )
    database.close()
    return path


def filled_workbook(profile: Path, out: Path, seed: int) -> int:
    """Every grade cell of every subject filled; the number of grade cells."""
    database = open_database(profile)
    with workspace.work(database, None, write=False) as w:
        codes = [s.code for s in session_subjects(w.session)]
        template.export_templates(
            w.session, w.scope, subject_codes=codes, semester=1, today=w.today, path=out
        )
    database.close()
    rng = random.Random(seed)
    workbook = load_workbook(out)
    cells = 0
    for sheet in workbook.worksheets:
        comment = False
        width = sheet.max_column - 1  # the reason column stays empty
        for row in sheet.iter_rows(min_row=template.FIRST_ROW, min_col=3, max_col=width):
            for cell in row:
                comment = comment or sheet.title == "GDTC"
                cell.value = rng.choice(["Đ", "CĐ"]) if comment else rng.randint(0, 100) / 10
                cells += 1
    workbook.save(out)
    return cells


def session_subjects(session: object) -> list[Subject]:
    return list(session.scalars(select(Subject).order_by(Subject.position)))  # type: ignore[attr-defined]


def read_floor(path: Path) -> float:
    started = time.perf_counter()
    workbook = load_workbook(path, data_only=False)
    seen = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    seen += 1
    assert seen
    return time.perf_counter() - started


def timed_import(profile: Path, workbook: Path, folder: Path, *, write: bool) -> tuple[float, int]:
    copy = folder / f"run-{time.monotonic_ns()}.sqlite3"
    shutil.copy(profile, copy)
    database = open_database(copy)
    try:
        with workspace.work(database, None, write=write) as w:
            started = time.perf_counter()
            result = grade_import.import_template(
                w.session, w.scope, workbook, actor=w.actor, today=w.today
            )
            elapsed = time.perf_counter() - started
    except InvalidInput as error:
        raise SystemExit(f"import refused: {error.message}") from None
    finally:
        database.close()
    return elapsed, result.changed


def timed_check(profile: Path, workbook: Path) -> float:
    database = open_database(profile)
    try:
        with workspace.work(database, None, write=False) as w:
            started = time.perf_counter()
            grade_import.check_workbook(w.session, w.scope, workbook, today=w.today)
            return time.perf_counter() - started
    finally:
        database.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(10**6))
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    print(f"seed {args.seed}")
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        profile = build_profile(folder)
        workbook = folder / "grades.xlsx"
        cells = filled_workbook(profile, workbook, args.seed)
        print(f"{STUDENTS} students x {SUBJECTS} subjects, {cells} grade cells")
        floor = statistics.median(read_floor(workbook) for _ in range(runs))
        imports = [timed_import(profile, workbook, folder, write=True) for _ in range(runs)]
        entered = imports[0][1]
        full = statistics.median(t for t, _ in imports)
        print(f"openpyxl reading the cells: {floor * 1000:.0f} ms")
        print(f"import ({entered} set_grade intents): {full * 1000:.0f} ms")
        check = statistics.median(timed_check(profile, workbook) for _ in range(runs))
        print(
            f"(for information) every cell checked, no intent: {check * 1000:.0f} ms, "
            f"{check / floor:.2f} x the read"
        )
        ratio = full / floor
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(f"{verdict} import / openpyxl read = {ratio:.2f} (target <= {TARGET})")
        met = 1 if verdict == "PASS" else 0
    print(f"{met}/1 targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
