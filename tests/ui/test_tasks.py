"""The task runner: work off the GUI thread, answers on it, the database lane in order."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.errors import HomeroomError, InvalidInput
from desktop.ui.tasks import TaskRunner


def test_work_runs_off_the_gui_thread_and_answers_on_it(qtbot: QtBot, runner: TaskRunner) -> None:
    gui = threading.get_ident()
    seen: list[tuple[bool, bool]] = []
    runner.run_network(
        threading.get_ident,
        lambda worker: seen.append((worker != gui, threading.get_ident() == gui)),
        lambda error: pytest.fail(error.message),
    )
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(True, True)]
    assert not runner.busy


def test_the_database_lane_keeps_the_order_of_the_actions(qtbot: QtBot, runner: TaskRunner) -> None:
    started: list[int] = []
    answered: list[int] = []
    for number in range(20):
        runner.run_database(
            lambda n=number: started.append(n) or n,  # type: ignore[func-returns-value]
            answered.append,
            lambda error: pytest.fail(error.message),
        )
    qtbot.waitUntil(lambda: len(answered) == 20)
    assert started == answered == list(range(20))


def test_errors_come_back_in_vietnamese_and_bugs_go_to_the_log(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[HomeroomError] = []

    def refused() -> None:
        raise InvalidInput("Điểm phải từ 0 đến 10.")

    def bug() -> None:
        raise ZeroDivisionError

    with caplog.at_level(logging.ERROR, logger="desktop.ui.tasks"):
        runner.run_database(refused, lambda _value: pytest.fail("no answer"), failures.append)
        runner.run_database(bug, lambda _value: pytest.fail("no answer"), failures.append)
        qtbot.waitUntil(lambda: len(failures) == 2)
    assert [f.message for f in failures] == [
        "Điểm phải từ 0 đến 10.",
        "Đã xảy ra lỗi; chi tiết được ghi trong tệp nhật ký.",
    ]
    assert "ZeroDivisionError" in caplog.text


def test_after_wait_new_work_is_dropped(qtbot: QtBot) -> None:
    runner = TaskRunner()
    runner.wait()
    runner.run_database(lambda: 1, lambda _v: pytest.fail("ran after wait"), lambda _e: None)
    assert not runner.busy


@pytest.mark.parametrize("fails", [False, True], ids=["answered", "failed"])
def test_what_a_task_holds_dies_on_the_gui_thread(
    qtbot: QtBot, runner: TaskRunner, fails: bool
) -> None:
    """A screen let go while its task is answered must not be destroyed by the lane's thread,
    which still holds the task for a moment after the answer (a widget destroyed off the GUI
    thread crashed the test suite). The lane is held inside that moment, right after it said
    the answer is ready, until the GUI thread has run the callback and dropped it."""
    deaths: list[bool] = []
    delivered = threading.Event()

    class Held:
        """Stands for a screen that a task's callbacks reach."""

        def __del__(self) -> None:
            deaths.append(threading.current_thread() is threading.main_thread())

    def hold_the_lane() -> None:
        if threading.current_thread() is not threading.main_thread():
            delivered.wait(10)

    # A direct connection runs on the emitting thread: the lane, just after its answer is queued.
    runner._ready.connect(hold_the_lane, Qt.ConnectionType.DirectConnection)

    def submit() -> None:
        held = Held()

        def work() -> str:
            if fails:
                raise InvalidInput("không được")
            return "xong"

        def answered(_value: object) -> None:
            assert held is not None
            delivered.set()

        runner.run_database(work, answered, answered)

    submit()
    qtbot.waitUntil(lambda: bool(deaths))  # a failure's traceback too: no cycle is left
    assert deaths == [True]
