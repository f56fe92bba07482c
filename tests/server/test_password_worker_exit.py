"""The low-priority password worker ends with its server: a server killed with -9 (or by the OOM
killer) used to leave it waiting for work for ever, one orphan per crash."""

from __future__ import annotations

import os
import select
import signal
from pathlib import Path

import httpx
import pytest

from server.store import open_store
from tests.server.helpers import seed
from tests.server.processes import server_process

EXIT_DEADLINE_S = 60.0


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="Linux's pidfd (kernel 5.3, Python 3.9)")
def test_the_password_worker_ends_when_its_server_is_killed(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    store = open_store(db_url)
    try:
        seed(store)
    finally:
        store.close()
    with server_process(db_url, workers=1) as (url, server):
        before = _children(server.pid)
        refused = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "gvcn", "password": "sai-mật-khẩu"}
        )
        assert refused.status_code == 401  # checked in the worker, which is now running
        started = _children(server.pid) - before
        workers = [pid for pid in started if b"multiprocessing" in _cmdline(pid)]
        assert workers, started
        handles = [os.pidfd_open(pid) for pid in workers]
        try:
            server.send_signal(signal.SIGKILL)
            server.wait()
            # A deadline for a failing run, not a wait for success: pidfds turn readable as
            # soon as their processes end.
            pending = set(handles)
            while pending:
                ended, _, _ = select.select(list(pending), [], [], EXIT_DEADLINE_S)
                assert ended, f"the password worker outlived its server: {workers}"
                pending -= set(ended)
        finally:
            for pid, handle in zip(workers, handles, strict=True):
                if not select.select([handle], [], [], 0)[0]:
                    os.kill(pid, signal.SIGKILL)  # a failed run leaves no orphan behind
                os.close(handle)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
