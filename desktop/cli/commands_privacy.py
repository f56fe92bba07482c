"""``homeroom privacy purge [--dry-run]``: remove the leave details of finished school years
past the school's retention period (the domain.md §6 setting), with a report of what went;
``privacy export CODE``: everything held about one student, as JSON or a PDF for the guardian;
``privacy incident …`` (``commands_incident``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli import commands_incident
from desktop.i18n import _

# Only argparse and the translations at import: the services load when a command runs.


def register(commands: Any) -> None:
    privacy = commands.add_parser("privacy", help=_("personal data kept in this profile"))
    actions = privacy.add_subparsers(dest="privacy_command", metavar=_("ACTION"), required=True)

    p = actions.add_parser(
        "purge", help=_("remove the leave details of years past the retention period")
    )
    p.add_argument("--dry-run", action="store_true", help=_("only report what would be removed"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=purge)

    p = actions.add_parser(
        "export",
        help=_("everything held about one student, as JSON or PDF (a guardian's request)"),
    )
    p.add_argument("code", metavar=_("STUDENT_CODE"))
    p.add_argument(
        "--output", type=Path, metavar=_("FILE"), help=_("write to this file (default: print)")
    )
    p.add_argument(
        "--pdf", type=Path, metavar=_("FILE"), help=_("write a readable PDF to this file instead")
    )
    p.add_argument("--force", action="store_true", help=_("replace the PDF if it exists"))
    p.set_defaults(handler=export)

    commands_incident.register(actions)


def purge(args: argparse.Namespace) -> int:
    from desktop.cli.context import open_profile
    from desktop.cli.output import print_json, print_table
    from desktop.domain.calendar import format_date
    from desktop.services import retention, workspace

    database = open_profile(args)
    try:
        with workspace.work(database, args.class_name, write=not args.dry_run) as w:
            report = retention.purge(w.session, today=w.today, actor=w.actor, dry_run=args.dry_run)
        if report.applied:
            retention.settle(database)
    finally:
        database.close()
    if args.json:
        print_json(report)
        return 0
    if not report.years:
        print(_("No leave details are past the retention period."))
        return 0
    print_table(
        [
            _("School year"),
            _("Due since"),
            _("Reasons"),
            _("Decision notes"),
            _("Audit notes"),
            _("Refused changes"),
        ],
        [
            [
                y.year,
                format_date(y.due_since),
                y.reasons,
                y.decision_notes,
                y.audit_notes,
                y.conflicts,
            ]
            for y in report.years
        ],
    )
    if report.applied:
        print(_("{count} leave details removed.").format(count=report.total))
    else:
        print(
            _("{count} leave details would be removed (nothing changed).").format(
                count=report.total
            )
        )
    return 0


def export(args: argparse.Namespace) -> int:
    from desktop.cli.context import work
    from desktop.errors import InvalidInput
    from desktop.services import subject_access

    if args.pdf is not None:
        return _export_pdf(args)
    if args.output is not None and args.output.suffix.lower() == ".pdf":
        # A guardian's copy asked for as a PDF file would have been JSON under that name.
        raise InvalidInput(
            _("--output writes JSON; for a readable PDF use --pdf {path}.").format(path=args.output)
        )

    with work(args, write=False) as w:
        text = subject_access.to_json(subject_access.collect(w.session, w.scope, args.code))
    if args.output is None:
        print(text)
        return 0
    from desktop.reports.output import write_document

    # Owner-only and whole (a minor's data, like every other export), or a sentence.
    write_document(args.output, (text + "\n").encode("utf-8"))
    print(_("Written to {path}.").format(path=args.output))
    return 0


def _export_pdf(args: argparse.Namespace) -> int:
    from desktop.cli.context import work
    from desktop.errors import InvalidInput
    from desktop.reports.output import write_document
    from desktop.reports.student_record import render_student_record

    target: Path = args.pdf
    if args.output is not None:
        raise InvalidInput(_("Give either --output (JSON) or --pdf, not both."))
    if target.exists() and not args.force:
        raise InvalidInput(
            _("{path} already exists: choose another name, or add --force to replace it.").format(
                path=target
            )
        )
    with work(args, write=False) as w:
        data = render_student_record(w.session, w.scope, args.code)
    print(_("Written to {path}.").format(path=write_document(target, data)))
    return 0
