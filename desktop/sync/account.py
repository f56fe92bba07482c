"""The account a profile syncs as, and where its refresh token is kept.

The server address, user name and class are in ``sync_state`` (``state.SignedIn``; none is a
secret), with the kind of ``TokenStore`` that holds the token. Signing out forgets all of it
and the token, and keeps the outbox: pending changes are sent after the next sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop.models import OutboxIntent, SyncInbox, SyncState
from desktop.models.db import Database
from desktop.security.unlocked import UnlockedKey
from desktop.sync import state
from desktop.sync.credentials import (
    SEALED_KEY,
    KeyringStore,
    MemoryStore,
    NoKeyring,
    SealedProfileStore,
    StoreKind,
    TokenStore,
    connect,
    keyring_available,
    no_keyring_message,
)
from desktop.sync.errors import CredentialsError
from desktop.sync.signed_in import Connection, Connector, tell_server_signed_out

STORE_KIND: Final = "token_store"
CURSOR_SOURCE: Final = "cursor_source"
ACCOUNT_KEYS: Final = (state.SERVER_URL, state.USERNAME, state.CLASS_ID, STORE_KIND, SEALED_KEY)


def store_kind(session: Session) -> StoreKind | None:
    kind = state.get(session, STORE_KIND)
    if kind in ("keyring", "profile", "memory"):
        return kind  # type: ignore[return-value]
    return None if state.signed_in(session) is None else "keyring"


def sign_in(
    session: Session, account: state.SignedIn, kind: StoreKind, *, source: str | None = None
) -> None:
    """Record the account. ``source`` names where the pulled data comes from (default: the
    server address and user name; the demo, whose port changes at every run, names itself): a
    different source than the one the sync cursor belongs to starts the pull from scratch, since
    that cursor, and any page staged under it, count another server's changes. It survives
    signing out, so "change server" is noticed."""
    source = source or f"{account.server_url}|{account.username}"
    previous = state.get(session, CURSOR_SOURCE)
    if previous is not None and previous != source:
        state.put(session, state.CURSOR, "0")
        state.put(session, state.STAGED_CURSOR, "")
        session.execute(delete(SyncInbox))
    state.put(session, CURSOR_SOURCE, source)
    state.sign_in(session, account)
    state.put(session, STORE_KIND, kind)


def sign_out(session: Session) -> None:
    """Forget the account (and a token sealed in the profile); the outbox is kept."""
    session.execute(delete(SyncState).where(SyncState.key.in_(ACCOUNT_KEYS)))


def sign_out_everywhere(
    database: Database,
    key: UnlockedKey,
    *,
    on_database: Callable[[Callable[[], Any]], Any],
    tell_server: Callable[[str, str], bool] = tell_server_signed_out,
) -> bool:
    """Sign out on the server too (its refresh and access tokens end there), then forget the
    token and the account here whatever the server said. ``False`` when the server could not
    be told (offline, or the sealed token does not open): the sign-in then lasts there until it
    expires. Network I/O: call it on the network lane."""

    def read() -> tuple[state.SignedIn | None, StoreKind | None]:
        with database.reading() as session:
            return state.signed_in(session), store_kind(session)

    signed_in, kind = on_database(read)
    told = True
    if signed_in is not None and kind is not None:
        store = store_for(
            kind,
            signed_in.server_url,
            signed_in.username,
            database=database,
            key=key,
            on_database=on_database,
        )
        try:
            token = store.load()
        except CredentialsError:
            token, told = None, False
        if token is not None:
            told = tell_server(signed_in.server_url, token)
        store.delete()

    def forget() -> None:
        with database.transaction() as session:
            sign_out(session)

    on_database(forget)
    return told


def pending_changes(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0


def store_for(
    kind: StoreKind,
    server_url: str,
    username: str,
    *,
    database: Database,
    key: UnlockedKey,
    on_database: Callable[[Callable[[], Any]], Any],
    memory: MemoryStore | None = None,
) -> TokenStore:
    if kind == "profile":
        return SealedProfileStore(database, key, server_url, username, on_database=on_database)
    if kind == "memory":
        return memory if memory is not None else MemoryStore()
    return KeyringStore(server_url, username)


def profile_connector(
    database: Database,
    key: UnlockedKey,
    *,
    on_database: Callable[[Callable[[], Any]], Any],
    memory: MemoryStore | None = None,
) -> Connector:
    """A ``Connector`` whose token store is the one the profile records (read at each sync)."""

    def connector(server_url: str, username: str) -> Connection:
        def read() -> StoreKind | None:
            with database.reading() as session:
                return store_kind(session)

        kind: StoreKind = on_database(read) or "keyring"
        transport, _source = connect(
            server_url,
            username,
            store=lambda url: store_for(
                kind,
                url,
                username,
                database=database,
                key=key,
                on_database=on_database,
                memory=memory,
            ),
        )
        return transport

    return connector


def choose_store(
    server_url: str,
    username: str,
    *,
    database: Database,
    key: UnlockedKey,
    on_database: Callable[[Callable[[], Any]], Any],
) -> TokenStore:
    """Where a new sign-in keeps its token: the OS keyring when there is one, else sealed in the
    profile under the app password's key (``NoKeyring`` when the app is not unlocked with one).
    Probing the keyring may talk to D-Bus: never on the GUI thread."""
    if keyring_available():
        return KeyringStore(server_url, username)
    if key.get() is None:
        raise NoKeyring(no_keyring_message())
    return SealedProfileStore(database, key, server_url, username, on_database=on_database)
