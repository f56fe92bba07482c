"""Run the real server in-process, on loopback, for tests and benchmarks.

``running_server(db_url)`` starts uvicorn in a thread on 127.0.0.1 with a port the OS picks,
yields the base URL, and stops it cleanly (open connections are closed, the thread joined, the
database engine disposed). Clients talk to it over real HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from server.app import create_app
from server.settings import Settings
from server.store import Store, open_store

START_TIMEOUT = 10.0


@contextmanager
def serve_store(store: Store, settings: Settings | None = None) -> Iterator[str]:
    """Serve an open store; yields ``http://127.0.0.1:<port>``."""
    config = uvicorn.Config(
        create_app(store, settings),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="homeroom-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def running_server(db_url: str, settings: Settings | None = None) -> Iterator[str]:
    """Open the database at ``db_url`` and serve it; yields the base URL."""
    store = open_store(db_url)
    try:
        with serve_store(store, settings) as url:
            yield url
    finally:
        store.close()
