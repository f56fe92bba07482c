"""The two backup dialogs, thin over ``desktop.services.backup``; every copy, check and
restore runs on the database lane.

"Back up now": a folder (a USB stick) and the passphrase twice. "Restore": the backups beside
the profile, or a file; "Check" reads it and says what restoring it means, including the
unsynced work carried over; only then "Restore now" is offered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _, format_decimal
from desktop.models.db import Database
from desktop.services import backup, backup_file, backup_text
from desktop.ui.feedback import ERROR_STYLE, say
from desktop.ui.tasks import TaskRunner

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def kind_label(kind: str) -> str:
    return {
        backup.AUTO: _("automatic"),
        backup.BEFORE_UPGRADE: _("before an upgrade"),
        backup.BEFORE_RESTORE: _("before a restore"),
        backup.BEFORE_ENCRYPTION: _("before encryption"),
        backup.DAMAGED: _("the damaged profile, kept"),
    }.get(kind, kind)


def _size(size: int) -> str:
    return format_decimal(f"{size / 1_000_000:.1f}") + " MB"


class BackUpNowDialog(QDialog):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        clock: Clock = _now,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Back up now"))
        self._database, self._runner, self._clock = database, runner, clock
        hint = QLabel(
            _(
                "One file with the whole profile, encrypted with a passphrase: keep it on a USB "
                "stick or another computer. Without the passphrase nobody can open it, not even "
                "to restore it, so write it down somewhere safe."
            )
        )
        hint.setWordWrap(True)
        self.folder = QLineEdit()
        self.folder.setAccessibleName(_("Folder"))
        browse = QPushButton(_("&Choose…"))
        browse.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(_("The passphrase again"))
        form = QFormLayout()
        form.addRow(_("Folder:"), row)
        form.addRow(_("Passphrase:"), self.passphrase)
        form.addRow(_("Again:"), self.again)
        self.message = QLabel()
        self.message.setWordWrap(True)
        for field in (self.folder, self.passphrase, self.again):
            field.textEdited.connect(lambda _text: self.message.clear())
        self.back_up_button = QPushButton(_("&Back up"))
        self.back_up_button.setDefault(True)
        self.back_up_button.clicked.connect(self.back_up)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.back_up_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, 260)

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Where to put the backup"))
        if chosen:
            self.folder.setText(chosen)

    def back_up(self) -> None:
        folder, passphrase = self.folder.text().strip(), self.passphrase.text()
        if not folder:
            self._show(_("Choose the folder to put the backup in (a USB stick)."), error=True)
            return
        if passphrase != self.again.text():
            self._show(_("The two passphrases differ; nothing was written."), error=True)
            return
        try:
            backup_file.check_passphrase(passphrase)
        except HomeroomError as error:
            self._show(error.message, error=True)
            return
        database, now = self._database, self._clock()
        self.back_up_button.setEnabled(False)
        self._show(_("Backing up…"), error=False)
        self._runner.run_database(
            lambda: backup.back_up_now(database, Path(folder), passphrase, now=now),
            self._done,
            self._failed,
        )

    def _done(self, path: Path) -> None:
        if shiboken6.isValid(self):
            self.back_up_button.setEnabled(True)
            self.passphrase.clear()
            self.again.clear()
            self._show(_("Backed up to {path}.").format(path=path), error=False)

    def _failed(self, error: HomeroomError) -> None:
        if shiboken6.isValid(self):
            self.back_up_button.setEnabled(True)
            self._show(error.message, error=True)

    def _show(self, text: str, *, error: bool) -> None:
        say(self.message, text, error=error)


class RestoreDialog(QDialog):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        syncing: Callable[[], bool] = lambda: False,
        clock: Clock = _now,
        damaged: bool = False,
        chosen: Path | None = None,
    ) -> None:
        """``damaged``: ``database`` is a profile that failed its check, opened without it
        (``damaged_profile.open_damaged``); ``chosen``: the backup selected at first."""
        super().__init__(parent)
        self.setWindowTitle(_("Restore a backup"))
        self._database, self._runner = database, runner
        self._syncing, self._clock = syncing, clock
        self._damaged, self._preselected = damaged, chosen
        self.restored: backup.Restored | None = None
        self._checked: Path | None = None
        self.list = QTreeWidget()
        self.list.setAccessibleName(_("Backups of this profile"))
        self.list.setHeaderLabels([_("Made"), _("Kind"), _("Size")])
        self.list.setRootIsDecorated(False)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(lambda *_args: self._chosen())
        self.source = QLineEdit()
        self.source.setAccessibleName(_("Backup file"))
        self.source.textChanged.connect(lambda _text: self._reset())
        self.from_file = QPushButton(_("From a &file…"))
        self.from_file.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.source, 1)
        row.addWidget(self.from_file)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.passphrase.textChanged.connect(lambda _text: self._reset())
        form = QFormLayout()
        form.addRow(_("Backup:"), row)
        form.addRow(_("Passphrase:"), self.passphrase)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.check_button = QPushButton(_("C&heck"))
        self.check_button.clicked.connect(self.check)
        self.restore_button = QPushButton(_("&Restore now"))
        self.restore_button.clicked.connect(self.restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        # Enter checks the chosen backup; restoring, which replaces the records, is a click.
        for button in (self.from_file, *buttons.buttons()):
            if isinstance(button, QPushButton):
                button.setAutoDefault(button is self.check_button)
        self.check_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.resize(640, 440)
        self._busy = False
        self._enable()
        self._runner.run_database(lambda: backup.list_backups(database), self._listed, self._failed)

    def _listed(self, found: list[backup.Backup]) -> None:
        if not shiboken6.isValid(self):
            return
        for item in found:
            row = QTreeWidgetItem(
                [f"{item.created:%d/%m/%Y %H:%M}", kind_label(item.kind), _size(item.size)]
            )
            row.setToolTip(0, str(item.path))
            row.setData(0, Qt.ItemDataRole.UserRole, str(item.path))
            self.list.addTopLevelItem(row)
            if item.path == self._preselected:
                self.list.setCurrentItem(row)
        if not found:
            self.summary.setText(_("No backups yet."))

    def _chosen(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.source.setText(str(item.data(0, Qt.ItemDataRole.UserRole)))

    def _choose(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("The backup to restore"), "", _("Homeroom backups (*.hmbak *.sqlite)")
        )
        if chosen:
            self.source.setText(chosen)

    def _reset(self) -> None:
        self._checked = None
        path = Path(self.source.text().strip())
        self.passphrase.setEnabled(backup.is_passphrase_file(path))
        self._enable()

    def check(self) -> None:
        source = self.source.text().strip()
        if not source:
            self._show(_("Choose a backup in the list or from a file."), error=True)
            return
        database, passphrase, path = self._database, self.passphrase.text(), Path(source)
        self._busy = True
        self._enable()
        self._runner.run_database(
            lambda: backup.preview(database, path, passphrase), self._previewed, self._failed
        )

    def _previewed(self, preview: backup.Preview) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self._checked = preview.source
            self._show(backup_text.describe(preview), error=False)

    def restore(self) -> None:
        if self._checked is None:
            return
        if self._syncing():
            self._show(_("A sync is running; restore once it has finished."), error=True)
            return
        database, source, passphrase = self._database, self._checked, self.passphrase.text()
        now, damaged = self._clock(), self._damaged
        self._busy = True
        self._enable()
        self._runner.run_database(
            lambda: backup.restore(database, source, passphrase, now=now, damaged=damaged),
            self._restored,
            self._failed,
        )

    def _restored(self, restored: backup.Restored) -> None:
        if shiboken6.isValid(self):
            self.restored = restored
            self._checked = None
            self._busy = False
            self._show(backup_text.restored(restored), error=False)
            self.list.setEnabled(False)
            self.source.setEnabled(False)
            self.from_file.setEnabled(False)
            self.passphrase.setEnabled(False)
            self.check_button.setEnabled(False)

    def _failed(self, error: HomeroomError) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self._checked = None
            self._show(error.message, error=True)

    def _show(self, text: str, *, error: bool) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(ERROR_STYLE if error else "")
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the list gives up the room the wrapped lines need, now
        self._enable()

    def _enable(self) -> None:
        done = self.restored is not None
        self.check_button.setEnabled(not self._busy and not done)
        self.restore_button.setEnabled(not self._busy and not done and self._checked is not None)
