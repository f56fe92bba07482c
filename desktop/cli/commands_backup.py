"""``homeroom backup list|create [--to FOLDER]|restore FILE``: the profile's backups.

``create`` alone makes an automatic-style copy in the profile's backups folder; with ``--to`` it
writes one passphrase-protected file there (a USB stick). The passphrase is asked twice without
echo, or read as one line from standard input with ``--passphrase-stdin`` (scripts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desktop.i18n import _

# Only argparse and the translations at import: the services load when a command runs.


def register(commands: Any) -> None:
    backups = commands.add_parser("backup", help=_("back up or restore this profile"))
    actions = backups.add_subparsers(dest="backup_command", metavar=_("ACTION"), required=True)

    p = actions.add_parser("list", help=_("the backups kept beside this profile"))
    p.set_defaults(handler=list_command)

    p = actions.add_parser("create", help=_("back up now"))
    p.add_argument(
        "--to",
        type=Path,
        metavar=_("FOLDER"),
        help=_("write one file protected by a passphrase into this folder (a USB stick)"),
    )
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=_("read the passphrase as one line from standard input"),
    )
    p.set_defaults(handler=create)

    p = actions.add_parser("restore", help=_("replace this profile's records by a backup's"))
    p.add_argument("file", type=Path, metavar=_("FILE"))
    p.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=_("read the passphrase as one line from standard input"),
    )
    p.add_argument("--yes", action="store_true", help=_("restore without asking to confirm"))
    p.set_defaults(handler=restore)


def _kind_label(kind: str) -> str:
    from desktop.services import backup

    return {
        backup.AUTO: _("automatic"),
        backup.BEFORE_UPGRADE: _("before an upgrade"),
        backup.BEFORE_RESTORE: _("before a restore"),
        backup.BEFORE_ENCRYPTION: _("before encryption"),
        backup.DAMAGED: _("the damaged profile, kept"),
    }.get(kind, kind)


def _size(size: int) -> str:
    from desktop.i18n import format_decimal

    return format_decimal(f"{size / 1_000_000:.1f}") + " MB"


def list_command(args: argparse.Namespace) -> int:
    from desktop.cli.context import database_path
    from desktop.cli.output import print_table
    from desktop.services import backup

    found = backup.backups_beside(database_path(args))
    if not found:
        print(_("No backups yet."))
        return 0
    print_table(
        [_("Made"), _("Kind"), _("Size"), _("File")],
        [
            [f"{b.created:%d/%m/%Y %H:%M}", _kind_label(b.kind), _size(b.size), b.path]
            for b in found
        ],
    )
    return 0


def _passphrase(args: argparse.Namespace, *, twice: bool) -> str:
    from desktop.errors import InvalidInput

    if args.passphrase_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        # getpass would read it from the pipe after an English warning.
        raise InvalidInput(
            _("There is no terminal to ask for the passphrase: give it with --passphrase-stdin.")
        )
    import getpass

    first = getpass.getpass(_("Passphrase: "))
    if twice and getpass.getpass(_("The passphrase again: ")) != first:
        raise InvalidInput(_("The two passphrases differ; nothing was written."))
    return first


def _kept() -> int:
    from desktop.settings import BACKUPS_KEPT, Settings

    return Settings().get(BACKUPS_KEPT)


def create(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from desktop.cli.context import open_profile
    from desktop.services import backup, backup_file

    passphrase = ""
    if args.to is not None:
        passphrase = _passphrase(args, twice=True)
        backup_file.check_passphrase(passphrase)
    database = open_profile(args)
    try:
        now = datetime.now(UTC)
        if args.to is None:
            made = backup.back_up(database, now=now, kept=_kept()).path
        else:
            made = backup.back_up_now(database, args.to, passphrase, now=now)
    finally:
        database.close()
    print(_("Backed up to {path}.").format(path=made))
    return 0


def restore(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from desktop.cli.context import ask_app_password, open_profile
    from desktop.errors import InvalidInput
    from desktop.models.health import DamagedDatabase
    from desktop.services import backup, backup_text, damaged_profile

    passphrase = _passphrase(args, twice=False) if backup.is_passphrase_file(args.file) else None
    damaged = False
    try:
        database = open_profile(args)
    except DamagedDatabase as error:
        # What the damage message offers: restoring the newest good backup over the file.
        unchecked = damaged_profile.open_damaged(error.path, ask_app_password)
        if unchecked is None:
            raise
        print(error.message, file=sys.stderr)
        database, damaged = unchecked, True
    try:
        shown = backup.preview(database, args.file, passphrase)
        print(backup_text.describe(shown))
        if not args.yes:
            if not sys.stdin.isatty() or args.passphrase_stdin:
                raise InvalidInput(_("Add --yes to restore without a question."))
            answer = input(_("Restore this backup? [y/N] ")).strip().lower()
            if answer not in (_("y"), "y"):
                print(_("Nothing was restored."))
                return 1
        restored = backup.restore(
            database, args.file, passphrase, now=datetime.now(UTC), damaged=damaged
        )
    finally:
        database.close()
    print(backup_text.restored(restored))
    return 0
