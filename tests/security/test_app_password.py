"""The app password: a slow salted verifier in the profile, never the password itself, and the
token key derived under its own salt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.errors import InvalidInput
from desktop.models.db import Database, open_database
from desktop.security import app_password
from desktop.services.profile import get_setting


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "homeroom.sqlite3")
    yield database
    database.close()


def test_set_verify_and_derive(profile: Database) -> None:
    """The right password verifies and gives a 32-byte key; a wrong one does neither."""
    with profile.reading() as session:
        assert not app_password.is_set(session)
        assert not app_password.verify(session, "1234")
    with profile.transaction() as session:
        app_password.set_password(session, "Cô Lan 2025")
    with profile.reading() as session:
        assert app_password.is_set(session)
        assert app_password.verify(session, "Cô Lan 2025")
        assert not app_password.verify(session, "cô lan 2025")
        key = app_password.token_key(session, "Cô Lan 2025")
        assert len(key) == 32 and key == app_password.token_key(session, "Cô Lan 2025")
        with pytest.raises(InvalidInput) as raised:
            app_password.token_key(session, "sai")
        assert raised.value.message == "Mật khẩu ứng dụng không đúng."
        stored = get_setting(session, app_password.VERIFIER_KEY) or ""
    assert stored.startswith("scrypt:16384:8:1:") and "Cô Lan" not in stored
    assert b"C\xc3\xb4 Lan 2025" not in profile.path.read_bytes()


def test_too_short_is_refused_in_vietnamese(profile: Database) -> None:
    """Fewer than 4 characters: an error to show in place, and nothing stored."""
    with pytest.raises(InvalidInput) as raised, profile.transaction() as session:
        app_password.set_password(session, "123")
    assert raised.value.message == "Mật khẩu ứng dụng hoặc mã PIN cần ít nhất 4 ký tự."
    with profile.reading() as session:
        assert not app_password.is_set(session)


def test_each_setting_uses_new_salts(profile: Database) -> None:
    """The same password set twice gives different verifiers and keys (random salts)."""
    verifiers, keys = [], []
    for _time in range(2):
        with profile.transaction() as session:
            app_password.set_password(session, "1234")
        with profile.reading() as session:
            verifiers.append(get_setting(session, app_password.VERIFIER_KEY))
            keys.append(app_password.token_key(session, "1234"))
    assert verifiers[0] != verifiers[1] and keys[0] != keys[1]
