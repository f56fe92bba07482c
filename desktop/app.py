"""The desktop's composition root: open the profile, build the window, run Qt.

Everything the window needs is made here and handed down; nothing reaches for a global.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import paths
from desktop.errors import HomeroomError
from desktop.i18n import LANGUAGE_ENV, _, current_language
from desktop.models.db import open_database
from desktop.services.scope import load_scope
from desktop.settings import LANGUAGE, Settings
from desktop.sync.signed_in import Connector, keyring_connector
from desktop.ui.crash_dialog import CrashReporter
from desktop.ui.main_window import MainWindow
from desktop.ui.qt_translation import apply_language
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner

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


def language_at_start(settings: Settings) -> str:
    """The language to start in: ``HOMEROOM_LANG`` when set (scripts and tests), else the
    teacher's choice in the settings."""
    if os.environ.get(LANGUAGE_ENV):
        return current_language()
    return settings.get(LANGUAGE)


def application(argv: Sequence[str] = ()) -> tuple[QApplication, QTranslator | None]:
    """The application in the user's language, Qt's own texts too (the translator stays
    installed until the language changes)."""
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "homeroom", *argv])
    )
    app.setApplicationName("homeroom")
    translator = apply_language(app, language_at_start(Settings()))
    app.setApplicationDisplayName(_("Homeroom"))
    return app, translator


def build_window(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = SYNC_EVERY_S,
    connector: Connector = keyring_connector,
    settings: Settings | None = None,
) -> MainWindow:
    """The main window on the profile at ``database_path`` (raises ``HomeroomError``); with
    ``settings``, syncs every ``SYNC_INTERVAL_MINUTES`` unless ``sync_every_s`` says otherwise."""
    database = open_database(database_path)
    try:
        with database.reading() as session:
            scope = load_scope(session, class_name)
    except HomeroomError:
        database.close()
        raise
    runner = TaskRunner()
    sync = SyncController(database, runner, connector, settings=settings)
    window = MainWindow(database, scope, runner, sync, settings=settings)
    runner.setParent(window)
    sync.setParent(window)
    if sync_every_s:
        sync.every(sync_every_s)
    return window


def run_desktop(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = None,
    connector: Connector = keyring_connector,
) -> int:
    """Show the window until the teacher closes it; a profile that cannot be opened is a
    message box, not a traceback. Syncs every ``sync_every_s``, or as the settings say."""
    handler = log_to_file(database_path.parent)
    try:
        return _show(database_path, class_name, sync_every_s, connector)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def _show(
    database_path: Path, class_name: str | None, sync_every_s: float | None, connector: Connector
) -> int:
    app, _translator = application()
    crashes = CrashReporter(paths.log_dir(database_path.parent), app)
    crashes.install()
    try:
        window = build_window(
            database_path,
            class_name=class_name,
            sync_every_s=sync_every_s,
            connector=connector,
            settings=Settings() if sync_every_s is None else None,
        )
    except HomeroomError as error:
        crashes.uninstall()
        QMessageBox.critical(None, _("Homeroom"), error.message)
        return error.exit_code
    crashes.window = window
    window.resize(1200, 720)
    window.show()
    window.sync.sync_now()
    # The window may be replaced by a rebuilt one (a language switch): hold on to its parts.
    runner, database, sync = window.runner, window.database, window.sync
    try:
        return app.exec()
    finally:
        crashes.uninstall()
        # Quitting without closing the window (a signal, the session ending) stops a sync too.
        sync.cancel()
        runner.wait()
        database.close()
