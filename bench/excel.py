"""Benchmark of the Excel exchange (issue 9): importing a filled 45-student × 13-subject
workbook (a sheet per subject, every grade cell filled) into a fresh profile, as a ratio to
openpyxl alone loading the same file and reading the same cells, in the same run (target
<= 1.5). The import is the whole of ``import_template``: the safe opening (zip checks), every
cell checked, and the ``set_grade`` intents of the grades performed as one batch in one
transaction; the check alone (the same without the intents) is printed too, for information.
The floor and the import are timed in turns and the fastest of each counts (the run the
machine's other programs disturbed least), as in ``bench/print.py``; values random with the
seed printed.

``excel_import_target(check)`` is the target for another benchmark's run (``bench/print.py``
reports all three print targets of issue 9): ``check.check(label, shown, target, ok)`` gets
its verdict.

Run: ``.venv/bin/python bench/excel.py`` (``--quick`` for fewer runs).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Protocol

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


def timed_import(profile: Path, workbook: Path, folder: Path) -> tuple[float, int]:
    copy = folder / f"run-{time.monotonic_ns()}.sqlite3"
    shutil.copy(profile, copy)
    database = open_database(copy)
    try:
        with workspace.work(database, None) as w:
            started = time.perf_counter()
            result = grade_import.import_template(
                w.session, w.scope, workbook, actor=w.actor, today=w.today
            )
            elapsed = time.perf_counter() - started
    except InvalidInput as error:
        raise SystemExit(f"import refused: {error.message}") from None
    finally:
        database.close()
        copy.unlink()
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


class Checker(Protocol):
    def check(self, label: str, shown: str, target: str, ok: bool) -> None: ...


def excel_import_target(check: Checker, *, runs: int = 5, seed: int | None = None) -> None:
    """The import of a filled 45 × 13 workbook as a ratio to openpyxl reading it (<= 1.5)."""
    seed = random.SystemRandom().randrange(10**6) if seed is None else seed
    with tempfile.TemporaryDirectory(prefix="homeroom-bench-excel-") as folder_name:
        folder = Path(folder_name)
        profile = build_profile(folder)
        workbook = folder / "grades.xlsx"
        cells = filled_workbook(profile, workbook, seed)
        print(f"[excel: seed {seed}, {STUDENTS} students x {SUBJECTS} subjects, {cells} cells]")
        floors, imports, checks = [], [], []
        entered = 0
        for _ in range(runs):
            floors.append(read_floor(workbook))
            elapsed, entered = timed_import(profile, workbook, folder)
            imports.append(elapsed)
            checks.append(timed_check(profile, workbook))
        floor, full, checked = min(floors), min(imports), min(checks)
        print(f"  openpyxl reading the cells (floor): {floor * 1000:.0f} ms")
        print(f"  import, {entered} set_grade intents in one batch: {full * 1000:.0f} ms")
        print(
            f"  (for information) the check alone: {checked * 1000:.0f} ms, "
            f"{checked / floor:.2f} x the floor; the intents: {(full - checked) * 1000:.0f} ms"
        )
        ratio = full / floor
        check.check(
            "Excel import 45 x 13 / openpyxl read",
            f"{ratio:.2f} x ({full * 1000:.0f} / {floor * 1000:.0f} ms)",
            f"<= {TARGET}",
            ratio <= TARGET,
        )


class Verdicts:
    def __init__(self) -> None:
        self.results: list[bool] = []

    def check(self, label: str, shown: str, target: str, ok: bool) -> None:
        self.results.append(ok)
        print(f"  {label:<40} {shown:<28} target {target:<8} {'PASS' if ok else 'FAIL'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    verdicts = Verdicts()
    excel_import_target(verdicts, runs=3 if args.quick else 7, seed=args.seed)
    print(f"{sum(verdicts.results)}/{len(verdicts.results)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
