"""Preferences on the demo profile, driven by the keyboard: Vietnamese and English switched
live (the window's texts and Qt's own), minutes validated in place, the server and the app
password reachable from it, and the language chosen at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenuBar, QWidget
from pytestqt.qtbot import QtBot

from desktop import i18n
from desktop.app import language_at_start
from desktop.models.db import Database
from desktop.security import app_password
from desktop.settings import (
    IDLE_LOCK_MINUTES,
    LANGUAGE,
    SERVER_ADDRESS,
    SYNC_INTERVAL_MINUTES,
    Settings,
)
from desktop.sync import state
from desktop.ui.leave.model import Column
from desktop.ui.lock.password_dialog import PasswordDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import LEAVE, Target
from desktop.ui.preferences.dialog import PreferencesDialog
from desktop.ui.qt_translation import apply_language, install_qt_translation
from desktop.ui.tasks import TaskRunner
from tests.ui.lock_helpers import Clock, open_window, press, settings_in

CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier
Button = QDialogButtonBox.StandardButton


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_in(tmp_path)


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[None]:
    """The app as it starts by default, Qt's texts included; afterwards Qt speaks English
    again and the default locale is put back, for the tests that follow."""
    locale = QLocale()
    apply_language(qapp, "vi")
    yield
    i18n.set_language("en")
    install_qt_translation(qapp)
    i18n.set_language(None)
    QLocale.setDefault(locale)


def open_preferences(qtbot: QtBot, window: MainWindow) -> PreferencesDialog:
    press(qtbot, window, Qt.Key.Key_Comma, CTRL)
    qtbot.waitUntil(lambda: _visible_preferences(window) is not None)
    dialog = _visible_preferences(window)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _visible_preferences(window: MainWindow) -> PreferencesDialog | None:
    found = [d for d in window.findChildren(PreferencesDialog) if d.isVisible()]
    return found[0] if found else None


def retype(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(widget, text)


def texts_of(window: MainWindow) -> dict[str, str]:
    menu_bar = window.findChild(QMenuBar)
    assert menu_bar is not None
    return {
        "title": window.windowTitle(),
        "side list": window.sidebar.item(0).text(),
        "header": str(
            window.leave.table.model().headerData(
                Column.STUDENT, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole
            )
        ),
        "menu": menu_bar.actions()[0].text(),
        "sync": window.sync_action.text(),
    }


def switch_language(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> MainWindow:
    """Choose a language in the preferences with the keyboard and save; the window that
    replaces this one."""
    dialog = open_preferences(qtbot, window)
    dialog.language.setFocus()
    qtbot.keyClick(dialog.language, key)
    with qtbot.waitSignal(window.replaced) as replaced:
        qtbot.keyClick(dialog.language, Qt.Key.Key_Return)
    new = replaced.args[0]
    assert isinstance(new, MainWindow)
    qtbot.waitExposed(new)
    new.activateWindow()
    qtbot.waitUntil(lambda: new.leave.filter.rowCount() > 100)
    return new


@pytest.mark.usefixtures("vietnamese")
def test_the_language_switches_live_and_back(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings
) -> None:
    """English chosen in the preferences is saved and shown at once: the title, the side list,
    the leave table's header, the menus and Qt's own Cancel; Vietnamese comes back the same
    way, on the screen that was open."""
    shown = open_window(qtbot, database, runner, settings, Clock(), close_after=False)
    windows = [shown]
    try:
        check_the_switch(qtbot, settings, windows)
    finally:
        for window in windows:
            if shiboken6.isValid(window):
                window.close()


def check_the_switch(qtbot: QtBot, settings: Settings, windows: list[MainWindow]) -> None:
    shown = windows[0]
    assert texts_of(shown) == {
        "title": "Sổ Chủ Nhiệm — lớp 11A1, Trường THPT Nguyễn Đình Chiểu",
        "side list": "Tổng quan",
        "header": "Học sinh",
        "menu": "&Công cụ",
        "sync": "Đồng bộ ngay",
    }
    dialog = open_preferences(qtbot, shown)
    assert dialog.buttons.button(Button.Cancel).text() == "Hủy"
    assert dialog.language.currentText() == "Tiếng Việt"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    shown.open_target(Target(LEAVE))

    english = switch_language(qtbot, shown, Qt.Key.Key_End)
    windows.append(english)
    assert settings.get(LANGUAGE) == "en"
    assert texts_of(english) == {
        "title": "Homeroom — class 11A1, Trường THPT Nguyễn Đình Chiểu",
        "side list": "Overview",
        "header": "Student",
        "menu": "&Tools",
        "sync": "Sync now",
    }
    assert english.current_key() == "leave"
    dialog = open_preferences(qtbot, english)
    assert dialog.buttons.button(Button.Cancel).text() == "Cancel"
    assert dialog.windowTitle() == "Preferences"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    again = switch_language(qtbot, english, Qt.Key.Key_Home)
    windows.append(again)
    assert settings.get(LANGUAGE) == "vi"
    assert texts_of(again)["header"] == "Học sinh"
    assert texts_of(again)["side list"] == "Tổng quan"
    dialog = open_preferences(qtbot, again)
    assert dialog.buttons.button(Button.Cancel).text() == "Hủy"
    assert QLocale().language() == QLocale.Language.Vietnamese


def test_minutes_are_checked_in_place_and_nothing_is_saved_until_all_are_right(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings
) -> None:
    """Zero, words or too many minutes get a message beside the field and save nothing; good
    values are saved and the idle lock follows them."""
    shown = open_window(qtbot, database, runner, settings, Clock())
    dialog = open_preferences(qtbot, shown)
    assert dialog.sync_minutes.edit.text() == "5"
    assert dialog.lock_minutes.edit.text() == "10"

    retype(qtbot, dialog.sync_minutes.edit, "0")
    qtbot.keyClick(dialog.sync_minutes.edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.sync_minutes.message.text() == "Nhập số phút là số nguyên từ 1 đến 240."
    assert dialog.focusWidget() is dialog.sync_minutes.edit

    retype(qtbot, dialog.sync_minutes.edit, "15")
    assert dialog.sync_minutes.message.text() == ""
    retype(qtbot, dialog.lock_minutes.edit, "muoi")
    qtbot.keyClick(dialog.lock_minutes.edit, Qt.Key.Key_Return)
    assert dialog.lock_minutes.message.text() == "Nhập số phút là số nguyên từ 1 đến 240."
    retype(qtbot, dialog.lock_minutes.edit, "241")
    qtbot.keyClick(dialog.lock_minutes.edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert not settings.file.exists() or settings.get(SYNC_INTERVAL_MINUTES) == 5

    retype(qtbot, dialog.lock_minutes.edit, "30")
    qtbot.keyClick(dialog.lock_minutes.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert settings.get(SYNC_INTERVAL_MINUTES) == 15
    assert settings.get(IDLE_LOCK_MINUTES) == 30
    assert Settings(settings.file).get(IDLE_LOCK_MINUTES) == 30
    assert shown.lock.idle.minutes == 30


def test_the_server_is_shown_and_changing_it_is_asked_of_the_window(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings
) -> None:
    """The server is shown, not edited (the profile's account, else the setting); "Đổi máy
    chủ…" closes the preferences and tells the window, which hands it to whoever signs in."""
    shown = open_window(qtbot, database, runner, settings, Clock())
    dialog = open_preferences(qtbot, shown)
    assert dialog.server.text() == "(chưa đăng nhập)"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    settings.set(SERVER_ADDRESS, "https://so.truongdemo.edu.vn")
    dialog = open_preferences(qtbot, shown)
    assert dialog.server.text() == "https://so.truongdemo.edu.vn"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    with database.transaction() as session:
        state.sign_in(session, state.SignedIn("https://so.truongdemo.edu.vn", "gvcn", 1))
    dialog = open_preferences(qtbot, shown)
    qtbot.waitUntil(lambda: dialog.server.text() == "https://so.truongdemo.edu.vn (tài khoản gvcn)")
    change = dialog.change_server_button
    assert change.text() == "Đổi máy chủ…"
    change.setFocus()
    with qtbot.waitSignal(shown.change_server_requested):
        qtbot.keyClick(change, Qt.Key.Key_Space)
    assert not dialog.isVisible()


def test_the_app_password_is_changed_from_the_preferences(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings
) -> None:
    """With a password set, the preferences' button asks for the current one first: a wrong
    one is refused in place, the right one replaces it."""
    with database.transaction() as session:
        app_password.set_password(session, "2468")
    shown = open_window(qtbot, database, runner, settings, Clock())
    preferences = open_preferences(qtbot, shown)
    preferences.password_button.setFocus()
    qtbot.keyClick(preferences.password_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: shown.findChild(PasswordDialog) is not None)
    dialog = shown.findChild(PasswordDialog)
    assert isinstance(dialog, PasswordDialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Đổi mật khẩu ứng dụng"
    assert dialog.old is not None

    qtbot.keyClicks(dialog.old, "1111")
    qtbot.keyClicks(dialog.new, "13579")
    dialog.repeat.setFocus()
    qtbot.keyClicks(dialog.repeat, "13579")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text() == "Mật khẩu ứng dụng không đúng.")
    assert dialog.isVisible()

    retype(qtbot, dialog.old, "2468")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.old, Qt.Key.Key_Return)
    with database.reading() as session:
        assert app_password.verify(session, "13579")
        assert not app_password.verify(session, "2468")


def test_homeroom_lang_wins_over_the_setting_at_start(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At start-up the teacher's language applies unless HOMEROOM_LANG says otherwise."""
    assert language_at_start(settings) == "vi"
    settings.set(LANGUAGE, "en")
    assert language_at_start(settings) == "en"
    monkeypatch.setenv("HOMEROOM_LANG", "vi")
    assert language_at_start(settings) == "vi"
    settings.set(LANGUAGE, "vi")
    monkeypatch.setenv("HOMEROOM_LANG", "en")
    assert language_at_start(settings) == "en"


def test_a_window_rebuilt_while_its_screens_load_goes_once_they_answered(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings
) -> None:
    """The old window stays (hidden) until the answers on their way to its screens arrived,
    then goes; nothing fails on the way, and the new window is filled."""
    shown = open_window(qtbot, database, runner, settings, Clock(), close_after=False)
    new = shown
    try:
        shown.leave.reload()
        assert runner.busy
        new = shown.rebuild()
        assert shiboken6.isValid(shown) and not shown.isVisible()
        qtbot.waitUntil(lambda: not runner.busy)
        qtbot.waitUntil(lambda: not shiboken6.isValid(shown))
        qtbot.waitUntil(lambda: new.leave.filter.rowCount() > 100)
        assert new.isVisible()
    finally:
        for window in (shown, new):
            if shiboken6.isValid(window):
                window.close()
