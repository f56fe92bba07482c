"""The students screen on the demo class, by keyboard: the roster in Vietnamese order, a search
without diacritics, a student's page against the database, links to the leave screen, and
rows refreshed in place when a guardian or a request changes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.domain.names import search_key, sort_key
from desktop.models import AttendanceMark, Guardian, LeaveRequest, Student
from desktop.models.db import Database
from desktop.services import leave, workspace
from desktop.services.changes import Changes
from desktop.services.scope import load_scope
from desktop.sync import state
from desktop.ui import navigation
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Navigator, Target
from desktop.ui.students.model import Column, GradeColumn, guardian_name
from desktop.ui.students.screen import StudentsScreen
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness


def type_text(widget: QWidget, text: str) -> None:
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def shown(
    qtbot: QtBot, database: Database, runner: TaskRunner, navigator: Navigator | None = None
) -> StudentsScreen:
    screen = StudentsScreen(database, runner, navigator or Navigator())
    qtbot.addWidget(screen)
    screen.resize(1236, 690)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.reload()
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 0 and screen.page.page is not None)
    return screen


def offline_window(
    qtbot: QtBot, database: Database, runner: TaskRunner, width: int, height: int
) -> MainWindow:
    """The whole window on the class, shown at ``width`` × ``height``, with no server."""
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(
        database,
        scope,
        runner,
        SyncController(database, runner, lambda url, user: pytest.fail("no sync expected")),
    )
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    return window


def visible_names(screen: StudentsScreen) -> list[str]:
    return [screen.filter.row_at(n).full_name for n in range(screen.filter.rowCount())]


def busiest_student(database: Database) -> int:
    """The student with the most leave requests (ties: the lowest id)."""
    with database.reading() as session:
        return int(
            session.execute(
                select(LeaveRequest.student_id)
                .group_by(LeaveRequest.student_id)
                .order_by(func.count().desc(), LeaveRequest.student_id)
                .limit(1)
            ).scalar_one()
        )


def open_student(qtbot: QtBot, screen: StudentsScreen, student_id: int) -> None:
    screen.open_with({"student_id": student_id})
    qtbot.waitUntil(
        lambda: screen.page.page is not None and screen.page.page.student.id == student_id
    )


def test_the_models_hold_the_qt_contract(
    qtbot: QtBot, database: Database, runner: TaskRunner, qtmodeltester: ModelTester
) -> None:
    """Roster, search filter and the page's absences, requests and grades pass the tester."""
    screen = shown(qtbot, database, runner)
    open_student(qtbot, screen, busiest_student(database))
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.filter)
    qtmodeltester.check(screen.page.absences_model)
    qtmodeltester.check(screen.page.requests_model)
    qtmodeltester.check(screen.page.grades_model)


def test_the_roster_is_the_whole_class_in_vietnamese_order(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Every student of the class, sorted by given name the Vietnamese way (Đ after D)."""
    screen = shown(qtbot, database, runner)
    with database.reading() as session:
        names = list(session.scalars(select(Student.full_name)))
    assert visible_names(screen) == sorted(names, key=sort_key)
    given = [name.split(" ")[-1] for name in visible_names(screen)]
    if any(g.startswith("Đ") for g in given) and any(g.startswith("D") for g in given):
        last_d = max(i for i, g in enumerate(given) if g.startswith("D"))
        first_dd = min(i for i, g in enumerate(given) if g.startswith("Đ"))
        assert last_d < first_dd
    assert screen.count.text() == f"{len(names)} học sinh"
    assert screen.model.headerData(Column.BIRTH, Qt.Orientation.Horizontal) == "Ngày sinh"


def test_a_search_without_diacritics_finds_the_vietnamese_names(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ctrl+F, "nguyen" → exactly the Nguyễn (and Nguyên); "Nguyễn" typed with its marks finds
    the same; Return takes the keyboard to the table with the first of them selected."""
    screen = shown(qtbot, database, runner)
    with database.reading() as session:
        names = list(session.scalars(select(Student.full_name)))
    expected = sorted((n for n in names if "nguyen" in search_key(n)), key=sort_key)
    # "nguyen" is Nguyễn and Nguyên alike: the search folds every mark away.
    assert any("Nguyễn" in name for name in expected)
    assert all("Nguyễn" in name or "Nguyên" in name for name in expected)

    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert screen.search.hasFocus()
    qtbot.keyClicks(screen.search, "nguyen")
    assert visible_names(screen) == expected
    assert screen.count.text() == f"{len(expected)}/{len(names)} học sinh"

    screen.search.clear()
    type_text(screen.search, "Nguyễn")
    assert visible_names(screen) == expected
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert screen.table.hasFocus()
    selected = screen.selected()
    assert selected is not None and selected.full_name == expected[0]
    qtbot.waitUntil(lambda: screen.page.page is not None and screen.page.page.student == selected)


def test_a_students_page_matches_the_database(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Down the list by keyboard to the busiest student: guardians with phones, every absence
    with its source, every request, and averages with the decimal comma."""
    target = busiest_student(database)
    screen = shown(qtbot, database, runner)
    screen.table.setFocus()
    for _step in range(screen.filter.rowCount()):
        row = screen.selected()
        if row is not None and row.id == target:
            break
        qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: screen.page.page is not None and screen.page.page.student.id == target)
    page = screen.page.page
    assert page is not None

    with database.reading() as session:
        student = session.get_one(Student, target)
        guardians = [(g.full_name, g.phone) for g in student.guardians]
        marks = session.scalars(
            select(AttendanceMark).where(
                AttendanceMark.student_id == target, AttendanceMark.status != "present"
            )
        ).all()
        absences = {(m.day, m.session, m.status, m.source, m.leave_request_id) for m in marks}
        requests = set(
            session.scalars(select(LeaveRequest.id).where(LeaveRequest.student_id == target))
        )
    header = screen.page.header.text()
    assert student.full_name in header
    assert student.date_of_birth.strftime("%d/%m/%Y") in header
    for name, phone in guardians:
        assert name in header and phone in header
    assert {(a.day, a.session, a.status, a.source, a.request_id) for a in page.absences} == (
        absences
    )
    assert screen.page.absences_model.rowCount() == len(absences)
    assert screen.page.tabs.tabText(0) == f"Nghỉ, đi muộn ({len(absences)})"
    assert {r.id for r in page.requests} == requests
    assert screen.page.tabs.tabText(1) == f"Đơn xin nghỉ ({len(requests)})"
    excused = sum(1 for a in absences if a[2] == "excused")
    assert f"Có phép: {excused} ·" in screen.page.totals.text()

    grades = screen.page.grades_model
    texts = [grades.index(n, GradeColumn.SEMESTER1).data() for n in range(grades.rowCount())]
    assert any("," in text for text in texts) and not any("." in text for text in texts)
    leave_sources = [a for a in page.absences if a.request_id is not None]
    if leave_sources:
        number = page.absences.index(leave_sources[0])
        source = screen.page.absences_model.index(number, 3).data()
        assert source == f"Đơn xin nghỉ #{leave_sources[0].request_id}"


def test_open_with_a_student_selects_them_even_when_the_search_hides_them(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A link to a student clears a search that hides them, selects them and shows their page;
    a link that arrives before the first load (the screen is read when first shown) waits."""
    target = busiest_student(database)
    early = StudentsScreen(database, runner, Navigator())
    qtbot.addWidget(early)
    early.reload()
    early.open_with({"student_id": target})
    assert not runner.busy and early.model.rowCount() == 0
    early.show()
    qtbot.waitUntil(lambda: early.page.page is not None and early.page.page.student.id == target)

    screen = shown(qtbot, database, runner)
    qtbot.keyClicks(screen.search, "zzz")
    assert screen.filter.rowCount() == 0
    open_student(qtbot, screen, target)
    assert screen.search.text() == ""
    selected = screen.selected()
    assert selected is not None and selected.id == target


def test_the_page_links_to_the_leave_screen(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Enter on a request asks for it in the leave screen; Ctrl+Shift+L asks for all the
    student's requests."""
    navigator = Navigator()
    asked: list[Target] = []
    navigator.open_requested.connect(asked.append)
    target = busiest_student(database)
    screen = shown(qtbot, database, runner, navigator)
    open_student(qtbot, screen, target)
    page = screen.page.page
    assert page is not None
    screen.page.tabs.setCurrentWidget(screen.page.requests)
    screen.page.requests.setFocus()
    qtbot.keyClick(screen.page.requests, Qt.Key.Key_Home)
    qtbot.keyClick(screen.page.requests, Qt.Key.Key_Return)
    qtbot.keyClick(
        screen.page.requests,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert asked == [
        Target(navigation.LEAVE, {"request_id": page.requests[0].id}),
        Target(navigation.LEAVE, {"student_id": target}),
    ]


def test_the_window_opens_the_screen_and_follows_its_link(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ctrl+9 shows the students; Ctrl+O on a request shows it selected in the leave screen."""
    window = offline_window(qtbot, database, runner, 1366, 768)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == navigation.STUDENTS
    screen = window.students
    qtbot.waitUntil(lambda: screen.page.page is not None and window.leave.filter.rowCount() > 0)
    open_student(qtbot, screen, busiest_student(database))
    page = screen.page.page
    assert page is not None
    screen.page.tabs.setCurrentWidget(screen.page.requests)
    screen.page.requests.setFocus()
    qtbot.keyClick(screen.page.requests, Qt.Key.Key_Home)
    qtbot.keyClick(screen.page.requests, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == navigation.LEAVE
    chosen = window.leave.selected()
    assert chosen is not None and chosen.id == page.requests[0].id


def test_a_guardian_change_refreshes_its_row_in_place(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A guardian registering for the e-contact book (as a sync brings it) updates that row
    and no other, without a reset: the selected student and the search stay."""
    screen = shown(qtbot, database, runner)
    with database.reading() as session:
        guardian = session.scalars(
            select(Guardian)
            .where(Guardian.econtact_registered_on.is_(None))
            .order_by(Guardian.id)
            .limit(1)
        ).one()
        guardian_id, student_id = guardian.id, guardian.student_id
        others = [
            s.id
            for s in session.scalars(select(Student).order_by(Student.id))
            if s.id != student_id
        ]
    chosen = others[0]
    open_student(qtbot, screen, chosen)
    number = screen.filter.proxy_row_of(student_id)
    assert number is not None
    before = screen.filter.index(number, Column.ECONTACT).data()
    assert before == "Chưa đăng ký" or screen.model.by_id(student_id).registered is not None  # type: ignore[union-attr]

    with database.transaction() as session:
        row = session.get_one(Guardian, guardian_id)
        row.econtact_registered_on = date(2026, 3, 10)
        row.consent_recorded_on = date(2026, 3, 10)
    resets: list[bool] = []
    screen.model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(screen.model.dataChanged):
        runner.announce(Changes.of("sync", guardian=[guardian_id]))
    number = screen.filter.proxy_row_of(student_id)
    assert number is not None
    registered = screen.model.by_id(student_id).registered  # type: ignore[union-attr]
    assert registered is not None
    assert screen.filter.index(number, Column.ECONTACT).data() == (
        registered.econtact_registered_on.strftime("%d/%m/%Y")  # type: ignore[union-attr]
    )
    assert resets == []
    selected = screen.selected()
    assert selected is not None and selected.id == chosen


def test_a_decided_request_refreshes_the_open_page(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Approving a pending request elsewhere turns its state and its sessions on the open page
    of that student, with the roster's selection kept."""
    with database.reading() as session:
        pending = session.scalars(
            select(LeaveRequest).where(LeaveRequest.status == "submitted").order_by(LeaveRequest.id)
        ).all()
    screen = shown(qtbot, database, runner)
    request = next(r for r in pending)
    open_student(qtbot, screen, request.student_id)
    page = screen.page.page
    assert page is not None
    before = next(r for r in page.requests if r.id == request.id)
    assert before.status == "submitted"

    def approve() -> Changes:
        with workspace.work(database, None) as unit:
            if leave.facts_of(
                unit.session.get_one(LeaveRequest, request.id), unit.scope
            ).special_case:
                unit.session.get_one(LeaveRequest, request.id).principal_signoff_on = unit.today
            return leave.decide(
                unit.session, unit.scope, request_id=request.id, approve=True, actor="GVCN"
            )

    runner.run_change(approve, lambda _changes: None, lambda error: pytest.fail(error.message))
    qtbot.waitUntil(
        lambda: (
            screen.page.page is not None
            and next(r for r in screen.page.page.requests if r.id == request.id).status
            == "approved"
        )
    )
    after = screen.page.page
    assert after is not None
    excused = {a.request_id for a in after.absences if a.status == "excused"}
    assert request.id in excused
    selected = screen.selected()
    assert selected is not None and selected.id == request.student_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def test_a_registration_made_on_the_server_reaches_the_open_roster_in_place(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str]
) -> None:
    """A guardian registered for the e-contact book at the school (the real server on
    loopback): the next sync updates that student's row, without a reset, the teacher's
    selection kept."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
    sync = SyncController(
        database, runner, lambda address, _user: harness.transport(address, token)
    )
    screen = shown(qtbot, database, runner)
    with qtbot.waitSignal(sync.synced):
        sync.sync_now()

    with database.reading() as session:
        guardian = session.scalars(
            select(Guardian)
            .where(Guardian.econtact_registered_on.is_(None))
            .order_by(Guardian.id)
            .limit(1)
        ).one()
        guardian_id, student_id = guardian.id, guardian.student_id
    chosen = next(
        screen.filter.row_at(n).id
        for n in range(screen.filter.rowCount())
        if screen.filter.row_at(n).id != student_id
    )
    open_student(qtbot, screen, chosen)
    with store.write() as session:
        row = session.get_one(Guardian, guardian_id)
        row.econtact_registered_on = date(2026, 3, 12)
        row.consent_recorded_on = date(2026, 3, 12)

    resets: list[bool] = []
    screen.model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(sync.synced):
        sync.sync_now()

    def shown_registration() -> object:
        number = screen.filter.proxy_row_of(student_id)
        assert number is not None
        return screen.filter.index(number, Column.ECONTACT).data()

    qtbot.waitUntil(lambda: shown_registration() == "12/03/2026")
    number = screen.filter.proxy_row_of(student_id)
    assert number is not None and screen.filter.index(number, Column.CONSENT).data() == (
        "12/03/2026"
    )
    assert resets == []
    selected = screen.selected()
    assert selected is not None and selected.id == chosen
    sync.cancel()


def test_no_phone_or_name_reaches_the_log(
    qtbot: QtBot, database: Database, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """Phones and names are shown on the page and written to no log record, at any level."""
    caplog.set_level(logging.DEBUG)
    target = busiest_student(database)
    screen = shown(qtbot, database, runner)
    open_student(qtbot, screen, target)
    runner.announce(Changes.of("sync", student=[target]))
    qtbot.waitUntil(lambda: not runner.busy)
    with database.reading() as session:
        student = session.get_one(Student, target)
        private = [student.full_name] + [
            text for g in student.guardians for text in (g.full_name, g.phone)
        ]
    assert all(text in screen.page.header.text() for text in private)
    assert not [text for text in private if text in caplog.text]


def test_the_page_follows_the_arrow_keys_held_down(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Down five times, then back up two, faster than the pages are read: the page shown at
    the end is the selected student's, not one passed on the way."""
    screen = shown(qtbot, database, runner)
    screen.table.setFocus()
    for key in [Qt.Key.Key_Down] * 5 + [Qt.Key.Key_Up] * 2:
        qtbot.keyClick(screen.table, key)
    qtbot.waitUntil(lambda: not runner.busy)
    selected = screen.selected()
    assert selected is not None and selected == screen.filter.row_at(3)
    assert screen.page.page is not None and screen.page.page.student.id == selected.id
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
        qtbot.keyClick(screen.table, key)
    qtbot.waitUntil(lambda: not runner.busy)
    assert screen.page.page is not None and screen.page.page.student.id == selected.id


def test_every_first_guardian_reads_whole_in_the_roster(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """In the window at its first size the guardians' column shows each student's first
    guardian's name and relation without an ellipsis (stretched, it was squeezed to a few
    letters on an X11 screen, by the columns sized to their contents)."""
    window = offline_window(qtbot, database, runner, 1200, 720)
    window.open_target(Target(navigation.STUDENTS))
    screen = window.students
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 0)
    metrics = screen.table.fontMetrics()
    width = screen.table.columnWidth(Column.GUARDIANS)
    rows = [screen.filter.row_at(n) for n in range(screen.filter.rowCount())]
    names = [guardian_name(row.guardians[0]) for row in rows if row.guardians]
    assert len(names) > 30
    assert all(metrics.horizontalAdvance(name) < width for name in names), width
