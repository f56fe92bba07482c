"""The sync's pieces of the window outside the status line: the progress bar of a long pull
(a first sync) and the tray notification of new leave requests."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QStatusBar,
    QSystemTrayIcon,
    QWidget,
)

from desktop.i18n import _
from desktop.sync.cycle import Progress
from desktop.ui import sync_status
from desktop.ui.sync_controller import SyncController


class SyncProgress(QWidget):
    """A busy bar while a sync pulls page after page (the total is not known in advance),
    beside the rows received so far; hidden otherwise."""

    def __init__(self, sync: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_progress")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.hide()
        sync.progressed.connect(self.show_progress)

    def show_progress(self, progress: Progress | None) -> None:
        if progress is None:
            self.hide()
            return
        text = sync_status.progress_text(progress)
        self.label.setText(text)
        self.bar.setAccessibleName(text)
        self.show()


class TrayNotifier:
    """A tray message when a sync brings new requests: a count, never a name; nothing where the
    desktop has no tray."""

    def __init__(self, sync: SyncController, parent: QWidget | None = None) -> None:
        self._parent = parent
        self.icon: QSystemTrayIcon | None = None
        self.last_message: str | None = None
        sync.new_requests.connect(self.notify)

    def notify(self, count: int) -> None:
        self.last_message = sync_status.tray_message(count)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self.icon is None:
            self.icon = QSystemTrayIcon(QApplication.windowIcon(), self._parent)
            self.icon.setToolTip(_("Homeroom"))
            self.icon.show()
        self.icon.showMessage(_("Homeroom"), self.last_message)


def attach(status_bar: QStatusBar, sync: SyncController, window: QWidget) -> TrayNotifier:
    status_bar.addPermanentWidget(SyncProgress(sync, status_bar))
    return TrayNotifier(sync, window)
