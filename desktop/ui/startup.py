"""The start-up flow: the profile opened on the database lane, then the welcome screen (no
class yet: sign in, or the demo) or the main window, furnished with its account menu.

``desktop.app`` shows the window's frame first and imports this module on the database lane:
everything heavy (SQLAlchemy, the services, the screens) comes in through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtWidgets import QApplication
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.demo.local_server import LocalDemoServer, is_demo_profile, server_file
from desktop.errors import HomeroomError
from desktop.models import SchoolClass
from desktop.models.db import Database, open_database
from desktop.security import app_password
from desktop.security.app_password import KeyChange
from desktop.security.at_rest import open_at_rest
from desktop.security.unlocked import UnlockedKey
from desktop.services.scope import ClassScope, load_scope
from desktop.settings import Settings
from desktop.sync import account, credentials
from desktop.sync.signed_in import Connector
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.account_flow import AccountFlow
from desktop.ui.welcome.account_menu import AccountMenu
from desktop.ui.welcome.dialogs import UnlockDialog
from desktop.ui.welcome.window import DEMO_PARENTS_SECONDS, Opened, WelcomeWindow

WINDOW_SIZE = (1200, 720)


@dataclass(frozen=True)
class Prepared:
    """What the database lane found: the open profile with its class, or nothing yet."""

    database: Database | None
    scope: ClassScope | None
    sealed: bool
    """The sign-in is sealed in the profile: the app password must open it before a sync."""
    unlocked: bytes | None = None
    """The sealed sign-in's key, when the app password was typed to open the profile."""


def prepare(database_path: Path, class_name: str | None, password: str | None = None) -> Prepared:
    """Open the profile (encrypting, migrating it) and read its class, on the database lane; a
    profile with no file or no class is ``Prepared(None, ...)`` (the welcome screen opens it
    itself). ``PasswordNeeded`` when its key is kept under the app password and none is given."""
    if class_name is None and not database_path.exists():
        return Prepared(None, None, False)
    database = open_at_rest(database_path, password)
    try:
        with database.reading() as session:
            if class_name is None and session.scalar(select(SchoolClass.id).limit(1)) is None:
                database.close()
                return Prepared(None, None, False)
            scope = load_scope(session, class_name)
            sealed = account.store_kind(session) == "profile"
            unlocked = (
                app_password.token_key(session, password)
                if sealed and password is not None
                else None
            )
    except HomeroomError:
        database.close()
        raise
    return Prepared(database, scope, sealed, unlocked)


def build_window(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = None,
    connector: Connector | None = None,
    key: UnlockedKey | None = None,
    settings: Settings | None = None,
    demo_server: LocalDemoServer | None = None,
) -> MainWindow:
    """The main window on the profile at ``database_path`` (raises ``HomeroomError``); for
    tests and benchmarks, which may open a profile on the GUI thread.

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
    """The main window on an open profile, syncing every ``sync_every_s`` or as the settings
    say; its account menu included."""
    runner = runner or TaskRunner()
    if connector is None:
        connector = _connector(database, runner, key, demo_server)
    sync = SyncController(database, runner, connector, settings=settings)
    window = MainWindow(database, scope, runner, sync, settings=settings)
    runner.setParent(window)
    sync.setParent(window)
    _furnish(window, key)
    if sync_every_s:
        sync.every(sync_every_s)
    return window


def _furnish(window: MainWindow, key: UnlockedKey) -> None:
    """What the window gets from outside: the account menu, "change server" from the
    preferences, re-sealing the sign-in when the app password changes; again on the window
    that replaces it (a language switch rebuilds the window)."""
    flow = AccountFlow(window.database, window.runner, key, window)
    menu = AccountMenu(flow, window.sync, window.settings, window)
    window.menuBar().addMenu(menu)
    window.change_server_requested.connect(menu.change_server)

    def rekey(session: Session, change: KeyChange) -> None:
        credentials.reseal(session, change)
        if key.get() is not None:
            key.set(change.new)

    window.lock.rekey = rekey
    window.replaced.connect(lambda new: _furnish(new, key))


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


class Startup(QObject):
    """The welcome screen when the profile has no class, then (or at once) the main window;
    the sealed sign-in asks for the app password before the first sync."""

    main_shown = Signal(object)
    """The ``MainWindow``, shown (again after a language switch rebuilt it)."""

    def __init__(
        self,
        database_path: Path,
        *,
        class_name: str | None = None,
        sync_every_s: float | None = None,
        connector: Connector | None = None,
        demo_server: LocalDemoServer | None = None,
        settings: Settings | None = None,
        demo_parents_s: float = DEMO_PARENTS_SECONDS,
        runner: TaskRunner | None = None,
        geometry: QRect | None = None,
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
        self.runner = runner or TaskRunner()
        self.geometry = geometry
        self.key = UnlockedKey()
        self.window: MainWindow | None = None
        self.welcome: WelcomeWindow | None = None
        self.unlock: UnlockDialog | None = None

    def begin(self, prepared: Prepared | None = None) -> None:
        """Show the first window for what ``prepare`` found (read here when not given: tests);
        raises ``HomeroomError`` when the profile cannot open."""
        if prepared is None:
            prepared = prepare(self.database_path, self.class_name)
        if prepared.unlocked is not None:  # typed to open the profile: not asked again
            self.key.set(prepared.unlocked)
        if prepared.database is not None and prepared.scope is not None:
            window = window_for(
                prepared.database,
                prepared.scope,
                sync_every_s=self.sync_every_s,
                connector=self.connector,
                key=self.key,
                settings=self.settings,
                demo_server=self.demo_server,
                runner=self.runner,
            )
            self._show_main(window, sealed=prepared.sealed)
            return
        self.welcome = WelcomeWindow(
            self.database_path,
            runner=self.runner,
            key=self.key,
            settings=self.settings,
            demo_parents_s=self.demo_parents_s,
        )
        self.welcome.ready.connect(self._welcomed)
        self._place(self.welcome)
        self.welcome.show()

    def _place(self, shown: QObject) -> None:
        assert isinstance(shown, (MainWindow, WelcomeWindow))
        if self.geometry is not None:
            shown.setGeometry(self.geometry)
        else:
            shown.resize(*WINDOW_SIZE)

    def _welcomed(self, opened: Opened) -> None:
        assert self.welcome is not None
        with opened.database.reading() as session:
            scope = load_scope(session)
        self.demo_server = opened.demo
        window = window_for(
            opened.database,
            scope,
            sync_every_s=self.sync_every_s,
            connector=opened.connector,
            key=self.key,
            settings=self.settings,
            demo_server=opened.demo,
            runner=self.runner,
        )
        self.geometry = self.welcome.geometry()
        self.welcome = None
        self._show_main(window, sealed=False, synced=True)

    def _show_main(self, window: MainWindow, *, sealed: bool, synced: bool = False) -> None:
        self._adopt(window)
        self._place(window)
        window.show()
        if sealed and self.key.get() is None:
            self.unlock = UnlockDialog(window.database, window.runner, self.key, window)
            self.unlock.accepted.connect(window.sync.sync_now)
            self.unlock.open()
        elif not synced:
            window.after_start(window.sync.sync_now)

    def _adopt(self, window: MainWindow) -> None:
        self.window = window
        window.replaced.connect(self._adopt)
        self.main_shown.emit(window)

    def close(self) -> None:
        """After the event loop: close what is still open, finish the writes, close the profile
        and the demo server."""
        if self.welcome is not None:
            self.welcome.close()
        if self.window is not None:
            database = self.window.database
            self.window.close()
            self.runner.wait()
            database.close()
        self.runner.wait()
        if self.demo_server is not None:
            self.demo_server.close()
