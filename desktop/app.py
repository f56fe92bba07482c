"""The desktop's composition root: open the profile, build the window, run Qt.

A profile with no class (or no file yet) starts on the welcome screen (sign in, or the demo),
which hands over to the main window once the class is synced.

Everything the window needs is made here and handed down; nothing reaches for a global.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from desktop.demo.local_server import LocalDemoServer, is_demo_profile, server_file
from desktop.errors import HomeroomError
from desktop.i18n import _, current_language
from desktop.models import SchoolClass
from desktop.models.db import Database, open_database
from desktop.security.unlocked import UnlockedKey
from desktop.services.scope import ClassScope, load_scope
from desktop.settings import Settings
from desktop.sync import account
from desktop.sync.signed_in import Connector
from desktop.ui.main_window import MainWindow
from desktop.ui.qt_translation import install_qt_translation
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.account_flow import AccountFlow
from desktop.ui.welcome.account_menu import AccountMenu
from desktop.ui.welcome.dialogs import UnlockDialog
from desktop.ui.welcome.window import DEMO_PARENTS_SECONDS, Opened, WelcomeWindow

SYNC_EVERY_S = 300.0
LOG_FILE = "homeroom.log"


def log_to_file(folder: Path) -> logging.Handler:
    """Warnings and errors of this run go to ``homeroom.log`` beside the profile's database,
    where the "details are in the log file" message sends a maintainer. Messages name records
    by id, never by a person's name or phone number."""
    folder.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        folder / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.WARNING))
    return handler


def application(argv: Sequence[str] = ()) -> tuple[QApplication, QTranslator | None]:
    """The application with Qt's own texts in the user's language; keep the translator as
    long as the application runs."""
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "homeroom", *argv])
    )
    app.setApplicationName("homeroom")
    app.setApplicationDisplayName(_("Homeroom"))
    if current_language() == "vi":
        # Qt's own dates and numbers (file dialogs, spin boxes) as Vietnamese write them.
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    return app, install_qt_translation(app)


def build_window(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = SYNC_EVERY_S,
    connector: Connector | None = None,
    key: UnlockedKey | None = None,
    settings: Settings | None = None,
    demo_server: LocalDemoServer | None = None,
) -> MainWindow:
    """The main window on the profile at ``database_path`` (raises ``HomeroomError``).

    ``connector``: how to reach the server (default: the store the profile's account records;
    the demo's own server for a demo profile)."""
    database = open_database(database_path)
    try:
        with database.reading() as session:
            scope = load_scope(session, class_name)
    except HomeroomError:
        database.close()
        raise
    return window_for(
        database,
        scope,
        sync_every_s=sync_every_s,
        connector=connector,
        key=key or UnlockedKey(),
        settings=settings or Settings(),
        demo_server=demo_server,
    )


def window_for(
    database: Database,
    scope: ClassScope,
    *,
    sync_every_s: float | None,
    connector: Connector | None,
    key: UnlockedKey,
    settings: Settings,
    demo_server: LocalDemoServer | None,
    runner: TaskRunner | None = None,
) -> MainWindow:
    """The main window on an open profile; its account menu included."""
    runner = runner or TaskRunner()
    if connector is None:
        connector = _connector(database, runner, key, demo_server)
    sync = SyncController(database, runner, connector)
    window = MainWindow(database, scope, runner, sync)
    runner.setParent(window)
    sync.setParent(window)
    flow = AccountFlow(database, runner, key, window)
    window.menuBar().addMenu(AccountMenu(flow, sync, settings, window))
    if sync_every_s:
        sync.every(sync_every_s)
    return window


def _connector(
    database: Database, runner: TaskRunner, key: UnlockedKey, demo: LocalDemoServer | None
) -> Connector:
    """The demo's own server for a demo profile (started on first use), else the token store
    the profile's account records."""
    if demo is None and is_demo_profile(database.path.parent):
        with database.reading() as session:
            in_memory = account.store_kind(session) == "memory"
        if in_memory:
            demo = LocalDemoServer(server_file(database.path.parent))
            application = QApplication.instance()
            if application is not None:
                application.aboutToQuit.connect(demo.close)
    if demo is not None:
        return demo.connector(database, on_database=runner.on_database)
    return account.profile_connector(database, key, on_database=runner.on_database)


def has_class(database_path: Path) -> bool:
    """Whether the profile exists and holds a class (else the welcome screen); a file that
    cannot be Homeroom's raises ``StorageError``."""
    if not database_path.exists():
        return False
    database = open_database(database_path)
    try:
        with database.reading() as session:
            return session.scalar(select(SchoolClass.id).limit(1)) is not None
    finally:
        database.close()


class Startup(QObject):
    """The start-up flow: the welcome screen when the profile has no class, then (or at once)
    the main window; the sealed sign-in asks for the app password before the first sync."""

    main_shown = Signal(object)
    """The ``MainWindow``, shown."""

    def __init__(
        self,
        database_path: Path,
        *,
        class_name: str | None = None,
        sync_every_s: float | None = SYNC_EVERY_S,
        connector: Connector | None = None,
        demo_server: LocalDemoServer | None = None,
        settings: Settings | None = None,
        demo_parents_s: float = DEMO_PARENTS_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.demo_parents_s = demo_parents_s
        self.database_path = database_path
        self.class_name = class_name
        self.sync_every_s = sync_every_s
        self.connector = connector
        self.demo_server = demo_server
        self.settings = settings or Settings()
        self.key = UnlockedKey()
        self.window: MainWindow | None = None
        self.welcome: WelcomeWindow | None = None
        self.unlock: UnlockDialog | None = None

    def begin(self) -> None:
        """Show the first window (raises ``HomeroomError`` when the profile cannot open)."""
        if self.class_name is not None or has_class(self.database_path):
            self._show_main(
                build_window(
                    self.database_path,
                    class_name=self.class_name,
                    sync_every_s=self.sync_every_s,
                    connector=self.connector,
                    key=self.key,
                    settings=self.settings,
                    demo_server=self.demo_server,
                )
            )
            return
        self.welcome = WelcomeWindow(
            self.database_path,
            runner=TaskRunner(),
            key=self.key,
            settings=self.settings,
            demo_parents_s=self.demo_parents_s,
        )
        self.welcome.ready.connect(self._welcomed)
        self.welcome.resize(900, 620)
        self.welcome.show()

    def _welcomed(self, opened: Opened) -> None:
        assert self.welcome is not None
        with opened.database.reading() as session:
            scope = load_scope(session)
        self.demo_server = opened.demo
        runner = self.welcome.runner
        window = window_for(
            opened.database,
            scope,
            sync_every_s=self.sync_every_s,
            connector=opened.connector,
            key=self.key,
            settings=self.settings,
            demo_server=opened.demo,
            runner=runner,
        )
        self.welcome = None
        self._show_main(window, synced=True)

    def _show_main(self, window: MainWindow, *, synced: bool = False) -> None:
        self.window = window
        window.resize(1200, 720)
        window.show()
        self.main_shown.emit(window)
        with window.database.reading() as session:
            sealed = account.store_kind(session) == "profile"
        if sealed and self.key.get() is None:
            self.unlock = UnlockDialog(window.database, window.runner, self.key, window)
            self.unlock.accepted.connect(window.sync.sync_now)
            self.unlock.open()
        elif not synced:
            window.sync.sync_now()

    def close(self) -> None:
        """After the event loop: close what is still open, finish the writes, close the profile
        and the demo server."""
        if self.welcome is not None:
            self.welcome.close()
        if self.window is not None:
            self.window.close()
            self.window.runner.wait()
            self.window.database.close()
        if self.demo_server is not None:
            self.demo_server.close()


def run_desktop(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = SYNC_EVERY_S,
    connector: Connector | None = None,
    demo_server: LocalDemoServer | None = None,
) -> int:
    """Show the window until the teacher closes it; a profile that cannot be opened is a
    message box, not a traceback."""
    handler = log_to_file(database_path.parent)
    try:
        app, _translator = application()
        startup = Startup(
            database_path,
            class_name=class_name,
            sync_every_s=sync_every_s,
            connector=connector,
            demo_server=demo_server,
        )
        try:
            startup.begin()
        except HomeroomError as error:
            QMessageBox.critical(None, _("Homeroom"), error.message)
            return error.exit_code
        try:
            return app.exec()
        finally:
            startup.close()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
