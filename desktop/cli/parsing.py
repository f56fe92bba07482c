"""Parsing what the user types: dates, sessions, ids, with messages in the user's language."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from desktop.domain.calendar import Session
from desktop.domain.names import search_key
from desktop.i18n import _

SESSION_WORDS = {
    "morning": Session.MORNING,
    "sang": Session.MORNING,
    "sáng": Session.MORNING,
    "am": Session.MORNING,
    "afternoon": Session.AFTERNOON,
    "chieu": Session.AFTERNOON,
    "chiều": Session.AFTERNOON,
    "pm": Session.AFTERNOON,
}


def parse_date(text: str) -> date:
    """``dd/mm/yyyy`` (what users see) or ISO ``yyyy-mm-dd``."""
    cleaned = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        _("'{text}' is not a valid date (use dd/mm/yyyy).").format(text=text)
    )


def parse_session(text: str) -> Session:
    try:
        return SESSION_WORDS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a session (use morning or afternoon).").format(text=text)
        ) from None


SEMESTER_WORDS = {"1": 1, "i": 1, "hk1": 1, "2": 2, "ii": 2, "hk2": 2}
YEAR_WORDS = ("year", "ca nam", "canam")


def parse_semester(text: str) -> int:
    """1 or 2, also as the Roman numerals the school writes (``II``) or ``HK2``."""
    try:
        return SEMESTER_WORDS[search_key(text).replace(" ", "")]
    except KeyError:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a semester (use 1 or 2).").format(text=text)
        ) from None


def parse_term(text: str) -> str:
    """A semester ("1", "2") or the whole year ("year"; in Vietnamese "cả năm")."""
    if search_key(text) in YEAR_WORDS:
        return "year"
    try:
        return str(parse_semester(text))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a term (use 1, 2 or cả năm).").format(text=text)
        ) from None


def parse_id(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit():
        raise argparse.ArgumentTypeError(_("'{text}' is not a valid id.").format(text=text))
    return int(cleaned)


class Labelled(Protocol):
    value: str

    @property
    def label(self) -> str: ...


def choice_of(kind: type[StrEnum]) -> Callable[[str], str]:
    """A parser of one of ``kind``'s values, typed as its code (``approved``) or as its label in
    the user's language, diacritics optional, whole or in part as long as one label holds it:
    "đã duyệt", "da duyet", "goi dien", "tu choi". Returns the code."""

    def parse(text: str) -> str:
        wanted = search_key(text)
        members: list[Labelled] = list(kind)
        for member in members:
            if wanted in (member.value, search_key(member.label)):
                return member.value
        holding = [m for m in members if wanted and wanted in search_key(m.label)]
        if len(holding) == 1:
            return holding[0].value
        raise argparse.ArgumentTypeError(
            _("'{text}' is not one of: {choices}.").format(text=text, choices=labels_of(kind))
        )

    return parse


def labels_of(kind: type[StrEnum]) -> str:
    """``kind``'s labels in the user's language, for a help text or a refusal."""
    members: list[Labelled] = list(kind)
    return "; ".join(member.label for member in members)
