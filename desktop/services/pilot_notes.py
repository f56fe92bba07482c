"""Problems the teacher notes during the pilot ("phụ huynh không nhận được mã OTP"), with the
day they happened and an optional category, for the pilot report to the Department.

The notes stay in the profile's database: they are the teacher's own record, never sent to the
server (``desktop.sync.rows.LOCAL_ONLY``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound
from desktop.i18n import N_, _
from desktop.models import PilotNote
from desktop.models.base import utc_now
from desktop.services.changes import Changes

ENTITY = "pilot_note"
MAX_LENGTH = 2000
"""Characters of one note: a few paragraphs, enough for what went wrong and what was done."""


class Category(StrEnum):
    CONNECTION = "connection"
    REGISTRATION = "registration"
    APP = "app"
    PROCEDURE = "procedure"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(_LABELS[self])


_LABELS = {
    Category.CONNECTION: N_("Connection"),
    Category.REGISTRATION: N_("Parents' registration"),
    Category.APP: N_("The app"),
    Category.PROCEDURE: N_("The procedure"),
    Category.OTHER: N_("Other"),
}


def category_label(category: Category | None) -> str:
    return category.label if category is not None else _("No category")


def parse_category(text: str) -> Category | None:
    """A category from its value or its label in the teacher's language ("" is none)."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for category in Category:
        if wanted in (category.value, category.label.casefold()):
            return category
    choices = ", ".join(category.value for category in Category)
    raise InvalidInput(
        _("'{text}' is not a category of problem (use one of: {choices}).").format(
            text=text, choices=choices
        )
    )


@dataclass(frozen=True)
class Note:
    id: int
    day: date
    category: Category | None
    text: str


def _note(row: PilotNote) -> Note:
    return Note(row.id, row.day, Category(row.category) if row.category else None, row.text)


def _checked_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(_("Write what went wrong before saving the note."))
    if len(cleaned) > MAX_LENGTH:
        raise InvalidInput(
            _("A note holds at most {count} characters; this one has {length}.").format(
                count=MAX_LENGTH, length=len(cleaned)
            )
        )
    return cleaned


def _get(session: Session, note_id: int) -> PilotNote:
    row = session.get(PilotNote, note_id)
    if row is None:
        raise NotFound(_("There is no pilot note #{id}.").format(id=note_id))
    return row


def get(session: Session, note_id: int) -> Note:
    return _note(_get(session, note_id))


def add(session: Session, *, day: date, text: str, category: Category | None = None) -> Changes:
    row = PilotNote(
        day=day,
        category=category.value if category else None,
        text=_checked_text(text),
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    return Changes.of(_("Note #{id} recorded.").format(id=row.id), **{ENTITY: [row.id]})


def edit(
    session: Session, note_id: int, *, day: date, text: str, category: Category | None
) -> Changes:
    row = _get(session, note_id)
    row.day = day
    row.text = _checked_text(text)
    row.category = category.value if category else None
    row.updated_at = utc_now()
    session.flush()
    return Changes.of(_("Note #{id} changed.").format(id=note_id), **{ENTITY: [note_id]})


def delete(session: Session, note_id: int) -> Changes:
    session.delete(_get(session, note_id))
    session.flush()
    return Changes.of(_("Note #{id} deleted.").format(id=note_id), **{ENTITY: [note_id]})


def notes(session: Session, *, first: date | None = None, last: date | None = None) -> list[Note]:
    """The notes of the days ``first``-``last`` (either end open), newest first."""
    query = select(PilotNote).order_by(PilotNote.day.desc(), PilotNote.id.desc())
    if first is not None:
        query = query.where(PilotNote.day >= first)
    if last is not None:
        query = query.where(PilotNote.day <= last)
    return [_note(row) for row in session.scalars(query)]


def by_category(noted: list[Note]) -> list[tuple[Category | None, int]]:
    """How many of ``noted`` fall in each category, in the list's order, then those without."""
    counts = Counter(note.category for note in noted)
    order: list[Category | None] = [*Category, None]
    return [(category, counts[category]) for category in order]
