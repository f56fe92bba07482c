"""Password checks in a worker process at the lowest CPU priority.

scrypt is tens of milliseconds of pure CPU. Run in a thread of the server it competes on equal
terms with the teachers' syncs: a dozen strangers trying passwords took half of one teacher's
push rate on 2 cores. In a process of its own at ``nice 19`` the kernel gives the CPU to a sync
whenever one wants it, and the check uses what is left; a sign-in may then take longer on a busy
machine, a sync does not.

The worker is started on first use (spawned: forking a threaded server is unsafe; it imports
``server.auth`` once). Should it die, the check runs in the calling thread and the next one
starts a new worker. Should the server be killed (``kill -9``, the OOM killer), nothing would
tell the worker, which would wait for work for ever: on Linux it watches the server's pidfd and
ends with it.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import select
import threading
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger(__name__)

LOWEST_PRIORITY = 19

_lock = threading.Lock()
_pool: concurrent.futures.ProcessPoolExecutor | None = None


def _prepare_worker() -> None:
    try:
        os.nice(LOWEST_PRIORITY)
    except OSError:
        log.debug("the password worker keeps its priority")
    _end_with(os.getppid())


def _end_with(server: int) -> None:
    """Exit when the process ``server`` does (Linux's pidfd; elsewhere a service manager that
    stops the whole process group does it)."""
    if server == 1:
        os._exit(0)  # adopted by init: the server is gone already
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return
    try:
        watched = pidfd_open(server)
    except OSError:
        return  # a kernel before 5.3

    def watch() -> None:
        select.select([watched], [], [])  # readable once the process has ended
        os._exit(0)

    threading.Thread(target=watch, name="homeroom-server-watch", daemon=True).start()


def _check(password: str, stored: str) -> bool:
    from server.auth import verify_password

    return verify_password(password, stored)


def _worker() -> concurrent.futures.ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_prepare_worker,
            )
        return _pool


def verify(password: str, stored: str) -> bool:
    """``server.auth.verify_password`` in the low-priority worker."""
    global _pool
    try:
        return _worker().submit(_check, password, stored).result()
    except BrokenProcessPool:
        # The worker died (killed, out of memory): start a new one next time, answer this one here.
        log.warning("the password worker stopped; checking in the server process")
        with _lock:
            _pool = None
        return _check(password, stored)


def shut_down() -> None:
    """Stop the worker (the server's shutdown; tests)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
