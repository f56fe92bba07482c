"""Benchmark of the attendance screen (issue 8): opening a month's grid for the largest class
of the 40-class school, against a floor measured in the same run.

Ours: the ``AttendanceScreen`` on a real profile, built once as the window builds it at
start-up; each run opens a month not shown just before (its month chooser), from the request to
the month read on the database lane (the month service), shown in its table model and the
grid's viewport repainted. The floor: the same rows (the class's students in class-list order,
the month's marks and the year's absences, the class's requests) read with bare ``sqlite3``
into a new ``QStandardItemModel`` on a bare ``QTableView`` with the grid's compact cells, to the
same repaint. Medians. A new screen built and shown each time is printed too, for information.

Run alone: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_attendance.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from calendar import monthrange
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET = 2.0
SIZE = (1366, 768)


def _school(root: Path) -> tuple[Path, str]:
    """The 40-class school in a real profile, its demo day pinned; the largest class's name."""
    from sqlalchemy import func, select

    from desktop.demo.generator import DEMO_TODAY, generate_demo_school
    from desktop.models import SchoolClass, Student
    from desktop.models.db import open_database
    from desktop.services.profile import TODAY_KEY, set_setting

    path = root / "school" / "homeroom.sqlite3"
    database = open_database(path)
    try:
        with database.transaction() as session:
            generate_demo_school(session, seed=2025, classes=40)
            set_setting(session, TODAY_KEY, DEMO_TODAY.isoformat())
            largest = session.execute(
                select(SchoolClass.name)
                .join(Student, Student.class_id == SchoolClass.id)
                .group_by(SchoolClass.id)
                .order_by(func.count(Student.id).desc(), SchoolClass.id)
                .limit(1)
            ).scalar_one()
    finally:
        database.close()
    return path, largest


def _bare(path: Path, class_name: str) -> Callable[[date], float]:
    """The floor's run for a month: bare ``sqlite3`` rows in a new ``QStandardItemModel`` on a
    bare ``QTableView``; seconds to the repaint."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    connection = sqlite3.connect(path)
    view = QTableView()
    # As compact as the attendance grid, so as many cells are painted.
    view.horizontalHeader().setDefaultSectionSize(18)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    view.resize(*SIZE)
    view.show()
    codes = {"excused": "P", "unexcused": "K", "late": "M", "present": "·"}

    def once(day: date) -> float:
        first = date(day.year, day.month, 1)
        last = date(day.year, day.month, monthrange(day.year, day.month)[1])
        start = time.perf_counter()
        slots = [
            (date(day.year, day.month, n), part)
            for n in range(1, last.day + 1)
            for part in ("morning", "afternoon")
            if date(day.year, day.month, n).weekday() < 5
            or (date(day.year, day.month, n).weekday() == 5 and part == "morning")
        ]
        (class_id,) = connection.execute(
            "SELECT id FROM school_class WHERE name = ?", (class_name,)
        ).fetchone()
        students = connection.execute(
            "SELECT id, code, full_name FROM student WHERE class_id = ? ORDER BY sort_key, id",
            (class_id,),
        ).fetchall()
        marks = connection.execute(
            "SELECT m.student_id, m.day, m.session, m.observed, m.status, m.source,"
            " m.leave_request_id FROM attendance_mark m JOIN student s ON s.id = m.student_id"
            " WHERE s.class_id = ? AND (m.day BETWEEN ? AND ? OR m.status != 'present')",
            (class_id, first.isoformat(), last.isoformat()),
        ).fetchall()
        connection.execute(
            "SELECT r.id, r.student_id, r.status, r.first_day, r.first_session, r.last_day,"
            " r.last_session FROM leave_request r JOIN student s ON s.id = r.student_id"
            " WHERE s.class_id = ?",
            (class_id,),
        ).fetchall()
        cells = {
            (student, day_text, part): status
            for student, day_text, part, _seen, status, _source, _request in marks
        }
        model = QStandardItemModel(len(students), len(slots), view)
        for row, (student_id, _code, name) in enumerate(students):
            model.setVerticalHeaderItem(row, QStandardItem(name))
            for column, (slot_day, part) in enumerate(slots):
                status = cells.get((student_id, slot_day.isoformat(), part))
                model.setItem(row, column, QStandardItem(codes[status] if status else ""))
        old = view.model()
        view.setModel(model)
        view.viewport().repaint()
        elapsed = time.perf_counter() - start
        if old is not None:
            old.deleteLater()
        return elapsed

    return once


class _Ours:
    """The attendance screen on the profile, built as the window builds it at start-up."""

    def __init__(self, path: Path, class_name: str) -> None:
        from desktop.models.db import open_database
        from desktop.ui.attendance.screen import AttendanceScreen
        from desktop.ui.navigation import Navigator
        from desktop.ui.tasks import TaskRunner

        self.database = open_database(path)
        self.runner = TaskRunner()
        self.navigator = Navigator()
        self._screen_type = AttendanceScreen
        self.class_name = class_name
        self.screen = AttendanceScreen(self.database, self.runner, self.navigator, class_name)

    def cold(self) -> float:
        """A new screen shown: seconds to its first month painted."""
        screen = self._screen_type(self.database, self.runner, self.navigator, self.class_name)
        elapsed = self._until_shown(screen, screen.show)
        screen.close()
        screen.deleteLater()
        return elapsed

    def month(self, day: date) -> float:
        """The shown screen moved to ``day``'s month: seconds to the grid repainted."""
        if not self.screen.isVisible():
            self._until_shown(self.screen, self.screen.show)
        month = (day.year, day.month)
        grid = self.screen.model.grid
        if grid is not None and grid.month == month:
            return self._until_shown(self.screen, self.screen.reload)
        return self._until_shown(self.screen, lambda: self.screen.open_with({"month": month}))

    @staticmethod
    def _until_shown(screen: Any, action: Callable[[], None]) -> float:
        from PySide6.QtCore import QEventLoop

        loop = QEventLoop()
        screen.refreshed.connect(loop.quit)
        screen.resize(*SIZE)
        start = time.perf_counter()
        action()
        loop.exec()
        screen.refreshed.disconnect(loop.quit)
        if screen.model.rowCount() == 0:
            raise RuntimeError("the attendance grid showed nothing")
        screen.table.viewport().repaint()
        return time.perf_counter() - start

    def close(self) -> None:
        self.screen.close()
        self.runner.wait()
        self.database.close()


def measure(root: Path, runs: int, check: Callable[[str, str, str, bool], None]) -> None:
    from PySide6.QtWidgets import QApplication

    assert QApplication.instance() is not None, "a QApplication must exist"
    start = time.perf_counter()
    path, class_name = _school(root)
    made = time.perf_counter() - start
    bare = _bare(path, class_name)
    ours = _Ours(path, class_name)
    # Each run shows a month not shown just before (the screen's month chooser).
    months = [date(2025, m, 15) for m in (10, 11, 12)] + [date(2026, m, 15) for m in (1, 2, 3)]
    try:
        bare(months[-2])
        ours.month(months[-2])  # warm both: imports, fonts, the SQLite page cache
        floors, times, colds = [], [], []
        for number in range(runs):
            day = months[number % len(months)]
            floors.append(bare(day))
            times.append(ours.month(day))
            colds.append(ours.cold())
    finally:
        ours.close()
    mine, floor = statistics.median(times), statistics.median(floors)
    cold = statistics.median(colds)
    print(
        f"\n[attendance month grid, class {class_name} of the 40-class school "
        f"(made in {made:.1f} s), median of {runs}]"
    )
    print(
        f"  (a new screen, built and shown: {cold * 1000:.1f} ms = {cold / floor:.2f} x the floor;"
        " the window builds it once, at start-up)"
    )
    check(
        "open a month's attendance grid",
        f"{mine * 1000:.1f} ms = {mine / floor:.2f} x bare sqlite3 + QStandardItemModel "
        f"({floor * 1000:.1f} ms)",
        f"<= {TARGET}",
        mine / floor <= TARGET,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    from desktop.app import application

    app, _translator = application()
    verdicts = [0, 0]

    def check(label: str, shown: str, target: str, ok: bool) -> None:
        verdicts[0] += ok
        verdicts[1] += 1
        print(f"  {label:<44} {shown:<52} target {target:<10} {'PASS' if ok else 'FAIL'}")

    with tempfile.TemporaryDirectory(prefix="homeroom-bench-attendance-") as scratch:
        measure(Path(scratch), 3 if quick else 7, check)
    app.quit()
    print(f"\n{verdicts[0]}/{verdicts[1]} targets met")


if __name__ == "__main__":
    main()
