"""Serve an open store on loopback from a background thread: the demo's local server
(``desktop.demo.local_server``) ships with the desktop and runs the reference server this way.

``serve_store(store)`` starts uvicorn in a daemon thread on 127.0.0.1 with a port the OS picks,
yields the base URL, and stops it cleanly (open connections are closed, the thread joined).
Clients talk to it over real HTTP. The store stays the caller's to close.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from desktop.errors import HomeroomError
from desktop.i18n import _
from server.app import create_app
from server.settings import Settings
from server.store import Store
from server.timeouts import header_timeout_protocol

START_TIMEOUT = 10.0


@contextmanager
def serve_store(store: Store, settings: Settings | None = None) -> Iterator[str]:
    """Serve an open store; yields ``http://127.0.0.1:<port>``."""
    settings = settings or Settings()
    config = uvicorn.Config(
        create_app(store, settings),
        http=header_timeout_protocol(settings.header_timeout),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
        # The app decides whom to believe (``Settings.trusted_proxies``); uvicorn's default
        # would take X-Forwarded-For from any local process.
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="homeroom-local-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    # uvicorn offers a flag, not an event, for "listening".
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise HomeroomError(_("The local server did not start on this computer."))
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
