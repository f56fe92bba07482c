"""Sync in the background against the real reference server on loopback: every write of a
desktop sync and of a decision is on the database lane's thread; a sync announces what it
changed; closing the window mid-sync stops it between rounds without waiting for the server;
syncs follow edits, the interval setting and the network coming back; a first sync shows its
progress and later ones count new requests for the tray, never naming anyone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select

from desktop.models import LeaveRequest, Student, SyncInbox
from desktop.models.db import Database, open_database
from desktop.services import intents
from desktop.services.changes import Changes
from desktop.services.scope import load_scope
from desktop.settings import SYNC_INTERVAL_MINUTES, Settings
from desktop.sync import state
from desktop.sync.cycle import Progress
from desktop.sync.errors import AuthError, NetworkError, ServerUnavailable
from desktop.sync.protocol import SyncRequest, SyncResponse
from desktop.sync.signed_in import Connection, Connector
from desktop.ui import sync_status
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.sync_status import Backoff
from desktop.ui.sync_widgets import TrayNotifier
from desktop.ui.tasks import DATABASE_THREAD_PREFIX, TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.server.helpers import Seeded, _request, served
from tests.sync_faults import harness

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


@pytest.fixture
def small_school(tmp_path: Path) -> Iterator[tuple[Store, Seeded, str]]:
    """The small seeded class, served in pages of 7 rows (a first sync takes many rounds)."""
    with served(f"sqlite:///{tmp_path / 'server.sqlite3'}", page_size=7) as (store, seeded, api):
        yield store, seeded, str(api.http.base_url).rstrip("/")


@pytest.fixture
def empty_profile(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "fresh" / "homeroom.sqlite3")
    yield database
    database.close()


def sign_in(database: Database, url: str, class_id: int = 1) -> None:
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", class_id))


def connector_for(store: Store) -> Connector:
    token = harness.issue_token(store, "gvcn")
    return lambda address, _user: harness.transport(address, token)


class Held:
    """A connection whose round ``hold`` waits until the test releases it (a slow link)."""

    def __init__(self, connection: Connection, hold: int) -> None:
        self.connection = connection
        self.hold = hold
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        self.answered = threading.Event()
        self.closed = threading.Event()

    def sync(self, request: SyncRequest) -> SyncResponse:
        self.calls += 1
        if self.calls == self.hold:
            self.entered.set()
            self.release.wait()
        try:
            return self.connection.sync(request)
        finally:
            if self.calls == self.hold:
                self.answered.set()

    def close(self) -> None:
        self.connection.close()
        self.closed.set()


def test_every_write_of_a_desktop_sync_and_a_decision_is_on_the_database_lane(
    qtbot: QtBot, database: Database, runner: TaskRunner, demo_server: tuple[Store, str]
) -> None:
    """INSERT/UPDATE/DELETE and COMMIT: all on the database lane's thread, none elsewhere."""
    store, url = demo_server
    sign_in(database, url)
    writers: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith(WRITES):
            writers.append(threading.current_thread().name)

    def commit(_conn: Any) -> None:
        writers.append(threading.current_thread().name)

    event.listen(database.engine, "before_cursor_execute", statement)
    event.listen(database.engine, "commit", commit)
    with database.reading() as session:
        scope = load_scope(session)
    shown = MainWindow(
        database, scope, runner, SyncController(database, runner, connector_for(store))
    )
    qtbot.addWidget(shown)
    with qtbot.waitSignal(shown.sync.synced):
        shown.sync_action.trigger()
    screen = shown.leave
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 100)
    number = next(
        n
        for n in range(screen.filter.rowCount())
        if screen.filter.row_at(n).status == "submitted"
        and not screen.filter.row_at(n).special_case
    )
    screen.table.selectRow(number)
    with qtbot.waitSignal(screen.decided):
        screen.approve_button.click()
    with qtbot.waitSignal(shown.sync.synced) as synced:
        shown.sync_action.trigger()
    assert "gửi 1 thay đổi" in synced.args[0]
    event.remove(database.engine, "before_cursor_execute", statement)
    event.remove(database.engine, "commit", commit)
    assert len(writers) > 3
    assert {name for name in writers if not name.startswith(DATABASE_THREAD_PREFIX)} == set()


def test_a_sync_announces_what_it_changed_as_its_own(
    qtbot: QtBot,
    runner: TaskRunner,
    empty_profile: Database,
    small_school: tuple[Store, Seeded, str],
) -> None:
    """``operation_did_execute`` carries the pulled requests, with the controller as initiator;
    the sync's own echo does not schedule another sync."""
    store, seeded, url = small_school
    sign_in(empty_profile, url, seeded.small.class_id)
    sync = SyncController(empty_profile, runner, connector_for(store), runner)
    with qtbot.waitSignal(runner.operation_did_execute) as announced:
        sync.sync_now()
    changes, initiator = announced.args
    assert isinstance(changes, Changes) and initiator is sync
    assert {str(i) for i in seeded.requests} <= changes.ids("leave_request")
    qtbot.waitUntil(lambda: not sync.running)
    assert not sync.edit_timer.isActive()


def test_closing_the_window_during_a_long_sync_stops_between_rounds(
    qtbot: QtBot,
    runner: TaskRunner,
    empty_profile: Database,
    small_school: tuple[Store, Seeded, str],
    demo_path: Path,
) -> None:
    """Round 3 is held: the window closes without its answer, no round 4 is sent, nothing is
    visible, the staged rounds stay committed, and the late answer is never recorded."""
    store, seeded, url = small_school
    sign_in(empty_profile, url, seeded.small.class_id)
    connect = connector_for(store)
    held: list[Held] = []

    def connector(address: str, user: str) -> Connection:
        held.append(Held(connect(address, user), hold=3))
        return held[-1]

    demo = open_database(demo_path)
    try:
        with demo.reading() as session:
            scope = load_scope(session)
    finally:
        demo.close()
    sync = SyncController(empty_profile, runner, connector, runner)
    shown = MainWindow(empty_profile, scope, runner, sync)
    qtbot.addWidget(shown)
    shown.show()
    shown.sync_action.trigger()
    qtbot.waitUntil(lambda: bool(held) and held[0].entered.is_set())
    with empty_profile.reading() as session:
        staged = session.scalar(select(func.count()).select_from(SyncInbox))
        staged_cursor = state.staged_cursor(session)
    assert staged

    assert shown.close()
    assert not shown.isVisible()
    assert not held[0].closed.is_set()  # the held request still owns the connection

    held[0].release.set()
    assert held[0].answered.wait(30)
    assert held[0].closed.wait(30)
    assert held[0].calls == 3
    with empty_profile.reading() as session:
        assert session.scalar(select(func.count()).select_from(Student)) == 0
        assert session.scalar(select(func.count()).select_from(SyncInbox)) == staged
        assert state.staged_cursor(session) == staged_cursor
        assert state.cursor(session) == 0
        assert not state.status(session).last_error
    qtbot.waitUntil(lambda: not sync.running)
    sync.sync_now()  # closed for good
    assert not sync.running and len(held) == 1


def test_an_edit_schedules_a_sync_shortly_after(
    qtbot: QtBot,
    runner: TaskRunner,
    empty_profile: Database,
    small_school: tuple[Store, Seeded, str],
) -> None:
    """A decision announced by a screen starts the edit timer; when it fires the decision is
    sent without anyone pressing F5."""
    store, seeded, url = small_school
    sign_in(empty_profile, url, seeded.small.class_id)
    sync = SyncController(empty_profile, runner, connector_for(store), runner)
    with qtbot.waitSignal(sync.synced):
        sync.sync_now()
    sync.edit_timer.setInterval(10)
    request_id = seeded.requests[0]

    def decide() -> Changes:
        with empty_profile.transaction() as session:
            version = session.get_one(LeaveRequest, request_id).version
            return intents.perform(
                session,
                load_scope(session),
                "decide_leave",
                {"request_id": request_id, "approve": True, "base_version": version},
                actor="Cô Nhung",
            )

    screen = object()
    with qtbot.waitSignal(sync.synced) as synced:
        runner.run_change(decide, lambda _c: None, pytest.fail, initiator=screen)
    assert "gửi 1 thay đổi" in synced.args[0]
    with store.read() as session:
        assert session.get_one(LeaveRequest, request_id).status == "approved"


def test_offline_retries_back_off_and_sync_when_the_network_returns(
    qtbot: QtBot,
    runner: TaskRunner,
    empty_profile: Database,
    small_school: tuple[Store, Seeded, str],
) -> None:
    """No network: offline, a retry scheduled sooner than the interval and growing; once the
    server answers, the retry syncs by itself and the status says online."""
    store, seeded, url = small_school
    sign_in(empty_profile, url, seeded.small.class_id)
    closed = f"http://127.0.0.1:{harness.free_port()}"
    reachable = connector_for(store)
    network = {"up": False}

    def connector(address: str, user: str) -> Connection:
        return reachable(address, user) if network["up"] else harness.transport(closed, "x")

    sync = SyncController(
        empty_profile, runner, connector, runner, backoff=Backoff(first=60, factor=2, ceiling=300)
    )
    lines: list[str] = []
    sync.state_changed.connect(lambda line: lines.append(line.text))
    sync.sync_now()
    qtbot.waitUntil(lambda: sync.retry_timer.isActive())
    assert sync.online is False and sync.retry_timer.interval() == 60_000
    qtbot.waitUntil(lambda: any(t.startswith("Mất kết nối") for t in lines))
    assert "Không kết nối được" in lines[-1]

    sync.sync_now()
    qtbot.waitUntil(lambda: not sync.running and sync.retry_timer.isActive())
    assert sync.retry_timer.interval() == 120_000

    network["up"] = True
    sync.retry_timer.setInterval(10)
    sync.retry_timer.start()
    with qtbot.waitSignal(sync.synced):
        pass
    qtbot.waitUntil(lambda: lines[-1].startswith("Đã kết nối"))
    assert not sync.retry_timer.isActive()
    assert "Không kết nối được" not in lines[-1]


def test_the_interval_follows_the_setting(
    qtbot: QtBot, runner: TaskRunner, empty_profile: Database, tmp_path: Path
) -> None:
    """Every N minutes as set, and a change applies at once."""
    settings = Settings(tmp_path / "settings.ini")
    sync = SyncController(empty_profile, runner, parent=runner, settings=settings)
    assert sync.timer.isActive() and sync.timer.interval() == 5 * 60_000
    settings.set(SYNC_INTERVAL_MINUTES, 7)
    assert sync.timer.interval() == 7 * 60_000


def test_a_first_sync_shows_progress_and_later_new_requests_are_counted(
    qtbot: QtBot,
    runner: TaskRunner,
    empty_profile: Database,
    small_school: tuple[Store, Seeded, str],
) -> None:
    """Progress per round of the first sync, then ``None``; the first sync notifies nothing; a
    request a parent submits later is one new request in the tray, with no name in it."""
    store, seeded, url = small_school
    sign_in(empty_profile, url, seeded.small.class_id)
    sync = SyncController(empty_profile, runner, connector_for(store), runner)
    tray = TrayNotifier(sync)
    progress: list[Progress | None] = []
    counts: list[int] = []
    sync.progressed.connect(progress.append)
    sync.new_requests.connect(counts.append)
    with qtbot.waitSignal(sync.synced):
        sync.sync_now()
    qtbot.waitUntil(lambda: progress[-1:] == [None])
    rounds = [p for p in progress if p is not None]
    assert rounds and all(p.more for p in rounds)
    assert [p.pulled for p in rounds] == sorted(p.pulled for p in rounds)
    assert counts == []

    _request(store, seeded.small, date(2025, 10, 24))
    with qtbot.waitSignal(sync.new_requests) as notified:
        sync.sync_now()
    assert notified.args == [1]
    assert tray.last_message == "Có 1 đơn xin nghỉ mới của phụ huynh đang chờ thầy/cô duyệt."
    with empty_profile.reading() as session:
        names = session.scalars(select(Student.full_name)).all()
    assert names and not any(name in tray.last_message for name in names)


def test_the_status_line_says_the_state_in_the_teachers_words() -> None:
    """Offline, waiting, never synced, the transport's own sentence; online once it worked."""
    account = state.SignedIn("https://truong.example", "gvcn", 1)
    status = state.SyncStatus("c", 0, 2, None, None, None, ())
    error = "Không kết nối được với máy chủ của trường."
    offline = sync_status.describe(status, account, error, online=False)
    assert offline.text == f"Mất kết nối · Chờ gửi: 2 · Đồng bộ lần cuối: chưa có · {error}"
    assert offline.has_error and offline.signed_in
    syncing = sync_status.describe(status, account, online=False, syncing=True)
    assert syncing.text.startswith("Đang đồng bộ… · Chờ gửi: 2")
    assert not syncing.has_error
    online = sync_status.describe(status, account, online=True)
    assert online.text.startswith("Đã kết nối · ")


def test_only_a_missing_network_counts_as_offline_and_retries_back_off() -> None:
    """A busy server or refused credentials reached the server; waits double up to a ceiling."""
    assert not sync_status.reached_server(NetworkError("x"))
    assert sync_status.reached_server(ServerUnavailable("x"))
    assert sync_status.reached_server(AuthError("x", status=401))
    backoff = Backoff(first=10, factor=2, ceiling=60)
    assert [backoff.delay(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]
    assert sync_status.tray_message(3) == (
        "Có 3 đơn xin nghỉ mới của phụ huynh đang chờ thầy/cô duyệt."
    )
