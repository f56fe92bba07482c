"""The desktop names its profile to the sign-in limits (``X-Homeroom-Device``): with its own
client code over real HTTP, a profile that signed in before still signs in while an attacker
holds the account, a new profile is slowed down, and the server forgets devices it has not seen
for a long time. The server's clock is a test clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select

from desktop.security.unlocked import UnlockedKey
from desktop.sync.credentials import (
    KeyringStore,
    MemoryStore,
    SealedProfileStore,
    TokenStore,
    connect,
)
from desktop.sync.errors import ServerUnavailable
from desktop.sync.transport import NO_RETRY
from server.store import Store
from server.tables import KnownDevice
from tests.server.helpers import PASSWORD, served
from tests.server.test_signin_limits import Clock, login
from tests.sync.keyring_backend import MemoryKeyring


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def sign_in(url: str, store: TokenStore, password: str = PASSWORD) -> None:
    transport, source = connect(url, "gvcn", store=store, allow_http=True, retry=NO_RETRY)
    with transport:
        source.login(password)


def known_devices(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(KnownDevice)) or 0


def test_a_profile_that_signed_in_before_is_not_locked_out_by_an_attacker(
    sqlite_url: str, memory_keyring: MemoryKeyring
) -> None:
    with served(sqlite_url, max_failures_per_user=3) as (store, _seeded, api):
        url = str(api.http.base_url)
        profile = KeyringStore(url.rstrip("/"), "gvcn")
        sign_in(url, profile)
        for _ in range(3):
            assert login(api, "gvcn", "sai").status_code == 401
        assert login(api, "gvcn").status_code == 429

        # A new profile, right password: slowed down like the attacker.
        with pytest.raises(ServerUnavailable):
            sign_in(url, MemoryStore())
        # The same profile, a later session of the app: its key came from the keyring.
        sign_in(url, KeyringStore(url.rstrip("/"), "gvcn"))
        assert known_devices(store) == 1


def test_the_device_key_is_made_once_and_outlives_signing_out(
    memory_keyring: MemoryKeyring,
) -> None:
    store = KeyringStore("https://school.example", "gvcn")
    key = store.device_key()
    assert len(key) >= 32
    store.save("refresh")
    store.delete()
    assert KeyringStore("https://school.example", "gvcn").device_key() == key
    assert KeyringStore("https://school.example", "gvcn2").device_key() != key
    assert MemoryStore().device_key() != MemoryStore().device_key()


def test_a_sealed_profile_keeps_its_device_key_encrypted(tmp_path: Path) -> None:
    from desktop.models.db import open_database
    from desktop.sync import state
    from desktop.sync.credentials import SEALED_DEVICE_KEY

    database = open_database(tmp_path / "profile.sqlite3")
    unlocked = UnlockedKey()
    unlocked.set(b"k" * 32)
    try:
        key = SealedProfileStore(database, unlocked, "https://s.example", "gvcn").device_key()
        again = SealedProfileStore(database, unlocked, "https://s.example", "gvcn").device_key()
        assert again == key
        with database.reading() as session:
            sealed = state.get(session, SEALED_DEVICE_KEY)
        assert sealed and key not in sealed
    finally:
        database.close()


def test_devices_not_seen_for_long_are_forgotten_and_a_refresh_keeps_them(
    sqlite_url: str, memory_keyring: MemoryKeyring
) -> None:
    clock = Clock()
    keep = timedelta(days=30)
    with served(sqlite_url, clock=clock, known_device_keep=keep) as (store, _seeded, api):
        url = str(api.http.base_url)
        profile = KeyringStore(url.rstrip("/"), "gvcn")
        sign_in(url, profile)
        clock.advance((keep - timedelta(days=1)).total_seconds())
        transport, source = connect(url, "gvcn", store=profile, allow_http=True, retry=NO_RETRY)
        with transport:
            source.refresh()
        clock.advance((keep - timedelta(days=1)).total_seconds())
        # Any sign-in prunes; this one is another profile's, so only the old row may go.
        assert login(api, "gvcn2").status_code == 200
        assert known_devices(store) == 1

        clock.advance((keep + timedelta(days=1)).total_seconds())
        assert login(api, "gvcn2").status_code == 200
        assert known_devices(store) == 0
