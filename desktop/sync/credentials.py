"""Where the sync credentials live: the refresh token in the OS keyring, nothing secret on disk.

* The **refresh token** is stored only in the OS password store through ``keyring`` (service
  ``homeroom``, user ``<server URL>|<username>``). When there is no usable store, every call
  raises a translated ``CredentialsError``: there is deliberately no plaintext fallback (and a
  plaintext backend such as ``keyrings.alt``'s is refused), and a token is never logged.
* The **access token** (15 minutes) stays in memory, in ``KeyringTokenSource``.
* ``remember_login`` keeps only the server address and user name (not secret) in a small JSON
  file in the config folder, to pre-fill the sign-in form.

``keyring`` is imported on first use: finding its backend can talk to D-Bus, which start-up must
not wait for.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from desktop.i18n import _
from desktop.sync.errors import AuthError, CredentialsError

if TYPE_CHECKING:
    # Annotations only: the sign-in form reads ``last_login`` at start-up, before pydantic and
    # httpx are worth loading.
    from desktop.sync.protocol import Tokens
    from desktop.sync.transport import SyncTransport

log = logging.getLogger(__name__)

SERVICE: Final = "homeroom"
LOGIN_FILE: Final = "last_login.json"
EXPIRY_MARGIN: Final = 30.0
"""Seconds before its stated expiry an access token stops being used (a request takes time)."""


# --------------------------------------------------------------------------- the keyring


def keyring_user(server_url: str, username: str) -> str:
    """The keyring "user" of a refresh token: ``<server URL>|<username>``."""
    return f"{server_url.strip().rstrip('/')}|{username.strip()}"


@contextmanager
def _keyring_errors(operation: str) -> Iterator[Any]:
    """The active keyring backend; its failures become a ``CredentialsError``.

    Backends fail in their own ways (``keyring.errors``, D-Bus, Windows, macOS exceptions),
    hence the broad ``except``: this is the boundary to third-party code. Only the exception's
    type is logged: its text could echo what was being stored."""
    import keyring
    import keyring.errors

    try:
        backend = keyring.get_keyring()
        _refuse_plaintext(backend)
        yield backend
    except CredentialsError:
        raise
    except keyring.errors.NoKeyringError:
        log.warning("no keyring backend for %s", operation)
        raise CredentialsError(_no_keyring_message()) from None
    except keyring.errors.KeyringLocked:
        log.warning("keyring locked during %s", operation)
        raise CredentialsError(
            _(
                "The secure password store (keyring) is locked. Unlock it (sign in to the "
                "desktop session again) and retry."
            )
        ) from None
    except Exception as error:
        log.warning("keyring %s failed: %s", operation, type(error).__name__)
        raise CredentialsError(
            _(
                "The secure password store (keyring) of this computer did not work ({kind}). "
                "Sign in again, or ask for help if it keeps failing."
            ).format(kind=type(error).__name__)
        ) from None


def _no_keyring_message() -> str:
    return _(
        "No secure password store (keyring) is available on this computer; Homeroom will not "
        "save the sign-in in clear text. Install or unlock one (GNOME Keyring, KWallet, "
        "Windows Credential Manager, macOS Keychain) and sign in again."
    )


def _refuse_plaintext(backend: Any) -> None:
    """A backend that writes secrets to a file in clear (``keyrings.alt``) is no store at all."""
    backends = [backend, *getattr(backend, "backends", [])]
    for item in backends:
        module = type(item).__module__
        if module.startswith("keyrings.alt") or type(item).__name__ == "PlaintextKeyring":
            raise CredentialsError(_no_keyring_message())


def store_refresh_token(server_url: str, username: str, token: str) -> None:
    """Save (or replace) the refresh token of ``username`` on ``server_url``."""
    with _keyring_errors("store") as backend:
        backend.set_password(SERVICE, keyring_user(server_url, username), token)


def load_refresh_token(server_url: str, username: str) -> str | None:
    """The stored refresh token, or ``None`` when the teacher has not signed in here."""
    with _keyring_errors("load") as backend:
        token = backend.get_password(SERVICE, keyring_user(server_url, username))
    return token if isinstance(token, str) and token else None


def delete_refresh_token(server_url: str, username: str) -> None:
    """Forget the refresh token (sign out); nothing stored is not an error."""
    import keyring.errors

    user = keyring_user(server_url, username)
    with _keyring_errors("delete") as backend:
        try:
            backend.delete_password(SERVICE, user)
        except keyring.errors.PasswordDeleteError:
            # Backends raise this both for "not there" and for real failures: tell them apart.
            if backend.get_password(SERVICE, user) is not None:
                raise


# --------------------------------------------------------------------------- last login


@dataclass(frozen=True)
class LastLogin:
    server_url: str
    username: str


def config_dir() -> Path:
    """``HOMEROOM_CONFIG_DIR`` if set, else the user config folder of this OS."""
    override = os.environ.get("HOMEROOM_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("homeroom", appauthor=False))


def remember_login(server_url: str, username: str) -> None:
    """Keep the server address and user name (never a secret) to pre-fill the sign-in form.

    Not being able to write it only costs some typing next time: logged, not raised."""
    folder = config_dir()
    data = json.dumps({"server_url": server_url, "username": username}, ensure_ascii=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed, so a crash never leaves half a file.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=".login-", suffix=".tmp", delete=False
        ) as handle:
            handle.write(data)
        os.replace(handle.name, folder / LOGIN_FILE)
    except OSError as error:
        log.warning("could not remember the last login: %s", type(error).__name__)


def last_login() -> LastLogin | None:
    """The server address and user name of the last successful sign-in, if any."""
    path = config_dir() / LOGIN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("ignoring an unreadable %s", LOGIN_FILE)
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("server_url"), str)
        or not isinstance(data.get("username"), str)
    ):
        return None
    return LastLogin(data["server_url"], data["username"])


def forget_login() -> None:
    """Remove the remembered server address and user name."""
    try:
        (config_dir() / LOGIN_FILE).unlink(missing_ok=True)
    except OSError as error:
        log.warning("could not forget the last login: %s", type(error).__name__)


# --------------------------------------------------------------------------- token source


class TokenClient(Protocol):
    """What the token source needs from the transport (``SyncTransport`` has it)."""

    def login(self, username: str, password: str) -> Tokens: ...

    def refresh(self, refresh_token: str) -> Tokens: ...


@dataclass(frozen=True)
class Identity:
    """Who the server says the signed-in user is (no token in here)."""

    role: str
    class_ids: tuple[int, ...]
    display_name: str


class KeyringTokenSource:
    """A ``TokenSource`` for ``SyncTransport``: the access token in memory, the refresh token only
    in the keyring.

    ``transport_factory`` returns the client to call ``login`` / ``refresh`` on, usually the very
    transport this source feeds (``lambda: transport``); it is called at each use and never
    closed here. Every rotated refresh token is stored in the keyring *before* the new access
    token is used: if storing fails, the new tokens are dropped and ``CredentialsError`` raised,
    so the keyring never holds a token the server has already rotated away while a newer one is
    in use.
    """

    def __init__(
        self,
        transport_factory: Callable[[], TokenClient],
        server_url: str,
        username: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = transport_factory
        self.server_url = server_url
        self.username = username
        self._clock = clock
        # Refreshes are serialized (two concurrent rotations would leave the keyring with a
        # token the server has already replaced); reading the access token never waits for one.
        self._refresh_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._access: str | None = None
        self._expires_at = 0.0
        self.identity: Identity | None = None

    def access_token(self) -> str | None:
        """The access token while it is valid (with a margin); ``None`` makes the transport
        refresh before sending instead of wasting a round trip on a 401."""
        with self._state_lock:
            if self._access is None or self._clock() >= self._expires_at:
                return None
            return self._access

    def refresh(self) -> None:
        """Rotate the refresh token for a new access token.

        ``AuthError`` when there is no refresh token or the server refuses it: the teacher must
        sign in again (the refused token, now useless, is deleted). Network errors propagate and
        the stored token is kept for the next try."""
        with self._refresh_lock:
            token = load_refresh_token(self.server_url, self.username)
            if token is None:
                self._forget_access()
                raise AuthError(_("Sign in to the school's server to sync."), status=None)
            try:
                tokens = self._factory().refresh(token)
            except AuthError:
                self._forget_access()
                # The refused token is useless now; failing to delete it must not hide why.
                with contextlib.suppress(CredentialsError):
                    delete_refresh_token(self.server_url, self.username)
                raise
            self._accept(tokens)

    def login(self, password: str) -> Identity:
        """Sign in with the password (never stored) and keep the tokens."""
        tokens = self._factory().login(self.username, password)
        with self._refresh_lock:
            self._accept(tokens)
        remember_login(self.server_url, self.username)
        assert self.identity is not None
        return self.identity

    def logout(self) -> None:
        """Forget both tokens on this computer (the outbox is not touched)."""
        with self._refresh_lock:
            self._forget_access()
            self.identity = None
            delete_refresh_token(self.server_url, self.username)

    def has_refresh_token(self) -> bool:
        """Whether a sync can start without asking for the password."""
        return load_refresh_token(self.server_url, self.username) is not None

    def _forget_access(self) -> None:
        with self._state_lock:
            self._access = None

    def _accept(self, tokens: Tokens) -> None:
        """Store the rotated refresh token first; only then use the new access token (the old
        one is withdrawn meanwhile: the server may already have revoked it)."""
        self._forget_access()
        store_refresh_token(self.server_url, self.username, tokens.refresh_token)
        with self._state_lock:
            self._access = tokens.access_token
            self._expires_at = self._clock() + max(0.0, tokens.expires_in - EXPIRY_MARGIN)
        self.identity = Identity(tokens.role, tuple(tokens.class_ids), tokens.display_name)


def connect(
    server_url: str, username: str, **transport_options: Any
) -> tuple[SyncTransport, KeyringTokenSource]:
    """A transport for ``username`` on ``server_url`` with its keyring token source.

    ``transport_options`` go to ``SyncTransport`` (timeouts, retry policy, ``ca_bundle``, ...).
    Close the transport when done."""
    from desktop.sync.transport import SyncTransport

    holder: list[SyncTransport] = []
    source = KeyringTokenSource(lambda: holder[0], server_url, username)
    transport = SyncTransport(server_url, credentials=source, **transport_options)
    holder.append(transport)
    source.server_url = transport.base_url  # the normalized address is the keyring's key
    return transport, source
