"""The collector's view of the heap in a long-running window.

CPython's full collection walks every object the collector tracks, and it holds the GIL while
it walks: whichever thread triggers it (the database lane staging a sync's pages, say), the
window's thread waits. After start-up that heap is mostly SQLAlchemy's mappers, the models, Qt's
wrappers and the modules, alive as long as the app: each full collection walked them again, a
pause of 80-100 ms on this machine. Moving them out of the collector's sight once start-up is
over leaves it only the objects made since.

The window also decides *where* collections run: only on its own thread, when it asks
(``collect_only_when_asked`` and ``collect_due``; ``desktop.ui.collector`` says why).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
"""Blocks inside ``collector_paused`` now, on every thread."""
_enabled_before_pauses = False
_only_when_asked = False


def settle_start_up() -> None:
    """Exempt every object alive now from later collections (``gc.freeze``): call it once,
    when the start-up's imports and the window are made. Garbage present at that moment is
    kept for good, which is why it is only called once."""
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection while the block runs: for a bulk write that makes thousands of short-lived
    objects without cycles (decoded rows, parameter dicts), which their reference counts free
    anyway; a full pass over them would hold the GIL for tens of milliseconds. Collections
    resume at the end (the objects are gone by then, so the next pass is short). Blocks on
    several threads at once (a sync and a decision) pause it until the last one ends."""
    global _pauses, _enabled_before_pauses
    with _lock:
        if _pauses == 0:
            _enabled_before_pauses = gc.isenabled()
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _enabled_before_pauses and not _only_when_asked:
                gc.enable()


def collect_only_when_asked() -> None:
    """Turn CPython's automatic collection off for the rest of the process: from now on only
    ``collect_due`` collects, on the thread that calls it."""
    global _only_when_asked
    with _lock:
        _only_when_asked = True
        gc.disable()


def collect_due() -> int:
    """Collect the generations that CPython's own thresholds say are due, as its automatic
    collection would have done by now. Nothing while a ``collector_paused`` block runs. Returns
    how many unreachable objects were found."""
    if _pauses:
        return 0
    thresholds = gc.get_threshold()
    counts = gc.get_count()
    due = -1
    for generation in range(len(counts)):
        if counts[generation] <= thresholds[generation]:
            break
        due = generation
    return gc.collect(due) if due >= 0 else 0
