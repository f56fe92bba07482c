"""Refresh is safe to repeat: a just-rotated token gets the same new pair within the grace, while
that pair is unused; any other reuse revokes the family. On SQLite and PostgreSQL, with an
injected clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from server import auth
from server.settings import Settings
from server.store import Store, open_store
from server.tables import Account, RefreshToken

START = datetime(2026, 3, 16, 0, 30, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(clock: Clock) -> Settings:
    return Settings(clock=clock, refresh_grace=timedelta(seconds=60))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = open_store(db_url)
    with store.write() as session:
        session.add(
            Account(
                username="gvcn",
                display_name="Trần Thị Hồng Nhung",
                role="homeroom",
                password_hash="scrypt$unused",
                created_at=START,
            )
        )
    yield store
    store.close()


def sign_in(store: Store, settings: Settings) -> auth.Issued:
    with store.write() as session:
        account = session.scalars(select(Account)).one()
        return auth.issue(session, account, settings)


def refresh(store: Store, token: str, settings: Settings) -> auth.LoginOutcome:
    with store.write() as session:
        return auth.refresh(session, token, settings)


def code(outcome: auth.LoginOutcome) -> str:
    assert outcome.problem is not None
    return outcome.problem.code


def all_revoked(store: Store) -> bool:
    with store.read() as session:
        return all(row.revoked_at is not None for row in session.scalars(select(RefreshToken)))


def test_a_rotated_token_within_the_grace_gets_the_same_pair_again(
    store: Store, settings: Settings, clock: Clock
) -> None:
    """The answer to a refresh was lost: presenting the same token again (even twice) within
    the grace gives the very same new pair, which then works as usual."""
    first = sign_in(store, settings)
    rotated = refresh(store, first.refresh_token, settings).tokens
    assert rotated is not None and rotated.refresh_token != first.refresh_token
    for seconds in (10, 59):
        clock.now = START + timedelta(seconds=seconds)
        again = refresh(store, first.refresh_token, settings).tokens
        assert again is not None
        assert (again.access_token, again.refresh_token) == (
            rotated.access_token,
            rotated.refresh_token,
        )
        assert again.expires_in == 900 - seconds
    with store.write() as session:
        assert (
            auth.account_for_token(session.connection(), rotated.access_token, settings) is not None
        )
    following = refresh(store, rotated.refresh_token, settings).tokens
    assert following is not None and following.refresh_token != rotated.refresh_token
    assert not all_revoked(store)


def test_the_database_holds_neither_the_new_tokens_nor_a_way_to_them(
    store: Store, settings: Settings
) -> None:
    """Hashes and a seal only: no token in clear, and the seal opens only with the token that
    was presented."""
    first = sign_in(store, settings)
    rotated = refresh(store, first.refresh_token, settings).tokens
    assert rotated is not None
    with store.read() as session:
        dumped = " ".join(
            str(value)
            for row in session.execute(text("SELECT * FROM refresh_token")).all()
            for value in row
        )
        seal = session.scalars(
            select(RefreshToken.successor_seal).where(RefreshToken.successor_seal.is_not(None))
        ).one()
    for token in (first.refresh_token, rotated.refresh_token, rotated.access_token):
        assert token not in dumped
    assert auth.open_pair(rotated.refresh_token, seal) != auth.open_pair(first.refresh_token, seal)


def test_reuse_after_the_grace_revokes_the_family(
    store: Store, settings: Settings, clock: Clock
) -> None:
    """Outside the grace a rotated token is a copied one: the whole sign-in ends."""
    first = sign_in(store, settings)
    rotated = refresh(store, first.refresh_token, settings).tokens
    assert rotated is not None
    clock.now = START + timedelta(seconds=61)
    assert code(refresh(store, first.refresh_token, settings)) == "refresh_reused"
    assert all_revoked(store)
    assert code(refresh(store, rotated.refresh_token, settings)) == "refresh_invalid"
    with store.write() as session:
        assert auth.account_for_token(session.connection(), rotated.access_token, settings) is None


def test_reuse_after_the_new_token_was_used_revokes_the_family_even_within_the_grace(
    store: Store, settings: Settings, clock: Clock
) -> None:
    """Once the new refresh token has been used, the old one has no business coming back."""
    first = sign_in(store, settings)
    rotated = refresh(store, first.refresh_token, settings).tokens
    assert rotated is not None
    clock.now = START + timedelta(seconds=5)
    assert refresh(store, rotated.refresh_token, settings).tokens is not None
    clock.now = START + timedelta(seconds=10)
    assert code(refresh(store, first.refresh_token, settings)) == "refresh_reused"
    assert all_revoked(store)


def test_the_seal_is_erased_once_the_grace_is_over(
    store: Store, settings: Settings, clock: Clock
) -> None:
    """Nothing that could lead to a later token stays in the database longer than needed."""
    first = sign_in(store, settings)
    rotated = refresh(store, first.refresh_token, settings).tokens
    assert rotated is not None
    clock.now = START + timedelta(minutes=20)
    later = refresh(store, rotated.refresh_token, settings).tokens
    assert later is not None
    with store.read() as session:
        seals = session.scalars(
            select(RefreshToken.successor_seal).where(RefreshToken.successor_seal.is_not(None))
        ).all()
    assert len(seals) == 1  # only the rotation that just happened


def test_an_expired_or_unknown_refresh_token_is_refused_without_revoking(
    store: Store, settings: Settings, clock: Clock
) -> None:
    first = sign_in(store, settings)
    assert code(refresh(store, "x" * 43, settings)) == "refresh_invalid"
    clock.now = START + settings.refresh_ttl
    assert code(refresh(store, first.refresh_token, settings)) == "refresh_invalid"
    assert not all_revoked(store)


def test_an_older_database_gets_the_new_column(db_url: str) -> None:
    """A server database made before the grace existed is opened and completed in place."""
    open_store(db_url).close()
    old = open_store(db_url)
    with old.engine.begin() as connection:
        connection.execute(text("ALTER TABLE refresh_token DROP COLUMN successor_seal"))
    old.close()
    store = open_store(db_url)
    try:
        with store.read() as session:
            assert session.execute(text("SELECT successor_seal FROM refresh_token")).all() == []
    finally:
        store.close()
