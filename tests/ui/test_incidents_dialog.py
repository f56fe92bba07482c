"""The incidents dialog on the demo profile (its today is 16/03/2026), driven with pytest-qt:
an incident recorded and changed through the database lane, an impossible one refused in
Vietnamese with nothing stored, the report saved where the teacher chose (read back) and only
then recorded; the Tools menu opens the dialog. Moments are set on 15/03, before the profile's
now whatever the hour the test runs at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from desktop.models import AuditLogEntry
from desktop.models.cipher import export_encrypted, new_key
from desktop.models.db import APPLICATION_ID, Database, make_engine
from desktop.services import incidents
from desktop.services.scope import load_scope
from desktop.ui.incidents.dialog import IncidentsDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from tests.reports.test_incident_report import pdf_text


def opened(qtbot: QtBot, database: Database, runner: TaskRunner) -> IncidentsDialog:
    dialog = IncidentsDialog(database, runner, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled())
    return dialog


def rows(dialog: IncidentsDialog) -> list[list[str]]:
    return [
        [dialog.list.topLevelItem(i).text(c) for c in range(4)]  # type: ignore[union-attr]
        for i in range(dialog.list.topLevelItemCount())
    ]


def at(hour: int, minute: int, day: int = 15) -> QDateTime:
    return QDateTime(QDate(2026, 3, day), QTime(hour, minute))


def audit_actions(database: Database) -> list[str]:
    with database.reading() as session:
        query = select(AuditLogEntry.action).where(AuditLogEntry.entity == "privacy_incident")
        return list(session.scalars(query.order_by(AuditLogEntry.id)))


def test_an_incident_is_recorded_changed_and_reported(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path
) -> None:
    dialog = opened(qtbot, database, runner)
    assert rows(dialog) == []
    assert dialog.happened.date() == QDate(2026, 3, 16)  # the profile's now
    assert "72 giờ" in dialog.hint.text() and not dialog.report_button.isEnabled()
    dialog.happened.setDateTime(at(16, 30))
    dialog.discovered.setDateTime(at(18, 5))
    dialog.description.setFocus()
    dialog.description.setPlainText("Máy tính phòng giáo viên bị mất")  # QTest types Latin-1 only
    qtbot.keyClick(dialog.description, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(rows(dialog)) == 1)
    assert dialog.message.text() == "Đã ghi nhận sự cố số 1."
    number, kind, happened, left = rows(dialog)[0]
    assert (number, kind, happened) == (
        "1", "Mất hoặc bị trộm máy tính, thiết bị lưu trữ", "16:30 15/03/2026"
    )  # fmt: skip
    # The deadline is 16:30 on 18/03 (school time). "Now" is the profile's day, 16/03, at the
    # real time of day: from 00:00 to 23:59 of 16/03 that leaves 64 down to 40 whole hours.
    assert left.startswith("còn ") and 40 <= int(left.split()[1]) <= 64
    assert dialog.selected_id() == 1 and dialog.report_button.isEnabled()

    dialog.kind.setCurrentIndex(dialog.kind.findData("wrong_disclosure"))
    dialog.measures.setPlainText("Đã báo công an phường")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.text() == "Đã sửa sự cố số 1.")
    qtbot.waitUntil(lambda: rows(dialog)[0][1] == "Tiết lộ dữ liệu cho nhầm người")

    asked: list[str] = []

    def choose(name: str) -> Path:
        asked.append(name)
        return tmp_path / name

    dialog.ask_save = choose
    dialog.report_button.click()
    target = tmp_path / "bao-cao-su-co-1.pdf"
    qtbot.waitUntil(lambda: dialog.message.text() == f"Đã lưu báo cáo thành {target}.")
    assert asked == ["bao-cao-su-co-1.pdf"]
    text = pdf_text(target.read_bytes())
    assert "BÁO CÁO SỰ CỐ DỮ LIỆU CÁ NHÂN" in text
    assert "Biện pháp đã thực hiện: Đã báo công an phường" in text
    assert "Hạn thông báo: 16:30 ngày 18/03/2026" in text
    qtbot.waitUntil(lambda: rows(dialog)[0][3].startswith("đã lập báo cáo "))
    assert audit_actions(database) == [
        "privacy_incident_recorded",
        "privacy_incident_changed",
        "privacy_incident_reported",
    ]


def test_a_report_that_cannot_be_written_is_not_recorded(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path
) -> None:
    dialog = opened(qtbot, database, runner)
    dialog.happened.setDateTime(at(7, 0))
    dialog.discovered.setDateTime(at(7, 30))
    dialog.description.setPlainText("Gửi nhầm danh sách lớp")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: len(rows(dialog)) == 1)
    dialog.ask_save = lambda name: tmp_path / "missing-folder" / name
    dialog.report_button.click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Không ghi được"))
    assert "color: #b00020" in dialog.message.styleSheet()
    with database.reading() as session:
        assert incidents.get(session, 1).reported_at is None
    assert audit_actions(database) == ["privacy_incident_recorded"]


def test_an_impossible_incident_is_refused_and_nothing_is_stored(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    dialog = opened(qtbot, database, runner)
    dialog.happened.setDateTime(at(18, 0))
    dialog.discovered.setDateTime(at(9, 0))
    dialog.description.setPlainText("Mất máy")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.text() != "")
    assert dialog.message.text() == "Sự cố không thể được phát hiện trước khi xảy ra."
    dialog.discovered.setDateTime(at(19, 0))
    dialog.description.setPlainText("  ")
    dialog.save_button.click()
    qtbot.waitUntil(
        lambda: dialog.message.text() == "Hãy mô tả điều đã xảy ra trước khi lưu sự cố."
    )
    assert dialog.save_button.isEnabled() and dialog.description.toPlainText() == "  "
    with database.reading() as session:
        assert incidents.incidents(session) == []


def test_on_an_encrypted_profile_the_report_says_so(
    qtbot: QtBot, demo_path: Path, runner: TaskRunner, tmp_path: Path
) -> None:
    """A real SQLCipher copy of the demo profile, opened with its key: the report reads the
    key off the open database."""
    key = new_key()
    target = tmp_path / "encrypted.sqlite3"
    export_encrypted(demo_path, target, key, APPLICATION_ID)
    engine = make_engine(target, key)
    database = Database(target, engine, sessionmaker(engine, expire_on_commit=False), key=key)
    try:
        dialog = opened(qtbot, database, runner)
        dialog.happened.setDateTime(at(7, 0))
        dialog.discovered.setDateTime(at(7, 30))
        dialog.description.setPlainText("Mất USB có bản sao hồ sơ lớp")
        dialog.save_button.click()
        qtbot.waitUntil(lambda: len(rows(dialog)) == 1)
        dialog.ask_save = lambda name: tmp_path / name
        dialog.report_button.click()
        qtbot.waitUntil(lambda: dialog.message.text().startswith("Đã lưu báo cáo"))
        text = pdf_text((tmp_path / "bao-cao-su-co-1.pdf").read_bytes())
        assert "Cơ sở dữ liệu được mã hoá: có" in text
        dialog.reject()
        runner.wait()
    finally:
        database.close()


def _no_server(_url: str, _user: str) -> Any:
    raise AssertionError("no sync expected")


def test_the_tools_menu_opens_the_dialog(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(database, scope, runner, SyncController(database, runner, _no_server))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    menu = window.menuBar().findChild(QMenu, "tools_menu")
    assert menu is not None
    assert "Ghi nhận &sự cố dữ liệu…" in [a.text() for a in menu.actions()]
    window.incidents_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(IncidentsDialog) is not None)
    dialog = window.findChild(IncidentsDialog)
    assert dialog is not None and dialog.windowTitle() == "Sự cố dữ liệu cá nhân"
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled())
    dialog.reject()
