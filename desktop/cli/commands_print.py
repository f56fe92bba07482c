"""``homeroom print leave ID... -o FILE.pdf``: approved leave forms as one PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli.context import work
from desktop.cli.parsing import parse_id
from desktop.errors import InvalidInput
from desktop.i18n import _


def register(commands: Any) -> None:
    group = commands.add_parser("print", help=_("print documents as PDF"))
    sub = group.add_subparsers(dest="action", metavar=_("DOCUMENT"), required=True)
    p = sub.add_parser("leave", help=_("approved leave forms, one page each"))
    p.add_argument("ids", nargs="+", type=parse_id, metavar=_("REQUEST"), help=_("request numbers"))
    p.add_argument(
        "-o", "--output", required=True, type=Path, metavar=_("FILE"), help=_("the PDF to write")
    )
    p.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
    p.set_defaults(handler=print_leave)


def print_leave(args: argparse.Namespace) -> int:
    from desktop.reports.leave_form import collect_pages, draw_pages
    from desktop.reports.output import write_document

    target: Path = args.output
    if target.exists() and not args.force:
        raise InvalidInput(
            _("{path} already exists: choose another name, or add --force to replace it.").format(
                path=target
            )
        )
    # A transaction: the profile's first print stores its verification key.
    with work(args) as w:
        pages = collect_pages(w.session, w.scope, args.ids)
    written = write_document(target, draw_pages(pages))
    print(_("{count} leave forms written to {path}.").format(count=len(pages), path=written))
    return 0
