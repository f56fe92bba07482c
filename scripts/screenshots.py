"""Renders every screen of the window on the demo profile, offscreen at 1366×768, into
``docs/screenshots/`` (the README shows them). Vietnamese, as a teacher sees it.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py``
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("HOMEROOM_LANG", None)

from PySide6.QtCore import QCoreApplication, QItemSelectionModel
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from desktop.app import application
from desktop.cli.main import main as homeroom
from desktop.models import AttendanceMark
from desktop.models.db import DATABASE_FILE
from desktop.security import app_password
from desktop.security.unlocked import UnlockedKey
from desktop.settings import Settings
from desktop.ui import navigation
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Target
from desktop.ui.startup import build_window
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.window import WelcomeWindow

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1366, 768)
FORM_REQUEST = 27
"""A demo request with everything a form can carry: level 3 with its original received, a
special case signed off by the principal, a post-audit result."""


def settle(window: MainWindow, until: Callable[[], bool] = lambda: True) -> None:
    """Let the database lane answer and the screens repaint."""
    deadline = time.monotonic() + 60
    while window.runner.busy or not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")
        QCoreApplication.processEvents()
    for _ in range(5):
        QCoreApplication.processEvents()


def save(widget: QWidget, name: str) -> None:
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(OUT.parent.parent))


def most_absent(window: MainWindow) -> int:
    """The student with the most absences: their page has something in every tab."""
    with window.database.reading() as session:
        return int(
            session.execute(
                select(AttendanceMark.student_id)
                .where(AttendanceMark.status != "present")
                .group_by(AttendanceMark.student_id)
                .order_by(func.count().desc(), AttendanceMark.student_id)
                .limit(1)
            ).scalar_one()
        )


def main() -> int:
    app, _translator = application()
    with tempfile.TemporaryDirectory(prefix="homeroom-shots-") as scratch:
        folder = Path(scratch)
        os.environ["HOMEROOM_CONFIG_DIR"] = str(folder / "config")
        assert homeroom(["--data-dir", str(folder / "profile"), "init", "--demo"]) == 0
        window = build_window(
            folder / "profile" / DATABASE_FILE, sync_every_s=None, settings=Settings()
        )
        window.resize(*SIZE)
        window.show()
        settle(window)
        shots: list[tuple[str, str, dict[str, object]]] = [
            ("overview", navigation.OVERVIEW, {}),
            ("leave-requests", navigation.LEAVE, {"status": "submitted"}),
            ("post-audit", navigation.POST_AUDIT, {}),
            ("refused-changes", navigation.CONFLICTS, {}),
            ("results", navigation.SUMMARY, {"term": "1"}),
            ("results-year", navigation.SUMMARY, {"term": "year"}),
            ("students", navigation.STUDENTS, {"student_id": most_absent(window)}),
            (
                "grade-review",
                navigation.GRADE_REVIEW,
                {"semester": 2, "subject": "TOAN", "show_checked": True},
            ),
            ("grade-book", navigation.GRADES, {}),
            ("attendance", navigation.ATTENDANCE, {}),
        ]
        for name, key, filters in shots:
            window.open_target(Target(key, filters))
            settle(window)
            save(window, name)

        window.open_target(Target(navigation.LEAVE))
        settle(window)
        window.leave.table.selectRow(0)
        settle(window)
        save(window, "leave-request-selected")
        print_preview(window)
        leave_form(window, FORM_REQUEST)

        dialog = window.tools.open_preferences()
        settle(window)
        save(dialog, "preferences")
        dialog.reject()
        centre = window.tools.open_print_centre()
        settle(window)
        save(centre, "print-centre")
        centre.reject()
        pilot_notes(window)

        with window.database.transaction() as session:
            app_password.set_password(session, "2468")
        window.lock.lock()
        settle(window, lambda: window.lock.locked)
        save(window, "locked")
        window.close()
        settle(window)
        window.database.close()
        welcome_screens(folder / "empty" / DATABASE_FILE)
    app.processEvents()
    return 0


PILOT_NOTES = (
    ("2026-03-02", "registration", "Hai phụ huynh lớp 11A1 không nhận được mã OTP khi đăng kí."),
    ("2026-03-09", "connection", "Mạng trường mất cả buổi sáng; duyệt đơn trên máy ở nhà."),
    ("2026-03-16", "procedure", "Chưa rõ ai kí xác nhận bản gốc khi giáo viên chủ nhiệm vắng."),
)


def pilot_notes(window: MainWindow) -> None:
    """Tools ▸ Ghi nhận vướng mắc… with three notes, the newest chosen."""
    from datetime import date

    from desktop.services import pilot_notes as notes
    from desktop.ui.pilot_notes.dialog import PilotNotesDialog
    from desktop.ui.pilot_notes.menu import open_dialog

    with window.database.transaction() as session:
        for day, category, text in PILOT_NOTES:
            notes.add(
                session, day=date.fromisoformat(day), text=text, category=notes.Category(category)
            )
    dialog = open_dialog(window, window.database, window.runner)
    assert isinstance(dialog, PilotNotesDialog)
    settle(window, lambda: dialog.list.topLevelItemCount() == len(PILOT_NOTES))
    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    settle(window)
    save(dialog, "pilot-notes")
    dialog.reject()


def print_preview(window: MainWindow) -> None:
    """Ctrl+P on two approved requests: their forms in the preview."""
    window.open_target(Target(navigation.LEAVE, {"status": "approved"}))
    settle(window)
    table = window.leave.table
    table.selectRow(0)
    table.selectionModel().select(
        table.model().index(1, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    window.leave.printing.print_action.trigger()
    preview = window.leave.printing.preview
    assert preview is not None
    preview.resize(*SIZE)
    settle(window, lambda: preview.page_count == 2 and preview.model.drawn_width(0) is not None)
    save(preview, "print-preview")
    preview.close()


def leave_form(window: MainWindow, request_id: int) -> None:
    """One approved form as printed, through ``pdftoppm`` as a reader would see it."""
    from desktop.reports.leave_form import render_leave_forms
    from desktop.services.scope import load_scope

    with window.database.transaction() as session:
        pdf = render_leave_forms(session, load_scope(session), [request_id])
    with tempfile.TemporaryDirectory(prefix="homeroom-form-") as scratch:
        source = Path(scratch) / "form.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(source), str(OUT / "leave-form")],
            check=True,
        )
    print((OUT / "leave-form.png").relative_to(OUT.parent.parent))


def welcome_screens(empty: Path) -> None:
    """The first start on an empty profile: the choice, then the sign-in form."""
    runner = TaskRunner()
    welcome = WelcomeWindow(empty, runner=runner, key=UnlockedKey(), settings=Settings())
    welcome.resize(*SIZE)
    welcome.show()
    deadline = time.monotonic() + 60
    while runner.busy or welcome.database is None:
        if time.monotonic() > deadline:
            raise TimeoutError("the welcome screen did not open its profile")
        QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    save(welcome, "welcome")
    welcome.stack.setCurrentWidget(welcome.sign_in)
    QCoreApplication.processEvents()
    save(welcome, "sign-in")
    welcome.close()
    runner.wait()
    welcome.database.close()


if __name__ == "__main__":
    sys.exit(main())
