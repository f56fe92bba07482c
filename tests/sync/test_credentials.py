"""Credentials: the refresh token only in the OS keyring, rotated safely; the last login on disk.

Unit tests use the in-memory backend of ``keyring_backend.py``. One test, marked ``keyring``,
uses the real Secret Service when ``HOMEROOM_REAL_KEYRING=1``; run it inside a D-Bus session
with an unlocked GNOME Keyring (``HOME`` must exist, or every keyring call hangs for 120 s):

    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets \
        >/dev/null; HOMEROOM_REAL_KEYRING=1 .venv/bin/pytest tests/sync/test_credentials.py -q'
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from desktop.sync import credentials
from desktop.sync.credentials import (
    SERVICE,
    KeyringTokenSource,
    LastLogin,
    delete_refresh_token,
    last_login,
    load_refresh_token,
    remember_login,
    store_refresh_token,
)
from desktop.sync.errors import AuthError, CredentialsError, NetworkError
from desktop.sync.protocol import Tokens
from tests.sync.keyring_backend import MemoryKeyring

SERVER = "https://homeroom.example.edu.vn"
USER = "lan.nguyen"
KEY = f"{SERVER}|{USER}"


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

    def login(self, username: str, password: str) -> Tokens:
        if password != "đúng":
            raise AuthError("wrong password", status=401)
        return self._tokens()

    def refresh(self, refresh_token: str) -> Tokens:
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
    source = KeyringTokenSource(lambda: server, SERVER, USER)

    identity = source.login("đúng")

    assert identity.display_name == "Cô Lan" and identity.class_ids == (3,)
    assert source.access_token() == "access-1"
    stored = load_refresh_token(SERVER, USER)
    assert stored is not None and stored in server.valid
    assert stored not in repr(vars(source))  # not kept in memory
    assert last_login() == LastLogin(SERVER, USER)


def test_refresh_rotates_and_stores_before_using_the_new_access_token(
    memory_keyring: MemoryKeyring,
) -> None:
    server = FakeServer()
    source = KeyringTokenSource(lambda: server, SERVER, USER)
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
    source = KeyringTokenSource(lambda: server, SERVER, USER)
    source.login("đúng")
    memory_keyring.fail_on["set"] = keyring.errors.PasswordSetError("disk full")

    with pytest.raises(CredentialsError):
        source.refresh()

    assert source.access_token() is None  # "access-2" was never handed out


def test_a_refused_refresh_token_means_sign_in_again(memory_keyring: MemoryKeyring) -> None:
    server = FakeServer()
    source = KeyringTokenSource(lambda: server, SERVER, USER)
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
    source = KeyringTokenSource(lambda: server, SERVER, USER)
    source.login("đúng")
    stored = load_refresh_token(SERVER, USER)
    server.failure = NetworkError("offline", delivery="unsent")

    with pytest.raises(NetworkError):
        source.refresh()

    assert load_refresh_token(SERVER, USER) == stored


def test_an_expired_access_token_is_not_offered(memory_keyring: MemoryKeyring) -> None:
    now = [1000.0]
    server = FakeServer()
    source = KeyringTokenSource(lambda: server, SERVER, USER, clock=lambda: now[0])
    source.login("đúng")

    now[0] += 900 - credentials.EXPIRY_MARGIN - 1
    assert source.access_token() == "access-1"
    now[0] += 2
    assert source.access_token() is None  # the transport refreshes before sending


def test_logout_forgets_the_tokens(memory_keyring: MemoryKeyring) -> None:
    server = FakeServer()
    source = KeyringTokenSource(lambda: server, SERVER, USER)
    source.login("đúng")

    source.logout()

    assert source.access_token() is None
    assert not source.has_refresh_token()
    assert memory_keyring.secrets == {}


# --------------------------------------------------------------------------- last login


def test_last_login_stores_only_the_address_and_user_name(_config_dir: Path) -> None:
    assert last_login() is None

    remember_login(SERVER, USER)

    assert last_login() == LastLogin(SERVER, USER)
    files = list(_config_dir.iterdir())
    assert [path.name for path in files] == [credentials.LOGIN_FILE]
    assert json.loads(files[0].read_text(encoding="utf-8")) == {
        "server_url": SERVER,
        "username": USER,
    }
    credentials.forget_login()
    assert last_login() is None


def test_a_damaged_last_login_file_is_ignored(_config_dir: Path) -> None:
    _config_dir.mkdir(parents=True)
    (_config_dir / credentials.LOGIN_FILE).write_text("{not json", encoding="utf-8")
    assert last_login() is None
    (_config_dir / credentials.LOGIN_FILE).write_text('["a", "b"]', encoding="utf-8")
    assert last_login() is None


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
        source = KeyringTokenSource(lambda: server, SERVER, user)
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
