"""The overview in the main window on the demo profile: it is the start screen, a line chosen
with the keyboard opens the screen that deals with it already filtered, and it recomputes
after a change (once per burst, and only when it is on screen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QListView, QWidget
from pytestqt.qtbot import QtBot

from desktop import i18n
from desktop.models.db import Database
from desktop.services import leave, workspace
from desktop.services.changes import Changes
from desktop.services.intents import perform
from desktop.services.overview import LineKind, SectionKind
from desktop.services.scope import load_scope
from desktop.ui import navigation
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Target
from desktop.ui.overview.model import LINE_ROLE, OPENS_ROLE, SectionModel
from desktop.ui.overview.screen import OverviewScreen
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner


def started(qtbot: QtBot, database: Database, runner: TaskRunner) -> MainWindow:
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(
        database,
        scope,
        runner,
        SyncController(database, runner, lambda _url, _user: pytest.fail("no sync expected")),
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.overview.refreshed):
        window.resize(1366, 768)
        window.show()
    qtbot.waitExposed(window)
    return window


def pending_count(database: Database) -> int:
    with workspace.work(database, None, write=False) as unit:
        return len(
            leave.list_requests(unit.session, unit.scope, status="submitted", today=unit.today)
        )


def shown_count(screen: OverviewScreen, kind: LineKind) -> int | None:
    assert screen.current is not None
    (line,) = screen.current.lines(kind)
    return line.count


def row_of(view: QListView, kind: LineKind) -> int:
    model = view.model()
    return next(
        n for n in range(model.rowCount()) if model.index(n, 0).data(LINE_ROLE).kind is kind
    )


def tab_to(qtbot: QtBot, window: QWidget, target: QWidget) -> None:
    """Press Tab until ``target`` has the keyboard (at most a full round of the window)."""
    window.activateWindow()
    for _ in range(30):
        if QApplication.focusWidget() is target:
            return
        focused = QApplication.focusWidget() or window
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    pytest.fail("Tab never reached the overview's leave card")


def decide_oldest(database: Database) -> Changes:
    """Approve the oldest pending request that needs no sign-off, as the leave screen does."""
    with workspace.work(database, None) as unit:
        rows = leave.list_requests(unit.session, unit.scope, status="submitted", today=unit.today)
        row = min(
            (r for r in rows if not r.special_case or r.principal_signoff_on is not None),
            key=lambda r: r.submitted_at,
        )
        raw = {"request_id": row.id, "approve": True, "note": "", "base_version": row.version}
        return perform(unit.session, unit.scope, "decide_leave", raw, actor=unit.actor)


def test_the_overview_is_the_start_screen(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The window opens on the overview, first in the side list (Ctrl+1), showing the pending
    requests the leave service counts."""
    window = started(qtbot, database, runner)
    assert window.current_key() == navigation.OVERVIEW
    assert window.sidebar.item(0).text() == "Tổng quan"
    assert "Ctrl+1" in window.sidebar.item(0).toolTip()
    assert shown_count(window.overview, LineKind.PENDING) == pending_count(database) > 0
    view = window.overview.view_of(SectionKind.LEAVE)
    first = view.model().index(0, 0)
    assert first.data().startswith(f"{pending_count(database)} · Đơn xin nghỉ chờ duyệt: ")
    assert window.overview.today.text() == "Hôm nay: 16/03/2026"


def test_enter_on_the_pending_line_opens_the_leave_screen_filtered(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Tab to the leave card, arrows to the pending line, Enter: the window opens the leave
    screen through ``open_target`` showing only the requests awaiting a decision."""
    window = started(qtbot, database, runner)
    window.leave.reload()
    view = window.overview.view_of(SectionKind.LEAVE)
    tab_to(qtbot, window, view)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.currentIndex().row() == row_of(view, LineKind.PENDING)
    assert view.selectionModel().isSelected(view.currentIndex())
    opened: list[Target] = []
    window.navigator.open_requested.connect(opened.append)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened == [Target(navigation.LEAVE, {"status": "submitted"})]
    assert window.current_key() == navigation.LEAVE
    assert window.leave.status.currentData() == "submitted"
    qtbot.waitUntil(lambda: window.leave.filter.rowCount() == pending_count(database))
    rows = [window.leave.filter.row_at(n) for n in range(window.leave.filter.rowCount())]
    assert {row.status for row in rows} == {"submitted"}


def test_a_grade_line_opens_the_review_of_its_subject(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """An overdue subject's line opens the grade review on that subject and semester."""
    window = started(qtbot, database, runner)
    view = window.overview.view_of(SectionKind.GRADES)
    linked = next(
        view.model().index(n, 0)
        for n in range(view.model().rowCount())
        if view.model().index(n, 0).data(LINE_ROLE).link is not None
        and "subject" in view.model().index(n, 0).data(LINE_ROLE).link.filters
    )
    link = linked.data(LINE_ROLE).link
    assert link.screen == navigation.GRADE_REVIEW
    assert linked.data(OPENS_ROLE) is True
    view.setFocus()
    view.setCurrentIndex(linked)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.current_key() == navigation.GRADE_REVIEW
    qtbot.waitUntil(lambda: window.grade_review.selected_subject() is not None)
    chosen = window.grade_review.selected_subject()
    assert chosen is not None and chosen.subject_code == link.filters["subject"]


def test_a_decision_through_the_runner_refreshes_the_overview(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A decision committed on the database lane (``run_change``) leaves one request fewer on
    the pending line and one change waiting to be sent, with the current line kept."""
    window = started(qtbot, database, runner)
    screen = window.overview
    before = shown_count(screen, LineKind.PENDING) or 0
    view = screen.view_of(SectionKind.LEAVE)
    view.setFocus()
    view.setCurrentIndex(view.model().index(row_of(view, LineKind.PENDING), 0))
    with qtbot.waitSignal(screen.refreshed):
        runner.run_change(lambda: decide_oldest(database), lambda _c: None, pytest.fail)
    assert shown_count(screen, LineKind.PENDING) == before - 1 == pending_count(database)
    assert shown_count(screen, LineKind.WAITING) == 1
    assert view.currentIndex().row() == row_of(view, LineKind.PENDING)


def test_a_burst_of_changes_recomputes_once(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """4,000 announcements in a row (a big sync) cost one recomputation."""
    window = started(qtbot, database, runner)
    screen = window.overview
    computed: list[None] = []
    screen.refreshed.connect(lambda: computed.append(None))
    for number in range(4000):
        runner.announce(Changes.of("", attendance_mark=[number]))
    qtbot.waitUntil(lambda: computed != [] and not screen.refreshing)
    assert len(computed) == 1


def test_a_hidden_overview_recomputes_when_shown_again(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """While the teacher is on another screen a change only marks the overview stale; Ctrl+1
    brings it back up to date."""
    window = started(qtbot, database, runner)
    screen = window.overview
    before = shown_count(screen, LineKind.PENDING) or 0
    computed: list[None] = []
    screen.refreshed.connect(lambda: computed.append(None))
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == navigation.LEAVE
    done: list[Changes] = []
    runner.run_change(lambda: decide_oldest(database), done.append, pytest.fail)
    qtbot.waitUntil(lambda: done != [])
    assert screen.refreshing and computed == []
    with qtbot.waitSignal(screen.refreshed):
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == navigation.OVERVIEW
    assert shown_count(screen, LineKind.PENDING) == before - 1


def test_the_section_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, database: Database, runner: TaskRunner
) -> None:
    """Each card's model is a well-behaved list model, with new counts and with new rows."""
    window = started(qtbot, database, runner)
    assert window.overview.current is not None
    for section in window.overview.current.sections:
        model = SectionModel(lambda _key: True)
        model.set_lines(section.lines)
        qtmodeltester.check(model)  # type: ignore[attr-defined]
        model.set_lines(section.lines[:1])
        model.set_lines(section.lines)
        assert model.rowCount(model.index(0, 0)) == 0
        assert model.data(QModelIndex()) is None


def test_a_language_switch_rewords_the_overview_in_place(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """On Qt's LanguageChange the heading, the card titles and the lines read in English,
    without recomputing (the lines keep their inputs)."""
    window = started(qtbot, database, runner)
    screen = window.overview
    computed: list[None] = []
    screen.refreshed.connect(lambda: computed.append(None))
    i18n.set_language("en")
    try:
        QApplication.sendEvent(screen, QEvent(QEvent.Type.LanguageChange))
        assert screen.heading.text() == "Overview"
        assert screen.today.text() == "Today: 16/03/2026"
        assert screen.cards[SectionKind.LEAVE].title.text() == "Leave requests"
        first = screen.view_of(SectionKind.LEAVE).model().index(0, 0)
        assert "Requests awaiting your decision: " in first.data()
        assert "(waiting " in first.data()
    finally:
        i18n.set_language(None)
    assert computed == []


def test_a_click_on_the_special_cases_line_selects_that_request(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A click opens the leave screen on the pending requests with the special case awaiting
    the principal selected, its details on the side."""
    window = started(qtbot, database, runner)
    qtbot.waitUntil(lambda: window.leave.model.rowCount() > 0)
    view = window.overview.view_of(SectionKind.LEAVE)
    index = view.model().index(row_of(view, LineKind.SPECIAL_CASES), 0)
    line = index.data(LINE_ROLE)
    request_id = line.items[0].ref
    assert line.link.filters == {"status": "submitted", "request_id": request_id}
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    assert window.current_key() == navigation.LEAVE
    assert window.leave.status.currentData() == "submitted"
    selected = window.leave.selected()
    assert selected is not None and selected.id == request_id and selected.special_case


def test_the_overviews_screen_keys_are_the_windows() -> None:
    """The Qt-free overview names screens by the same keys as the window's navigation."""
    from desktop.services import overview as service

    for name in ("LEAVE", "POST_AUDIT", "CONFLICTS", "ATTENDANCE", "GRADE_REVIEW"):
        assert getattr(service, name) == getattr(navigation, name), name
