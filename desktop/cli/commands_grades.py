"""``homeroom grades ...``: results, completeness, entering and reviewing grades."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from desktop.cli import arguments
from desktop.cli.context import work
from desktop.cli.output import print_json, print_table
from desktop.cli.parsing import parse_id, parse_term
from desktop.errors import InvalidInput
from desktop.i18n import _, format_decimal

if TYPE_CHECKING:
    from desktop.services.grade_review_board import SubjectReview


def register(commands: Any) -> None:
    group = commands.add_parser("grades", help=_("the grade book (Circular 22)"))
    sub = group.add_subparsers(dest="action", metavar=_("ACTION"), required=True)

    p = sub.add_parser("report", help=_("averages, results, conduct, promotion"))
    p.add_argument(
        "--semester",
        type=parse_term,
        metavar=_("TERM"),
        help=_("1, 2 or cả năm (default: the current semester)"),
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=grades_report)

    p = sub.add_parser("completeness", help=_("missing, overdue and late entries"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=grades_completeness)

    p = sub.add_parser("set", help=_("enter or change one grade"))
    arguments.student(p)
    arguments.subject_and_semester(p)
    p.add_argument("column", metavar=_("COLUMN"), help=_("column: TX1, TX2, ..., GK, CK"))
    p.add_argument(
        "value",
        metavar=_("VALUE"),
        help=_("score 0-10 with at most one decimal, or Đ / CĐ"),
    )
    p.add_argument(
        "--reason",
        default="",
        metavar=_("TEXT"),
        help=_("required for a change after publication"),
    )
    p.set_defaults(handler=grades_set)

    p = sub.add_parser("review", help=_("mark a subject's entries reviewed, or send them back"))
    arguments.subject_and_semester(p)
    p.add_argument("--send-back", metavar=_("NOTE"), help=_("send back with this note"))
    p.add_argument(
        "--yes",
        action="store_true",
        help=_("mark reviewed even with missing entries, without asking"),
    )
    p.set_defaults(handler=grades_review)

    p = sub.add_parser("conduct", help=_("rate a student's conduct (rèn luyện)"))
    arguments.student(p)
    p.add_argument("term", type=parse_term, metavar=_("TERM"), help=_("1, 2 or cả năm (the year)"))
    p.add_argument("level", metavar=_("LEVEL"), help=_("Tốt, Khá, Đạt or Chưa đạt"))
    p.set_defaults(handler=grades_conduct)

    p = sub.add_parser("changes", help=_("grade changes awaiting the teacher's check"))
    p.add_argument("--all", action="store_true", help=_("include checked changes"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=grades_changes)

    p = sub.add_parser("check", help=_("mark a grade change checked, or query it"))
    p.add_argument(
        "id", type=parse_change_id, metavar=_("NUMBER"), help=_("the number in grades changes")
    )
    p.add_argument("--query", metavar=_("QUESTION"), help=_("ask the teacher who changed it"))
    p.set_defaults(handler=grades_check)


def parse_change_id(text: str) -> int:
    """A listed change's number; a provisional (negative) one is parsed too, so that ``check``
    can say why it cannot be checked yet."""
    cleaned = text.strip().lstrip("#")
    if cleaned.startswith("-") and cleaned[1:].isdigit():
        return int(cleaned)
    return parse_id(text)


def _column(text: str) -> tuple[str, int]:
    cleaned = text.strip().upper()
    kind, digits = cleaned[:2], cleaned[2:]
    if kind in ("GK", "CK") and digits in ("", "1"):
        return kind, 1
    if kind == "TX" and digits.isdigit():
        return kind, int(digits)
    raise argparse.ArgumentTypeError(
        _("'{text}' is not a grade column (use TX1..TX4, GK or CK).").format(text=text)
    )


def _level(value: str | None) -> str:
    from desktop.domain.grading import Level

    return Level(value).label if value else "–"


def grades_report(args: argparse.Namespace) -> int:
    from desktop.domain.grading import format_score_display
    from desktop.services import grade_report

    with work(args, write=False) as w:
        if args.semester is None:
            today = min(max(w.today, w.scope.calendar.first_day), w.scope.calendar.last_day)
            args.semester = str(w.scope.calendar.semester_of(today))
        rows = grade_report.report(w.session, w.scope, term=args.semester)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        return 0
    codes = [s.subject_code for s in rows[0].subjects]
    headers = [_("Code"), _("Student"), *codes, _("Academic"), _("Conduct")]
    if args.semester == "year":
        headers += [_("Absences"), _("Outcome"), _("Award")]
    table: list[list[object]] = []
    for row in rows:
        cells = [
            format_score_display(s.average) if s.average is not None else (s.result or "–")
            for s in row.subjects
        ]
        line: list[object] = [
            row.student_code,
            row.student_name,
            *cells,
            _level(row.academic),
            _level(row.conduct),
        ]
        if args.semester == "year":
            line += [row.absences, row.promotion_label or "", row.award_label or ""]
        table.append(line)
    print_table(headers, table)
    return 0


def grades_completeness(args: argparse.Namespace) -> int:
    from desktop.services import grade_report

    with work(args, write=False) as w:
        result = grade_report.completeness(w.session, w.scope, today=w.today)
    if args.json:
        print_json(result)
        return 0
    print(
        _("Entered {entered} of {expected} grades ({percent} %).").format(
            entered=result.entered,
            expected=result.expected,
            percent=format_decimal(str(result.percent)),
        )
    )
    print_table(
        [
            _("Subject"),
            _("Semester"),
            _("Expected"),
            _("Entered"),
            _("Missing"),
            _("Overdue"),
            _("Late"),
        ],
        [
            (r.subject_name, r.semester, r.expected, r.entered, r.missing, r.overdue, r.late)
            for r in result.subjects
        ],
    )
    return 0


def grades_set(args: argparse.Namespace) -> int:
    from desktop.services import grades
    from desktop.services.attendance import find_student
    from desktop.services.intents import perform

    try:
        kind, slot = _column(args.column)
    except argparse.ArgumentTypeError as exc:
        raise InvalidInput(str(exc)) from None
    with work(args) as w:
        student = find_student(w.session, w.scope, args.student)
        subject = grades.find_subject(w.session, w.scope, args.subject)
        entry = grades.find_entry(w.session, student.id, subject.id, args.semester, kind, slot)
        raw = {
            "student_id": student.id,
            "subject_code": subject.code,
            "semester": args.semester,
            "kind": kind,
            "slot": slot,
            "value": args.value,
            "reason": args.reason,
            "base_version": entry.version if entry else 0,
        }
        changes = perform(w.session, w.scope, "set_grade", raw, actor=w.actor)
    print(changes.summary)
    return 0


def grades_review(args: argparse.Namespace) -> int:
    from desktop.services import grade_review_board as review_board
    from desktop.services.intents import perform

    if args.send_back is None:
        with work(args, write=False) as w:
            row = review_board.subject_review(
                w.session, w.scope, subject_code=args.subject, semester=args.semester, today=w.today
            )
        if row.missing and args.yes:
            print(_("Warning: {text}").format(text=review_board.missing_text(row)))
        elif row.missing and not _confirmed(row):
            print(_("Nothing was marked."))
            return 1
    with work(args) as w:
        raw = {
            "subject_code": args.subject,
            "semester": args.semester,
            "send_back": args.send_back is not None,
            "note": args.send_back or "",
        }
        changes = perform(w.session, w.scope, "review_subject", raw, actor=w.actor)
    print(changes.summary)
    return 0


YES_WORDS = frozenset({"c", "có", "co", "y", "yes"})


def _confirmed(row: SubjectReview) -> bool:
    """Mark reviewed with missing entries only if the teacher says so: asked at a terminal,
    refused (with how to say yes) when nobody can answer."""
    from desktop.services import grade_review_board as review_board

    warning = review_board.missing_text(row)
    if not sys.stdin.isatty():
        raise InvalidInput(
            warning + " " + _("Nothing was marked; add --yes to mark the entries reviewed anyway.")
        )
    print(_("Warning: {text}").format(text=warning))
    try:
        answer = input(_("Mark them reviewed anyway? [y/N] "))
    except EOFError:
        return False
    return answer.strip().lower() in YES_WORDS


def grades_conduct(args: argparse.Namespace) -> int:
    from desktop.domain.grading import parse_level
    from desktop.services.attendance import find_student
    from desktop.services.intents import perform

    with work(args) as w:
        student = find_student(w.session, w.scope, args.student)
        raw = {
            "student_id": student.id,
            "term": 0 if args.term == "year" else int(args.term),
            "level": parse_level(args.level).value,
        }
        changes = perform(w.session, w.scope, "set_conduct", raw, actor=w.actor)
    print(changes.summary)
    return 0


def grades_changes(args: argparse.Namespace) -> int:
    from desktop.services import grade_review_board as review_board

    with work(args, write=False) as w:
        rows = review_board.changes_to_check(w.session, w.scope, open_only=not args.all)
    if args.json:
        print_json(rows)
        return 0
    print_table(
        [
            _("No."),
            _("Student"),
            _("Subject"),
            _("Column"),
            _("Old"),
            _("New"),
            _("By"),
            _("Reason"),
            _("State"),
        ],
        [
            (
                "–" if r.waiting_for_sync else r.id,
                r.student_name,
                r.subject_code,
                f"{r.semester}/{r.column}",
                r.shown_old,
                r.shown_new,
                r.changed_by,
                r.reason,
                r.state_label,
            )
            for r in rows
        ],
    )
    if any(r.waiting_for_sync for r in rows):
        print(
            _(
                "Changes marked “–” were made on this computer: they get their number at the "
                "next sync and can be checked then."
            )
        )
    return 0


def grades_check(args: argparse.Namespace) -> int:
    from desktop.services import grade_review_board as review_board
    from desktop.services.intents import perform

    with work(args) as w:
        review_board.require_checkable(w.session, w.scope, change_id=args.id)
        raw = {"change_id": args.id, "query_note": args.query}
        changes = perform(w.session, w.scope, "check_grade_change", raw, actor=w.actor)
    print(changes.summary)
    return 0
