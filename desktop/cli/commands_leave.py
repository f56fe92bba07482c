"""``homeroom leave ...`` and ``homeroom audit ...``: deciding requests and post-audits."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli import arguments
from desktop.cli.context import work
from desktop.cli.output import print_json, print_table
from desktop.cli.parsing import choice_of, labels_of, parse_date
from desktop.domain.leave import AuditMethod, AuditOutcome, LeaveStatus
from desktop.i18n import _

Subparsers = Any


def register(commands: Subparsers) -> None:
    group = commands.add_parser("leave", help=_("leave-of-absence requests"))
    sub = group.add_subparsers(dest="action", metavar=_("ACTION"), required=True)

    p = sub.add_parser("list", help=_("list the class's requests"))
    p.add_argument(
        "--status",
        type=choice_of(LeaveStatus),
        metavar=_("STATUS"),
        help=_("only this status: {choices}").format(choices=labels_of(LeaveStatus)),
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=leave_list)

    p = sub.add_parser("show", help=_("show one request"))
    arguments.request(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=leave_show)

    p = sub.add_parser("approve", help=_("approve a request"))
    arguments.request(p)
    p.add_argument("--note", default="", metavar=_("TEXT"), help=_("note for the parent"))
    arguments.expected_version(p)
    p.set_defaults(handler=leave_approve)

    p = sub.add_parser("reject", help=_("reject a request (a reason is required)"))
    arguments.request(p)
    p.add_argument("--reason", required=True, metavar=_("TEXT"), help=_("why, shown to the parent"))
    arguments.expected_version(p)
    p.set_defaults(handler=leave_reject)

    p = sub.add_parser("original", help=_("record that the paper original was handed in"))
    arguments.request(p)
    p.add_argument(
        "--date",
        type=parse_date,
        metavar="dd/mm/yyyy",
        help=_("day it was received (default: today)"),
    )
    p.set_defaults(handler=leave_original)

    p = sub.add_parser("signoff", help=_("record the principal's sign-off of a special case"))
    arguments.request(p)
    p.add_argument("--by", required=True, metavar=_("NAME"), help=_("the principal's name"))
    p.add_argument(
        "--date",
        type=parse_date,
        metavar="dd/mm/yyyy",
        help=_("day of the sign-off (default: today)"),
    )
    p.set_defaults(handler=leave_signoff)

    p = sub.add_parser("verify", help=_("check a printed form's verification code"))
    p.add_argument("code", metavar=_("CODE"), help=_("the code under the QR, e.g. HR-123-ABCD2345"))
    p.set_defaults(handler=leave_verify)

    audit = commands.add_parser("audit", help=_("post-audit (hậu kiểm) of approved requests"))
    asub = audit.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    p = asub.add_parser("select", help=_("draw the post-audit sample and record it"))
    p.add_argument(
        "--seed", type=int, default=2025, metavar=_("NUMBER"), help=_("seed of the random share")
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=audit_select)

    p = asub.add_parser("record", help=_("record the outcome of a post-audit"))
    arguments.request(p)
    p.add_argument(
        "--method",
        required=True,
        type=choice_of(AuditMethod),
        metavar=_("METHOD"),
        help=labels_of(AuditMethod),
    )
    p.add_argument(
        "--outcome",
        required=True,
        type=choice_of(AuditOutcome),
        metavar=_("OUTCOME"),
        help=labels_of(AuditOutcome),
    )
    p.add_argument("--note", default="", metavar=_("TEXT"), help=_("what was found"))
    p.set_defaults(handler=audit_record)


def leave_list(args: argparse.Namespace) -> int:
    from desktop.services import leave, leave_text

    with work(args, write=False) as w:
        rows = leave.list_requests(w.session, w.scope, status=args.status, today=w.today)
    if args.json:
        print_json(rows)
        return 0
    print_table(
        [_("No."), _("Student"), _("Leave"), _("Sessions"), _("Level"), _("State"), _("Flags")],
        [
            (
                r.id,
                r.student_name,
                leave_text.period(r),
                r.sessions,
                r.channel,
                r.state_label,
                leave_text.flags(r),
            )
            for r in rows
        ],
    )
    return 0


def leave_show(args: argparse.Namespace) -> int:
    from desktop.services import leave, leave_text

    with work(args, write=False) as w:
        row = leave.show(w.session, w.scope, args.id, today=w.today)
    if args.json:
        print_json(row)
        return 0
    for label, value in leave_text.details(row):
        print(f"{label}: {value}" if label else value)
    return 0


def _decide(args: argparse.Namespace, *, approve: bool, note: str) -> int:
    from desktop.services import leave
    from desktop.services.intents import perform

    with work(args) as w:
        current = leave.get_request(w.session, w.scope, args.id).version
        changes = perform(
            w.session,
            w.scope,
            "decide_leave",
            {
                "request_id": args.id,
                "approve": approve,
                "note": note,
                "base_version": args.version if args.version is not None else current,
            },
            actor=w.actor,
        )
    print(changes.summary)
    return 0


def leave_approve(args: argparse.Namespace) -> int:
    return _decide(args, approve=True, note=args.note)


def leave_reject(args: argparse.Namespace) -> int:
    return _decide(args, approve=False, note=args.reason)


def leave_original(args: argparse.Namespace) -> int:
    from desktop.services.intents import perform

    with work(args) as w:
        raw = {"request_id": args.id, "received_on": (args.date or w.today).isoformat()}
        changes = perform(w.session, w.scope, "receive_original", raw, actor=w.actor)
    print(changes.summary)
    return 0


def leave_signoff(args: argparse.Namespace) -> int:
    from desktop.services.intents import perform

    with work(args) as w:
        raw = {"request_id": args.id, "by": args.by, "on": (args.date or w.today).isoformat()}
        changes = perform(w.session, w.scope, "record_signoff", raw, actor=w.actor)
    print(changes.summary)
    return 0


def leave_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the paper matches the record, 1 otherwise; the sentence says why."""
    from desktop.reports.verification import verify

    with work(args, write=False) as w:
        verdict = verify(w.session, w.scope, args.code)
    print(verdict.sentence)
    return 0 if verdict.matches else 1


def audit_select(args: argparse.Namespace) -> int:
    from desktop.services import post_audit
    from desktop.services.intents import perform

    with work(args) as w:
        selected = post_audit.draw_sample(w.session, w.scope, seed=args.seed)
        for item in selected:
            raw = {"request_id": item.request_id, "reasons": item.reasons, "seed": args.seed}
            perform(w.session, w.scope, "select_for_audit", raw, actor=w.actor)
    if args.json:
        print_json(selected)
        return 0
    print(_("{count} requests selected for post-audit.").format(count=len(selected)))
    print_table(
        [_("No."), _("Student"), _("Why selected")],
        [(s.request_id, s.student_name, "; ".join(s.reason_labels)) for s in selected],
    )
    return 0


def audit_record(args: argparse.Namespace) -> int:
    from desktop.services.intents import perform

    with work(args) as w:
        raw = {
            "request_id": args.id,
            "method": args.method,
            "outcome": args.outcome,
            "note": args.note,
        }
        changes = perform(w.session, w.scope, "record_audit", raw, actor=w.actor)
    print(changes.summary)
    marks = changes.ids("attendance_mark")
    if marks:
        print(_("{count} attendance marks changed.").format(count=len(marks)))
    return 0
