"""The desktop's composition root: the application, its language, the first frame, Qt's loop.

Start-up shows the window's frame before anything heavy is imported: SQLAlchemy, httpx, the
services and the screens load on the database lane while the frame is on screen
(``desktop.ui.startup``), and the welcome screen or the main window takes the frame's place
when the profile has answered.

Everything the windows need is made in ``desktop.ui.startup`` and handed down; nothing reaches
for a global.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QTranslator
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from desktop import paths
from desktop.errors import HomeroomError
from desktop.i18n import LANGUAGE_ENV, _, current_language, set_language
from desktop.logs import log_to_file
from desktop.settings import LANGUAGE, Settings
from desktop.ui.profile_lock import ProfileInUse, lock_for_window

if TYPE_CHECKING:
    from desktop.demo.local_server import LocalDemoServer
    from desktop.models.health import DamagedDatabase
    from desktop.models.profile_key import KeyMissing
    from desktop.sync.signed_in import Connector
    from desktop.ui.startup import Prepared, Startup

FRAME_SIZE = (1200, 720)


def language_at_start(settings: Settings) -> str:
    """The language to start in: ``HOMEROOM_LANG`` when set (scripts and tests), else the
    teacher's choice in the settings."""
    if os.environ.get(LANGUAGE_ENV):
        return current_language()
    return settings.get(LANGUAGE)


def application(argv: Sequence[str] = ()) -> tuple[QApplication, QTranslator | None]:
    """The application in the user's language, Qt's own texts too (the translator stays
    installed until the language changes)."""
    from desktop.ui.qt_translation import apply_language

    app = bare_application(argv)
    return app, apply_language(app, current_language())


def bare_application(argv: Sequence[str] = ()) -> QApplication:
    """The application speaking the language the teacher chose, before Qt's own texts are
    loaded (the frame has none of them)."""
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "homeroom", *argv])
    )
    app.setApplicationName("homeroom")
    from desktop.ui.collector import collect_on_the_gui_thread

    collect_on_the_gui_thread(app)  # before any lane starts: see desktop.ui.collector
    from desktop.ui.app_icon import application_icon

    app.setWindowIcon(application_icon())
    set_language(language_at_start(Settings()))
    app.setApplicationDisplayName(_("Homeroom"))
    return app


def frame() -> QMainWindow:
    """What the teacher sees at once: the window's frame, saying the profile is opening."""
    shown = QMainWindow()
    shown.setWindowTitle(_("Homeroom"))
    waiting = QLabel(_("Opening the class's records…"))
    # Placed at once, not through a zero-length animation: QMainWindow's layout sets a central
    # widget's geometry with a QPropertyAnimation whenever the style animates (Fusion does),
    # which starts Qt's private animation timer. When an application-wide event filter is in
    # place (bench/ui.py's probe of the first paint; the idle lock's, later), Python sees that
    # timer's events, and wrapping an object of a class PySide6 does not bind makes PySide6
    # build the binding of every QObject subclass it has: about 20 ms before the first paint.
    # The main window's own layout animates as before. Centred by the style sheet too, not by
    # ``setAlignment``: importing the ``Qt`` namespace (its enums) costs about 13 ms.
    waiting.setStyleSheet("widget-animation-duration: 0; qproperty-alignment: AlignCenter;")
    shown.setCentralWidget(waiting)
    shown.statusBar().showMessage(_("Opening the class's records…"))
    shown.resize(*FRAME_SIZE)
    shown.show()
    return shown


def run_desktop(
    database_path: Path,
    *,
    class_name: str | None = None,
    sync_every_s: float | None = None,
    connector: Connector | None = None,
    demo_server: LocalDemoServer | None = None,
    held: QLockFile | None = None,
) -> int:
    """Show the window until the teacher closes it; a profile that cannot be opened is a
    message box, not a traceback. Syncs every ``sync_every_s``, or as the settings say. The
    profile's window lock is taken here unless the caller ``held`` it already (``demo``, which
    signs the profile in before the window opens)."""
    from desktop.ui import import_scan

    import_scan.lighten()  # before the heavy imports: see desktop.ui.import_scan
    app = bare_application()
    lock = held if held is not None else lock_for_window(database_path.parent)
    if lock is None:
        return tell_profile_in_use(app)
    try:
        return _run_window(app, database_path, class_name, sync_every_s, connector, demo_server)
    finally:
        if held is None:  # the caller lets go of its own
            lock.unlock()


def tell_profile_in_use(app: QApplication) -> int:
    """The message box of a second start on a profile whose window is open; the exit code."""
    from PySide6.QtWidgets import QMessageBox

    from desktop.ui.qt_translation import apply_language

    _translator = apply_language(app, current_language())  # the box's own button
    refused = ProfileInUse()
    QMessageBox.information(None, _("Homeroom"), refused.message)
    return refused.exit_code


def _run_window(
    app: QApplication,
    database_path: Path,
    class_name: str | None,
    sync_every_s: float | None,
    connector: Connector | None,
    demo_server: LocalDemoServer | None,
) -> int:
    shown = frame()
    app.processEvents()  # painted now: what follows is not in the teacher's way
    from desktop.ui.tasks import TaskRunner

    runner = TaskRunner()
    started: list[Startup] = []
    exit_code: list[int] = []

    def load() -> Prepared:
        # The heavy half of the app (SQLAlchemy, the services, the screens' modules) is
        # imported here, on the database lane, while the frame stays responsive; the profile
        # is opened (and migrated) here too.
        import desktop.ui.startup

        return desktop.ui.startup.prepare(database_path, class_name)

    def loaded(prepared: Prepared) -> None:
        from desktop.ui.startup import Startup

        startup = Startup(
            database_path,
            class_name=class_name,
            sync_every_s=sync_every_s,
            connector=connector,
            demo_server=demo_server,
            runner=runner,
            geometry=shown.geometry(),
        )
        started.append(startup)
        try:
            startup.begin(prepared)
        except HomeroomError as error:
            refuse(error)
            return
        from desktop import heap

        heap.settle_start_up()  # the heavy imports and the window are made: see desktop.heap
        crashes.window = startup.window
        startup.main_shown.connect(lambda window: setattr(crashes, "window", window))
        shown.close()

    def refuse(error: HomeroomError) -> None:
        from PySide6.QtWidgets import QMessageBox

        from desktop.models.health import DamagedDatabase
        from desktop.models.profile_key import KeyMissing, PasswordNeeded

        if isinstance(error, PasswordNeeded):
            ask_password(error.message)
            return
        if isinstance(error, DamagedDatabase | KeyMissing):
            offer_repair(error)
            return
        QMessageBox.critical(None, _("Homeroom"), error.message)
        give_up(error)

    def give_up(error: HomeroomError) -> None:
        exit_code.append(error.exit_code)
        shown.close()  # the last window: Qt's loop ends

    def offer_repair(damage: DamagedDatabase | KeyMissing) -> None:
        """What the message offers: a backup restored over a damaged profile, or the class
        fresh from the server; then the profile opens as at any start."""
        from desktop.ui.backup.damaged import DamagedProfileFlow

        DamagedProfileFlow(
            damage,
            runner,
            shown,
            repaired=lambda: runner.run_database(load, loaded, refuse),
            given_up=lambda: give_up(damage),
        ).offer()

    def ask_password(why: str) -> None:
        """The profile's key is kept (or is to be kept) under the app password: asked before
        the profile opens."""
        import desktop.ui.startup
        from desktop.ui.welcome.dialogs import OpenProfileDialog

        dialog = OpenProfileDialog(
            runner,
            lambda password: desktop.ui.startup.prepare(database_path, class_name, password),
            shown,
            intro=why,
        )
        dialog.opened.connect(loaded)
        dialog.rejected.connect(shown.close)
        dialog.open()

    # The profile opens on the database lane while this thread sets up the rest: Qt's own
    # texts, the fonts, the log and the crash dialog are not needed before it answers.
    runner.run_database(load, loaded, refuse)
    from desktop.ui.crash_dialog import CrashReporter
    from desktop.ui.fonts import install_screen_fonts
    from desktop.ui.qt_translation import apply_language

    # Before the fonts: a bundled font Qt refuses is a warning the log must keep.
    handler = log_to_file(database_path.parent)
    _translator = apply_language(app, current_language())
    install_screen_fonts()
    crashes = CrashReporter(paths.log_dir(database_path.parent), app)
    crashes.install()
    from desktop.ui.termination import close_on_termination

    terminating = close_on_termination(app.closeAllWindows, app)
    try:
        code = app.exec()
        return exit_code[0] if exit_code else code
    finally:
        if terminating is not None:
            terminating.uninstall()
        for startup in started:
            startup.close()
        runner.wait()
        crashes.uninstall()
        logging.getLogger().removeHandler(handler)
        handler.close()
