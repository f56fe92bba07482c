"""``homeroom excel ...``: the grade-entry template and its import, workbook exports."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli import arguments
from desktop.cli.context import work
from desktop.cli.output import print_table
from desktop.errors import InvalidInput
from desktop.i18n import _

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

    from desktop.services.attendance_month import Month


def register(commands: Any) -> None:
    group = commands.add_parser("excel", help=_("exchange grades and lists with Excel"))
    sub = group.add_subparsers(dest="action", metavar=_("ACTION"), required=True)

    p = sub.add_parser("export-template", help=_("a grade-entry template of one subject"))
    arguments.subject_and_semester(p)
    _output(p)
    p.set_defaults(handler=export_template)

    p = sub.add_parser(
        "import",
        help=_("import a filled grade-entry template or a corrected class list"),
        description=_(
            "Import an .xlsx made by Homeroom: a filled grade-entry template, or the class list "
            "(homeroom excel export roster) with names, dates of birth and guardians corrected. "
            "Which one it is, the file's header says."
        ),
    )
    p.add_argument("file", type=Path, metavar=_("FILE"))
    p.add_argument(
        "--dry-run",
        action="store_true",
        help=_("list the changes and the problems, import nothing"),
    )
    p.set_defaults(handler=import_workbook)

    p = sub.add_parser("export", help=_("the grade book, an attendance month or the roster"))
    what = p.add_subparsers(dest="what", metavar=_("WHAT"), required=True)
    q = what.add_parser("gradebook", help=_("a subject's grade book for a semester"))
    arguments.subject_and_semester(q)
    _output(q)
    q.set_defaults(handler=export_gradebook)
    q = what.add_parser("attendance", help=_("a month's attendance register"))
    q.add_argument(
        "month",
        nargs="?",
        type=parse_month,
        metavar=_("MONTH"),
        help=_("mm/yyyy (default: the current month)"),
    )
    _output(q)
    q.set_defaults(handler=export_attendance)
    q = what.add_parser("roster", help=_("the class list with the guardians"))
    _output(q)
    q.set_defaults(handler=export_roster)


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", required=True, type=Path, metavar=_("FILE"), help=_("the .xlsx to write")
    )
    parser.add_argument("--force", action="store_true", help=_("replace the file if it exists"))


_MONTH = re.compile(r"(\d{1,2})/(\d{4})|(\d{4})-(\d{1,2})")


def parse_month(text: str) -> Month:
    """``mm/yyyy`` (what users see) or ``yyyy-mm``."""
    found = _MONTH.fullmatch(text.strip())
    if found:
        month, year = (found[1], found[2]) if found[1] else (found[4], found[3])
        if 1 <= int(month) <= 12:
            return int(year), int(month)
    raise argparse.ArgumentTypeError(_("'{text}' is not a month (use mm/yyyy).").format(text=text))


def _target(args: argparse.Namespace) -> Path:
    target: Path = args.output
    if target.exists() and not args.force:
        raise InvalidInput(
            _("{path} already exists: choose another name, or add --force to replace it.").format(
                path=target
            )
        )
    return target


def _written(count: int, target: Path) -> int:
    print(_("{count} rows written to {path}.").format(count=count, path=target))
    return 0


def export_template(args: argparse.Namespace) -> int:
    from desktop.exchange.excel import template

    target = _target(args)
    with work(args, write=False) as w:
        count = template.export_template(
            w.session,
            w.scope,
            subject_code=args.subject,
            semester=args.semester,
            today=w.today,
            path=target,
        )
    return _written(count, target)


def import_workbook(args: argparse.Namespace) -> int:
    """A class list or a grade-entry template, told apart by its header."""
    from desktop.exchange.excel import opening, roster_import
    from desktop.exchange.excel.problems import WorkbookRejected

    try:
        workbook = opening.open_workbook(args.file)
        if roster_import.is_roster(workbook):
            return _import_roster(args, workbook)
        return _import_grades(args, workbook)
    except WorkbookRejected as rejected:
        print(rejected.message)
        print_table(
            [_("Sheet"), _("Cell"), _("Value"), _("Problem")],
            [(p.sheet, f"{p.column}{p.row or ''}", p.value, p.why) for p in rejected.cells],
        )
        return rejected.exit_code


def _import_grades(args: argparse.Namespace, workbook: Workbook) -> int:
    from desktop.exchange.excel import grade_import

    if args.dry_run:
        with work(args, write=False) as w:
            plan = grade_import.check_workbook(w.session, w.scope, workbook, today=w.today)
        print(
            _("{count} grade(s) would be entered; nothing was imported (--dry-run).").format(
                count=plan.count
            )
        )
        return 0
    with work(args) as w:
        result = grade_import.import_template(
            w.session, w.scope, workbook, actor=w.actor, today=w.today
        )
    print(result.changes.summary)
    return 0


def _import_roster(args: argparse.Namespace, workbook: Workbook) -> int:
    from desktop.exchange.excel import roster_import

    summary = None
    with work(args, write=not args.dry_run) as w:
        plan = roster_import.check_roster(w.session, w.scope, workbook)
        if not args.dry_run:
            summary = roster_import.perform_plan(w.session, w.scope, plan, actor=w.actor).changes
    if plan.changes:
        print_table(
            [_("Row"), _("Code"), _("Student"), _("Change")],
            [(c.row, c.student_code, c.student_name, c.what) for c in plan.changes],
        )
    if summary is not None:
        print(summary.summary)
    else:
        print(
            _("{count} change(s) would be made; nothing was imported (--dry-run).").format(
                count=len(plan.changes)
            )
        )
    return 0


def export_gradebook(args: argparse.Namespace) -> int:
    from desktop.exchange.excel import exports

    target = _target(args)
    with work(args, write=False) as w:
        count = exports.export_gradebook(
            w.session,
            w.scope,
            subject_code=args.subject,
            semester=args.semester,
            today=w.today,
            path=target,
        )
    return _written(count, target)


def export_attendance(args: argparse.Namespace) -> int:
    from desktop.exchange.excel import exports
    from desktop.services import attendance_month

    target = _target(args)
    with work(args, write=False) as w:
        month = args.month or attendance_month.month_of(w.scope.calendar, w.today)
        count = exports.export_attendance(
            w.session, w.scope, month=month, today=w.today, path=target
        )
    return _written(count, target)


def export_roster(args: argparse.Namespace) -> int:
    from desktop.exchange.excel import exports

    target = _target(args)
    with work(args, write=False) as w:
        count = exports.export_roster(w.session, w.scope, path=target)
    return _written(count, target)
