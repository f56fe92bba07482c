"""``homeroom attendance ...``: roll call and the per-student totals against the limit."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.context import work
from desktop.cli.output import print_json, print_table
from desktop.cli.parsing import parse_date, parse_session
from desktop.domain.attendance import Observation
from desktop.i18n import _
from desktop.services import attendance
from desktop.services.intents import perform

OBSERVATION_WORDS = {
    "present": Observation.PRESENT,
    "absent": Observation.ABSENT,
    "late": Observation.LATE,
    "excused": Observation.EXCUSED_BY_TEACHER,
}


def register(commands: Any) -> None:
    group = commands.add_parser("attendance", help=_("attendance (chuyên cần)"))
    sub = group.add_subparsers(dest="action", metavar=_("ACTION"), required=True)

    p = sub.add_parser("summary", help=_("absence totals per student, with warnings"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=attendance_summary)

    p = sub.add_parser("mark", help=_("record roll call for one student and session"))
    p.add_argument("student", help=_("student code or id"))
    p.add_argument("date", type=parse_date)
    p.add_argument("session", type=parse_session)
    p.add_argument("status", choices=list(OBSERVATION_WORDS))
    p.set_defaults(handler=attendance_mark)


def attendance_summary(args: argparse.Namespace) -> int:
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
    with work(args) as w:
        student = attendance.find_student(w.session, w.scope, args.student)
        observed = OBSERVATION_WORDS[args.status]
        raw = {
            "student_id": student.id,
            "day": args.date.isoformat(),
            "session": args.session.value,
            "observed": observed.value if observed else None,
        }
        changes = perform(w.session, w.scope, "set_attendance", raw, actor=w.actor)
    print(changes.summary)
    return 0
