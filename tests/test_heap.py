"""When the collector runs: CPython's own thresholds, asked for by the window's thread, never
inside a bulk write."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from desktop import heap
from tests.support.python_child import printed_by


class Node:
    """An object that can sit in a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def counted_from_now(*thresholds: int) -> None:
    """CPython's thresholds for the test, and its counts at zero (everything collected)."""
    gc.set_threshold(*thresholds)
    gc.collect()


def dropped_cycle() -> weakref.ref[Node]:
    """A two-node cycle nothing else refers to: only the collector frees it."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture
def manual() -> Iterator[None]:
    """Automatic collection off for the test (``counted_from_now`` starts its counts)."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.disable()
    yield
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()


def test_a_cycle_waits_until_the_youngest_generation_is_due(manual: None) -> None:
    counted_from_now(100, 10, 10)
    cycle = dropped_cycle()
    assert heap.collect_due() == 0
    assert cycle() is not None
    kept = [[] for _ in range(200)]  # tracked objects that stay: the count passes 100
    assert heap.collect_due() >= 2
    assert cycle() is None
    assert len(kept) == 200


def test_a_cycle_that_grew_old_is_found_when_its_generation_is_due(manual: None) -> None:
    counted_from_now(10, 1, 1)
    held: list[object] = []
    first, second = Node(), Node()
    first.other, second.other = second, first
    old = weakref.ref(first)
    for _ in range(3):  # survives young collections: moved to the older generations
        held += [[] for _ in range(20)]
        heap.collect_due()
    del first, second
    for _ in range(8):
        if old() is None:
            break
        held += [[] for _ in range(20)]
        heap.collect_due()
    assert old() is None


def test_nothing_is_collected_inside_a_bulk_write(manual: None) -> None:
    counted_from_now(10, 10, 10)
    with heap.collector_paused():
        cycle = dropped_cycle()
        kept = [[] for _ in range(100)]
        assert heap.collect_due() == 0
        assert cycle() is not None
    assert heap.collect_due() >= 2
    assert cycle() is None and len(kept) == 100


def test_pauses_on_two_threads_last_until_the_second_ends(manual: None) -> None:
    counted_from_now(10, 10, 10)
    entered, release = threading.Event(), threading.Event()

    def other_lane() -> None:
        with heap.collector_paused():
            entered.set()
            release.wait()

    lane = threading.Thread(target=other_lane)
    try:
        with heap.collector_paused():
            lane.start()
            entered.wait()
        cycle = dropped_cycle()
        kept = [[] for _ in range(100)]
        assert heap.collect_due() == 0  # the other lane's block still runs
        assert cycle() is not None
        release.set()
        lane.join()
        assert heap.collect_due() >= 2
        assert cycle() is None and len(kept) == 100
    finally:
        release.set()
        if lane.is_alive():
            lane.join()


def test_a_bulk_write_gives_automatic_collection_back_unless_the_window_took_it() -> None:
    code = (
        "import gc\n"
        "from desktop import heap\n"
        "with heap.collector_paused():\n"
        "    inside = gc.isenabled()\n"
        "print(inside, gc.isenabled())\n"
        "heap.collect_only_when_asked()\n"
        "with heap.collector_paused():\n"
        "    pass\n"
        "print(gc.isenabled())\n"
    )
    printed = printed_by(code)
    assert printed.split() == ["False", "True", "False"]
