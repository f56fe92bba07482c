"""A problem found in a class exchange file: where it is (a JSON pointer) and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.errors import ImportRejected
from desktop.i18n import _

MAX_PROBLEMS = 1000
"""Problems listed at most; the message always gives the full count."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (a JSON pointer, "" for the whole file) and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


def pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer: ``pointer("tables", "student", 3)`` is ``/tables/student/3``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def row_pointer(table: str, index: int, column: str | None = None) -> str:
    """Where row ``index`` of ``table`` (or one of its fields) is in the file."""
    if column is None:
        return pointer("tables", table, index)
    return pointer("tables", table, index, column)


def _file_order(problem: Problem) -> tuple[tuple[int, int, str], ...]:
    # Numeric parts compare as numbers, so problems read in the order of the file.
    parts = problem.where.split("/")[1:]
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def reject(problems: Sequence[Problem]) -> ImportRejected:
    """The error for a file with ``problems``, listed in file order (at most MAX_PROBLEMS)."""
    unique = sorted(dict.fromkeys(problems), key=_file_order)
    shown = [str(p) for p in unique[:MAX_PROBLEMS]]
    if len(unique) > MAX_PROBLEMS:
        shown.append(_("… and {count} more problems").format(count=len(unique) - MAX_PROBLEMS))
    return ImportRejected(
        _("The class file has {count} problem(s); nothing was imported.").format(count=len(unique)),
        shown,
    )
