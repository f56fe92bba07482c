"""The app password on real SQLite profiles: stored as a slow hash, checked, and giving a
token key that only the right password opens."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.errors import InvalidInput
from desktop.models import ProfileSetting
from desktop.models.db import Database, open_database
from desktop.security import app_password
from desktop.security.app_password import KeyChange
from desktop.services.profile import get_setting, set_setting


def profile(folder: Path) -> Database:
    return open_database(folder / "homeroom.sqlite3")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = profile(tmp_path)
    yield database
    database.close()


def test_a_new_profile_has_no_app_password(db: Database) -> None:
    """No password is set until the teacher sets one, and nothing then verifies."""
    with db.reading() as session:
        assert not app_password.is_set(session)
        assert not app_password.verify(session, "1234")


def test_the_profile_holds_a_hash_not_the_password(db: Database) -> None:
    """What is stored names scrypt and its parameters, fits the column, and holds no trace of
    the password."""
    with db.transaction() as session:
        app_password.set_password(session, "mật khẩu 2025")
    with db.reading() as session:
        text = get_setting(session, app_password.SETTING_KEY)
        assert app_password.is_set(session)
    assert text is not None
    assert len(text) <= ProfileSetting.__table__.c.value.type.length
    assert "mật khẩu" not in text and "2025" not in text
    stored = json.loads(text)
    assert stored["kdf"] == "scrypt"
    assert stored["n"] >= 2**14 and stored["r"] == 8 and stored["p"] == 1
    assert stored["salt"] != stored["token_salt"]


def test_verify_accepts_the_password_and_refuses_others(db: Database) -> None:
    """Only the exact password verifies; the same text in another Unicode form is the same."""
    with db.transaction() as session:
        app_password.set_password(session, "Hoa sen 2025")
    with db.reading() as session:
        assert app_password.verify(session, "Hoa sen 2025")
        assert not app_password.verify(session, "hoa sen 2025")
        assert not app_password.verify(session, "")
    decomposed = unicodedata.normalize("NFD", "Lớp trưởng")
    with db.transaction() as session:
        app_password.set_password(session, decomposed)
    with db.reading() as session:
        assert app_password.verify(session, "Lớp trưởng")


def test_a_pin_of_four_digits_is_allowed_and_three_is_not(db: Database) -> None:
    """A 4-digit PIN is a valid app password; anything shorter is refused in Vietnamese."""
    with db.transaction() as session:
        app_password.set_password(session, "0000")
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        app_password.set_password(session, "123")
    assert "ít nhất 4" in refused.value.message
    with db.reading() as session:
        assert app_password.verify(session, "0000")


def test_setting_it_again_replaces_it(db: Database) -> None:
    """After a new password, the old one no longer verifies."""
    with db.transaction() as session:
        app_password.set_password(session, "1111")
    with db.transaction() as session:
        app_password.set_password(session, "2222")
    with db.reading() as session:
        assert app_password.verify(session, "2222")
        assert not app_password.verify(session, "1111")


def test_the_token_key_is_stable_and_apart_from_the_hash(db: Database, tmp_path: Path) -> None:
    """The right password always gives the same 32-byte key, which is not the stored hash;
    another profile with the same password gets another key."""
    with db.transaction() as session:
        app_password.set_password(session, "2468")
    with db.reading() as session:
        key = app_password.token_key(session, "2468")
        assert app_password.token_key(session, "2468") == key
        text = get_setting(session, app_password.SETTING_KEY)
    assert len(key) == 32
    assert text is not None
    assert app_password._encode(key) not in text
    other = profile(tmp_path / "other")
    try:
        with other.transaction() as session:
            app_password.set_password(session, "2468")
        with other.reading() as session:
            assert app_password.token_key(session, "2468") != key
    finally:
        other.close()


def test_the_token_key_refuses_a_wrong_password(db: Database) -> None:
    """No key comes out of a wrong password, or of a profile without one."""
    with db.reading() as session, pytest.raises(InvalidInput):
        app_password.token_key(session, "2468")
    with db.transaction() as session:
        app_password.set_password(session, "2468")
    with db.reading() as session, pytest.raises(InvalidInput) as refused:
        app_password.token_key(session, "1357")
    assert refused.value.message == "Mật khẩu ứng dụng không đúng."


def test_changing_the_password_hands_over_both_keys_in_the_same_session(db: Database) -> None:
    """The old key and the new one reach the re-encryption, which runs in the same transaction:
    if it fails, the old password stays."""
    with db.transaction() as session:
        app_password.set_password(session, "1111")
        old_key = app_password.token_key(session, "1111")
    seen: list[KeyChange] = []

    def rekey(session: object, change: KeyChange) -> None:
        seen.append(change)
        raise InvalidInput("không mã hóa lại được")

    with pytest.raises(InvalidInput), db.transaction() as session:
        app_password.change_password(session, old="1111", new="2222", rekey=rekey)
    with db.reading() as session:
        assert app_password.verify(session, "1111")
    assert seen[0].old == old_key and seen[0].new != old_key

    with db.transaction() as session:
        change = app_password.change_password(session, old="1111", new="2222")
    with db.reading() as session:
        assert app_password.verify(session, "2222")
        assert app_password.token_key(session, "2222") == change.new
    assert change.old == old_key

    with pytest.raises(InvalidInput), db.transaction() as session:
        app_password.change_password(session, old="9999", new="3333")


def test_a_damaged_stored_value_is_an_error_not_an_open_door(db: Database) -> None:
    """A damaged value does not read as "no password", which would let anyone set one."""
    with db.transaction() as session:
        set_setting(session, app_password.SETTING_KEY, "{not json")
    with db.reading() as session, pytest.raises(InvalidInput):
        app_password.is_set(session)
