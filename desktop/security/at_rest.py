"""The window's way into a profile on a PC without a keyring: a plain profile whose sign-in is
sealed under the app password is encrypted under it the first time the password is typed at
start-up.

With a keyring, ``open_profile`` encrypts every profile on its own (the key lives there). Without
one the key must be wrapped under the app password, which only the teacher knows: the profile
stays plain until a start-up where it can be asked (the same start-up that asks it anyway to
unseal the sign-in kept in the profile), and the typed password is checked against the profile's
own before anything is encrypted with it, so a typo never becomes the key's password.
"""

from __future__ import annotations

from pathlib import Path

from desktop.i18n import _
from desktop.models import profile_key
from desktop.models.db import Database
from desktop.models.encryption import encrypt_with_password, open_profile
from desktop.security import app_password
from desktop.sync import account


def open_at_rest(path: Path, password: str | None) -> Database:
    """``open_profile``, and the plain profile of a PC without a keyring encrypted under its app
    password: ``PasswordNeeded`` until it is given, ``WrongPassword`` if it is not the app's."""
    if profile_key.read_sidecar(path) is not None:
        return open_profile(path, password=password)
    # Not handed to ``open_profile`` yet: it would wrap a new key under whatever was typed.
    database = open_profile(path)
    if database.key is not None:
        return database  # the keyring keeps its key
    try:
        with database.reading() as session:
            # Only where the app password is asked at start anyway: a sign-in sealed in the
            # profile (the demo's lives in memory, and asks nothing).
            sealed = account.store_kind(session) == "profile"
            password_set = app_password.is_set(session)
            right = password is not None and password_set and app_password.verify(session, password)
    except BaseException:
        database.close()
        raise
    if not (sealed and password_set) or _keyring_available():
        return database  # nothing to wrap a key under yet, or encryption waits on something else
    database.close()
    if password is None:
        raise profile_key.PasswordNeeded(
            _("Enter the app password: the class's records are encrypted with it from now on.")
        )
    if not right:
        raise profile_key.WrongPassword(_("The app password is not right."))
    encrypt_with_password(path, password)
    return open_profile(path, password=password)


def _keyring_available() -> bool:
    from desktop.sync.credentials import keyring_available

    return keyring_available()
