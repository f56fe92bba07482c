"""The backup dialogs on the demo profile, driven with pytest-qt: "Back up now" writes the
passphrase file, the restore dialog lists the backups, says what restoring means before
offering it, restores, and the window's Tools menu and close make their backups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from desktop.models.db import Database
from desktop.services import backup
from desktop.services.scope import load_scope
from desktop.ui.backup.dialogs import BackUpNowDialog, RestoreDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from tests.services.backup_profiles import first_name, rename_first
from tests.sync_faults import harness
from tests.ui.conftest import Screenshot

PASSPHRASE = "Sổ chủ nhiệm 10A1"
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def test_back_up_now_checks_the_passphrases_then_writes_the_file(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path, screenshot: Screenshot
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    dialog = BackUpNowDialog(database, runner, clock=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.back_up_button.click()
    assert dialog.message.text() == "Hãy chọn thư mục để lưu bản sao lưu (một ổ USB)."
    dialog.folder.setText(str(stick))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE + "x")
    dialog.back_up_button.click()
    assert dialog.message.text() == "Hai cụm mật khẩu không khớp; chưa ghi gì cả."
    dialog.passphrase.setText("ngắn")
    dialog.again.setText("ngắn")
    dialog.back_up_button.click()
    assert dialog.message.text() == "Cụm mật khẩu phải có ít nhất 8 ký tự."
    assert list(stick.iterdir()) == []

    qtbot.keyClicks(dialog.passphrase, "x")  # editing clears the last message
    assert dialog.message.text() == ""
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE)
    screenshot(dialog, "backup-now.png")
    dialog.back_up_button.click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Đã sao lưu vào"))
    (written,) = stick.iterdir()
    assert dialog.message.text() == f"Đã sao lưu vào {written}."
    assert written.name == f"homeroom-{NOW.astimezone():%Y%m%d-%H%M%S}.hmbak"
    assert dialog.passphrase.text() == dialog.again.text() == ""


def test_the_restore_dialog_says_what_is_carried_then_restores(
    qtbot: QtBot, database: Database, runner: TaskRunner, screenshot: Screenshot
) -> None:
    original = first_name(database)
    made = backup.back_up(database, now=NOW)
    rename_first(database, "Đã Đổi Tên")
    students = harness.students_of(database)
    assert harness.roll_call(database, students[0], datetime(2026, 3, 16).date(), "morning", "late")
    dialog = RestoreDialog(database, runner, clock=lambda: NOW + timedelta(hours=1))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 1)
    item = dialog.list.topLevelItem(0)
    assert item is not None
    assert [item.text(c) for c in range(2)] == [f"{made.created:%d/%m/%Y %H:%M}", "tự động"]
    assert not dialog.restore_button.isEnabled()
    dialog.list.setCurrentItem(item)
    assert dialog.source.text() == str(made.path)
    assert not dialog.passphrase.isEnabled()  # a copy beside the profile needs none
    dialog.check_button.click()
    qtbot.waitUntil(dialog.restore_button.isEnabled)
    text = dialog.summary.text()
    assert text.startswith(f"Bản sao lưu tạo ngày {made.created:%d/%m/%Y} lúc")
    assert "1 thay đổi chưa gửi lên máy chủ (điểm danh: 1) được giữ lại" in text
    screenshot(dialog, "backup-restore.png")

    dialog.restore_button.click()
    qtbot.waitUntil(lambda: dialog.restored is not None)
    assert dialog.summary.text().startswith("Đã khôi phục. Đã giữ lại 1 thay đổi chưa đồng bộ.")
    assert not dialog.restore_button.isEnabled() and not dialog.check_button.isEnabled()
    assert first_name(database) == original


def test_a_wrong_file_shows_its_message_and_offers_no_restore(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path
) -> None:
    foreign = tmp_path / "notes.hmbak"
    foreign.write_bytes(b"HOMEROOM-BACKUP\n" + bytes(10))
    dialog = RestoreDialog(database, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.source.setText(str(foreign))
    assert dialog.passphrase.isEnabled()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.summary.text() != "" and dialog.check_button.isEnabled())
    assert dialog.summary.text().startswith("Tệp sao lưu không đầy đủ hoặc bị hỏng")
    assert not dialog.restore_button.isEnabled()


def _no_server(_url: str, _user: str) -> Any:
    raise AssertionError("no sync expected")


def test_the_tools_menu_offers_both_and_closing_the_window_backs_up(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(database, scope, runner, SyncController(database, runner, _no_server))
    qtbot.addWidget(window)
    menu = window.menuBar().findChild(QMenu, "tools_menu")
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts.index("&Sao lưu ngay…") + 1 == texts.index("&Khôi phục…")
    assert backup.list_backups(database) == []
    window.close()  # the closing backup runs on the lane; the close waits for it
    (made,) = backup.list_backups(database)
    assert made.kind == backup.AUTO


def test_after_a_restore_from_the_menu_the_window_is_rebuilt_on_the_restored_records(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    original = first_name(database)
    made = backup.back_up(database, now=NOW)
    rename_first(database, "Đã Đổi Tên")
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(database, scope, runner, SyncController(database, runner, _no_server))
    # Not given to pytest-qt: the rebuild replaces and deletes it (pytest-qt would close it
    # after its deletion); the window that replaces it is.
    window.show()
    action = window.findChild(QAction, "restore_action")
    assert action is not None
    action.trigger()
    qtbot.waitUntil(lambda: window.findChild(RestoreDialog) is not None)
    dialog = window.findChild(RestoreDialog)
    assert dialog is not None
    dialog.source.setText(str(made.path))
    dialog.check_button.click()
    qtbot.waitUntil(dialog.restore_button.isEnabled)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: dialog.restored is not None)
    with qtbot.waitSignal(window.replaced) as replaced:
        dialog.accept()
    new = replaced.args[0]
    qtbot.addWidget(new)
    assert isinstance(new, MainWindow) and new.database is database
    assert first_name(new.database) == original
