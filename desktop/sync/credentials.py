"""Where the sync credentials live: the refresh token in a ``TokenStore``, never in clear.

* ``KeyringStore``: the OS password store through ``keyring`` (service ``homeroom``, user
  ``<server URL>|<username>``), the normal place. A plaintext backend such as
  ``keyrings.alt``'s is refused, and a missing backend is a ``NoKeyring`` error.
* ``SealedProfileStore``: where the OS has no keyring (a Linux PC without Secret Service), the
  token is kept in the profile encrypted with AES-GCM under the key derived from the app
  password (``desktop.security.app_password.token_key``); the key is held in memory only while
  the app is unlocked (``desktop.security.unlocked.UnlockedKey``).
* ``MemoryStore``: in memory for one process (the throwaway demo, and a sign-in waiting for its
  app password).

The **access token** (15 minutes) stays in memory, in ``StoredTokenSource``. A token is never
logged, and ``keyring``'s own English never reaches the teacher or the console: failures become
translated ``CredentialsError`` and are logged at debug level by type only.

``keyring`` is imported on first use: finding its backend can talk to D-Bus, which start-up must
not wait for.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeVar

from desktop.i18n import _
from desktop.sync.errors import AuthError, CredentialsError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.db import Database
    from desktop.security.app_password import KeyChange
    from desktop.security.unlocked import UnlockedKey
    from desktop.sync.protocol import Tokens
    from desktop.sync.transport import SyncTransport

log = logging.getLogger(__name__)

SERVICE: Final = "homeroom"
EXPIRY_MARGIN: Final = 30.0
"""Seconds before its stated expiry an access token stops being used (a request takes time)."""
SEALED_KEY: Final = "sealed_refresh_token"
"""The ``sync_state`` row holding the encrypted refresh token (``SealedProfileStore``)."""
SEALED_DEVICE_KEY: Final = "sealed_device_key"
"""The ``sync_state`` row holding the encrypted device key (``SealedProfileStore``)."""
DEVICE_SUFFIX: Final = "|device"
"""Appended to the keyring user of a refresh token for the device key kept beside it."""
NONCE_BYTES: Final = 12

StoreKind = Literal["keyring", "profile", "memory"]
T = TypeVar("T")


class NoKeyring(CredentialsError):
    """This computer has no usable OS password store (or only one that writes in clear)."""


class TokenStore(Protocol):
    """Where one account's refresh token is kept."""

    kind: StoreKind

    def load(self) -> str | None: ...

    def save(self, token: str) -> None: ...

    def delete(self) -> None: ...

    def device_key(self) -> str:
        """This profile's device key, made on first use and kept from then on (signing out
        does not forget it: the server's sign-in limits trust a device it has seen before)."""
        ...


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


def where_stored(kind: str) -> str:
    """The teacher's sentence for a store kind (the account menu and the sign-in form)."""
    if kind == "keyring":
        return _("Stored in the operating system's password store")
    if kind == "profile":
        return _("Stored encrypted in the profile, opened with the app password")
    return _("Kept in memory until Homeroom closes")


# --------------------------------------------------------------------------- the keyring


def keyring_user(server_url: str, username: str) -> str:
    """The keyring "user" of a refresh token: ``<server URL>|<username>``."""
    return f"{server_url.strip().rstrip('/')}|{username.strip()}"


def no_keyring_message() -> str:
    return _(
        "No secure password store (keyring) is available on this computer; Homeroom will not "
        "save the sign-in in clear text. Set an app password to keep it encrypted in the "
        "profile, or install one (GNOME Keyring, KWallet) and sign in again."
    )


@contextmanager
def _keyring_errors(operation: str) -> Iterator[Any]:
    """The active keyring backend; its failures become a ``CredentialsError``.

    Backends fail in their own ways (``keyring.errors``, D-Bus, Windows, macOS exceptions),
    hence the broad ``except``: this is the boundary to third-party code. Only the exception's
    type is logged, at debug level: its text could echo what was being stored, and a PC without
    a keyring is a normal situation, not a warning for the console."""
    import keyring
    import keyring.errors

    try:
        backend = keyring.get_keyring()
        _refuse_plaintext(backend)
        yield backend
    except CredentialsError:
        raise
    except keyring.errors.NoKeyringError:
        log.debug("no keyring backend for %s", operation)
        raise NoKeyring(no_keyring_message()) from None
    except keyring.errors.KeyringLocked:
        log.debug("keyring locked during %s", operation)
        raise CredentialsError(
            _(
                "The secure password store (keyring) is locked. Unlock it (sign in to the "
                "desktop session again) and retry."
            )
        ) from None
    except Exception as error:
        log.debug("keyring %s failed: %s", operation, type(error).__name__)
        raise CredentialsError(
            _(
                "The secure password store (keyring) of this computer did not work ({kind}). "
                "Sign in again, or ask for help if it keeps failing."
            ).format(kind=type(error).__name__)
        ) from None


def _refuse_plaintext(backend: Any) -> None:
    """A backend that writes secrets to a file in clear (``keyrings.alt``) is no store at all."""
    backends = [backend, *getattr(backend, "backends", [])]
    for item in backends:
        module = type(item).__module__
        if module.startswith("keyrings.alt") or type(item).__name__ == "PlaintextKeyring":
            raise NoKeyring(no_keyring_message())


def keyring_available() -> bool:
    """Whether the OS has a password store Homeroom will use (may talk to D-Bus: not on the
    GUI thread)."""
    from keyring.backends import chainer, fail

    try:
        with _keyring_errors("probe") as backend:
            if isinstance(backend, fail.Keyring):
                return False
            return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)
    except CredentialsError:
        return False


class KeyringStore:
    kind: StoreKind = "keyring"

    def __init__(self, server_url: str, username: str) -> None:
        self.server_url = server_url
        self.username = username

    @property
    def _user(self) -> str:
        return keyring_user(self.server_url, self.username)

    def load(self) -> str | None:
        with _keyring_errors("load") as backend:
            token = backend.get_password(SERVICE, self._user)
        return token if isinstance(token, str) and token else None

    def save(self, token: str) -> None:
        with _keyring_errors("store") as backend:
            backend.set_password(SERVICE, self._user, token)

    def device_key(self) -> str:
        user = self._user + DEVICE_SUFFIX
        with _keyring_errors("device key") as backend:
            key = backend.get_password(SERVICE, user)
            if isinstance(key, str) and key:
                return key
            key = new_device_key()
            backend.set_password(SERVICE, user, key)
        return key

    def delete(self) -> None:
        """Nothing stored is not an error."""
        import keyring.errors

        with _keyring_errors("delete") as backend:
            try:
                backend.delete_password(SERVICE, self._user)
            except keyring.errors.PasswordDeleteError:
                # Backends raise this both for "not there" and for real failures.
                if backend.get_password(SERVICE, self._user) is not None:
                    raise


# --------------------------------------------------------------------------- other stores


class MemoryStore:
    kind: StoreKind = "memory"

    def __init__(self) -> None:
        self._token: str | None = None
        self._device_key = new_device_key()

    def load(self) -> str | None:
        return self._token

    def save(self, token: str) -> None:
        self._token = token

    def delete(self) -> None:
        self._token = None

    def device_key(self) -> str:
        return self._device_key


def _direct(work: Callable[[], T]) -> T:
    return work()


class SealedProfileStore:
    """The refresh token in the profile's ``sync_state``, AES-GCM under the app password's key,
    bound to its server and user name (the associated data), so a sealed token copied to
    another account's row does not open.

    ``on_database`` runs the reads and writes where the profile may be written: the window
    passes ``TaskRunner.on_database`` (the database lane is the only writer)."""

    kind: StoreKind = "profile"

    def __init__(
        self,
        database: Database,
        key: UnlockedKey,
        server_url: str,
        username: str,
        *,
        on_database: Callable[[Callable[[], Any]], Any] = _direct,
    ) -> None:
        self._database = database
        self._key = key
        self._bound = keyring_user(server_url, username).encode("utf-8")
        self._on_database = on_database

    def _cipher(self) -> Any:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = self._key.get()
        if key is None:
            raise CredentialsError(
                _(
                    "The sign-in is stored encrypted in this profile: unlock Homeroom with "
                    "the app password to sync."
                )
            )
        return AESGCM(key)

    def _open(self, row: str) -> str | None:
        from cryptography.exceptions import InvalidTag

        from desktop.sync import state

        cipher = self._cipher()

        def read() -> str | None:
            with self._database.reading() as session:
                return state.get(session, row)

        sealed = self._on_database(read)
        if not sealed:
            return None
        try:
            raw = base64.b64decode(sealed, validate=True)
            value = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._bound)
        except (ValueError, InvalidTag):
            # Sealed under an earlier app password, or for another account.
            log.debug("a sealed credential does not open with this key")
            return None
        return bytes(value).decode("utf-8")

    def _seal(self, row: str, value: str) -> None:
        from desktop.sync import state

        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._cipher().encrypt(nonce, value.encode("utf-8"), self._bound)
        text = base64.b64encode(nonce + sealed).decode("ascii")

        def write() -> None:
            with self._database.transaction() as session:
                state.put(session, row, text)

        self._on_database(write)

    def load(self) -> str | None:
        return self._open(SEALED_KEY)

    def save(self, token: str) -> None:
        self._seal(SEALED_KEY, token)

    def delete(self) -> None:
        from desktop.sync import state

        def write() -> None:
            with self._database.transaction() as session:
                state.put(session, SEALED_KEY, "")

        self._on_database(write)

    def device_key(self) -> str:
        key = self._open(SEALED_DEVICE_KEY)
        if key is None:
            key = new_device_key()
            self._seal(SEALED_DEVICE_KEY, key)
        return key


# --------------------------------------------------------------------------- token source


class TokenClient(Protocol):
    """What the token source needs from the transport (``SyncTransport`` has it)."""

    def login(self, username: str, password: str, *, device_key: str | None = None) -> Tokens: ...

    def refresh(self, refresh_token: str, *, device_key: str | None = None) -> Tokens: ...


@dataclass(frozen=True)
class Identity:
    """Who the server says the signed-in user is (no token in here)."""

    role: str
    class_ids: tuple[int, ...]
    display_name: str


class StoredTokenSource:
    """A ``TokenSource`` for ``SyncTransport``: the access token in memory, the refresh token
    only in its ``TokenStore``.

    ``transport_factory`` returns the client to call ``login`` / ``refresh`` on, usually the very
    transport this source feeds (``lambda: transport``); it is called at each use and never
    closed here. Every rotated refresh token is stored *before* the new access token is used: if
    storing fails, the new tokens are dropped and ``CredentialsError`` raised, so the store
    never holds a token the server has already rotated away while a newer one is in use.
    """

    def __init__(
        self,
        transport_factory: Callable[[], TokenClient],
        username: str,
        store: TokenStore,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = transport_factory
        self.username = username
        self.store = store
        self._clock = clock
        # Refreshes are serialized (two concurrent rotations would leave the store with a
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
            token = self.store.load()
            if token is None:
                self._forget_access()
                raise AuthError(_("Sign in to the school's server to sync."), status=None)
            try:
                tokens = self._factory().refresh(token, device_key=self.store.device_key())
            except AuthError:
                self._forget_access()
                # The refused token is useless now; failing to delete it must not hide why.
                with contextlib.suppress(CredentialsError):
                    self.store.delete()
                raise
            self._accept(tokens)

    def login(self, password: str) -> Identity:
        """Sign in with the password (never stored) and keep the tokens."""
        tokens = self._factory().login(self.username, password, device_key=self.store.device_key())
        with self._refresh_lock:
            self._accept(tokens)
        assert self.identity is not None
        return self.identity

    def move_to(self, store: TokenStore) -> None:
        """Keep the refresh token in ``store`` from now on (saved there before the old store
        forgets it: a failure leaves it where it was)."""
        with self._refresh_lock:
            token = self.store.load()
            if token is not None:
                store.save(token)
            self.store.delete()
            self.store = store

    def logout(self) -> None:
        """Forget both tokens on this computer (the outbox is not touched)."""
        with self._refresh_lock:
            self._forget_access()
            self.identity = None
            self.store.delete()

    def has_refresh_token(self) -> bool:
        """Whether a sync can start without asking for the password."""
        return self.store.load() is not None

    def _forget_access(self) -> None:
        with self._state_lock:
            self._access = None

    def _accept(self, tokens: Tokens) -> None:
        """Store the rotated refresh token first; only then use the new access token (the old
        one is withdrawn meanwhile: the server may already have revoked it)."""
        self._forget_access()
        self.store.save(tokens.refresh_token)
        with self._state_lock:
            self._access = tokens.access_token
            self._expires_at = self._clock() + max(0.0, tokens.expires_in - EXPIRY_MARGIN)
        self.identity = Identity(tokens.role, tuple(tokens.class_ids), tokens.display_name)


def connect(
    server_url: str,
    username: str,
    *,
    store: TokenStore | Callable[[str], TokenStore] | None = None,
    **transport_options: Any,
) -> tuple[SyncTransport, StoredTokenSource]:
    """A transport for ``username`` on ``server_url`` with its token source.

    ``store``: a ``TokenStore``, or a function of the normalized server address making one
    (default: the OS keyring, keyed by that address). ``transport_options`` go to
    ``SyncTransport`` (timeouts, retry policy, ``ca_bundle``, ...). Close the transport when
    done."""
    from desktop.sync.transport import SyncTransport, normalize_base_url

    base_url = normalize_base_url(server_url, allow_http=transport_options.get("allow_http", False))
    if store is None:
        chosen: TokenStore = KeyringStore(base_url, username)
    elif callable(store):
        chosen = store(base_url)
    else:
        chosen = store
    holder: list[SyncTransport] = []
    source = StoredTokenSource(lambda: holder[0], username, chosen)
    transport = SyncTransport(base_url, credentials=source, **transport_options)
    holder.append(transport)
    return transport, source


def reseal(session: Session, change: KeyChange) -> None:
    """Seal the profile's refresh token and device key again under a new app password's key,
    in the password change's transaction (nothing to do when they are not sealed here)."""
    from desktop.sync import state

    account = state.signed_in(session)
    if account is None:
        return
    bound = keyring_user(account.server_url, account.username).encode("utf-8")
    for row in (SEALED_KEY, SEALED_DEVICE_KEY):
        _reseal_row(session, row, bound, change)


def _reseal_row(session: Session, row: str, bound: bytes, change: KeyChange) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from desktop.sync import state

    sealed = state.get(session, row)
    if not sealed:
        return
    raw = base64.b64decode(sealed, validate=True)
    try:
        value = AESGCM(change.old).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound)
    except InvalidTag:
        # Sealed under an even older password: it never opened (the teacher signs in again; a
        # device key is made anew).
        state.put(session, row, "")
        return
    nonce = secrets.token_bytes(NONCE_BYTES)
    resealed = AESGCM(change.new).encrypt(nonce, value, bound)
    state.put(session, row, base64.b64encode(nonce + resealed).decode("ascii"))
