"""The arguments several commands take, each declared once: its Vietnamese name in the usage
line, how its text is read, its help."""

from __future__ import annotations

import argparse

from desktop.cli.parsing import parse_id, parse_semester
from desktop.i18n import _


def student(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("student", metavar=_("STUDENT"), help=_("student code or id"))


def subject_and_semester(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("subject", metavar=_("SUBJECT"), help=_("subject code, e.g. TOAN"))
    parser.add_argument("semester", type=parse_semester, metavar=_("SEMESTER"), help=_("1 or 2"))


def request(parser: argparse.ArgumentParser) -> None:
    """A leave request's number, as ``args.id``."""
    parser.add_argument("id", type=parse_id, metavar=_("REQUEST"), help=_("the request's number"))


def expected_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version",
        type=int,
        metavar=_("NUMBER"),
        help=_("refuse if the request changed since this version"),
    )
