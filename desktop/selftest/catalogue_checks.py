"""The Vietnamese catalogues: the app's own (``desktop.i18n``) and Qt's texts
(``desktop.ui.qt_translation``), present, readable and answering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from desktop.i18n import _
from desktop.selftest.runner import CheckFailed, Context

REQUIRED_MESSAGES = (
    "Homeroom",
    "Opening the class's records…",
    "Leave requests",
    "The disk is full: the change was not saved. Free some space.",
    "Self-test passed: all {count} checks ({seconds} s).",
)
"""What the first window and this self-test say: a catalogue without them is not Homeroom's."""

REQUIRED_QT_MESSAGES = (
    ("QPlatformTheme", "", "Cancel"),
    ("QPlatformTheme", "", "&Yes"),
)
"""The standard buttons of every dialog."""


def check_app_catalogue(
    catalogue: Mapping[str, str], required: Iterable[str] = REQUIRED_MESSAGES
) -> str:
    missing = [message for message in required if not catalogue.get(message)]
    if missing:
        raise CheckFailed(
            _("{count} of the app's messages have no Vietnamese translation").format(
                count=len(missing)
            )
        )
    return _("{count} messages").format(count=len(catalogue))


def app_catalogue(context: Context) -> str | None:
    from desktop.i18n import catalog

    return check_app_catalogue(catalog("vi"))


def check_qt_catalogue(
    catalogue: Mapping[tuple[str, str, str], str],
    required: Iterable[tuple[str, str, str]] = REQUIRED_QT_MESSAGES,
) -> str:
    """The entries are there, and Qt, asked through a translator made of them, answers them."""
    from PySide6.QtCore import QCoreApplication

    from desktop.selftest.qt import application
    from desktop.ui.qt_translation import CatalogTranslator

    wanted = list(required)
    missing = [entry for entry in wanted if not catalogue.get(entry)]
    if missing:
        raise CheckFailed(
            _("{count} of Qt's texts have no Vietnamese translation").format(count=len(missing))
        )
    app = application()
    translator = CatalogTranslator(catalogue)
    app.installTranslator(translator)
    try:
        answered = [
            QCoreApplication.translate(context, source, disambiguation or None)
            for context, disambiguation, source in wanted
        ]
    finally:
        app.removeTranslator(translator)
    if answered != [catalogue[entry] for entry in wanted]:
        raise CheckFailed(_("Qt does not take its texts from the catalogue"))
    return _("{count} messages").format(count=len(catalogue))


def qt_catalogue(context: Context) -> str | None:
    from desktop.ui.qt_translation import qt_catalog

    return check_qt_catalogue(qt_catalog("vi"))
