"""``homeroom init``, ``export``, ``import`` and ``log verify``: the profile as a whole."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli import commands_attendance
from desktop.cli.context import database_path, open_profile
from desktop.errors import InvalidInput
from desktop.i18n import _

DEMO_TODAY = "2026-03-16"


def register(commands: Any) -> None:
    p = commands.add_parser("init", help=_("create the profile's database"))
    p.add_argument("--demo", action="store_true", help=_("fill it with the demo class"))
    p.add_argument(
        "--school", action="store_true", help=_("with --demo: a whole school of 40 classes")
    )
    p.add_argument(
        "--seed", type=int, default=2025, metavar=_("NUMBER"), help=_("seed of the demo data")
    )
    p.set_defaults(handler=init)

    p = commands.add_parser("export", help=_("write the class to an exchange file (JSON)"))
    p.add_argument("file", type=Path, metavar=_("FILE"))
    p.set_defaults(handler=export)

    p = commands.add_parser("import", help=_("read a class from an exchange file (JSON)"))
    p.add_argument("file", type=Path, metavar=_("FILE"))
    p.add_argument("--replace", action="store_true", help=_("replace the profile's data"))
    p.set_defaults(handler=import_)

    log = commands.add_parser("log", help=_("the audit log of decisions and changes"))
    lsub = log.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    p = lsub.add_parser("verify", help=_("check that no entry was altered or removed"))
    p.set_defaults(handler=log_verify)

    commands_attendance.register(commands)


def init(args: argparse.Namespace) -> int:
    from desktop.demo.generator import generate_demo_class, generate_demo_school
    from desktop.models import School
    from desktop.services import audit_log
    from desktop.services.profile import TODAY_KEY, set_setting

    database = open_profile(args)
    try:
        with database.transaction() as session:
            if session.query(School).first() is not None:
                raise InvalidInput(
                    _("The profile at {path} already has data.").format(path=database.path)
                )
            if args.demo:
                if args.school:
                    generate_demo_school(session, seed=args.seed)
                else:
                    generate_demo_class(session, seed=args.seed)
                set_setting(session, TODAY_KEY, DEMO_TODAY)
            audit_log.append(
                session,
                actor="homeroom",
                action="profile.init",
                entity="profile",
                entity_id=1,
                after={"demo": bool(args.demo), "seed": args.seed},
            )
    finally:
        database.close()
    print(_("Profile created at {path}.").format(path=database_path(args)))
    return 0


def export(args: argparse.Namespace) -> int:
    from desktop.exchange.export import write_export
    from desktop.models.base import utc_now

    database = open_profile(args)
    try:
        with database.reading() as session:
            write_export(session, args.file, exported_at=utc_now())
    finally:
        database.close()
    print(_("Class written to {path}.").format(path=args.file))
    return 0


def import_(args: argparse.Namespace) -> int:
    from desktop.exchange.importer import import_file
    from desktop.services import audit_log

    database = open_profile(args)
    try:
        with database.transaction() as session:
            summary = import_file(session, args.file, replace=args.replace)
            audit_log.append(
                session,
                actor="homeroom",
                action="profile.import",
                entity="profile",
                entity_id=1,
                after={"file": args.file.name},
            )
    finally:
        database.close()
    print(_("Imported {path}.").format(path=args.file))
    print(summary)
    return 0


def log_verify(args: argparse.Namespace) -> int:
    from desktop.services import audit_log

    database = open_profile(args)
    try:
        with database.reading() as session:
            report = audit_log.verify(session)
    finally:
        database.close()
    if report.intact:
        print(_("Audit log intact: {count} entries.").format(count=report.entries))
        return 0
    print(
        _("Audit log BROKEN at entry {id}: it was altered or an entry was removed.").format(
            id=report.first_broken_id
        )
    )
    return 1
