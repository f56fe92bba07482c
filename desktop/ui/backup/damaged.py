"""A profile that cannot be opened as it is, in the window: one that fails its check on open, or
one whose key this computer's keyring no longer has; what their messages offer.

The teacher chooses to restore a backup over a damaged one (the newest good one chosen already;
the restore dialog, on the profile opened without its checks), or to set either aside and take
the class fresh from the server (the welcome screen, at the next start of the flow); both keep
the file for the school's IT contact. Closing instead leaves everything as it is. A profile
without its key offers no restore: every backup beside it is under that same key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.models.health import DamagedDatabase
from desktop.models.profile_key import KeyMissing, PasswordNeeded
from desktop.services import damaged_profile
from desktop.ui.backup.dialogs import RestoreDialog
from desktop.ui.tasks import TaskRunner

RESTORE = "restore"
FRESH = "fresh"


Unopenable = DamagedDatabase | KeyMissing


class DamagedProfileDialog(QDialog):
    """The message with its ways out; ``choice`` is RESTORE, FRESH or None."""

    def __init__(self, problem: Unopenable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        damaged = isinstance(problem, DamagedDatabase)
        self.setWindowTitle(
            _("The class's records are damaged")
            if damaged
            else _("The class's records cannot be opened")
        )
        message = problem.message
        self.choice: str | None = None
        text = QLabel(message)
        text.setWordWrap(True)
        text.setObjectName("damage_message")
        buttons = QDialogButtonBox()
        restore = QPushButton(_("&Restore a backup…"))
        restore.setObjectName("restore_damaged")
        fresh = QPushButton(_("Take a &fresh copy from the server…"))
        fresh.setObjectName("fresh_copy")
        buttons.addButton(restore, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(fresh, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(_("Close Homeroom"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        restore.setVisible(damaged)
        restore.clicked.connect(lambda: self._choose(RESTORE))
        fresh.clicked.connect(lambda: self._choose(FRESH))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        (restore if damaged else fresh).setDefault(True)
        text.setMinimumWidth(600)  # the message's lines wrap, not the window's width
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class DamagedProfileFlow(QObject):
    """Offers the ways out of ``damage`` (or of a missing key) and carries one through on the
    database lane; ``repaired`` is called once the profile can be opened again (restored, or
    gone: a first start), ``given_up`` when the teacher closes instead."""

    def __init__(
        self,
        damage: Unopenable,
        runner: TaskRunner,
        parent: QWidget,
        *,
        repaired: Callable[[], None],
        given_up: Callable[[], None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self._damage, self._runner, self._parent = damage, runner, parent
        self._repaired, self._given_up, self._clock = repaired, given_up, clock
        self.dialog: QDialog | None = None
        """The dialog shown now (the tests answer it)."""

    def offer(self) -> None:
        dialog = DamagedProfileDialog(self._damage, self._parent)
        dialog.finished.connect(lambda _result: self._chosen(dialog.choice))
        self._show(dialog)

    def _show(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _chosen(self, choice: str | None) -> None:
        if choice == RESTORE:
            path = self._damage.path
            self._runner.run_database(
                lambda: damaged_profile.open_damaged(path, None), self._opened, self._not_opened
            )
        elif choice == FRESH:
            self._confirm_fresh_copy()
        else:
            self._given_up()

    def _not_opened(self, error: HomeroomError) -> None:
        if not isinstance(error, PasswordNeeded):
            self._failed(error)
            return
        from desktop.ui.welcome.dialogs import OpenProfileDialog

        path = self._damage.path
        dialog = OpenProfileDialog(
            self._runner,
            lambda password: damaged_profile.open_damaged(path, password),
            self._parent,
            intro=error.message,
        )
        dialog.opened.connect(self._opened)
        dialog.rejected.connect(self.offer)
        self._show(dialog)

    def _opened(self, database: Database | None) -> None:
        if database is None:
            self._failed(
                HomeroomError(
                    _(
                        "The damaged profile cannot be opened to restore over it: the record "
                        "of its key is missing. Take a fresh copy from the server instead."
                    )
                )
            )
            return
        chosen = self._damage.backup if isinstance(self._damage, DamagedDatabase) else None
        dialog = RestoreDialog(database, self._runner, self._parent, damaged=True, chosen=chosen)

        def finished(_result: int) -> None:
            restored = dialog.restored is not None
            self._runner.run_database(
                database.close,
                lambda _closed: self._repaired() if restored else self.offer(),
                self._failed,
            )

        dialog.finished.connect(finished)
        self._show(dialog)

    def _confirm_fresh_copy(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Take a fresh copy from the server"),
            _(
                "This profile is moved to the backups folder, kept for the school's IT contact, "
                "and Homeroom starts as on a new computer: sign in and the class comes from the "
                "server. Changes not yet sent to the server stay only in the kept copy."
            ),
            QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        go = box.addButton(_("Set it aside and sign in"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            if box.clickedButton() is not go:
                self.offer()
                return
            path, now = self._damage.path, self._clock()
            self._runner.run_database(
                lambda: damaged_profile.set_aside(path, now=now),
                lambda _kept: self._repaired(),
                self._failed,
            )

        box.finished.connect(answered)
        self._show(box)

    def _failed(self, error: HomeroomError) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            _("Homeroom"),
            error.message,
            QMessageBox.StandardButton.Ok,
            self._parent,
        )
        box.finished.connect(lambda _result: self.offer())
        self._show(box)
