"""``homeroom report NAME [options] -o FILE.pdf``: one of the print centre's reports as a PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli.context import work
from desktop.cli.parsing import parse_term
from desktop.errors import InvalidInput
from desktop.i18n import _

REPORT_NAMES = ("attendance", "absence-limit", "completeness", "summary", "pilot", "leaflet")
"""The catalogue's reports (``desktop.reports.catalogue.REPORTS``, a test holds them equal):
named here so that building the parser loads neither the renderers nor reportlab."""


def register(commands: Any) -> None:
    p = commands.add_parser("report", help=_("print a report as PDF"))
    p.add_argument("name", choices=REPORT_NAMES, metavar=_("NAME"), help=", ".join(REPORT_NAMES))
    p.add_argument("--month", metavar="MM/YYYY", help=_("the month of the attendance register"))
    p.add_argument(
        "--semester",
        type=parse_term,
        metavar=_("TERM"),
        help=_("1, 2 or cả năm (default: the whole year)"),
    )
    p.add_argument("--from", dest="first", metavar="dd/mm/yyyy", help=_("the period's first day"))
    p.add_argument("--to", dest="last", metavar="dd/mm/yyyy", help=_("the period's last day"))
    p.add_argument(
        "--address",
        metavar="URL",
        help=_("the school's registration address for the leaflet (remembered)"),
    )
    p.add_argument(
        "-o", "--output", required=True, type=Path, metavar=_("FILE"), help=_("the PDF to write")
    )
    p.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
    p.set_defaults(handler=print_report)


def print_report(args: argparse.Namespace) -> int:
    from desktop.reports.catalogue import render_report, report_named
    from desktop.reports.leaflet import remember_address
    from desktop.reports.output import write_document

    report = report_named(args.name)
    target: Path = args.output
    if target.exists() and not args.force:
        raise InvalidInput(
            _("{path} already exists: choose another name, or add --force to replace it.").format(
                path=target
            )
        )
    with work(args) as w:
        if args.address:
            remember_address(w.session, args.address)
        data = render_report(
            w.session,
            w.scope,
            args.name,
            month=args.month or "",
            semester=args.semester or "",
            first=args.first or "",
            last=args.last or "",
        )
    written = write_document(target, data)
    print(_("{title} written to {path}.").format(title=report.title, path=written))
    return 0
