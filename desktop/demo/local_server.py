"""The demo's own server: the reference server with the demo school on a free loopback port, in
a background thread, and the demo teacher signed in with a token kept in memory only (the demo
must not touch the OS keyring of a shared school PC). ``homeroom demo`` and the window's "Open
the demo" both use it.

The server's database sits beside the profile (``demo-server.sqlite3``) so the profile's sync
cursor stays meaningful from one run to the next; the school is seeded on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Final

from desktop.models.db import Database
from desktop.sync import account, state
from desktop.sync.credentials import MemoryStore, connect
from desktop.sync.signed_in import Connection

DEMO_PASSWORD: Final = "demo"
DEMO_TEACHER: Final = "gvcn"
SERVER_FILE: Final = "demo-server.sqlite3"
SEED: Final = 2025


def server_file(profile_folder: Path) -> Path:
    return profile_folder / SERVER_FILE


def is_demo_profile(profile_folder: Path) -> bool:
    """A profile made by the demo: its server's database is beside it."""
    return server_file(profile_folder).is_file()


class LocalDemoServer:
    """Start with ``start()`` (seconds: seeding, the demo teacher's sign-in), stop with
    ``close()``. Thread-safe; ``connector`` starts it on first use, so a window opened on a demo
    profile syncs without anyone starting the server first."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.tokens = MemoryStore()
        self.url: str | None = None
        self.class_id: int | None = None
        self.parents_started = False
        self._lock = threading.Lock()
        self._stack = ExitStack()
        self._closing = threading.Event()

    @property
    def running(self) -> bool:
        return self.url is not None

    def start(self) -> str:
        """Serve the demo school and sign the demo teacher in; the server's address."""
        from server.seed import seed_demo, seeded_today
        from server.serving import serve_store
        from server.settings import Settings
        from server.store import open_store

        with self._lock:
            if self.url is not None:
                return self.url
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.file.exists()
            store = open_store(f"sqlite:///{self.file}")
            self._stack.callback(store.close)
            if fresh:
                seed_demo(store, seed=SEED, password=DEMO_PASSWORD)
            url = self._stack.enter_context(serve_store(store, Settings(today=seeded_today(store))))
            transport, source = connect(url, DEMO_TEACHER, store=self.tokens)
            try:
                identity = source.login(DEMO_PASSWORD)
            finally:
                transport.close()
            self.class_id = identity.class_ids[0]
            self.url = url
            return url

    def sign_in(self, database: Database) -> None:
        """Record the demo teacher as the profile's account (start first)."""
        assert self.url is not None and self.class_id is not None
        with database.transaction() as session:
            account.sign_in(
                session,
                state.SignedIn(self.url, DEMO_TEACHER, self.class_id),
                "memory",
                source=f"demo|{DEMO_TEACHER}",
            )

    def connector(
        self,
        database: Database,
        *,
        on_database: Callable[[Callable[[], Any]], Any] = lambda work: work(),
    ) -> Callable[[str, str], Connection]:
        """A ``Connector`` to this server that starts it if needed and then records its
        (new) address in the profile; the address stored from an earlier run is ignored."""

        def connect_demo(_server_url: str, _username: str) -> Connection:
            if not self.running:
                self.start()
                on_database(lambda: self.sign_in(database))
            assert self.url is not None
            transport, _source = connect(self.url, DEMO_TEACHER, store=self.tokens)
            return transport

        return connect_demo

    def start_parents(self, *, rate: float, duration: float, seed: int = 7) -> threading.Thread:
        """Simulated parents and subject teachers at work on the server, in a daemon thread."""
        import httpx

        from server.simulate import simulate

        url = self.url
        assert url is not None
        closing = self._closing

        def pause(seconds: float) -> None:
            closing.wait(seconds)  # over at once when the server closes: the demo is over

        def at_work() -> None:
            try:
                simulate(
                    url,
                    rate=rate,
                    duration=duration,
                    seed=seed,
                    password=DEMO_PASSWORD,
                    sleep=pause,
                )
            except httpx.TransportError:
                if not closing.is_set():
                    raise
                # The window closed before their time was up; nobody is left to answer.

        parents = threading.Thread(target=at_work, name="demo-parents", daemon=True)
        parents.start()
        self.parents_started = True
        return parents

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            self._stack.close()
            self.url = None
