"""The collector's view of the heap in a long-running window.

CPython's full collection walks every object the collector tracks, and it holds the GIL while
it walks: whichever thread triggers it (the database lane staging a sync's pages, say), the
window's thread waits. After start-up that heap is mostly SQLAlchemy's mappers, the models, Qt's
wrappers and the modules, alive as long as the app: each full collection walked them again, a
pause of 80-100 ms on this machine. Moving them out of the collector's sight once start-up is
over leaves it only the objects made since.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
    resume at the end (the objects are gone by then, so the next pass is short)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
