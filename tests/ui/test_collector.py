"""Cyclic garbage dies on the GUI thread: a widget kept by a reference cycle, dropped while a
lane allocates, is destroyed by the window's own collections (desktop.ui.collector)."""

from __future__ import annotations

import gc
import threading
import traceback

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop import heap
from tests.support.python_child import printed_by


def allocate_cycles(count: int) -> None:
    """What a lane does while it compiles a query: make objects, some of them in cycles."""
    for _ in range(count):
        looped: list[object] = []
        looped.append(looped)


def test_a_widget_kept_by_a_cycle_dies_at_the_collector_s_tick_not_where_a_lane_allocates(
    qtbot: QtBot,
) -> None:
    """Without the collector, the lane's allocations found the cycle and PySide destroyed the
    widget on the GUI thread wherever that thread next ran Python (here, inside ``join``)."""
    deaths: list[tuple[str, bool]] = []

    def died() -> None:
        at_the_tick = any(
            frame.name == "collect_due" and frame.filename == heap.__file__
            for frame in traceback.extract_stack()
        )
        deaths.append((threading.current_thread().name, at_the_tick))

    gc.collect()  # nothing due on this thread before the lane runs
    widget = QWidget()
    widget.keeps_itself = widget  # type: ignore[attr-defined]
    widget.destroyed.connect(died)
    del widget
    lane = threading.Thread(target=allocate_cycles, args=(50_000,), name="homeroom-db-test")
    lane.start()
    lane.join()
    assert deaths == []
    qtbot.waitUntil(lambda: deaths != [])
    assert deaths == [(threading.main_thread().name, True)]
    assert not gc.isenabled()


def test_the_app_hands_its_collections_to_the_gui_thread() -> None:
    code = (
        "import gc\n"
        "from desktop.app import bare_application\n"
        "was_enabled = gc.isenabled()\n"
        "app = bare_application()\n"
        "print(was_enabled, gc.isenabled())\n"
    )
    printed = printed_by(code)
    assert printed.split() == ["True", "False"]
