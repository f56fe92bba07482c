"""Credentials: the refresh token in the OS keyring, or sealed in the profile under the app
password where there is none, never in clear; rotated safely.

Unit tests use the in-memory backend of ``keyring_backend.py``. One test, marked ``keyring``,
uses the real Secret Service when ``HOMEROOM_REAL_KEYRING=1``; run it inside a D-Bus session
with an unlocked GNOME Keyring (``HOME`` must exist, or every keyring call hangs for 120 s):

    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets \
        >/dev/null; HOMEROOM_REAL_KEYRING=1 .venv/bin/pytest tests/sync/test_credentials.py -q'
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from desktop.models.db import Database, open_database
from desktop.security import app_password
from desktop.security.unlocked import UnlockedKey
from desktop.sync import account, credentials, state
from desktop.sync.credentials import (
    DEVICE_SUFFIX,
    SERVICE,
    KeyringStore,
    MemoryStore,
    NoKeyring,
    SealedProfileStore,
    StoredTokenSource,
    keyring_available,
)
from desktop.sync.errors import AuthError, CredentialsError, NetworkError
from desktop.sync.protocol import Tokens
from tests.sync.keyring_backend import MemoryKeyring

SERVER = "https://homeroom.example.edu.vn"
USER = "lan.nguyen"
KEY = f"{SERVER}|{USER}"
APP_PASSWORD = "1234"


def load_refresh_token(server: str, user: str) -> str | None:
    return KeyringStore(server, user).load()


def store_refresh_token(server: str, user: str, token: str) -> None:
    KeyringStore(server, user).save(token)


def delete_refresh_token(server: str, user: str) -> None:
    KeyringStore(server, user).delete()


def keyring_source(
    server: FakeServer, user: str = USER, *, clock: Callable[[], float] = time.monotonic
) -> StoredTokenSource:
    return StoredTokenSource(lambda: server, user, KeyringStore(SERVER, user), clock=clock)


@pytest.fixture
def fail_keyring() -> Iterator[None]:
    """keyring's own ``fail`` backend: what a Linux PC without Secret Service has."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
    with database.transaction() as session:
        app_password.set_password(session, APP_PASSWORD)
    yield database
    database.close()


def unlocked(database: Database, password: str = APP_PASSWORD) -> UnlockedKey:
    key = UnlockedKey()
    with database.reading() as session:
        key.set(app_password.token_key(session, password))
    return key


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(folder))
    return folder


class FakeServer:
    """A ``TokenClient`` that rotates refresh tokens as the real server does."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self.backend = backend
        self.issued = 0
        self.valid: set[str] = set()
        self.refused: list[str] = []
        self.events: list[str] = []
        self.failure: Exception | None = None

    def _tokens(self) -> Tokens:
        self.issued += 1
        refresh = f"refresh-{self.issued:02d}-{uuid.uuid4().hex}"
        self.valid = {refresh}  # rotation: every earlier token is dead
        self.events.append(f"issued {self.issued}")
        return Tokens(
            access_token=f"access-{self.issued}",
            refresh_token=refresh,
            expires_in=900,
            role="homeroom",
            class_ids=[3],
            display_name="Cô Lan",
        )

    def login(self, username: str, password: str, *, device_key: str | None = None) -> Tokens:
        if password != "đúng":
            raise AuthError("wrong password", status=401)
        return self._tokens()

    def refresh(self, refresh_token: str, *, device_key: str | None = None) -> Tokens:
        if self.failure is not None:
            raise self.failure
        if refresh_token not in self.valid:
            self.refused.append(refresh_token)
            raise AuthError("refused", status=401)
        return self._tokens()


# --------------------------------------------------------------------------- keyring functions


def test_store_load_and_delete(memory_keyring: MemoryKeyring) -> None:
    assert load_refresh_token(SERVER, USER) is None

    store_refresh_token(SERVER, USER, "token-1")
    store_refresh_token(SERVER, USER, "token-2")

    assert load_refresh_token(SERVER, USER) == "token-2"
    assert memory_keyring.secrets == {(SERVICE, KEY): "token-2"}
    assert load_refresh_token(SERVER, "someone.else") is None
    delete_refresh_token(SERVER, USER)
    assert load_refresh_token(SERVER, USER) is None
    delete_refresh_token(SERVER, USER)  # nothing stored: not an error


def test_the_keyring_user_is_server_url_bar_username(memory_keyring: MemoryKeyring) -> None:
    store_refresh_token(SERVER + "/", USER, "token")
    assert (SERVICE, KEY) in memory_keyring.secrets


@pytest.mark.parametrize("operation", ["get", "set", "delete"])
def test_no_keyring_is_a_clear_credentials_error(
    memory_keyring: MemoryKeyring, operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    memory_keyring.fail_on[operation] = keyring.errors.NoKeyringError("no backend")
    memory_keyring.secrets[(SERVICE, KEY)] = "secret-token"

    with caplog.at_level(logging.DEBUG), pytest.raises(CredentialsError) as raised:
        {
            "get": lambda: load_refresh_token(SERVER, USER),
            "set": lambda: store_refresh_token(SERVER, USER, "secret-token-2"),
            "delete": lambda: delete_refresh_token(SERVER, USER),
        }[operation]()

    assert "keyring" in raised.value.message
    assert not raised.value.message.isascii()  # translated (Vietnamese by default)
    assert "secret-token" not in caplog.text


def test_the_default_fail_backend_is_a_credentials_error() -> None:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(CredentialsError):
            store_refresh_token(SERVER, USER, "token")
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    "error",
    [
        keyring.errors.KeyringLocked("locked"),
        keyring.errors.PasswordSetError("denied"),
        RuntimeError("D-Bus went away"),
    ],
)
def test_backend_failures_are_credentials_errors(
    memory_keyring: MemoryKeyring, error: Exception
) -> None:
    memory_keyring.fail_on["set"] = error
    with pytest.raises(CredentialsError):
        store_refresh_token(SERVER, USER, "token")


def test_a_plaintext_backend_is_refused(memory_keyring: MemoryKeyring) -> None:
    class PlaintextKeyring(MemoryKeyring):
        """Stands for keyrings.alt's file backend, which writes secrets in clear."""

    keyring.set_keyring(PlaintextKeyring())
    with pytest.raises(CredentialsError):
        store_refresh_token(SERVER, USER, "token")


# --------------------------------------------------------------------------- token source


def test_login_keeps_the_refresh_token_only_in_the_keyring(
    memory_keyring: MemoryKeyring,
) -> None:
    server = FakeServer()
    source = keyring_source(server)

    identity = source.login("đúng")

    assert identity.display_name == "Cô Lan" and identity.class_ids == (3,)
    assert source.access_token() == "access-1"
    stored = load_refresh_token(SERVER, USER)
    assert stored is not None and stored in server.valid
    assert stored not in repr(vars(source))  # not kept in memory


def test_refresh_rotates_and_stores_before_using_the_new_access_token(
    memory_keyring: MemoryKeyring,
) -> None:
    server = FakeServer()
    source = keyring_source(server)
    source.login("đúng")
    seen_at_store: list[str | None] = []
    memory_keyring.on_set = lambda service, user, token: seen_at_store.append(source.access_token())

    source.refresh()
    source.refresh()

    # While each rotated token was being stored, the new access token was not in use yet.
    assert seen_at_store == [None, None]
    assert source.access_token() == "access-3"
    assert load_refresh_token(SERVER, USER) in server.valid


def test_a_failed_store_drops_the_new_tokens(memory_keyring: MemoryKeyring) -> None:
    server = FakeServer()
    source = keyring_source(server)
    source.login("đúng")
    memory_keyring.fail_on["set"] = keyring.errors.PasswordSetError("disk full")

    with pytest.raises(CredentialsError):
        source.refresh()

    assert source.access_token() is None  # "access-2" was never handed out


def test_a_refused_refresh_token_means_sign_in_again(memory_keyring: MemoryKeyring) -> None:
    server = FakeServer()
    source = keyring_source(server)
    source.login("đúng")
    server.valid = set()  # revoked on the server

    with pytest.raises(AuthError):
        source.refresh()

    assert source.access_token() is None
    assert load_refresh_token(SERVER, USER) is None  # the dead token is not kept
    with pytest.raises(AuthError):
        source.refresh()  # nothing to refresh with


def test_a_network_error_keeps_the_refresh_token(memory_keyring: MemoryKeyring) -> None:
    server = FakeServer()
    source = keyring_source(server)
    source.login("đúng")
    stored = load_refresh_token(SERVER, USER)
    server.failure = NetworkError("offline", delivery="unsent")

    with pytest.raises(NetworkError):
        source.refresh()

    assert load_refresh_token(SERVER, USER) == stored


def test_an_expired_access_token_is_not_offered(memory_keyring: MemoryKeyring) -> None:
    now = [1000.0]
    server = FakeServer()
    source = keyring_source(server, clock=lambda: now[0])
    source.login("đúng")

    now[0] += 900 - credentials.EXPIRY_MARGIN - 1
    assert source.access_token() == "access-1"
    now[0] += 2
    assert source.access_token() is None  # the transport refreshes before sending


def test_logout_forgets_the_tokens(memory_keyring: MemoryKeyring) -> None:
    server = FakeServer()
    source = keyring_source(server)
    source.login("đúng")

    source.logout()

    assert source.access_token() is None
    assert not source.has_refresh_token()
    # Only the device key stays: it proves no sign-in, it only names this profile to the limits.
    assert [user for _service, user in memory_keyring.secrets] == [KEY + DEVICE_SUFFIX]


# --------------------------------------------------------------------------- without a keyring


def test_the_fail_backend_means_no_keyring_and_nothing_on_the_console(
    fail_keyring: None, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A PC without Secret Service is a normal situation: a Vietnamese error to show, nothing
    logged at warning level (Python prints those on the console) and no output."""
    with caplog.at_level(logging.DEBUG):
        assert not keyring_available()
        for call in (
            lambda: KeyringStore(SERVER, USER).load(),
            lambda: KeyringStore(SERVER, USER).save("token"),
        ):
            with pytest.raises(NoKeyring) as raised:
                call()
            assert "mật khẩu ứng dụng" in raised.value.message
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_sealed_token_is_encrypted_in_the_profile(profile: Database) -> None:
    """The token is in the profile only as AES-GCM ciphertext; it opens with the key of the
    app password, not without it nor for another account."""
    key = unlocked(profile)
    store = SealedProfileStore(profile, key, SERVER, USER)
    token = "refresh-" + uuid.uuid4().hex
    store.save(token)

    assert store.load() == token
    assert token.encode() not in profile.path.read_bytes()
    for wal in profile.path.parent.glob("*-wal"):
        assert token.encode() not in wal.read_bytes()
    with profile.reading() as session:
        sealed = state.get(session, credentials.SEALED_KEY)
    assert sealed and token not in sealed
    assert SealedProfileStore(profile, key, SERVER, "someone.else").load() is None
    key.forget()
    with pytest.raises(CredentialsError) as raised:
        store.load()
    assert "mật khẩu ứng dụng" in raised.value.message
    assert SealedProfileStore(profile, unlocked(profile), SERVER, USER).load() == token


def test_a_new_app_password_no_longer_opens_the_old_seal(profile: Database) -> None:
    """Changing the app password makes new salts: the old sealed token reads as absent
    (sign in again), never as garbage."""
    store = SealedProfileStore(profile, unlocked(profile), SERVER, USER)
    store.save("refresh-old")
    with profile.transaction() as session:
        app_password.set_password(session, "5678")
    assert SealedProfileStore(profile, unlocked(profile, "5678"), SERVER, USER).load() is None


def test_without_a_keyring_a_sign_in_is_sealed_in_the_profile(
    fail_keyring: None, profile: Database
) -> None:
    """``choose_store`` picks the profile when there is no keyring (and the app is unlocked);
    the token source then rotates the sealed token."""
    key = unlocked(profile)
    server = FakeServer()
    source = StoredTokenSource(lambda: server, USER, MemoryStore())
    source.login("đúng")
    store = account.choose_store(
        SERVER, USER, database=profile, key=key, on_database=lambda work: work()
    )
    assert store.kind == "profile"
    source.move_to(store)
    assert source.store is store and store.load() in server.valid
    source.refresh()
    assert store.load() in server.valid

    with pytest.raises(NoKeyring):
        account.choose_store(
            SERVER, USER, database=profile, key=UnlockedKey(), on_database=lambda work: work()
        )


def test_with_a_keyring_a_sign_in_goes_to_the_keyring(
    memory_keyring: MemoryKeyring, profile: Database
) -> None:
    """Where the OS has a keyring, it is used even when the app password could seal."""
    assert keyring_available()
    store = account.choose_store(
        SERVER, USER, database=profile, key=unlocked(profile), on_database=lambda work: work()
    )
    assert store.kind == "keyring"
    server = FakeServer()
    source = StoredTokenSource(lambda: server, USER, MemoryStore())
    source.login("đúng")
    source.move_to(store)
    assert memory_keyring.secrets[(SERVICE, KEY)] in server.valid


def test_signing_out_forgets_the_account_and_keeps_the_outbox(profile: Database) -> None:
    """``account.sign_out`` removes the account, its store kind and a sealed token; a later
    sign-in to another server starts the pull from scratch."""
    with profile.transaction() as session:
        account.sign_in(session, state.SignedIn(SERVER, USER, 3), "profile")
        state.put(session, state.CURSOR, "42")
        state.put(session, credentials.SEALED_KEY, "c2VhbGVk")
    with profile.transaction() as session:
        account.sign_out(session)
    with profile.reading() as session:
        assert state.signed_in(session) is None
        assert account.store_kind(session) is None
        assert not state.get(session, credentials.SEALED_KEY)
        assert state.cursor(session) == 42
    with profile.transaction() as session:
        account.sign_in(session, state.SignedIn(SERVER, USER, 3), "keyring")
    with profile.reading() as session:
        assert state.cursor(session) == 42  # the same server: the cursor still counts
    with profile.transaction() as session:
        account.sign_in(session, state.SignedIn("https://other.edu.vn", USER, 9), "keyring")
    with profile.reading() as session:
        assert state.cursor(session) == 0
        assert account.store_kind(session) == "keyring"


# --------------------------------------------------------------------------- real keyring


@pytest.mark.keyring
@pytest.mark.skipif(
    os.environ.get("HOMEROOM_REAL_KEYRING") != "1",
    reason="set HOMEROOM_REAL_KEYRING=1 inside dbus-run-session with gnome-keyring unlocked",
)
def test_the_real_secret_service_keeps_and_rotates_the_token() -> None:
    from keyring.backends import SecretService

    assert Path.home().is_dir(), "HOME must exist, or every keyring call hangs for 120 s"
    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    user = f"test-{uuid.uuid4().hex[:8]}"
    try:
        server = FakeServer()
        source = keyring_source(server, user)
        source.login("đúng")
        first = load_refresh_token(SERVER, user)
        source.refresh()
        second = load_refresh_token(SERVER, user)

        assert first is not None and second is not None and first != second
        assert second in server.valid
        assert keyring.get_password(SERVICE, f"{SERVER}|{user}") == second
        source.logout()
        assert load_refresh_token(SERVER, user) is None
    finally:
        delete_refresh_token(SERVER, user)
        keyring.set_keyring(previous)
