"""Issue 12, item 6: after a scripted run of the app as a teacher uses it, no file the run wrote
holds the class's personal data, the password, the tokens or the device key in clear.

The run, against the real reference server on loopback and the real window (pytest-qt): sign
in with a password, the first sync, an approval and a rejection with notes typed in the leave
screen, a sync that sends them, a decision the server refuses (the parent cancelled meanwhile),
commands given bad input, an unexpected error on the GUI thread and on a thread of its own
through the app's exception hooks (the crash dialog), and signing out. Everything the run can
write lands in folders of the test's own: the profile's data folder (with its logs and crash
log), the config folder (QSettings INI), the temporary folder (``TMPDIR``), and a home folder
with the XDG folders under it; what the process prints on stderr (which a desktop session keeps
in its journal) is swept as one more file.

Each of those files is grepped for every spelling of every needle (``tests/support/
privacy_sweep``). Only the profile's database and its -wal/-shm may hold the data: see
the end of the test.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop import paths
from desktop.cli.main import main
from desktop.models import (
    Guardian,
    LeaveRequest,
    PostAudit,
    Student,
    SyncConflict,
    Teacher,
)
from desktop.models.db import BACKUP_FOLDER, DATABASE_FILE, SQLITE_HEADER, Database
from desktop.services import leave
from desktop.services.scope import load_scope_by_id
from desktop.settings import Settings
from desktop.sync.credentials import SealedProfileStore, StoredTokenSource
from desktop.ui.crash_dialog import CrashReporter
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import LEAVE, Target
from desktop.ui.startup import Startup
from desktop.ui.welcome.account_menu import AccountMenu
from server import auth
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from server.tables import Account
from tests.support.privacy_sweep import Hit, Needle, sweep
from tests.sync.keyring_backend import MemoryKeyring
from tests.ui.test_leave_screen import CTRL, go_to, key, plain_pending, type_text
from tests.ui.test_welcome import main_window, set_app_password, sign_in, welcome_of
from tests.ui.test_welcome import type_text as welcome_type

PASSWORD = "Mật-khẩu-trường-7319"
APP_PASSWORD = "khoá-máy-2468"
APPROVE_NOTE = "Đã gọi điện cho bà ngoại xác nhận"
REJECT_NOTE = "Chưa có giấy khám của phòng khám Tâm Đức"
REFUSED_NOTE = "Đồng ý, phụ huynh đã nhắn qua Zalo"
CLI_REASON = "Lý do nhập sai: đơn đã được quyết định rồi"
CRASH_TEXT = "lỗi ngoài dự kiến khi in đơn"
DATABASE_NAMES = {DATABASE_FILE, DATABASE_FILE + "-wal", DATABASE_FILE + "-shm"}


class Boom(Exception):
    """A bug whose message quotes a guardian (as a library's error text can)."""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The run's only places to write: data, config, temp and a home with its XDG folders
    (the server's own database is outside, in ``tmp_path / "server"``)."""
    run = tmp_path / "run"
    for name in ("config", "tmp", "home"):  # the app makes the data folder itself
        (run / name).mkdir(parents=True)
    monkeypatch.setenv("HOMEROOM_DATA_DIR", str(run / "data"))
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(run / "config"))
    monkeypatch.setenv("TMPDIR", str(run / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    monkeypatch.setenv("HOME", str(run / "home"))
    for variable, folder in (
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CONFIG_HOME", ".config"),
    ):
        monkeypatch.setenv(variable, str(run / "home" / folder))
    assert Path(tempfile.gettempdir()) == run / "tmp"
    yield run
    tempfile.tempdir = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path / 'server' / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password=PASSWORD)
    with serve_store(store) as url:
        yield store, url
    store.close()


@pytest.fixture(params=["keyring", "sealed"])
def token_home(request: pytest.FixtureRequest) -> Iterator[MemoryKeyring | None]:
    """Where the refresh token and the device key go: an OS keyring (in memory: nothing of it
    is on disk), or, on a PC without one, sealed in the profile under the app password."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    backend = MemoryKeyring() if request.param == "keyring" else None
    keyring.set_keyring(backend if backend is not None else fail.Keyring())
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def issued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every access and refresh token the server gave this run (a spy on the token source:
    the tokens live in memory and the keyring, where the sweep cannot see them)."""
    tokens: list[str] = []
    accept = StoredTokenSource._accept

    def spy(self: StoredTokenSource, given: Any) -> None:
        tokens.extend((given.access_token, given.refresh_token))
        accept(self, given)

    monkeypatch.setattr(StoredTokenSource, "_accept", spy)
    return tokens


def leave_screen(qtbot: QtBot, window: MainWindow) -> Any:
    window.open_target(Target(LEAVE))
    screen = window.leave
    qtbot.waitUntil(lambda: window.current_key() == LEAVE)
    qtbot.waitUntil(lambda: len(plain_pending(screen)) > 3)
    window.activateWindow()
    return screen


def decide(qtbot: QtBot, screen: Any, request_id: int, note: str, *, approve: bool) -> None:
    """Select the request, type the note in the note field, Ctrl+Enter or Ctrl+R."""
    go_to(screen, request_id)
    key(screen.table, Qt.Key.Key_N, CTRL)
    assert screen.note.hasFocus()
    type_text(screen.note, note)
    with qtbot.waitSignal(screen.decided):
        key(screen.note, Qt.Key.Key_Return if approve else Qt.Key.Key_R, CTRL)


def save_the_form(qtbot: QtBot, screen: Any, request_id: int, folder: Path) -> Path:
    """Print the approved request's form (the preview draws it), then save it as a PDF where
    the teacher chose: that file holds the form by design, and only that file."""
    go_to(screen, request_id)
    screen.printing.print_action.trigger()
    preview = screen.printing.preview
    assert preview is not None
    qtbot.waitUntil(preview.save_button.isEnabled)
    qtbot.waitUntil(lambda: preview.page_count == 1)
    folder.mkdir(parents=True)
    target = folder / f"don-nghi-{request_id}.pdf"
    preview.save_to(target)
    qtbot.waitUntil(lambda: "Đã lưu" in preview.message.text())
    preview.close()
    screen.window().activateWindow()  # back from the preview
    qtbot.waitUntil(screen.window().isActiveWindow)
    return target


def sync_now(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.sync.synced):
        window.sync_action.trigger()


def status(database: Database, request_id: int) -> str:
    with database.reading() as session:
        return session.get_one(LeaveRequest, request_id).status


def crash_twice(qtbot: QtBot, reporter: CrashReporter, guardian: str) -> None:
    """A bug in a slot on the GUI thread, then one on a thread of its own: both through the
    hooks the app installs, both shown in the one crash dialog."""

    def slot() -> None:
        raise Boom(f"{CRASH_TEXT}: {guardian}")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    worker = threading.Thread(target=slot, name="in-ấn")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.count == 2)
    assert reporter.dialog is not None
    assert "crash.log" in reporter.dialog.informativeText()
    reporter.dialog.close()


def a_task_fails(qtbot: QtBot, window: MainWindow, guardian: str) -> None:
    """A bug in work on the database lane: the runner logs it and tells the teacher."""

    def work() -> None:
        raise Boom(f"{CRASH_TEXT}: {guardian}")

    told: list[str] = []
    window.runner.run_database(work, lambda _none: None, lambda error: told.append(error.message))
    qtbot.waitUntil(lambda: bool(told))
    assert "tệp nhật ký" in told[0]


def needles(database: Database, secrets: list[str]) -> list[Needle]:
    """The demo's people, their phones, the leave text in the profile (the run's notes among
    it), the passwords and ``secrets``; values too short to be told from other text (a
    two-letter reason) are left out."""
    with database.reading() as session:
        found = [
            *(Needle("student name", n) for n in session.scalars(select(Student.full_name))),
            *(Needle("guardian name", n) for n in session.scalars(select(Guardian.full_name))),
            *(Needle("guardian phone", p) for p in session.scalars(select(Guardian.phone))),
            *(Needle("teacher name", n) for n in session.scalars(select(Teacher.full_name))),
            *(Needle("reason", r) for r in session.scalars(select(LeaveRequest.reason_text))),
            *(
                Needle("decision note", n)
                for n in session.scalars(select(LeaveRequest.decision_note))
            ),
            *(Needle("audit note", n) for n in session.scalars(select(PostAudit.note))),
        ]
    typed = [APPROVE_NOTE, REJECT_NOTE, REFUSED_NOTE, CLI_REASON, CRASH_TEXT]
    found += [Needle("typed note", text) for text in typed]
    found += [Needle("password", PASSWORD), Needle("app password", APP_PASSWORD)]
    found += [Needle("token or key", secret) for secret in secrets]
    return [needle for needle in found if len(needle.text.strip()) >= 6]


@pytest.mark.qt_no_exception_capture
def test_no_file_the_run_wrote_holds_personal_data_or_secrets(
    qtbot: QtBot,
    root: Path,
    server: tuple[Store, str],
    token_home: MemoryKeyring | None,
    issued: list[str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    store, url = server
    data, config = root / "data", root / "config"
    settings = Settings(config / paths.SETTINGS_FILE)
    log = logging.getLogger()
    handler = _app_log(data)
    reporter = CrashReporter(paths.log_dir(data))
    reporter.install()
    startup = Startup(data / DATABASE_FILE, sync_every_s=None, settings=settings)
    try:
        startup.begin()
        welcome = welcome_of(qtbot, startup)
        sign_in(qtbot, welcome, url, PASSWORD)
        set_app_password(qtbot, welcome, APP_PASSWORD)
        window = main_window(qtbot, startup)  # after the first sync
        reporter.window = window
        database = window.database

        screen = leave_screen(qtbot, window)
        approved, rejected, refused = (row.id for row in plain_pending(screen)[:3])
        decide(qtbot, screen, approved, APPROVE_NOTE, approve=True)
        decide(qtbot, screen, rejected, REJECT_NOTE, approve=False)
        sync_now(qtbot, window)
        assert (status(database, approved), status(database, rejected)) == (
            "approved",
            "rejected",
        )
        form = save_the_form(qtbot, screen, approved, root / "home" / "Documents")

        with store.write() as session:  # the parent cancels while the teacher decides
            leave.cancel(session, load_scope_by_id(session, 1), request_id=refused, actor="PH")
        decide(qtbot, screen, refused, REFUSED_NOTE, approve=True)
        sync_now(qtbot, window)
        with database.reading() as session:
            assert session.scalar(select(func.count()).select_from(SyncConflict)) == 1
        assert status(database, refused) == "cancelled"

        with database.reading() as session:
            student = session.scalars(select(Student).order_by(Student.id)).first()
            guardian = session.scalars(select(Guardian).order_by(Guardian.id)).first()
            assert student is not None and guardian is not None
            pupil, parent = student.full_name, f"{guardian.full_name} {guardian.phone}"
        bad_commands = [
            ["leave", "reject", str(approved), "--reason", CLI_REASON],
            ["attendance", "mark", pupil, "16/03/2026", "sáng", "vắng"],
            ["pilot", "note", f"{parent} không nhận được mã", "--category", "zalo"],
        ]
        journal = [_printed(capfd)]  # the window's stderr so far
        for command in bad_commands:
            assert main(["--data-dir", str(data), *command]) == 2, command
        # What a command prints is its answer to the teacher who typed it, in the terminal
        # (echoing the name typed is how it says which one is unknown): not a file.
        answers = _printed(capfd)
        assert answers.count("Lỗi: ") == len(bad_commands)

        crash_twice(qtbot, reporter, parent)
        a_task_fails(qtbot, window, parent)

        # The principal ends the teacher's sign-ins (a lost PC): the next sync is refused, and
        # the teacher signs in again from the account menu.
        with store.write() as session:
            account = session.scalars(select(Account).where(Account.username == "gvcn")).one()
            auth.revoke_account(session, account.id, datetime.now(UTC))
        window.sync_action.trigger()
        qtbot.waitUntil(lambda: "b00020" in window.sync_line.styleSheet())
        menu = window.findChild(AccountMenu)
        assert menu is not None
        menu.refresh()
        qtbot.waitUntil(lambda: menu.view.signed_in is not None)
        menu.sign_in()
        dialog = menu.dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        with qtbot.waitSignal(window.sync.synced):
            sign_in_form(qtbot, dialog.form, url)
        device = _device_key(token_home, startup, url)

        menu.refresh()
        qtbot.waitUntil(lambda: menu.sign_out_action.isEnabled())
        with qtbot.waitSignal(menu.flow.signed_out):
            menu.sign_out()
        people = needles(database, [*issued, device])
    finally:
        startup.close()
        reporter.uninstall()
        log.removeHandler(handler)
        handler.close()
        settings.sync()
    QApplication.processEvents()
    # A window started from the desktop has its stderr kept in the session's journal.
    journal.append(_printed(capfd))
    (root / "session-journal.txt").write_text("".join(journal), encoding="utf-8")

    assert len(issued) >= 2 and len(people) > 150
    assert "a background task failed" in (data / paths.LOG_FILE).read_text(encoding="utf-8")
    assert (data / paths.CRASH_FILE).is_file()
    assert (config / paths.SETTINGS_FILE).is_file()
    if os.name == "posix":  # other accounts of a shared PC cannot even list the profile
        assert stat.S_IMODE(data.stat().st_mode) == 0o700

    # With a keyring the profile is encrypted at rest, and its database and backups are swept
    # like every other file. Without one it stays plain until the next start-up, where the app
    # password typed encrypts it (tests/security/test_at_rest.py): in this one run its database
    # and its copies hold the class's data by design, and the test checks that they *do*.
    encrypted = not (data / DATABASE_FILE).read_bytes().startswith(SQLITE_HEADER)
    assert encrypted is (token_home is not None)

    def is_database(file: Path) -> bool:
        return (file.parent == data and file.name in DATABASE_NAMES) or (
            file.parent == data / BACKUP_FOLDER
        )

    def exempt(file: Path) -> bool:
        # The form the teacher saved is a document about the student, as asked for.
        return file == form or (not encrypted and is_database(file))

    assert b"%PDF" in form.read_bytes()[:8]
    hits, swept = sweep(root, people, exempt=exempt)
    assert len(swept) >= 4
    assert not hits, "found in clear:\n" + "\n".join(_report(hits))
    if not encrypted:
        # The positive check: the plain database holds the data, so the sweep would see it.
        # A few of each kind are enough (the database is large, the sweep a plain scan).
        wanted = ("student name", "guardian phone", "typed note")
        sample = [n for kind in wanted for n in [n for n in people if n.kind == kind][:3]]
        in_database, _files = sweep(data, sample, exempt=lambda file: not is_database(file))
        assert {hit.kind for hit in in_database} == set(wanted)


def sign_in_form(qtbot: QtBot, form: Any, url: str) -> None:
    if form.address.text() != url:
        form.address.clear()
        welcome_type(form.address, url)
    if form.username.text() != "gvcn":
        form.username.clear()
        welcome_type(form.username, "gvcn")
    welcome_type(form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)


def _device_key(home: MemoryKeyring | None, startup: Startup, url: str) -> str:
    if home is not None:
        found = [secret for (_s, user), secret in home.secrets.items() if "device" in user]
        assert len(found) == 1
        return found[0]
    window = startup.window
    assert window is not None
    return SealedProfileStore(window.database, startup.key, url, "gvcn").device_key()


def _printed(capfd: pytest.CaptureFixture[str]) -> str:
    printed = capfd.readouterr()
    return printed.out + printed.err


def _app_log(folder: Path) -> logging.Handler:
    from desktop.logs import log_to_file

    return log_to_file(folder)


def _report(hits: list[Hit]) -> list[str]:
    return sorted(f"{hit.kind} in {hit.file} ({hit.spelling})" for hit in hits)
