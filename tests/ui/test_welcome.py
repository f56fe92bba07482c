"""First start in the window: the welcome screen, the demo, signing in (with and without an OS
keyring), the app password, the second start, and signing out from the account menu.

Driven by the keyboard, against the real reference server on loopback and real SQLite
profiles; the database is checked after each step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop import settings as keys
from desktop.models import OutboxIntent, SchoolClass, profile_key
from desktop.models.db import DATABASE_FILE, SQLITE_HEADER, Database, open_database
from desktop.models.profile_key import PasswordNeeded
from desktop.security import app_password
from desktop.services import intents, leave
from desktop.services.profile import effective_today
from desktop.services.scope import load_scope
from desktop.settings import Settings
from desktop.sync import account, credentials, state
from desktop.sync.credentials import SealedProfileStore
from desktop.ui.main_window import MainWindow
from desktop.ui.startup import Prepared, Startup, prepare
from desktop.ui.welcome.account_menu import AccountMenu
from desktop.ui.welcome.dialogs import OpenProfileDialog
from desktop.ui.welcome.window import WelcomeWindow
from server.seed import seed_demo
from server.serving import serve_store
from server.store import open_store
from tests.sync.keyring_backend import MemoryKeyring
from tests.ui.conftest import WhenShown

PASSWORD = "Mật-khẩu-thử-42"
APP_PASSWORD = "2468"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password=PASSWORD)
    with serve_store(store) as url:
        yield url
    store.close()


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Settings]:
    """An empty data folder (no profile at all) and the settings file of this test."""
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data", Settings(tmp_path / "config" / "homeroom.ini")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fail_keyring() -> Iterator[None]:
    """keyring's ``fail`` backend: a Linux PC without Secret Service."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key (``qtbot.keyClicks`` aborts on non-ASCII)."""
    widget.setFocus()
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


def enter(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def sign_in_secrets(backend: MemoryKeyring) -> dict[tuple[str, str], str]:
    """The keyring's entries but the profile's database key (kept there from the first open)."""
    return {
        entry: value
        for entry, value in backend.secrets.items()
        if not entry[1].startswith(profile_key.KEYRING_USER_PREFIX)
    }


def start(folder: Path, settings: Settings) -> Startup:
    startup = Startup(
        folder / DATABASE_FILE, sync_every_s=None, settings=settings, demo_parents_s=0
    )
    startup.begin()
    return startup


def welcome_of(qtbot: QtBot, startup: Startup) -> WelcomeWindow:
    welcome = startup.welcome
    assert welcome is not None and welcome.isVisible()
    qtbot.waitUntil(welcome.demo_button.isEnabled)  # the profile is open
    return welcome


def set_app_password(qtbot: QtBot, welcome: WelcomeWindow, password: str) -> None:
    form = welcome.app_password
    qtbot.waitUntil(lambda: welcome.stack.currentWidget() is form)
    type_text(form.password, password)
    enter(qtbot, form.password)
    assert form.repeat.hasFocus()
    type_text(form.repeat, password)
    enter(qtbot, form.repeat)


def sign_in(qtbot: QtBot, welcome: WelcomeWindow, url: str, password: str) -> None:
    form = welcome.sign_in
    if welcome.stack.currentWidget() is not form:
        welcome.sign_in_button.setFocus()
        qtbot.keyClick(welcome.sign_in_button, Qt.Key.Key_Space)
        assert welcome.stack.currentWidget() is form
    if form.address.text() != url:
        form.address.clear()
        type_text(form.address, url)
    if form.username.text() != "gvcn":
        form.username.clear()
        type_text(form.username, "gvcn")
    type_text(form.password, password)
    enter(qtbot, form.password)


def main_window(qtbot: QtBot, startup: Startup) -> MainWindow:
    qtbot.waitUntil(lambda: startup.window is not None)
    window = startup.window
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: window.leave.filter.rowCount() > 100)
    return window


def window_account(database: Database) -> state.SignedIn:
    with database.reading() as session:
        signed = state.signed_in(session)
    assert signed is not None
    return signed


def test_the_bare_command_on_an_empty_folder_shows_the_welcome_screen(
    qtbot: QtBot, folders: tuple[Path, Settings], when_shown: WhenShown
) -> None:
    """`homeroom` with no profile opens the welcome screen instead of an error, and exits
    cleanly when the teacher closes it."""
    from desktop.cli.main import main

    folder, _settings = folders
    titles: list[str] = []

    def welcome() -> WelcomeWindow | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, WelcomeWindow) and w.isVisible()
            ),
            None,
        )

    def close(window: object) -> None:
        assert isinstance(window, WelcomeWindow)
        qtbot.waitUntil(window.demo_button.isEnabled)
        titles.append(window.windowTitle())
        window.close()

    when_shown(welcome, close)
    assert main(["--data-dir", str(folder)]) == 0
    assert titles == ["Sổ Chủ Nhiệm — bắt đầu"]
    assert profile_state(folder)[:3] == (None, None, 0)


def profile_state(folder: Path) -> tuple[state.SignedIn | None, str | None, int, int, bool]:
    """(account, token store kind, classes, pending changes, app password set)."""
    database = open_database(folder / DATABASE_FILE)
    try:
        with database.reading() as session:
            return (
                state.signed_in(session),
                account.store_kind(session),
                session.scalar(select(func.count()).select_from(SchoolClass)) or 0,
                account.pending_changes(session),
                app_password.is_set(session),
            )
    finally:
        database.close()


def test_first_start_opens_the_demo_after_the_app_password(
    qtbot: QtBot, folders: tuple[Path, Settings]
) -> None:
    """No profile → the welcome screen → the demo (its own server, a first sync) → the app
    password → the main window on class 11A1; the demo token never left memory."""
    folder, settings = folders
    startup = start(folder, settings)
    try:
        welcome = welcome_of(qtbot, startup)
        assert welcome.demo_button.hasFocus()
        assert profile_state(folder)[:3] == (None, None, 0)

        qtbot.keyClick(welcome.demo_button, Qt.Key.Key_Space)
        qtbot.waitUntil(
            lambda: welcome.stack.currentWidget() is welcome.app_password,
        )
        signed, kind, classes, _pending, password_set = profile_state(folder)
        assert signed is not None and signed.username == "gvcn"
        assert (kind, classes, password_set) == ("memory", 1, False)
        assert (folder / "demo-server.sqlite3").is_file()

        type_text(welcome.app_password.password, "12")
        enter(qtbot, welcome.app_password.password)
        type_text(welcome.app_password.repeat, "12")
        enter(qtbot, welcome.app_password.repeat)
        qtbot.waitUntil(lambda: "ít nhất 4 ký tự" in welcome.app_password.message.text())
        assert not profile_state(folder)[4]

        set_app_password(qtbot, welcome, APP_PASSWORD)
        window = main_window(qtbot, startup)
        assert window.windowTitle().startswith("Sổ Chủ Nhiệm — lớp 11A1")
        assert not welcome.isVisible()
        database = window.database
        url_before = window_account(database).server_url
        with database.reading() as session:
            assert app_password.verify(session, APP_PASSWORD)
            assert state.cursor(session) > 0
            assert load_scope(session).class_name == "11A1"
        menu = window.findChild(AccountMenu)
        assert menu is not None
        qtbot.waitUntil(lambda: menu.where.text() != "")
        assert menu.where.text() == "Chỉ giữ trong bộ nhớ đến khi đóng Sổ Chủ Nhiệm"
        with qtbot.waitSignal(window.sync.synced):
            window.sync_action.trigger()  # the demo server still answers
    finally:
        startup.close()

    again = start(folder, settings)
    try:
        assert again.welcome is None and again.window is not None
        with qtbot.waitSignal(again.window.sync.synced):
            pass  # the demo's server starts again by itself (on another port)
        signed = profile_state(folder)[0]
        assert signed is not None and signed.server_url != url_before
    finally:
        again.close()


def test_sign_in_wrong_then_right_password_gives_the_synced_class(
    qtbot: QtBot,
    folders: tuple[Path, Settings],
    server_url: str,
    memory_keyring: MemoryKeyring,
) -> None:
    """A wrong password is said in Vietnamese and stores nothing; the right one keeps the
    token in the keyring, and after the app password the first sync brings the class."""
    folder, settings = folders
    startup = start(folder, settings)
    try:
        welcome = welcome_of(qtbot, startup)
        sign_in(qtbot, welcome, "http://example.edu.vn", PASSWORD)
        qtbot.waitUntil(lambda: "https://" in welcome.sign_in.message.text())
        assert welcome.sign_in.password.text() == "" and sign_in_secrets(memory_keyring) == {}

        sign_in(qtbot, welcome, server_url, "sai mật khẩu")
        qtbot.waitUntil(
            lambda: welcome.sign_in.message.text() == "Tên đăng nhập hoặc mật khẩu không đúng.",
        )
        assert sign_in_secrets(memory_keyring) == {}
        assert profile_state(folder)[:2] == (None, None)

        sign_in(qtbot, welcome, server_url, PASSWORD)
        set_app_password(qtbot, welcome, APP_PASSWORD)
        window = main_window(qtbot, startup)
        assert window.windowTitle().startswith("Sổ Chủ Nhiệm — lớp 11A1")
        signed, kind, classes, pending, password_set = profile_state(folder)
        assert signed is not None and (signed.server_url, signed.username) == (server_url, "gvcn")
        assert (kind, classes, pending, password_set) == ("keyring", 1, 0, True)
        token = memory_keyring.secrets[("homeroom", f"{server_url}|gvcn")]
        # The keyring keeps the profile's database key too: the file is encrypted at rest.
        assert not (folder / DATABASE_FILE).read_bytes().startswith(SQLITE_HEADER)
        for file in [*folder.iterdir(), *(folder.parent / "config").iterdir()]:
            assert token.encode() not in file.read_bytes()
            assert PASSWORD.encode() not in file.read_bytes()
        assert (settings.get(keys.SERVER_ADDRESS), settings.get(keys.USERNAME)) == (
            server_url,
            "gvcn",
        )
        menu = window.findChild(AccountMenu)
        assert menu is not None
        qtbot.waitUntil(lambda: menu.where.text() != "")
        assert menu.where.text() == "Lưu trong kho mật khẩu của hệ điều hành"
    finally:
        startup.close()


def test_without_a_keyring_the_token_is_sealed_and_a_second_start_syncs(
    qtbot: QtBot, folders: tuple[Path, Settings], server_url: str, fail_keyring: None
) -> None:
    """With keyring's fail backend the token is kept encrypted in the profile (never in
    clear); a second start asks for the app password, encrypts the profile under it, then
    syncs."""
    folder, settings = folders
    startup = start(folder, settings)
    try:
        welcome = welcome_of(qtbot, startup)
        sign_in(qtbot, welcome, server_url, PASSWORD)
        set_app_password(qtbot, welcome, APP_PASSWORD)
        window = main_window(qtbot, startup)
        signed, kind, classes, _pending, _set = profile_state(folder)
        assert signed is not None and (kind, classes) == ("profile", 1)
        token = SealedProfileStore(window.database, startup.key, server_url, "gvcn").load()
        assert token
    finally:
        startup.close()
    for file in (f for f in folder.rglob("*") if f.is_file()):  # backups/ too
        assert token.encode() not in file.read_bytes()

    # The second start asks for the app password before it opens the profile (a PC without a
    # keyring: the profile is encrypted under it now), which also unseals the sign-in.
    path = folder / DATABASE_FILE
    again = Startup(path, sync_every_s=None, settings=settings, demo_parents_s=0)
    try:
        with pytest.raises(PasswordNeeded):
            again.begin()
        dialog = OpenProfileDialog(again.runner, lambda password: prepare(path, None, password))
        qtbot.addWidget(dialog)
        dialog.show()
        type_text(dialog.form.password, "0000")
        enter(qtbot, dialog.form.password)
        qtbot.waitUntil(lambda: dialog.form.message.text() == "Mật khẩu ứng dụng không đúng.")
        assert path.read_bytes().startswith(SQLITE_HEADER)  # nothing encrypted under a typo
        type_text(dialog.form.password, APP_PASSWORD)
        with qtbot.waitSignal(dialog.opened) as opened:
            enter(qtbot, dialog.form.password)
        prepared = opened.args[0]
        assert isinstance(prepared, Prepared) and prepared.database is not None
        assert prepared.database.key is not None
        assert not path.read_bytes().startswith(SQLITE_HEADER)
        again.begin(prepared)
        window = again.window
        assert window is not None and again.unlock is None and again.key.get() is not None
        with qtbot.waitSignal(window.sync.synced):
            pass
        with window.database.reading() as session:
            assert state.get(session, state.LAST_ERROR) == ""
            sealed = state.get(session, credentials.SEALED_KEY)
        rotated = SealedProfileStore(window.database, again.key, server_url, "gvcn").load()
        assert rotated and rotated != token and sealed and rotated not in sealed
    finally:
        again.close()


@pytest.mark.keyring
@pytest.mark.skipif(
    os.environ.get("HOMEROOM_REAL_KEYRING") != "1",
    reason="run with scripts/test-services (a D-Bus session with gnome-keyring unlocked)",
)
def test_with_the_real_keyring_the_token_goes_there(
    qtbot: QtBot, folders: tuple[Path, Settings], server_url: str
) -> None:
    """With Secret Service running, the sign-in's token is in the OS keyring, not the
    profile."""
    from keyring.backends import SecretService

    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    folder, settings = folders
    startup = start(folder, settings)
    try:
        welcome = welcome_of(qtbot, startup)
        sign_in(qtbot, welcome, server_url, PASSWORD)
        set_app_password(qtbot, welcome, APP_PASSWORD)
        main_window(qtbot, startup)
        assert profile_state(folder)[1] == "keyring"
        token = keyring.get_password("homeroom", f"{server_url}|gvcn")
        assert token
        for file in (f for f in folder.rglob("*") if f.is_file()):  # backups/ too
            assert token.encode() not in file.read_bytes()
    finally:
        startup.close()
        credentials.KeyringStore(server_url, "gvcn").delete()
        keyring.set_keyring(previous)


def test_sign_out_keeps_the_outbox_and_forgets_the_token(
    qtbot: QtBot,
    folders: tuple[Path, Settings],
    server_url: str,
    memory_keyring: MemoryKeyring,
) -> None:
    """Signing out from the account menu warns about the unsent change, forgets the token
    and the account, and keeps the change; "Change server" then offers the sign-in form."""
    folder, settings = folders
    startup = start(folder, settings)
    try:
        sign_in(qtbot, welcome_of(qtbot, startup), server_url, PASSWORD)
        assert startup.welcome is not None
        set_app_password(qtbot, startup.welcome, APP_PASSWORD)
        window = main_window(qtbot, startup)
        database: Database = window.database
        approve_one(database)
        menu = window.findChild(AccountMenu)
        assert menu is not None
        menu.refresh()
        qtbot.waitUntil(lambda: menu.view.pending == 1)

        qtbot.keyClick(
            window,
            Qt.Key.Key_O,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        box = menu.confirm
        assert box is not None and box.isVisible()
        assert "Còn 1 thay đổi chưa gửi" in box.text()
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setFocus()
        with qtbot.waitSignal(menu.flow.signed_out):
            qtbot.keyClick(yes, Qt.Key.Key_Space)
        signed, kind, classes, pending, _set = profile_state(folder)
        assert (signed, kind, classes, pending) == (None, None, 1, 1)
        # The tokens are gone; only the profile's device key stays (it proves no sign-in:
        # it tells the server this profile signed in before, so an attack does not lock it out).
        left = sign_in_secrets(memory_keyring)
        assert [name.rsplit("|", 1)[-1] for _service, name in left] == ["device"]
        qtbot.waitUntil(lambda: window.sync_line.text() == "Chưa đăng nhập máy chủ của trường.")
        qtbot.waitUntil(lambda: menu.sign_in_action.isVisible())
        window.activateWindow()  # back from the message box
        qtbot.waitUntil(window.isActiveWindow)

        qtbot.keyClick(
            window,
            Qt.Key.Key_C,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        dialog = menu.dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.form.address.text() == server_url
        qtbot.waitUntil(dialog.form.password.hasFocus)
        with qtbot.waitSignal(window.sync.synced):
            type_text(dialog.form.password, PASSWORD)
            enter(qtbot, dialog.form.password)
        assert not dialog.isVisible()
        signed, kind, _classes, pending, _set = profile_state(folder)
        assert signed is not None and (kind, pending) == ("keyring", 0)  # the change was sent
        assert memory_keyring.secrets[("homeroom", f"{server_url}|gvcn")]
    finally:
        startup.close()


def approve_one(database: Database) -> None:
    """A decision made offline: one intent in the outbox."""
    with database.transaction() as session:
        scope = load_scope(session)
        rows = leave.list_requests(
            session, scope, status="submitted", today=effective_today(session)
        )
        request = next(row for row in rows if not row.special_case)
        intents.perform(
            session,
            scope,
            "decide_leave",
            {
                "request_id": request.id,
                "approve": True,
                "note": "",
                "base_version": request.version,
            },
            actor=scope.teacher_name,
        )
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutboxIntent)) == 1
