"""The desktop's composition root: open the profile, build the window, run Qt.

Everything the window needs is made here and handed down; nothing reaches for a global.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import paths
from desktop.errors import HomeroomError
from desktop.i18n import _, current_language
from desktop.models.db import open_database
from desktop.services.scope import load_scope
from desktop.sync.signed_in import Connector, keyring_connector
from desktop.ui.crash_dialog import CrashReporter
from desktop.ui.main_window import MainWindow
from desktop.ui.qt_translation import install_qt_translation
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
    connector: Connector = keyring_connector,
) -> MainWindow:
    """The main window on the profile at ``database_path`` (raises ``HomeroomError``)."""
    database = open_database(database_path)
    try:
        with database.reading() as session:
            scope = load_scope(session, class_name)
    except HomeroomError:
        database.close()
        raise
    runner = TaskRunner()
    sync = SyncController(database, runner, connector)
    window = MainWindow(database, scope, runner, sync)
    runner.setParent(window)
    sync.setParent(window)
    if sync_every_s:
        sync.every(sync_every_s)
    return window


def run_desktop(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = SYNC_EVERY_S,
    connector: Connector = keyring_connector,
) -> int:
    """Show the window until the teacher closes it; a profile that cannot be opened is a
    message box, not a traceback."""
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
            database_path, class_name=class_name, sync_every_s=sync_every_s, connector=connector
        )
    except HomeroomError as error:
        crashes.uninstall()
        QMessageBox.critical(None, _("Homeroom"), error.message)
        return error.exit_code
    crashes.window = window
    window.resize(1200, 720)
    window.show()
    window.sync.sync_now()
    try:
        return app.exec()
    finally:
        crashes.uninstall()
        window.runner.wait()
        window.database.close()
