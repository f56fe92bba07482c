"""``homeroom-server``: serve the API, seed the demo school, manage accounts, print the OpenAPI
document, simulate parents and subject teachers against a local server.

Passwords never go on the command line (process lists and shell histories keep them): they are
read from an environment variable or standard input. The one exception is the documented demo
password ``demo``, used when nothing else is given, and printed once.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from desktop.cli import argparse_vi
from desktop.cli.parsing import parse_date
from desktop.errors import HomeroomError, InvalidInput
from desktop.i18n import _

DB_ENV = "HOMEROOM_SERVER_DB"
DEMO_PASSWORD_ENV = "HOMEROOM_DEMO_PASSWORD"
ACCOUNT_PASSWORD_ENV = "HOMEROOM_ACCOUNT_PASSWORD"
DEMO_PASSWORD = "demo"


def _db(value: str | None) -> str:
    from server.store import default_url

    return value or os.environ.get(DB_ENV) or default_url()


def _read_password(env: str, *, confirm: bool) -> str | None:
    """The password from ``env``, else typed (twice) at a terminal, else stdin's first line."""
    if os.environ.get(env):
        return os.environ[env]
    if sys.stdin.isatty():
        first = getpass.getpass(_("Password: "))
        if confirm and getpass.getpass(_("Password again: ")) != first:
            raise InvalidInput(_("The two passwords differ."))
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.seed import seeded_today
    from server.settings import Settings
    from server.store import open_store
    from server.timeouts import header_timeout_protocol
    from server.workers import settings_environment

    store = open_store(_db(args.db))
    today = args.today or seeded_today(store)
    shown = store.engine.url.render_as_string(hide_password=True)
    print(
        _("Homeroom server on http://{host}:{port} (database {db})").format(
            host=args.host, port=args.port, db=shown
        ),
        file=sys.stderr,
    )
    # Forwarded addresses are the app's to judge (``--trusted-proxy``), not uvicorn's.
    options: dict[str, object] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "proxy_headers": False,
        # Closes a connection whose headers never end (uvicorn bounds only keep-alive idling).
        "http": header_timeout_protocol(Settings().header_timeout),
    }
    if args.workers > 1:
        # Each worker process opens the database itself (``server.workers``).
        os.environ.update(settings_environment(store.url, today, tuple(args.trusted_proxy)))
        store.close()
        uvicorn.run(
            "server.workers:app_from_environment",
            factory=True,
            workers=args.workers,
            **options,  # type: ignore[arg-type]
        )
        return 0
    app = create_app(store, Settings(today=today, trusted_proxies=tuple(args.trusted_proxy)))
    try:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
    finally:
        store.close()
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from server.seed import seed_demo
    from server.store import open_store

    password = os.environ.get(DEMO_PASSWORD_ENV) or (
        _read_password(DEMO_PASSWORD_ENV, confirm=False) if args.password_stdin else None
    )
    shown = password is None
    password = password or DEMO_PASSWORD
    store = open_store(_db(args.db))
    try:
        report = seed_demo(
            store,
            seed=args.seed,
            password=password,
            classes=args.classes,
            all_parents=args.all_parents,
        )
    finally:
        store.close()
    for summary in report.classes:
        print(
            _("Class {name}: {students} students, {requests} leave requests.").format(
                name=summary.class_name, students=summary.students, requests=summary.requests
            )
        )
    print(_("{count} changes in the sync log.").format(count=report.log_entries))
    for account in report.accounts:
        print(f"  {account.username:<20} {account.role:<10} {account.display_name}")
    if shown:
        print(_("Every demo account's password is: {password}").format(password=DEMO_PASSWORD))
    return 0


def cmd_create_account(args: argparse.Namespace) -> int:
    from server.accounts import create_account, teacher_by_code
    from server.store import open_store

    password = _read_password(ACCOUNT_PASSWORD_ENV, confirm=True)
    if not password:
        raise InvalidInput(
            _("Give the password on standard input or in {env}.").format(env=ACCOUNT_PASSWORD_ENV)
        )
    store = open_store(_db(args.db))
    try:
        with store.write() as session:
            teacher_id = (
                teacher_by_code(session, args.teacher_code).id if args.teacher_code else None
            )
            account = create_account(
                session,
                username=args.username,
                display_name=args.display_name,
                role=args.role,
                password=password,
                now=datetime.now(UTC),
                teacher_id=teacher_id,
                guardian_id=args.guardian_id,
            )
            print(
                _("Account {name} created ({role}).").format(
                    name=account.username, role=account.role
                )
            )
    finally:
        store.close()
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    from server.accounts import grant_substitute
    from server.store import open_store

    store = open_store(_db(args.db))
    try:
        with store.write() as session:
            grant_substitute(
                session, username=args.username, class_id=args.class_id, until=args.until
            )
    finally:
        store.close()
    print(
        _("{name} may sync class #{id} until {day}.").format(
            name=args.username, id=args.class_id, day=args.until.strftime("%d/%m/%Y")
        )
    )
    return 0


def cmd_openapi(_args: argparse.Namespace) -> int:
    from server.openapi import document

    sys.stdout.write(json.dumps(document(), indent=2, ensure_ascii=False) + "\n")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from server.simulate import simulate

    password = os.environ.get(DEMO_PASSWORD_ENV) or DEMO_PASSWORD
    report = simulate(
        args.url, rate=args.rate, duration=args.duration, seed=args.seed, password=password
    )
    print(report.describe())
    return 0 if report.errors == 0 else 1


def parser() -> argparse.ArgumentParser:
    argparse_vi.install()
    p = argparse.ArgumentParser(prog="homeroom-server", description=_("Homeroom central server"))
    sub = p.add_subparsers(dest="command", required=True)
    db_help = _("database URL (default: ${env}, else server.sqlite3 here)").format(env=DB_ENV)

    serve = sub.add_parser("serve", help=_("run the API server"))
    serve.add_argument("--db", help=db_help)
    serve.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)")
    )
    serve.add_argument("--port", type=int, default=8765, help=_("port (default: 8765)"))
    serve.add_argument("--today", type=parse_date, help=_("answer as on this day (a demo server)"))
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help=_(
            "a reverse proxy (address or network) whose X-Forwarded-For is believed; "
            "repeatable (default: none)"
        ),
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help=_("worker processes on the same database, e.g. one per core (default: 1)"),
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help=_("log detail (default: info)"),
    )
    serve.set_defaults(run=cmd_serve)

    seed = sub.add_parser("seed-demo", help=_("fill an empty database with the demo school"))
    seed.add_argument("--db", help=db_help)
    seed.add_argument(
        "--seed", type=int, default=2025, help=_("the generator's seed (default: 2025)")
    )
    seed.add_argument("--classes", type=int, default=1, help=_("1: the demo class; more: a school"))
    seed.add_argument(
        "--all-parents",
        action="store_true",
        help=_("parent accounts for every class, not only the first"),
    )
    seed.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the demo accounts' password from standard input"),
    )
    seed.set_defaults(run=cmd_seed)

    create = sub.add_parser("create-account", help=_("create an account (password on stdin)"))
    create.add_argument("--db", help=db_help)
    create.add_argument("--username", required=True, help=_("the sign-in name"))
    create.add_argument("--display-name", required=True, help=_("the name people see"))
    create.add_argument(
        "--role",
        required=True,
        choices=["homeroom", "subject", "principal", "parent"],
        help=_("homeroom or subject teacher, principal, parent"),
    )
    create.add_argument("--teacher-code", help=_("the teacher's code (teachers)"))
    create.add_argument("--guardian-id", type=int, help=_("the guardian's id (parents)"))
    create.set_defaults(run=cmd_create_account)

    grant = sub.add_parser("grant-substitute", help=_("let a teacher sync another's class"))
    grant.add_argument("--db", help=db_help)
    grant.add_argument("--username", required=True, help=_("the substitute's sign-in name"))
    grant.add_argument("--class-id", type=int, required=True, help=_("the class they stand in for"))
    grant.add_argument(
        "--until",
        type=parse_date,
        required=True,
        help=_("the last day of the assignment (dd/mm/yyyy)"),
    )
    grant.set_defaults(run=cmd_grant)

    openapi = sub.add_parser("openapi", help=_("print the OpenAPI document"))
    openapi.set_defaults(run=cmd_openapi)

    simulate = sub.add_parser("simulate", help=_("play parents and subject teachers (loopback)"))
    simulate.add_argument(
        "--url", default="http://127.0.0.1:8765", help=_("the server (default: loopback, 8765)")
    )
    simulate.add_argument(
        "--rate",
        type=float,
        default=60.0,
        help=_("simulated minutes per real second (default: 60, an hour a second)"),
    )
    simulate.add_argument("--duration", type=float, default=10.0, help=_("real seconds"))
    simulate.add_argument(
        "--seed", type=int, default=1, help=_("the simulator's seed (default: 1)")
    )
    simulate.set_defaults(run=cmd_simulate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except HomeroomError as error:
        print(error.message, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
