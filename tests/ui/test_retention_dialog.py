"""The retention dialog on the demo profile moved to 01/06/2027 (its 2025-2026 year ended on
its last day, details kept 365 days), driven with pytest-qt: the preview matches what the
database holds, the button waits for the tick, the purge empties every free text."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.domain.calendar import format_date
from desktop.domain.retention import purge_from
from desktop.models import LeaveRequest, PostAudit, SchoolYear
from desktop.models.db import Database
from desktop.services.profile import TODAY_KEY, set_setting
from desktop.services.scope import load_scope
from desktop.ui.main_window import MainWindow
from desktop.ui.retention.dialog import RetentionDialog
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from tests.ui.conftest import Screenshot


def _held(database: Database) -> list[str]:
    with database.reading() as session:
        year = session.scalars(select(SchoolYear)).one()
        counts = [
            session.scalar(select(func.count()).where(LeaveRequest.reason_text != "")),
            session.scalar(select(func.count()).where(LeaveRequest.decision_note != "")),
            session.scalar(select(func.count()).where(PostAudit.note != "")),
        ]
        return [year.name, format_date(purge_from(year.last_day, 365)), *map(str, counts)]


def _row(dialog: RetentionDialog) -> list[str]:
    item = dialog.list.topLevelItem(0)
    assert item is not None
    return [item.text(c) for c in range(5)]


def test_the_preview_the_tick_and_the_purge(
    qtbot: QtBot, database: Database, runner: TaskRunner, screenshot: Screenshot
) -> None:
    with database.transaction() as session:
        set_setting(session, TODAY_KEY, "2027-06-01")
    held = _held(database)
    assert int(held[2]) > 0  # the demo has reasons to remove
    dialog = RetentionDialog(database, runner, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.confirm.isEnabled())
    assert _row(dialog) == held
    assert not dialog.purge_button.isEnabled()
    dialog.confirm.setChecked(True)
    screenshot(dialog, "retention.png")
    total = sum(int(n) for n in held[2:])
    dialog.purge_button.click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Đã xoá"))
    assert dialog.message.text() == f"Đã xoá {total} chi tiết đơn nghỉ."
    assert _held(database)[2:] == ["0", "0", "0"]
    assert not dialog.purge_button.isEnabled()


def test_nothing_to_remove_before_the_period_ends(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    dialog = RetentionDialog(database, runner, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.message.text() != "")
    assert dialog.message.text() == "Không có chi tiết đơn nghỉ nào quá thời hạn lưu giữ."
    assert dialog.list.topLevelItemCount() == 0
    assert not dialog.confirm.isEnabled() and not dialog.purge_button.isEnabled()


def _no_server(_url: str, _user: str) -> Any:
    raise AssertionError("no sync expected")


def test_the_tools_menu_lists_the_purge(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(database, scope, runner, SyncController(database, runner, _no_server))
    qtbot.addWidget(window)
    menu = window.menuBar().findChild(QMenu, "tools_menu")
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts.index("&Xoá chi tiết đơn nghỉ quá hạn lưu giữ…") == (
        texts.index("&Ghi nhận vướng mắc…") + 1
    )
    window.retention_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(RetentionDialog) is not None)
    dialog = window.findChild(RetentionDialog)
    assert dialog is not None and dialog.windowTitle() == "Chi tiết đơn nghỉ quá hạn lưu giữ"
    dialog.reject()
