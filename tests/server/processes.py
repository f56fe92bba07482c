"""A real ``homeroom-server serve`` process for the tests that need one (several processes on
one database, a server killed with -9)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.server.helpers import TODAY

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server_process(db_url: str, workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The process and its URL once it answers; terminated (if still running) afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "server", "serve", "--db", db_url, "--port", str(port),
            "--today", TODAY.isoformat(), "--workers", str(workers), "--log-level", "warning",
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, "the server process ended"
            try:
                if httpx.get(f"{url}/api/v1/ping", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server process did not start"
            time.sleep(0.1)  # polling a child process for readiness; no event to wait on
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)
