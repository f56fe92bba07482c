"""The lock on the demo profile, driven by the keyboard with an injected clock: Ctrl+L and
idle minutes hide every student's name, only the app password brings them back, and wrong
tries slow down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMenu, QToolBar
from pytestqt.qtbot import QtBot

from desktop.models.db import Database
from desktop.security import app_password
from desktop.services.scope import load_scope
from desktop.settings import IDLE_LOCK_MINUTES, Settings
from desktop.sync import state
from desktop.ui.lock.password_dialog import PasswordDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.preferences.dialog import PreferencesDialog
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness
from tests.ui.lock_helpers import (
    Clock,
    open_window,
    press,
    settings_in,
    student_names,
    visible_texts,
)

CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_in(tmp_path)


@pytest.fixture
def with_pin(database: Database) -> str:
    with database.transaction() as session:
        app_password.set_password(session, "2468")
    return "2468"


def names_shown(window: MainWindow, names: list[str]) -> list[str]:
    texts = "\n".join(visible_texts(window))
    return [name for name in names if name in texts]


def type_and_enter(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def try_password(qtbot: QtBot, window: MainWindow, password: str) -> None:
    page = window.lock.page
    qtbot.waitUntil(page.password.isEnabled)
    type_and_enter(qtbot, page.password, password)
    qtbot.waitUntil(lambda: not window.lock.locked or page.message.text() != "Đang kiểm tra…")


@pytest.mark.usefixtures("with_pin")
def test_ctrl_l_hides_every_student_name_and_the_pin_brings_them_back(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """Locked, no visible label, list, button or title holds a student's name and the data
    actions are off; a wrong PIN keeps it locked, the right one restores the same screen."""
    shown = open_window(qtbot, database, runner, settings, clock)
    names = student_names(database)
    assert names_shown(shown, names), "the leave list should show names before locking"
    shown.leave.table.setFocus()
    title = shown.windowTitle()

    with qtbot.waitSignal(shown.lock.locked_changed):
        press(qtbot, shown, Qt.Key.Key_L, CTRL)
    assert shown.lock.locked
    assert names_shown(shown, names) == []
    assert shown.windowTitle() == "Sổ Chủ Nhiệm — đã khóa"
    assert not shown.tools.preferences_action.isEnabled()
    assert not shown.tools.lock_action.isEnabled()
    assert all(not bar.isVisible() for bar in shown.findChildren(QToolBar))
    assert QApplication.focusWidget() is shown.lock.page.password
    probe = QAction("probe", shown)
    probe.setShortcut(QKeySequence("Ctrl+J"))
    shown.addAction(probe)
    with qtbot.assertNotEmitted(probe.triggered, wait=50):
        press(qtbot, shown, Qt.Key.Key_J, CTRL)

    try_password(qtbot, shown, "1357")
    assert shown.lock.locked
    assert shown.lock.page.message.text() == "Mật khẩu không đúng."
    assert names_shown(shown, names) == []

    with qtbot.waitSignal(shown.lock.locked_changed):
        try_password(qtbot, shown, "2468")
    assert not shown.lock.locked
    assert names_shown(shown, names)
    assert shown.windowTitle() == title
    assert shown.tools.preferences_action.isEnabled()
    assert shown.centralWidget().isAncestorOf(shown.leave.table)
    with qtbot.waitSignal(probe.triggered):
        press(qtbot, shown, Qt.Key.Key_J, CTRL)


@pytest.mark.usefixtures("with_pin")
def test_repeated_wrong_tries_wait_longer_and_longer(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """After three wrong tries the field is off with "Thử lại sau 1 giây" until the clock has
    moved on; the next wrong try waits 2 s; the right PIN still unlocks afterwards."""
    shown = open_window(qtbot, database, runner, settings, clock)
    shown.lock.lock()
    page = shown.lock.page
    for _ in range(2):
        try_password(qtbot, shown, "0000")
        assert page.password.isEnabled()
    try_password(qtbot, shown, "0000")
    assert not page.password.isEnabled()
    assert page.message.text() == "Mật khẩu không đúng. Thử lại sau 1 giây."

    clock.now += 0.5
    shown.lock.tick()
    assert not page.password.isEnabled()
    clock.now += 0.5
    shown.lock.tick()
    assert page.password.isEnabled()

    try_password(qtbot, shown, "0000")
    assert page.message.text() == "Mật khẩu không đúng. Thử lại sau 2 giây."
    page.password.setEnabled(True)
    type_and_enter(qtbot, page.password, "2468")
    assert shown.lock.locked, "a try during the wait must not even be checked"
    page.password.clear()
    clock.now += 2
    shown.lock.tick()
    with qtbot.waitSignal(shown.lock.locked_changed):
        try_password(qtbot, shown, "2468")
    assert not shown.lock.locked


@pytest.mark.usefixtures("with_pin")
def test_the_window_locks_itself_after_the_idle_minutes(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """Ten idle minutes by default lock the window; a key press starts the count again, and a
    new idle time in the settings is followed at once."""
    shown = open_window(qtbot, database, runner, settings, clock)
    idle = shown.lock.idle
    clock.now += 9 * 60
    idle.check()
    press(qtbot, shown, Qt.Key.Key_Down, NONE)
    clock.now += 9 * 60
    idle.check()
    qtbot.wait(50)
    assert not shown.lock.locked

    with qtbot.waitSignal(shown.lock.locked_changed):
        clock.now += 60
        idle.check()
    assert names_shown(shown, student_names(database)) == []

    with qtbot.waitSignal(shown.lock.locked_changed):
        try_password(qtbot, shown, "2468")
    settings.set(IDLE_LOCK_MINUTES, 2)
    clock.now += 2 * 60
    with qtbot.waitSignal(shown.lock.locked_changed):
        idle.check()
    assert shown.lock.locked


def test_without_a_password_idle_time_does_not_lock(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """A lock nobody could open is worse than none: with no app password, idle time locks
    nothing."""
    shown = open_window(qtbot, database, runner, settings, clock)
    clock.now += 60 * 60
    shown.lock.idle.check()
    qtbot.waitUntil(lambda: not runner.busy)
    assert not shown.lock.locked


def test_ctrl_l_without_a_password_offers_to_set_one_then_locks(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """Ctrl+L on a profile with no app password opens "Đặt mật khẩu ứng dụng"; a short PIN or
    a mismatched repeat is refused in place; a good PIN is stored as a hash and locks."""
    shown = open_window(qtbot, database, runner, settings, clock)
    press(qtbot, shown, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: shown.findChild(PasswordDialog) is not None)
    dialog = shown.findChild(PasswordDialog)
    assert isinstance(dialog, PasswordDialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Đặt mật khẩu ứng dụng"
    assert dialog.old is None

    qtbot.keyClicks(dialog.new, "123")
    type_and_enter(qtbot, dialog.repeat, "123")
    qtbot.waitUntil(lambda: "ít nhất 4" in dialog.message.text())
    assert dialog.isVisible()

    dialog.new.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.new, "1234")
    type_and_enter(qtbot, dialog.repeat, "4321")
    assert dialog.message.text() == "Hai lần nhập mật khẩu mới không khớp."

    dialog.repeat.clear()
    with qtbot.waitSignal(shown.lock.locked_changed):
        type_and_enter(qtbot, dialog.repeat, "1234")
    assert dialog.result() == QDialog.DialogCode.Accepted
    with database.reading() as session:
        assert app_password.verify(session, "1234")
    assert names_shown(shown, student_names(database)) == []


@pytest.mark.usefixtures("with_pin")
def test_an_open_dialog_is_hidden_while_locked_and_comes_back(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """A dialog open when the lock comes (idle) is hidden with the rest and shown again after
    unlocking, with what was typed in it."""
    shown = open_window(qtbot, database, runner, settings, clock)
    press(qtbot, shown, Qt.Key.Key_Comma, CTRL)
    qtbot.waitUntil(lambda: shown.findChild(PreferencesDialog) is not None)
    preferences = shown.findChild(PreferencesDialog)
    assert isinstance(preferences, PreferencesDialog)
    qtbot.waitExposed(preferences)
    preferences.sync_minutes.edit.setText("17")

    clock.now += 10 * 60
    with qtbot.waitSignal(shown.lock.locked_changed):
        shown.lock.idle.check()
    assert not preferences.isVisible()
    with qtbot.waitSignal(shown.lock.locked_changed):
        try_password(qtbot, shown, "2468")
    assert preferences.isVisible()
    assert preferences.sync_minutes.edit.text() == "17"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


@pytest.mark.usefixtures("with_pin")
def test_sync_runs_while_locked_and_shows_nothing(
    qtbot: QtBot,
    database: Database,
    runner: TaskRunner,
    settings: Settings,
    clock: Clock,
    server: tuple[Store, str],
) -> None:
    """A sync against the real server completes while the window is locked; the screens it
    refreshes stay hidden until the PIN is given."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
    with database.reading() as session:
        scope = load_scope(session)
    sync = SyncController(database, runner, lambda address, _: harness.transport(address, token))
    shown = MainWindow(database, scope, runner, sync, settings=settings, clock=clock)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    with qtbot.waitSignal(shown.lock.locked_changed):
        shown.lock.lock_now()

    with qtbot.waitSignal(sync.synced):
        sync.sync_now()
    qtbot.waitUntil(lambda: shown.leave.filter.rowCount() > 100)
    assert shown.lock.locked
    assert names_shown(shown, student_names(database)) == []
    with qtbot.waitSignal(shown.lock.locked_changed):
        try_password(qtbot, shown, "2468")
    assert names_shown(shown, student_names(database))


@pytest.mark.usefixtures("with_pin")
def test_ctrl_q_closes_the_window_also_while_locked(
    qtbot: QtBot, database: Database, runner: TaskRunner, settings: Settings, clock: Clock
) -> None:
    """Tools ends with Lock and Quit; Quit is the window's own close, and the lock, which turns
    every other action off, keeps it: leaving shows nothing of the class."""
    shown = open_window(qtbot, database, runner, settings, clock)
    (tools,) = [o for o in shown.tools.lock_action.associatedObjects() if isinstance(o, QMenu)]
    assert [a.text() for a in tools.actions()][-2:] == ["&Khóa", "Th&oát"]
    with qtbot.waitSignal(shown.lock.locked_changed):
        press(qtbot, shown, Qt.Key.Key_L, CTRL)
    assert shown.tools.quit_action.isEnabled()
    assert not shown.tools.preferences_action.isEnabled()

    press(qtbot, shown, Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(lambda: not shown.isVisible())
