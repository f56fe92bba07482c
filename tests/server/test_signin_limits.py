"""Sign-in limits under attack (issue 11, item 2): separate counts per account and per address,
growing delays instead of a lock-out, a known device still signs in, forwarded addresses only
from named proxies, and the password check outside the write lock. Real server on loopback; the
server's clock is a test clock, so no assertion depends on how fast the machine is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import auth, password_worker
from server.store import Store
from server.tables import LoginAttempt
from tests.server.helpers import PASSWORD, Api, served

DEVICE = "the-principal's-own-pc-0123456789"


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2025, 10, 20, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def login(api: Api, username: str, password: str = PASSWORD, **headers: str) -> httpx.Response:
    return api.http.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={key.replace("_", "-"): value for key, value in headers.items()},
    )


def retry_after(answer: httpx.Response) -> int:
    assert answer.status_code == 429, answer.text
    assert answer.json()["code"] == "too_many_attempts"
    return int(answer.headers["Retry-After"])


def test_a_good_login_does_not_clear_the_address_count(sqlite_url: str) -> None:
    """One valid account must not buy unlimited password tries at the others."""
    with served(sqlite_url, max_failures_per_address=3, max_failures_per_user=100) as (
        _store,
        _seeded,
        api,
    ):
        assert login(api, "gvcn2", "sai").status_code == 401
        assert login(api, "hieutruong", "sai").status_code == 401
        assert login(api, "gvcn").status_code == 200
        assert login(api, "gv-toan", "sai").status_code == 401
        retry_after(login(api, "ph1", "sai"))


def test_a_good_login_clears_its_own_accounts_count(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        for _ in range(4):
            assert login(api, "gvcn", "sai").status_code == 401
        assert login(api, "gvcn").status_code == 200
        for _ in range(4):
            assert login(api, "gvcn", "sai").status_code == 401
        assert login(api, "gvcn").status_code == 200


def test_strangers_wait_longer_after_each_failure_and_waiting_is_not_counted(
    sqlite_url: str,
) -> None:
    clock = Clock()
    with served(sqlite_url, clock=clock) as (store, _seeded, api):
        for _ in range(5):
            assert login(api, "hieutruong", "sai").status_code == 401
        assert retry_after(login(api, "hieutruong", "sai")) == 30
        # The right password from a stranger waits too (else the limit could be probed).
        assert retry_after(login(api, "hieutruong")) == 30
        # Refused tries while waiting are answered at once and do not lengthen the wait.
        for _ in range(10):
            assert retry_after(login(api, "hieutruong", "sai")) == 30
        clock.advance(30)
        assert login(api, "hieutruong", "sai").status_code == 401
        assert retry_after(login(api, "hieutruong", "sai")) == 60
        clock.advance(60)
        assert login(api, "hieutruong", "sai").status_code == 401
        assert retry_after(login(api, "hieutruong", "sai")) == 120
        clock.advance(120)
        assert login(api, "hieutruong").status_code == 200
        with store.read() as session:
            assert _failures(session, "hieutruong") == 7


def test_a_device_that_signed_in_before_is_not_locked_out_by_strangers(sqlite_url: str) -> None:
    clock = Clock()
    with served(sqlite_url, clock=clock) as (_store, _seeded, api):
        assert login(api, "hieutruong", X_Homeroom_Device=DEVICE).status_code == 200
        clock.advance(1)
        for _ in range(5):
            assert login(api, "hieutruong", "sai").status_code == 401
        assert retry_after(login(api, "hieutruong")) > 0
        assert retry_after(login(api, "hieutruong", X_Homeroom_Device="a-guessed-key-00000000")) > 0
        assert login(api, "hieutruong", X_Homeroom_Device=DEVICE).status_code == 200
        clock.advance(1)
        # The key vouches for its own account only.
        for _ in range(5):
            assert login(api, "gvcn", "sai").status_code == 401
        assert retry_after(login(api, "gvcn", X_Homeroom_Device=DEVICE)) > 0
        # A known device has a limit of its own.
        for _ in range(5):
            answer = login(api, "hieutruong", "sai", X_Homeroom_Device=DEVICE)
            assert answer.status_code == 401
        assert retry_after(login(api, "hieutruong", X_Homeroom_Device=DEVICE)) == 30


def test_forwarded_for_is_ignored_unless_the_peer_is_a_named_proxy(sqlite_url: str) -> None:
    with served(sqlite_url, max_failures_per_address=3, max_failures_per_user=100) as (
        store,
        _seeded,
        api,
    ):
        for number, username in enumerate(("gvcn", "gvcn2", "gv-toan")):
            answer = login(api, username, "sai", X_Forwarded_For=f"203.0.113.{number}")
            assert answer.status_code == 401
        # A new made-up address each time does not escape the address's count.
        retry_after(login(api, "ph1", "sai", X_Forwarded_For="203.0.113.99"))
        with store.read() as session:
            addresses = set(session.scalars(select(LoginAttempt.address)))
        assert addresses == {"127.0.0.1"}


def test_a_named_proxy_forwards_the_clients_address(sqlite_url: str) -> None:
    with served(sqlite_url, trusted_proxies=("127.0.0.0/8", "10.0.0.5")) as (store, _seeded, api):
        # The left-most hop is the client's own word; the nearest untrusted hop is believed.
        chain = "198.51.100.7, 203.0.113.4, 10.0.0.5"
        assert login(api, "gvcn", "sai", X_Forwarded_For=chain).status_code == 401
        with store.read() as session:
            addresses = list(session.scalars(select(LoginAttempt.address)))
        assert addresses == ["203.0.113.4"]


@contextmanager
def _writes_watched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Records, for each password check, how many write transactions were open meanwhile."""
    open_writes = [0]
    seen: list[int] = []
    lock = threading.Lock()
    write, verify = Store.write, auth.verify_password

    @contextmanager
    def watched_write(self: Store) -> Iterator[Session]:
        with write(self) as session:
            with lock:
                open_writes[0] += 1
            try:
                yield session
            finally:
                with lock:
                    open_writes[0] -= 1

    def watched_verify(password: str, stored: str) -> bool:
        with lock:
            seen.append(open_writes[0])
        return verify(password, stored)

    monkeypatch.setattr(Store, "write", watched_write)
    monkeypatch.setattr(password_worker, "verify", watched_verify)
    yield seen


def test_the_password_check_holds_no_write_lock(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served(sqlite_url) as (_store, _seeded, api), _writes_watched(monkeypatch) as seen:
        assert login(api, "gvcn", "sai").status_code == 401
        assert login(api, "không-có", "sai").status_code == 401
        assert login(api, "gvcn").status_code == 200
    assert seen == [0, 0, 0]


def test_a_burst_of_concurrent_guesses_cannot_overrun_the_limit(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, _seeded, api):
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _: login(api, "gvcn", "sai").status_code, range(16)))
        assert sorted(codes) == [401] * 5 + [429] * 11
        with store.read() as session:
            assert _failures(session, "gvcn") == 5


def _failures(session: Session, username: str) -> int:
    rows = session.scalars(
        select(LoginAttempt).where(LoginAttempt.username == username, LoginAttempt.ok.is_(False))
    )
    return len(list(rows))


def test_password_checks_run_one_at_a_time(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dozen concurrent scrypt runs would take every core from the teachers' syncs."""
    running, most = [0], [0]
    lock = threading.Lock()
    verify = auth.verify_password

    def counted_verify(password: str, stored: str) -> bool:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return verify(password, stored)
        finally:
            with lock:
                running[0] -= 1

    with served(sqlite_url, max_failures_per_user=100) as (_store, _seeded, api):
        monkeypatch.setattr(password_worker, "verify", counted_verify)
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _: login(api, "gvcn", "sai").status_code, range(16)))
    assert codes == [401] * 16
    assert most[0] == 1
