"""``homeroom login``, ``logout``, ``sync`` and ``status``: the profile and the central server.

The password is read without echo (or from standard input when it is not a terminal) and never
stored; only the refresh token is kept: in the OS keyring, or, on a computer without one,
encrypted in the profile under the app password (set in the window), asked for when needed.
The server address, the user name and the class are kept in the profile's sync state (none of
them is a secret).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from desktop.cli.context import open_profile
from desktop.cli.output import print_json
from desktop.domain.calendar import format_moment
from desktop.errors import HomeroomError, InvalidInput
from desktop.i18n import _

if TYPE_CHECKING:
    from desktop.security.unlocked import UnlockedKey

T = TypeVar("T")

WATCH_INTERVAL_S = 30.0
WATCH_MAX_BACKOFF_S = 600.0


def register(commands: Any) -> None:
    p = commands.add_parser("login", help=_("sign in to the central server"))
    p.add_argument(
        "--server", required=True, metavar="URL", help=_("the server's address, https://…")
    )
    p.add_argument(
        "--user", required=True, metavar=_("NAME"), help=_("your user name on the server")
    )
    p.set_defaults(handler=login)

    p = commands.add_parser("logout", help=_("sign out and forget the stored token"))
    p.set_defaults(handler=logout)

    p = commands.add_parser("sync", help=_("exchange changes with the central server"))
    p.add_argument("--watch", action="store_true", help=_("keep syncing, with back-off"))
    p.add_argument("--cycles", type=int, help=argparse.SUPPRESS)
    p.add_argument("--interval", type=float, default=WATCH_INTERVAL_S, help=argparse.SUPPRESS)
    p.set_defaults(handler=sync)

    p = commands.add_parser("status", help=_("the sync state: pending changes, last sync"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=status)


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass(_("Password: "))
    return sys.stdin.readline().rstrip("\n")


def login(args: argparse.Namespace) -> int:
    from desktop.security import app_password
    from desktop.security.unlocked import UnlockedKey
    from desktop.sync import account, state
    from desktop.sync.credentials import MemoryStore, connect, keyring_available

    password = _read_password()
    # Held in memory until the profile says where it goes (the keyring, or sealed).
    transport, source = connect(args.server, args.user, store=MemoryStore())
    try:
        identity = source.login(password)
    finally:
        transport.close()
    if not identity.class_ids:
        raise InvalidInput(_("This account has no class to sync."))
    database = open_profile(args)
    try:
        key = UnlockedKey()
        if not keyring_available():
            with database.reading() as session:
                if app_password.is_set(session):
                    key.set(app_password.token_key(session, _read_app_password()))
        store = account.choose_store(
            transport.base_url, args.user, database=database, key=key, on_database=_now
        )
        source.move_to(store)
        with database.transaction() as session:
            account.sign_in(
                session,
                state.SignedIn(transport.base_url, args.user, identity.class_ids[0]),
                store.kind,
            )
    finally:
        database.close()
    print(_("Signed in as {name}.").format(name=identity.display_name))
    return 0


def _now(work: Callable[[], T]) -> T:
    return work()


def _read_app_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass(_("App password: "))
    return sys.stdin.readline().rstrip("\n")


def logout(args: argparse.Namespace) -> int:
    from desktop.security.unlocked import UnlockedKey
    from desktop.sync import account

    database = open_profile(args)
    try:
        told = account.sign_out_everywhere(database, UnlockedKey(), on_database=_now)
    finally:
        database.close()
    if not told:
        print(
            _(
                "The server could not be told to end this sign-in; it is forgotten on this "
                "computer and ends on the server when it expires."
            )
        )
    print(_("Signed out; pending changes stay on this computer."))
    return 0


def _sync_once(args: argparse.Namespace, key: UnlockedKey) -> str:
    """``key``: the app password's key, asked for once per command when the token is sealed in
    the profile."""
    from desktop.security import app_password
    from desktop.sync import account
    from desktop.sync.signed_in import sync_signed_in

    database = open_profile(args)
    try:
        with database.reading() as session:
            if account.store_kind(session) == "profile" and key.get() is None:
                key.set(app_password.token_key(session, _read_app_password()))
        connector = account.profile_connector(database, key, on_database=_now)
        return sync_signed_in(database, connector).describe()
    finally:
        database.close()


def sync(args: argparse.Namespace) -> int:
    from desktop.security.unlocked import UnlockedKey

    key = UnlockedKey()
    if not args.watch:
        print(_sync_once(args, key))
        return 0
    delay = args.interval
    cycles = 0
    while args.cycles is None or cycles < args.cycles:
        cycles += 1
        try:
            print(_sync_once(args, key), flush=True)
            delay = args.interval
        except HomeroomError as error:
            if error.exit_code == InvalidInput.exit_code:
                raise
            print(_("Error: {message}").format(message=error.message), file=sys.stderr)
            delay = min(max(delay, 1.0) * 2, WATCH_MAX_BACKOFF_S)
        if args.cycles is None or cycles < args.cycles:
            time.sleep(delay)
    return 0


def _when(iso: str | None) -> str | None:
    """A stored moment as the teacher reads it: school time, ``HH:MM dd/MM/yyyy``."""
    if not iso:
        return None
    return format_moment(datetime.fromisoformat(iso))


def status(args: argparse.Namespace) -> int:
    from desktop.sync import state

    database = open_profile(args)
    try:
        with database.reading() as session:
            current = state.status(session)
            server, user = state.get(session, state.SERVER_URL), state.get(session, state.USERNAME)
    finally:
        database.close()
    if args.json:
        print_json({"server_url": server, "username": user, **current.__dict__})
        return 0
    lines = [
        (_("Server"), server or _("not signed in")),
        (_("User"), user or ""),
        (_("Last successful sync"), _when(current.last_success) or _("never")),
        (_("Changes waiting to be sent"), str(current.pending_intents)),
        (_("Last error"), current.last_error or ""),
    ]
    for label, value in lines:
        if value:
            print(f"{label}: {value}")
    unseen = [c for c in current.conflicts if not c.seen]
    if unseen:
        print(_("Changes the server did not apply:"))
        for conflict in unseen:
            print(f"  - {conflict.message}")
    return 0
