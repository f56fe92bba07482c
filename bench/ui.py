"""Benchmark of the desktop window on the demo class, offscreen.

Figures, as ratios to floors measured in the same run:
- start: building the main window on the demo profile, showing it and having every leave
  request in the table, against building and showing a bare ``QMainWindow`` with an empty
  ``QTableView`` (what Qt itself costs);
- a decision: from the click on "Duyệt" to the row redrawn (service, commit, outbox row, the
  row read back, all on the database lane), against a bare ``sqlite3`` INSERT + COMMIT;
- search: typing one more letter in the search box (the proxy filters every row), against
  Qt's own fixed-string filter on the same rows in a shown table.
Also the same start on the 40-class school's profile (the teacher's class only is shown).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py`` (``--quick`` for fewer runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSortFilterProxyModel
from PySide6.QtWidgets import QMainWindow, QTableView

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core import bare_insert_floor

from desktop.app import application
from desktop.cli.main import main as homeroom
from desktop.models.db import DATABASE_FILE
from desktop.ui.main_window import MainWindow
from desktop.ui.startup import build_window


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QCoreApplication.processEvents()


def bare_window() -> float:
    timer = QElapsedTimer()
    timer.start()
    window = QMainWindow()
    window.setCentralWidget(QTableView())
    window.resize(1200, 720)
    window.show()
    QCoreApplication.processEvents()
    elapsed = timer.nsecsElapsed() / 1e9
    window.close()
    window.deleteLater()
    return elapsed


def open_window(profile: Path) -> tuple[float, MainWindow]:
    timer = QElapsedTimer()
    timer.start()
    window = build_window(profile, sync_every_s=None)
    window.resize(1200, 720)
    window.show()
    wait_until(lambda: window.leave.model.rowCount() > 0)
    return timer.nsecsElapsed() / 1e9, window


def decide_once(window: MainWindow) -> float:
    screen = window.leave
    pending = [
        n
        for n in range(screen.filter.rowCount())
        if screen.filter.row_at(n).status == "submitted"
        and not screen.filter.row_at(n).special_case
    ]
    if not pending:
        raise RuntimeError("no plain pending request left to decide")
    screen.table.selectRow(pending[0])
    wait_until(lambda: screen.approve_button.isEnabled())
    decided: list[str] = []
    screen.decided.connect(decided.append)
    timer = QElapsedTimer()
    timer.start()
    screen.approve_button.click()
    wait_until(lambda: bool(decided))
    elapsed = timer.nsecsElapsed() / 1e9
    screen.decided.disconnect(decided.append)
    return elapsed


def search_letter(window: MainWindow) -> tuple[float, float]:
    """Typing "nguyen" letter by letter, against Qt's own fixed-string filter on the same rows
    in a shown table (filtering and repainting, nothing of ours)."""
    letters = ("n", "ng", "ngu", "nguy", "nguye", "nguyen", "")

    def typing(enter: Callable[[str], None]) -> float:
        times = []
        for text in letters:
            timer = QElapsedTimer()
            timer.start()
            enter(text)
            QCoreApplication.processEvents()
            times.append(timer.nsecsElapsed() / 1e9)
        return statistics.median(times)

    ours = typing(window.leave.search.setText)
    bare = QSortFilterProxyModel()
    bare.setSourceModel(window.leave.model)
    table = QTableView()
    table.setModel(bare)
    table.resize(900, 600)
    table.show()
    floor = typing(bare.setFilterFixedString)
    table.close()
    return ours, floor


def profile(folder: Path, *args: str) -> Path:
    assert homeroom(["--data-dir", str(folder), "init", "--demo", *args]) == 0
    return folder / DATABASE_FILE


def run(quick: bool) -> None:
    app, _translator = application()
    repeat = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="homeroom-bench-ui-") as scratch:
        root = Path(scratch)
        demo = profile(root / "demo")
        school = profile(root / "school", "--school")
        floor_window = statistics.median(bare_window() for _ in range(repeat))
        floor_insert = bare_insert_floor(root, 60)
        print(
            f"floors: bare window shown {floor_window * 1000:.1f} ms; "
            f"bare sqlite3 INSERT+COMMIT {floor_insert * 1000:.2f} ms"
        )

        for name, source in (
            ("demo class", demo),
            ("40-class school, the teacher's class", school),
        ):
            starts, decisions = [], []
            window: MainWindow | None = None
            for attempt in range(repeat):
                copy = root / f"{source.parent.name}-{attempt}" / DATABASE_FILE
                copy.parent.mkdir()
                shutil.copy2(source, copy)
                elapsed, window = open_window(copy)
                starts.append(elapsed)
                if attempt < repeat - 1:
                    window.close()
                    window.runner.wait()
                    window.database.close()
            assert window is not None
            for _ in range(repeat * 2):
                wait_until(lambda: not window.runner.busy)  # noqa: B023 - used at once
                decisions.append(decide_once(window))
            typed, floor_filter = search_letter(window)
            rows = window.leave.model.rowCount()
            start = statistics.median(starts)
            decision = statistics.median(decisions)
            print(f"[{name}: {rows} requests]")
            print(
                f"  window shown with its table filled: median {start * 1000:.0f} ms over "
                f"{repeat} = {start / floor_window:.1f} x a bare window"
            )
            print(
                f"  one approval, click to row redrawn: median {decision * 1000:.1f} ms over "
                f"{len(decisions)} = {decision / floor_insert:.1f} x a bare INSERT+COMMIT"
            )
            print(
                f"  one more letter in the search box: median {typed * 1000:.2f} ms = "
                f"{typed / floor_filter:.1f} x Qt's own filter on the same rows "
                f"({floor_filter * 1000:.2f} ms)"
            )
            window.close()
            window.runner.wait()
            window.database.close()
    app.quit()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args().quick)
