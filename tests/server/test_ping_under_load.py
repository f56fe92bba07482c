"""``/ping`` answers while the server's thread pool is full (issue 11, item 1: under 100 hostile
requests it stalled for hundreds of milliseconds). The pool is filled deterministically: every
sign-in waits at a gate standing for the one-at-a-time password check."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from server import password_worker, signin
from tests.server.helpers import served

POOL_THREADS = 40
"""anyio's default thread limiter, which runs FastAPI's sync endpoints and dependencies."""


class Gate:
    """Stands in for the password-check semaphore: counts the sign-ins waiting at it."""

    def __init__(self) -> None:
        self.waiting = 0
        self.changed = threading.Condition()
        self.opened = threading.Event()

    def acquire(self, timeout: float) -> bool:
        with self.changed:
            self.waiting += 1
            self.changed.notify_all()
        self.opened.wait()
        return True

    def release(self) -> None:
        pass


def test_ping_answers_while_every_pool_thread_waits(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    monkeypatch.setattr(signin, "_password_checks", gate)
    monkeypatch.setattr(password_worker, "verify", lambda _password, _stored: False)
    with (
        served(sqlite_url) as (_store, _seeded, api),
        ThreadPoolExecutor(POOL_THREADS + 10) as senders,
        ThreadPoolExecutor(1) as pinger,
    ):
        url = str(api.http.base_url)

        def bad_login(_index: int) -> int:
            with httpx.Client(base_url=url, timeout=120) as http:
                body = {"username": "gvcn", "password": "sai"}
                return http.post("/api/v1/auth/login", json=body).status_code

        logins = [senders.submit(bad_login, index) for index in range(POOL_THREADS + 10)]
        try:
            with gate.changed:
                gate.changed.wait_for(lambda: gate.waiting >= POOL_THREADS)
            with httpx.Client(base_url=url, timeout=60) as http:
                pinged = pinger.submit(http.get, "/api/v1/ping")
                # Bounded only so that a stalled ping fails instead of hanging the suite.
                assert pinged.result(timeout=60).status_code == 200
            assert not any(login.done() for login in logins)
        finally:
            gate.opened.set()
        assert {login.result() for login in logins} <= {401, 429}
