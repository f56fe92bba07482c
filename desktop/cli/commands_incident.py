"""``homeroom privacy incident add|edit|list|report``: personal-data incidents (a lost PC, a
wrong disclosure) and their notification report as PDF (domain.md §6)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.parsing import parse_id
from desktop.i18n import _

if TYPE_CHECKING:
    from desktop.models.db import Database
    from desktop.services.workspace import Work

# Only argparse and the translations at import: the services load when a command runs.

MOMENT = "dd/mm/yyyy HH:MM"


def register(actions: Any) -> None:
    incident = actions.add_parser(
        "incident", help=_("personal data incidents and their notification report")
    )
    steps = incident.add_subparsers(dest="incident_command", metavar=_("ACTION"), required=True)

    p = steps.add_parser("add", help=_("record an incident"))
    p.add_argument("--kind", required=True, metavar=_("KIND"), help=_kinds_help())
    p.add_argument("--happened", required=True, metavar=MOMENT, help=_("when it happened"))
    p.add_argument("--discovered", metavar=MOMENT, help=_("when it was discovered (default: now)"))
    p.add_argument("--description", required=True, metavar=_("TEXT"), help=_("what happened"))
    p.add_argument("--measures", default="", metavar=_("TEXT"), help=_("the measures taken"))
    p.set_defaults(handler=add)

    p = steps.add_parser("edit", help=_("change an incident (what is not given is kept)"))
    p.add_argument("id", type=parse_id, metavar=_("NUMBER"), help=_("the incident's number"))
    p.add_argument("--kind", metavar=_("KIND"), help=_kinds_help())
    p.add_argument("--happened", metavar=MOMENT, help=_("when it happened"))
    p.add_argument("--discovered", metavar=MOMENT, help=_("when it was discovered"))
    p.add_argument("--description", metavar=_("TEXT"), help=_("what happened"))
    p.add_argument("--measures", metavar=_("TEXT"), help=_("the measures taken"))
    p.set_defaults(handler=edit)

    p = steps.add_parser("list", help=_("list the incidents, the most recent first"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=list_incidents)

    p = steps.add_parser("report", help=_("make the notification report of an incident (PDF)"))
    p.add_argument("id", type=parse_id, metavar=_("NUMBER"), help=_("the incident's number"))
    p.add_argument(
        "-o", "--output", required=True, type=Path, metavar=_("FILE"), help=_("the PDF to write")
    )
    p.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
    p.set_defaults(handler=report)


def _kinds_help() -> str:
    return _("lost_device, wrong_disclosure, unauthorised_access or other")


@contextmanager
def _work(args: argparse.Namespace, *, write: bool = True) -> Iterator[tuple[Database, Work]]:
    """``context.work``, with the open database too (the report says whether it is encrypted)."""
    from desktop.cli.context import open_profile
    from desktop.services import workspace

    database = open_profile(args)
    try:
        with workspace.work(database, args.class_name, write=write) as unit:
            yield database, unit
    finally:
        database.close()


def add(args: argparse.Namespace) -> int:
    from desktop.domain.incidents import IncidentFacts, parse_kind, parse_moment
    from desktop.services import incidents
    from desktop.services.profile import effective_now

    kind, happened = parse_kind(args.kind), parse_moment(args.happened)
    with _work(args) as (_database, w):
        discovered = parse_moment(args.discovered) if args.discovered else effective_now(w.session)
        facts = IncidentFacts(kind, happened, discovered, args.description, args.measures)
        changes = incidents.add(w.session, facts, actor=w.actor)
    print(changes.summary)
    return 0


def edit(args: argparse.Namespace) -> int:
    from desktop.domain.incidents import IncidentFacts, parse_kind, parse_moment
    from desktop.services import incidents

    with _work(args) as (_database, w):
        old = incidents.get(w.session, args.id).facts
        facts = IncidentFacts(
            parse_kind(args.kind) if args.kind else old.kind,
            parse_moment(args.happened) if args.happened else old.occurred_at,
            parse_moment(args.discovered) if args.discovered else old.discovered_at,
            old.description if args.description is None else args.description,
            old.measures if args.measures is None else args.measures,
        )
        changes = incidents.edit(w.session, args.id, facts, actor=w.actor)
    print(changes.summary)
    return 0


def list_incidents(args: argparse.Namespace) -> int:
    from desktop.cli.output import print_json, print_table
    from desktop.domain import incidents as rules
    from desktop.domain.incidents import format_moment
    from desktop.services import incidents
    from desktop.services.profile import effective_now

    with _work(args, write=False) as (_database, w):
        found = incidents.incidents(w.session)
        now = effective_now(w.session)
    if args.json:
        print_json(found)
        return 0
    if not found:
        print(_("No incident is recorded."))
        return 0
    rows = []
    for incident in found:
        facts = incident.facts
        left = rules.hours_left(facts.occurred_at, now)
        rows.append(
            [
                incident.id,
                facts.kind.label,
                format_moment(facts.occurred_at),
                format_moment(facts.discovered_at),
                format_moment(rules.deadline(facts.occurred_at)),
                _("passed") if left is None else str(left),
                format_moment(incident.reported_at) if incident.reported_at else "–",
                " ".join(facts.description.split()),
            ]
        )
    print_table(
        [
            "ID",
            _("Kind of incident"),
            _("Happened"),
            _("Discovered"),
            _("Deadline"),
            _("Hours left"),
            _("Report made"),
            _("Description"),
        ],
        rows,
    )
    return 0


def report(args: argparse.Namespace) -> int:
    from desktop.errors import InvalidInput
    from desktop.reports import incident_report
    from desktop.reports.output import write_document

    target: Path = args.output
    if target.exists() and not args.force:
        raise InvalidInput(
            _("{path} already exists: choose another name, or add --force to replace it.").format(
                path=target
            )
        )
    # Written inside the transaction: the incident and the audit log say a report was made
    # only if the file is there.
    with _work(args) as (database, w):
        data = incident_report.render_incident_report(
            w.session, w.scope, args.id, encrypted=database.key is not None
        )
        written = write_document(target, data)
    print(_("The report of incident #{id} is written to {path}.").format(id=args.id, path=written))
    return 0
