"""Where the sign-in is kept: the system's password store (a real write, read and delete of a
throwaway entry under a service of its own), and the encrypted store in the profile that
replaces it on a computer without one (sealed and opened as ``desktop.sync.credentials`` does,
under a throwaway app password of the temporary profile)."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Any

from desktop.i18n import _
from desktop.selftest.runner import CheckFailed, Context

SERVICE = "homeroom-self-test"
USER = "self-test"
SERVER = "https://self-test.invalid"


def _refused(error: Exception) -> CheckFailed:
    # The backend's own text is English and may echo what was stored: its type only.
    return CheckFailed(
        _("the system's password store refused ({kind})").format(kind=type(error).__name__)
    )


def check_keyring(backend: Any) -> None:
    """Store, read back and delete a random secret with ``backend`` (a keyring backend)."""
    secret = secrets.token_urlsafe(24)
    try:
        backend.set_password(SERVICE, USER, secret)
    except Exception as error:  # each backend fails its own way: the third-party boundary
        raise _refused(error) from None
    try:
        answered = backend.get_password(SERVICE, USER)
        backend.delete_password(SERVICE, USER)
        left = backend.get_password(SERVICE, USER)
    except Exception as error:
        with contextlib.suppress(Exception):
            backend.delete_password(SERVICE, USER)
        raise _refused(error) from None
    if answered != secret:
        raise CheckFailed(_("the system's password store gave back another value"))
    if left is not None:
        raise CheckFailed(_("the system's password store kept the deleted entry"))


def check_sealed_store(database_file: Path) -> None:
    from desktop.models.encryption import open_profile
    from desktop.security import app_password
    from desktop.security.unlocked import UnlockedKey
    from desktop.sync import state
    from desktop.sync.credentials import SEALED_KEY, SealedProfileStore

    password = secrets.token_urlsafe(12)
    secret = secrets.token_urlsafe(24)
    database = open_profile(database_file)
    try:
        with database.transaction() as session:
            app_password.set_password(session, password)
            key = app_password.token_key(session, password)
        unlocked, other = UnlockedKey(), UnlockedKey()
        unlocked.set(key)
        other.set(secrets.token_bytes(len(key)))
        store = SealedProfileStore(database, unlocked, SERVER, USER)
        store.save(secret)
        with database.reading() as session:
            kept = state.get(session, SEALED_KEY) or ""
        if not kept or secret in kept:
            raise CheckFailed(_("the profile's store did not encrypt the sign-in"))
        if store.load() != secret:
            raise CheckFailed(_("the profile's store did not open what it sealed"))
        if SealedProfileStore(database, other, SERVER, USER).load() is not None:
            raise CheckFailed(_("the profile's store opened with a wrong key"))
        store.delete()
    finally:
        database.close()


def sign_in_storage(context: Context) -> str | None:
    from desktop.sync.credentials import keyring_available

    check_sealed_store(context.database_file())
    if not keyring_available():
        return _("no system password store; the encrypted store in the profile works")
    import keyring

    check_keyring(keyring.get_keyring())
    return _("the system's password store and the encrypted store in the profile work")
