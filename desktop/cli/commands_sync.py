"""``homeroom login``, ``logout``, ``sync`` and ``status``: the profile and the central server.

The password is read without echo (or from standard input when it is not a terminal) and never
stored; only the refresh token is kept, in the OS keyring. The server address, the user name
and the class are kept in the profile's sync state (none of them is a secret).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from datetime import datetime
from typing import Any

from desktop.cli.context import open_profile
from desktop.cli.output import print_json
from desktop.domain.calendar import format_moment
from desktop.errors import HomeroomError, InvalidInput
from desktop.i18n import _
from desktop.sync import state

WATCH_INTERVAL_S = 30.0
WATCH_MAX_BACKOFF_S = 600.0


def register(commands: Any) -> None:
    p = commands.add_parser("login", help=_("sign in to the central server"))
    p.add_argument("--server", required=True, help=_("the server's address, https://…"))
    p.add_argument("--user", required=True, help=_("your user name on the server"))
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
    from desktop.sync.credentials import connect

    password = _read_password()
    transport, source = connect(args.server, args.user)
    try:
        identity = source.login(password)
    finally:
        transport.close()
    if not identity.class_ids:
        raise InvalidInput(_("This account has no class to sync."))
    database = open_profile(args)
    try:
        with database.transaction() as session:
            state.sign_in(
                session, state.SignedIn(transport.base_url, args.user, identity.class_ids[0])
            )
    finally:
        database.close()
    print(_("Signed in as {name}.").format(name=identity.display_name))
    return 0


def _account(args: argparse.Namespace) -> state.SignedIn:
    from desktop.sync.signed_in import require_account

    database = open_profile(args)
    try:
        return require_account(database)
    finally:
        database.close()


def logout(args: argparse.Namespace) -> int:
    from desktop.sync.credentials import delete_refresh_token

    account = _account(args)
    delete_refresh_token(account.server_url, account.username)
    print(_("Signed out; pending changes stay on this computer."))
    return 0


def _sync_once(args: argparse.Namespace) -> str:
    from desktop.sync.signed_in import sync_signed_in

    database = open_profile(args)
    try:
        return sync_signed_in(database).describe()
    finally:
        database.close()


def sync(args: argparse.Namespace) -> int:
    if not args.watch:
        print(_sync_once(args))
        return 0
    delay = args.interval
    cycles = 0
    while args.cycles is None or cycles < args.cycles:
        cycles += 1
        try:
            print(_sync_once(args), flush=True)
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
