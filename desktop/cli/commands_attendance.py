"""``homeroom attendance ...``: roll call, the per-student totals against the limit, and the
absences no request explains (to follow up with the family)."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli import arguments
from desktop.cli.context import work
from desktop.cli.output import print_json, print_table
from desktop.cli.parsing import parse_date, parse_session
from desktop.domain.calendar import format_date
from desktop.i18n import _


def register(commands: Any) -> None:
    group = commands.add_parser("attendance", help=_("attendance (chuyên cần)"))
    sub = group.add_subparsers(dest="action", metavar=_("ACTION"), required=True)

    p = sub.add_parser("summary", help=_("absence totals per student, with warnings"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=attendance_summary)

    p = sub.add_parser("mark", help=_("record roll call for one student and session"))
    arguments.student(p)
    p.add_argument("date", type=parse_date, metavar=_("DATE"), help=_("dd/mm/yyyy"))
    p.add_argument("session", type=parse_session, metavar=_("SESSION"), help=_("sáng or chiều"))
    p.add_argument(
        "status",
        nargs="+",
        metavar=_("STATUS"),
        help=_(
            "có mặt, vắng (không phép), có phép, muộn, xoá (diacritics optional), "
            "or present, absent, excused, late, clear"
        ),
    )
    p.set_defaults(handler=attendance_mark)

    p = sub.add_parser("follow-up", help=_("roll-call absences that no request explains"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=attendance_follow_up)


def attendance_summary(args: argparse.Namespace) -> int:
    from desktop.services import attendance

    with work(args, write=False) as w:
        rows = attendance.summary(w.session, w.scope)
        limit = w.scope.policy.absence_limit if w.scope.policy.has_absence_limit else None
    if args.json:
        print_json(rows)
        return 0
    table = []
    for row in rows:
        if row.over_limit:
            note = _("over the limit of {limit} sessions").format(limit=limit)
        elif row.warning is not None:
            note = _("reached {count} sessions").format(count=row.warning)
        else:
            note = ""
        table.append(
            (
                row.student_code,
                row.student_name,
                row.excused,
                row.unexcused,
                row.late,
                row.total_absences,
                note,
            )
        )
    print_table(
        [
            _("Code"),
            _("Student"),
            _("Excused (P)"),
            _("Unexcused (K)"),
            _("Late"),
            _("Total"),
            _("Warning"),
        ],
        table,
    )
    return 0


def attendance_mark(args: argparse.Namespace) -> int:
    from desktop.domain.attendance import parse_observation
    from desktop.services import attendance
    from desktop.services.intents import perform

    observed = parse_observation(" ".join(args.status))
    with work(args) as w:
        student = attendance.find_student(w.session, w.scope, args.student)
        raw = {
            "student_id": student.id,
            "day": args.date.isoformat(),
            "session": args.session.value,
            "observed": observed.value if observed else None,
        }
        changes = perform(w.session, w.scope, "set_attendance", raw, actor=w.actor)
    print(changes.summary)
    return 0


def attendance_follow_up(args: argparse.Namespace) -> int:
    from desktop.services import attendance, attendance_month

    with work(args, write=False) as w:
        month = attendance_month.month_of(w.scope.calendar, w.today)
        grid = attendance_month.month_grid(w.session, w.scope, month=month, today=w.today)
    if args.json:
        print_json(
            [
                {
                    "student_id": item.student_id,
                    "student_code": item.code,
                    "student_name": item.name,
                    "day": item.day,
                    "session": item.session.value,
                }
                for item in grid.follow_up
            ]
        )
        return 0
    if not grid.follow_up:
        print(_("Every roll-call absence has a leave request."))
        return 0
    print_table(
        [_("Code"), _("Student"), _("Date"), _("Session")],
        [
            (item.code, item.name, format_date(item.day), attendance.session_label(item.session))
            for item in grid.follow_up
        ],
    )
    return 0
