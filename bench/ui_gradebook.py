"""Benchmark of the grade book screen (issue 8) on the largest class of the 40-class demo school,
offscreen, each figure against a floor measured in the same run:

1. opening the grade book of one subject and semester, from the request to the grid filled and
   repainted, against the same rows read with bare ``sqlite3`` and shown in a bare
   ``QTableView`` over a ``QStandardItemModel`` (same end point: ``viewport().repaint()`` done;
   target <= 2);
2. a typed grade, from the key press to the saved cell (committed, read back and its row
   repainted, as the window repaints it: not the whole grid), against the service call alone:
   the same ``perform(... "set_grade" ...)`` in one transaction, no window (target <= 2).

Medians over the runs. ``measure`` is what ``bench/ui.py`` calls; alone:
``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_gradebook.py`` (``--quick``: fewer runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGETS = {"open": 2.0, "typed": 2.0}
Check = Callable[[str, str, str, bool], None]


def measure(root: Path, runs: int, check: Check) -> None:
    """Both figures on a 40-class school built under ``root``; ``check`` is told each verdict."""
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(["homeroom-bench"])
    school = build_school(root / "gradebook-school")
    class_name, subjects = largest_class(school)
    print(f"\n[grade book of {class_name}, the largest class of the 40-class school]")
    opened, open_floor = open_times(school, root, class_name, subjects, runs)
    check(
        "open one subject's grade book",
        f"{opened * 1000:.1f} ms = {opened / open_floor:.2f} x bare sqlite3+QTableView "
        f"({open_floor * 1000:.1f} ms)",
        f"<= {TARGETS['open']}",
        opened / open_floor <= TARGETS["open"],
    )
    typed, typed_floor = typed_times(school, root, class_name, subjects[0], runs)
    check(
        "typed grade, key press to saved cell",
        f"{typed * 1000:.1f} ms = {typed / typed_floor:.2f} x the service call "
        f"({typed_floor * 1000:.1f} ms)",
        f"<= {TARGETS['typed']}",
        typed / typed_floor <= TARGETS["typed"],
    )


# ----------------------------------------------------------------------------- the school


def build_school(folder: Path) -> Path:
    from plain_demo import plain_demo

    started = time.perf_counter()
    made = plain_demo(folder, "--school")
    print(f"(40-class school generated in {time.perf_counter() - started:.1f} s)")
    return made


def largest_class(profile: Path) -> tuple[str, list[int]]:
    """The class with the most students, and two of its scored subjects: first the one its
    homeroom teacher teaches (the grade book's default, typed in), then another with as many
    columns (opening alternates between them, so each open is a new book of the same size)."""
    with sqlite3.connect(profile) as connection:
        class_id, name = connection.execute(
            "SELECT c.id, c.name FROM school_class c JOIN student s ON s.class_id = c.id"
            " GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1"
        ).fetchone()
        rows = connection.execute(
            "SELECT s.id, s.periods_per_year FROM subject s"
            " JOIN school_class c ON c.id = s.class_id WHERE s.class_id = ? AND"
            " s.assessment = 'score' ORDER BY (s.teacher_id = c.homeroom_teacher_id) DESC,"
            " s.position",
            (class_id,),
        ).fetchall()
    (own, periods), others = rows[0], rows[1:]
    partner = next((s for s, p in others if regular_count(p) == regular_count(periods)), None)
    return str(name), [int(own), int(partner if partner is not None else others[0][0])]


def regular_count(periods: int) -> int:
    from desktop.domain.grading import Assessment
    from desktop.domain.grading import regular_count as count

    return count(periods, Assessment.SCORE)


def copy_of(profile: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "homeroom.sqlite3"
    shutil.copy2(profile, target)
    return target


# ----------------------------------------------------------------------------- opening


FLOOR_STUDENTS = "SELECT id, code, full_name FROM student WHERE class_id = ? ORDER BY sort_key, id"
FLOOR_ENTRIES = (
    "SELECT student_id, kind, slot, score, comment FROM grade_entry"
    " WHERE subject_id = ? AND semester = ?"
)


def open_times(
    profile: Path, root: Path, class_name: str, subjects: list[int], runs: int
) -> tuple[float, float]:
    """(ours, floor): medians, alternating between two subjects so each open is a new book."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from desktop.models.db import open_database
    from desktop.ui.grades.screen import GradesScreen
    from desktop.ui.tasks import TaskRunner

    with sqlite3.connect(profile) as connection:
        class_id = connection.execute(
            "SELECT id FROM school_class WHERE name = ?", (class_name,)
        ).fetchone()[0]

    view = QTableView()
    view.resize(1366, 768)
    shown(view)
    models: list[QStandardItemModel] = []

    def bare(subject: int) -> None:
        connection = sqlite3.connect(profile)
        try:
            students = connection.execute(FLOOR_STUDENTS, (class_id,)).fetchall()
            cells = {
                (student, kind, slot): score if score is not None else comment
                for student, kind, slot, score, comment in connection.execute(
                    FLOOR_ENTRIES, (subject, 1)
                )
            }
        finally:
            connection.close()
        columns = sorted({(kind, slot) for _student, kind, slot in cells})
        model = QStandardItemModel(len(students), 2 + len(columns))
        for row, (student, code, name) in enumerate(students):
            model.setItem(row, 0, QStandardItem(code))
            model.setItem(row, 1, QStandardItem(name))
            for number, (kind, slot) in enumerate(columns):
                value = cells.get((student, kind, slot))
                model.setItem(row, 2 + number, QStandardItem("" if value is None else str(value)))
        view.setModel(model)
        models[:] = [model]  # the previous model goes, as the screen's rows do
        view.viewport().repaint()

    floors = [timed(lambda s=subjects[n % 2]: bare(s)) for n in range(runs + 1)][1:]
    view.close()

    database = open_database(copy_of(profile, root / "gradebook-open"))
    runner = TaskRunner()
    screen = GradesScreen(database, runner, class_name)
    screen.resize(1366, 768)
    shown(screen)
    try:
        ours: list[float] = []
        for n in range(runs + 1):
            subject = subjects[n % 2]
            start = time.perf_counter()
            until(
                screen.loaded, lambda s=subject: screen.open_with({"subject_id": s, "semester": 1})
            )
            screen.table.viewport().repaint()
            ours.append(time.perf_counter() - start)
        book = screen.model.book
        assert book is not None and len(book.rows) == len(students_of(profile, class_id))
    finally:
        screen.close()
        runner.wait()
        database.close()
    return statistics.median(ours[1:]), statistics.median(floors)


def students_of(profile: Path, class_id: int) -> list[Any]:
    with sqlite3.connect(profile) as connection:
        return connection.execute(FLOOR_STUDENTS, (class_id,)).fetchall()


# ----------------------------------------------------------------------------- typing


def typed_times(
    profile: Path, root: Path, class_name: str, subject: int, runs: int
) -> tuple[float, float]:
    """(ours, floor): one new grade per run in semester II's empty cells of the homeroom
    teacher's own subject, the same cells on two copies of the profile."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop.models.db import open_database
    from desktop.services import workspace
    from desktop.services.actions import perform
    from desktop.ui.grades.screen import GradesScreen
    from desktop.ui.tasks import TaskRunner

    database = open_database(copy_of(profile, root / "gradebook-typed"))
    runner = TaskRunner()
    screen = GradesScreen(database, runner, class_name)
    screen.resize(1366, 768)
    shown(screen)
    screen.activateWindow()
    try:
        until(screen.loaded, lambda: screen.open_with({"subject_id": subject, "semester": 2}))
        model, table = screen.model, screen.table
        targets = [
            (row, column)
            for column in model.grade_columns()
            for row in range(model.rowCount())
            if model.cell_at(model.index(row, column)).missing
        ][: runs + 1]
        book = model.book
        assert book is not None and len(targets) == runs + 1
        cells = [
            (model.row_at(row).student_id, model.column_of(model.index(row, column)))
            for row, column in targets
        ]

        floor_db = open_database(copy_of(profile, root / "gradebook-floor"))
        floors: list[float] = []
        try:
            for student, column in cells:

                def call(student: int = student, kind: str = column.kind, slot: int = column.slot):
                    with workspace.work(floor_db, class_name) as unit:
                        perform(
                            unit.session,
                            unit.scope,
                            "set_grade",
                            {
                                "student_id": student,
                                "subject_code": book.subject.code,
                                "semester": 2,
                                "kind": kind,
                                "slot": slot,
                                "value": "8",
                                "reason": "",
                                "base_version": 0,
                            },
                            actor=unit.actor,
                        )

                floors.append(timed(call))
        finally:
            floor_db.close()

        ours: list[float] = []
        for row, column in targets:
            table.setFocus()
            table.setCurrentIndex(model.index(row, column))
            start = time.perf_counter()

            def type_eight() -> None:
                QTest.keyClick(table, Qt.Key.Key_8)
                editor = QApplication.focusWidget()
                assert editor is not None and editor is not table
                QTest.keyClick(editor, Qt.Key.Key_Return)

            until(screen.saved, type_eight)
            # What the window repaints for a saved grade: its row (the cell and the average;
            # Qt updates the changed range only), not the whole grid.
            viewport = table.viewport()
            viewport.repaint(
                0, table.rowViewportPosition(row), viewport.width(), table.rowHeight(row)
            )
            ours.append(time.perf_counter() - start)
            assert model.cell_at(model.index(row, column)).value == "8"
    finally:
        screen.close()
        runner.wait()
        database.close()
    return statistics.median(ours[1:]), statistics.median(floors[1:])


# ----------------------------------------------------------------------------- helpers


def shown(widget: Any) -> None:
    """Show ``widget`` and wait until its window is exposed: before that ``repaint()`` draws
    nothing (the floor's bare view, repainted right after ``show()``, once measured no paint
    at all: 1.6 ms for a grid whose paint alone takes 3-4 ms)."""
    from PySide6.QtTest import QTest

    widget.show()
    if not QTest.qWaitForWindowExposed(widget):
        raise TimeoutError("the window was never exposed")


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def until(signal: Any, start: Callable[[], None], timeout_ms: int = 60_000) -> None:
    """Run ``start`` and the event loop until ``signal`` fires (the GUI thread sleeps between
    events, as in the app)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired: list[bool] = []

    def seen(*_args: object) -> None:
        fired.append(True)
        loop.quit()

    signal.connect(seen)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(timeout_ms)
    try:
        start()
        if not fired:
            loop.exec()
    finally:
        guard.stop()
        signal.disconnect(seen)
    if not fired:
        raise TimeoutError("the grade book did not answer in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    verdicts = [0, 0]

    def check(label: str, shown: str, target: str, ok: bool) -> None:
        verdicts[0] += ok
        verdicts[1] += 1
        print(f"  {label:<40} {shown:<56} target {target:<6} {'PASS' if ok else 'FAIL'}")

    with tempfile.TemporaryDirectory(prefix="homeroom-bench-grades-") as scratch:
        measure(Path(scratch), 5 if args.quick else 15, check)
    print(f"{verdicts[0]}/{verdicts[1]} targets met")
    return 0 if verdicts[0] == verdicts[1] else 1


if __name__ == "__main__":
    sys.exit(main())
