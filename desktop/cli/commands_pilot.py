"""``homeroom pilot note|notes|edit|delete``: the problems the teacher notes during the pilot,
for the pilot report (kept in the profile, never synced)."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.i18n import _

# Only argparse and the translations at import: the services load when a command runs.


def register(commands: Any) -> None:
    pilot = commands.add_parser("pilot", help=_("problems noted during the pilot"))
    actions = pilot.add_subparsers(dest="pilot_command", metavar=_("ACTION"), required=True)

    p = actions.add_parser("note", help=_("write down a problem with the pilot"))
    p.add_argument("text", metavar=_("TEXT"), help=_("what went wrong"))
    _note_options(p, default_hint=_("the day it happened (default: today)"))
    p.set_defaults(handler=add_note)

    p = actions.add_parser("edit", help=_("change a note"))
    p.add_argument("id", metavar=_("NUMBER"), help=_("the note's number"))
    p.add_argument("text", nargs="?", metavar=_("TEXT"), help=_("the new text (default: kept)"))
    _note_options(p, default_hint=_("the day it happened (default: kept)"))
    p.set_defaults(handler=edit_note)

    p = actions.add_parser("notes", help=_("list the notes, newest first"))
    p.add_argument("--from", dest="first", metavar="dd/mm/yyyy", help=_("the period's first day"))
    p.add_argument("--to", dest="last", metavar="dd/mm/yyyy", help=_("the period's last day"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=list_notes)

    p = actions.add_parser("delete", help=_("delete a note"))
    p.add_argument("id", metavar=_("NUMBER"), help=_("the note's number"))
    p.set_defaults(handler=delete_note)


def _note_options(p: argparse.ArgumentParser, *, default_hint: str) -> None:
    p.add_argument("--category", metavar=_("KIND"), help=_category_help())
    p.add_argument("--date", dest="day", metavar="dd/mm/yyyy", help=default_hint)


def _category_help() -> str:
    return _("connection, registration, app, procedure or other")


def _parsed(parse: Any, text: str) -> Any:
    """``parse(text)``, its complaint as bad input (the exit code and message of a command)."""
    from desktop.errors import InvalidInput

    try:
        return parse(text)
    except argparse.ArgumentTypeError as error:
        raise InvalidInput(str(error)) from None


def add_note(args: argparse.Namespace) -> int:
    from desktop.cli.context import work
    from desktop.cli.parsing import parse_date
    from desktop.services import pilot_notes

    category = pilot_notes.parse_category(args.category or "")
    with work(args) as w:
        day = _parsed(parse_date, args.day) if args.day else w.today
        changes = pilot_notes.add(w.session, day=day, text=args.text, category=category)
    print(changes.summary)
    return 0


def edit_note(args: argparse.Namespace) -> int:
    from desktop.cli.context import work
    from desktop.cli.parsing import parse_date, parse_id
    from desktop.services import pilot_notes

    note_id = _parsed(parse_id, args.id)
    with work(args) as w:
        note = pilot_notes.get(w.session, note_id)
        category = (
            pilot_notes.parse_category(args.category)
            if args.category is not None
            else note.category
        )
        changes = pilot_notes.edit(
            w.session,
            note_id,
            day=_parsed(parse_date, args.day) if args.day else note.day,
            text=args.text if args.text is not None else note.text,
            category=category,
        )
    print(changes.summary)
    return 0


def list_notes(args: argparse.Namespace) -> int:
    from desktop.cli.context import work
    from desktop.cli.output import print_json, print_table
    from desktop.cli.parsing import parse_date
    from desktop.domain.calendar import format_date
    from desktop.services import pilot_notes

    first = _parsed(parse_date, args.first) if args.first else None
    last = _parsed(parse_date, args.last) if args.last else None
    with work(args, write=False) as w:
        noted = pilot_notes.notes(w.session, first=first, last=last)
    if args.json:
        print_json(noted)
        return 0
    if not noted:
        print(_("No problems noted."))
        return 0
    print_table(
        [_("ID"), _("Date"), _("Category"), _("What happened")],
        [[n.id, format_date(n.day), pilot_notes.category_label(n.category), n.text] for n in noted],
    )
    return 0


def delete_note(args: argparse.Namespace) -> int:
    from desktop.cli.context import work
    from desktop.cli.parsing import parse_id
    from desktop.services import pilot_notes

    note_id = _parsed(parse_id, args.id)
    with work(args) as w:
        changes = pilot_notes.delete(w.session, note_id)
    print(changes.summary)
    return 0
