"""The overview, the window's start screen: four cards (leave requests, attendance, grades,
sync), each a list of lines that open the screen dealing with them, already filtered.

It recomputes on the database lane when anything changed (``operation_did_execute``),
coalescing bursts: a sync applying thousands of rows costs one recomputation, and none while
the overview is hidden (it catches up when shown again).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import workspace
from desktop.services.changes import Changes
from desktop.services.overview import Line, Overview, SectionKind, overview, today_text
from desktop.ui import navigation
from desktop.ui.navigation import Navigator, Target
from desktop.ui.overview.model import LINE_ROLE, OPENS_ROLE, LineDelegate, SectionModel
from desktop.ui.tasks import TaskRunner

REFRESH_DELAY_MS = 250
"""How long a burst of changes may last before the overview recomputes once."""

THIS_ISSUE_SCREENS = frozenset(
    {navigation.OVERVIEW, navigation.LEAVE, navigation.POST_AUDIT, navigation.CONFLICTS}
)
"""The screens a line may open when the window does not say which it has."""

LAYOUT = (
    (SectionKind.LEAVE, 0, False),
    (SectionKind.ATTENDANCE, 1, False),
    (SectionKind.SYNC, 0, True),
    (SectionKind.GRADES, 1, True),
)
"""Each card's column and whether it takes the height left over (the others are as tall as
their lines); Tab goes through them in this order."""


class LineList(QListView):
    """A card's lines: arrows move, Enter or a click opens; the selection shows only in the
    card that has the focus. It asks for the height of all its lines."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        height = sum(self.sizeHintForRow(row) + 2 * self.spacing() for row in range(rows))
        return QSize(super().sizeHint().width(), height + 2 * self.frameWidth())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # wrapped details: a new width may need a new height

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        current = self.currentIndex()
        if current.isValid():
            self.selectionModel().select(current, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        # Another window or a menu taking the keyboard leaves the line selected.
        if event.reason() not in (
            Qt.FocusReason.ActiveWindowFocusReason,
            Qt.FocusReason.PopupFocusReason,
            Qt.FocusReason.MenuBarFocusReason,
        ):
            self.clearSelection()


class SectionCard(QFrame):
    def __init__(self, kind: SectionKind, can_open: Callable[[str], bool], *, grows: bool) -> None:
        super().__init__()
        self.kind = kind
        self.setObjectName(f"overview-{kind.value}")
        self.setStyleSheet(
            f"QFrame#overview-{kind.value} {{ background: palette(base);"
            " border: 1px solid palette(mid); border-radius: 6px; }"
        )
        self.title = QLabel(kind.label)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.model = SectionModel(can_open, self)
        self.view = LineList()
        self.view.setObjectName(f"overview-{kind.value}-lines")
        self.view.setModel(self.model)
        self.view.setItemDelegate(LineDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setMouseTracking(True)
        self.view.setSpacing(1)
        self.view.setAccessibleName(kind.label)
        self.title.setBuddy(self.view)
        if not grows:
            self.view.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def retranslate(self) -> None:
        self.title.setText(self.kind.label)
        self.view.setAccessibleName(self.kind.label)
        # Same lines, new words: new heights for the rows.
        self.view.doItemsLayout()
        self.view.viewport().update()

    def show_lines(self, lines: tuple[Line, ...]) -> None:
        """New lines in place; the line the teacher was on stays current."""
        current = self.view.currentIndex()
        key = self.model.line_at(current.row()).key if current.isValid() else None
        self.model.set_lines(lines)
        # A list caches its rows' heights; new counts and names may wrap differently.
        self.view.doItemsLayout()
        self.view.updateGeometry()
        if key is not None and not self.view.currentIndex().isValid():
            row = self.model.row_of(key)
            if row is not None:
                flag = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    if self.view.hasFocus()
                    else QItemSelectionModel.SelectionFlag.NoUpdate
                )
                self.view.selectionModel().setCurrentIndex(self.model.index(row), flag)


class OverviewScreen(QWidget):
    refreshed = Signal()
    """A recomputed overview is on screen."""
    answered = Signal()
    """A recomputation ended: its lines are on screen, or the reason it failed."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        navigator: Navigator,
        class_name: str | None = None,
        parent: QWidget | None = None,
        *,
        can_open: Callable[[str], bool] | None = None,
    ) -> None:
        """``can_open(screen_key)``: whether the window has that screen (lines linking to a
        screen it lacks are shown without a link)."""
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._navigator = navigator
        self._class_name = class_name
        self._can_open = can_open or THIS_ISSUE_SCREENS.__contains__
        self._loading = False
        self._again = False
        self._stale = False
        self.current: Overview | None = None

        self.heading = heading = QLabel(_("Overview"))
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        heading.setFont(font)
        self.today = QLabel()
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.hide()
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.today)

        self.cards: dict[SectionKind, SectionCard] = {}
        columns = QHBoxLayout()
        columns.setSpacing(10)
        stacks = [QVBoxLayout(), QVBoxLayout()]
        for stack in stacks:
            stack.setSpacing(10)
            columns.addLayout(stack, 1)
        for kind, column, grows in LAYOUT:
            card = SectionCard(kind, self._can_open, grows=grows)
            card.view.clicked.connect(self._activated)
            card.view.activated.connect(self._activated)
            card.view.entered.connect(lambda index, view=card.view: _point_at(view, index))
            self.cards[kind] = card
            stacks[column].addWidget(card, 1 if grows else 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(columns, 1)
        views = [self.cards[kind].view for kind, _column, _grows in LAYOUT]
        for before, after in itertools.pairwise(views):
            QWidget.setTabOrder(before, after)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._load)
        runner.operation_did_execute.connect(self._changed)

    # --- The Screen protocol ---------------------------------------------------------------

    def reload(self) -> None:
        """Recompute now (the window's start, a sync that finished)."""
        self._timer.stop()
        self._load()

    def open_with(self, filters: dict[str, Any]) -> None:
        """The overview has no filters: opening it puts the keyboard on its first line."""
        view = self.cards[SectionKind.LEAVE].view
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not view.currentIndex().isValid() and view.model().rowCount() > 0:
            view.setCurrentIndex(view.model().index(0, 0))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Show every text in the language now in force (the lines build theirs when drawn)."""
        self.heading.setText(_("Overview"))
        if self.current is not None:
            self.today.setText(today_text(self.current.today))
        for card in self.cards.values():
            card.retranslate()

    # --- Refreshing ------------------------------------------------------------------------

    def schedule_refresh(self) -> None:
        """Something changed: recompute once the burst is over (or when shown again)."""
        if not self.isVisible():
            self._stale = True
            return
        if not self._timer.isActive():
            self._timer.start()

    @property
    def refreshing(self) -> bool:
        """A recomputation is waiting for the burst to end, running, or owed once shown."""
        return self._timer.isActive() or self._loading or self._stale

    def _changed(self, _changes: Changes, _initiator: object) -> None:
        self.schedule_refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _load(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._stale = False
        database, class_name = self._database, self._class_name

        def compute() -> Overview:
            with workspace.work(database, class_name, write=False) as unit:
                return overview(unit.session, unit.scope, today=unit.today)

        self._runner.run_database(compute, self._loaded, self._failed)

    def _loaded(self, result: Overview) -> None:
        self._loading = False
        self.current = result
        self.today.setText(today_text(result.today))
        self.message.hide()
        for section in result.sections:
            self.cards[section.kind].show_lines(section.lines)
        self.refreshed.emit()
        self.answered.emit()
        if self._again:
            self._again = False
            self._load()

    def _failed(self, error: HomeroomError) -> None:
        self._loading = False
        self.message.setText(error.message)
        self.message.show()
        self.answered.emit()
        if self._again:
            self._again = False
            self._load()

    # --- Opening what a line links to ------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        line: Line | None = index.data(LINE_ROLE)
        if line is not None and line.link is not None and index.data(OPENS_ROLE):
            self._navigator.open(Target(line.link.screen, dict(line.link.filters)))

    def view_of(self, kind: SectionKind) -> QListView:
        return self.cards[kind].view


def _point_at(view: QListView, index: QModelIndex) -> None:
    """A pointing hand over a line that opens something."""
    if index.data(OPENS_ROLE):
        view.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
    else:
        view.viewport().unsetCursor()
