"""The main window against the real reference server on loopback: the status line, a sync on
demand, a decision made offline reaching the server, and a server that cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.models import LeaveRequest
from desktop.models.db import Database
from desktop.services.scope import load_scope
from desktop.sync import state
from desktop.sync.signed_in import Connector
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def window(
    qtbot: QtBot, database: Database, runner: TaskRunner, connector: Connector
) -> MainWindow:
    with database.reading() as session:
        scope = load_scope(session)
    shown = MainWindow(database, scope, runner, SyncController(database, runner, connector))
    qtbot.addWidget(shown)
    return shown


def sign_in(database: Database, url: str) -> None:
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))


def test_not_signed_in_says_so_and_cannot_sync(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    shown = window(qtbot, database, runner, lambda url, user: pytest.fail("no sync expected"))
    qtbot.waitUntil(lambda: shown.sync_line.text() != "")
    assert shown.sync_line.text() == "Chưa đăng nhập máy chủ của trường."
    assert not shown.sync_action.isEnabled()
    assert shown.windowTitle().startswith("Sổ Chủ Nhiệm — lớp 11A1")


def test_a_decision_made_offline_reaches_the_server_on_sync(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str]
) -> None:
    store, url = server
    token = harness.issue_token(store, "gvcn")
    sign_in(database, url)
    shown = window(
        qtbot, database, runner, lambda address, _user: harness.transport(address, token)
    )
    with qtbot.waitSignal(shown.sync.synced):
        shown.sync_action.trigger()
    qtbot.waitUntil(lambda: "Chờ gửi: 0" in shown.sync_line.text())
    assert "Đồng bộ lần cuối: " in shown.sync_line.text()
    assert "chưa bao giờ" not in shown.sync_line.text()

    # The sync the window starts by itself shortly after an edit would race the one this test
    # asks for (on a busy machine it wins, and the count never reads 1): only the asked one.
    shown.sync.edit_timer.setInterval(3_600_000)
    screen = shown.leave
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 100)
    pending = next(
        screen.filter.row_at(n)
        for n in range(screen.filter.rowCount())
        if screen.filter.row_at(n).status == "submitted"
        and not screen.filter.row_at(n).special_case
    )
    number = next(
        n for n in range(screen.filter.rowCount()) if screen.filter.row_at(n).id == pending.id
    )
    screen.table.selectRow(number)
    with qtbot.waitSignal(screen.decided):
        screen.approve_button.click()
    qtbot.waitUntil(lambda: "Chờ gửi: 1" in shown.sync_line.text())

    with qtbot.waitSignal(shown.sync.synced) as synced:
        shown.sync_action.trigger()
    assert "gửi 1 thay đổi" in synced.args[0]
    qtbot.waitUntil(lambda: "Chờ gửi: 0" in shown.sync_line.text())
    with store.read() as session:
        assert session.get_one(LeaveRequest, pending.id).status == "approved"


def test_an_unreachable_server_is_a_red_status(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    closed = f"http://127.0.0.1:{harness.free_port()}"
    sign_in(database, closed)
    shown = window(qtbot, database, runner, lambda address, _user: harness.transport(address, "x"))
    shown.sync_action.trigger()
    qtbot.waitUntil(lambda: "Không kết nối được" in shown.sync_line.text())
    assert "color: #b00020" in shown.sync_line.styleSheet()
    assert not shown.sync.running
