"""A refresh whose answer is cut after the server rotated the token does not sign the teacher
out: through the link emulator, against the real server on SQLite and PostgreSQL, with the
refresh token in a (memory) keyring as the desktop keeps it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import delete, select

from desktop.sync.credentials import KeyringStore, connect
from desktop.sync.errors import AuthError, NetworkError
from desktop.sync.protocol import PROTOCOL_VERSION, SCHEMA_VERSION, SyncRequest
from desktop.sync.transport import NO_RETRY
from server.auth import token_hash
from server.serving import serve_store
from server.settings import Settings
from server.store import Store, open_store
from server.tables import AccessToken, RefreshToken
from tests.server.conftest import pg_admin_url, pg_url
from tests.server.helpers import PASSWORD, TODAY, Seeded, seed
from tests.support.link_emulator import LinkEmulator, LinkProfile
from tests.sync.keyring_backend import MemoryKeyring

__all__ = ["pg_admin_url", "pg_url"]

CUT_THE_ANSWER = LinkProfile(cut_after_bytes=0, cut_direction="down", cut_count=1)
"""The request goes up whole and is processed; not one byte of the answer comes back, once."""


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(tmp_path / "config"))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def server(db_url: str) -> Iterator[tuple[Store, Seeded, LinkEmulator]]:
    store = open_store(db_url)
    try:
        seeded = seed(store)
        with serve_store(store, Settings(today=TODAY)) as url:
            port = int(url.rsplit(":", 1)[1])
            with LinkEmulator("127.0.0.1", port, LinkProfile()) as link:
                yield store, seeded, link
    finally:
        store.close()


def pull(class_id: int) -> SyncRequest:
    return SyncRequest(
        protocol=PROTOCOL_VERSION,
        schema_version=SCHEMA_VERSION,
        client_id=str(uuid.uuid4()),
        class_id=class_id,
        cursor=0,
    )


def sign_in(link: LinkEmulator) -> str:
    """Sign in as the app does, then drop the access token (the app was closed)."""
    transport, source = connect(link.url, "gvcn", trust_env=False)
    with transport:
        source.login(PASSWORD)
    token = KeyringStore(transport.base_url, "gvcn").load()
    assert token is not None
    return token


def live_tokens(store: Store) -> list[str]:
    """Hashes of the refresh tokens the server would rotate now."""
    with store.read() as session:
        return list(
            session.scalars(
                select(RefreshToken.token_hash).where(
                    RefreshToken.rotated_at.is_(None), RefreshToken.revoked_at.is_(None)
                )
            )
        )


def test_a_cut_answer_to_a_refresh_is_resent_and_the_sync_goes_on(
    server: tuple[Store, Seeded, LinkEmulator], memory_keyring: MemoryKeyring
) -> None:
    """The answer to the refresh is lost right after the server rotated the token: the
    transport resends it, gets the same new pair, syncs, and the keyring holds that pair's
    refresh token, the one the server will rotate next."""
    store, seeded, link = server
    old = sign_in(link)
    link.set_profile(CUT_THE_ANSWER, live=True)

    transport, source = connect(link.url, "gvcn", trust_env=False)
    with transport:
        response = transport.sync(pull(seeded.small.class_id))
        endpoints = [call.endpoint for call in transport.stats.recent]
        refresh_attempts = transport.stats.recent[0].attempts

    assert response.changes
    assert link.cuts == 1
    assert endpoints == ["refresh", "sync"] and refresh_attempts == 2
    stored = KeyringStore(transport.base_url, "gvcn").load()
    assert stored is not None and stored != old
    assert live_tokens(store) == [token_hash(stored)]
    assert source.identity is not None and source.identity.class_ids == (seeded.small.class_id,)


def test_a_client_killed_during_a_refresh_stays_signed_in_at_its_next_start(
    server: tuple[Store, Seeded, LinkEmulator], memory_keyring: MemoryKeyring
) -> None:
    """A client that gives up at once (as if killed) still holds the old token; the next start
    presents it within the grace and goes on with the same new pair."""
    store, seeded, link = server
    old = sign_in(link)
    link.set_profile(CUT_THE_ANSWER, live=True)

    first, _source = connect(link.url, "gvcn", trust_env=False, retry=NO_RETRY)
    with first, pytest.raises(NetworkError) as raised:
        first.sync(pull(seeded.small.class_id))
    assert raised.value.delivery == "unknown"
    assert KeyringStore(first.base_url, "gvcn").load() == old
    rotated_on_server = live_tokens(store)
    assert rotated_on_server != [token_hash(old)] and len(rotated_on_server) == 1

    second, source = connect(link.url, "gvcn", trust_env=False)
    with second:
        response = second.sync(pull(seeded.small.class_id))
    assert response.changes
    stored = KeyringStore(second.base_url, "gvcn").load()
    assert stored is not None and [token_hash(stored)] == rotated_on_server
    assert source.identity is not None


def test_an_old_token_after_the_new_one_was_used_still_ends_the_sign_in(
    server: tuple[Store, Seeded, LinkEmulator], memory_keyring: MemoryKeyring
) -> None:
    """Reuse detection stays: a copy of a token whose successor is in use revokes the family."""
    store, seeded, link = server
    old = sign_in(link)
    transport, _source = connect(link.url, "gvcn", trust_env=False)
    with transport:
        transport.sync(pull(seeded.small.class_id))  # rotates once
        with store.write() as session:
            session.execute(delete(AccessToken))  # the access token ran out
        transport.sync(pull(seeded.small.class_id))  # rotates the successor too
        assert transport.stats.recent[-2].endpoint == "refresh"
        with pytest.raises(AuthError) as raised:
            transport.refresh(old)
    assert raised.value.status == 401
    assert live_tokens(store) == []
