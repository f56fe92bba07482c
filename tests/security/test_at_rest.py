"""A PC without a keyring: the plain profile whose app password is set is encrypted under it at
the first start-up where the password is typed; a wrong password encrypts nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.models import profile_key
from desktop.models.db import DATABASE_FILE, SQLITE_HEADER, open_database
from desktop.models.profile_key import PasswordNeeded, WrongPassword
from desktop.security import app_password
from desktop.sync import account, state
from desktop.ui.startup import prepare
from tests.factories import build_small_class
from tests.support.profiles import without_keyring

APP_PASSWORD = "khoá-máy-2468"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with without_keyring():
        yield


def _profile(tmp_path: Path, *, with_password: bool) -> Path:
    path = tmp_path / "profile" / DATABASE_FILE
    database = open_database(path)
    with database.transaction() as session:
        build_small_class(session)
        if with_password:
            app_password.set_password(session, APP_PASSWORD)
            # Signed in on this PC without a keyring: the token is sealed under the password.
            state.put(session, account.STORE_KIND, "profile")
    database.close()
    return path


def _plain(path: Path) -> bool:
    return path.read_bytes().startswith(SQLITE_HEADER)


def test_the_start_up_asks_the_app_password_then_encrypts_under_it(
    tmp_path: Path, no_keyring: None
) -> None:
    path = _profile(tmp_path, with_password=True)
    with pytest.raises(PasswordNeeded) as asked:
        prepare(path, None)
    assert "mã hóa" in asked.value.message and _plain(path)

    with pytest.raises(WrongPassword):
        prepare(path, None, "sai mật khẩu")
    assert _plain(path) and profile_key.read_sidecar(path) is None

    prepared = prepare(path, None, APP_PASSWORD)
    assert prepared.database is not None and prepared.database.key is not None
    prepared.database.close()
    assert not _plain(path)
    sidecar = profile_key.read_sidecar(path)
    assert sidecar is not None and sidecar.custody == "password"

    # From now on the password opens it, and nothing opens it without.
    with pytest.raises(PasswordNeeded):
        prepare(path, None)
    again = prepare(path, None, APP_PASSWORD)
    assert again.database is not None and again.scope is not None
    again.database.close()


def test_without_an_app_password_the_profile_opens_plain_and_asks_nothing(
    tmp_path: Path, no_keyring: None
) -> None:
    path = _profile(tmp_path, with_password=False)
    prepared = prepare(path, None)
    assert prepared.database is not None and prepared.database.key is None
    prepared.database.close()
    assert _plain(path)


def test_a_sign_in_kept_in_memory_asks_nothing_at_start(tmp_path: Path, no_keyring: None) -> None:
    """The demo's token lives in memory: its start-up asks no password, so nothing is
    encrypted under one."""
    path = _profile(tmp_path, with_password=True)
    database = open_database(path)
    with database.transaction() as session:
        state.put(session, account.STORE_KIND, "memory")
    database.close()
    prepared = prepare(path, None)
    assert prepared.database is not None and prepared.database.key is None
    prepared.database.close()
    assert _plain(path)
