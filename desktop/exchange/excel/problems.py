"""A problem found in a workbook: the sheet, row and column it is in, the value and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.errors import ImportRejected
from desktop.exchange.problems import MAX_PROBLEMS
from desktop.i18n import _


@dataclass(frozen=True)
class CellProblem:
    """One thing wrong: ``row`` and ``column`` (a letter) are ``0``/``""`` for a whole sheet
    or file; ``value`` is the cell's content as the teacher typed it."""

    sheet: str
    row: int
    column: str
    value: str
    why: str

    @property
    def where(self) -> str:
        place = f"{self.column}{self.row}" if self.row else self.column
        return f"{self.sheet}!{place}" if place else self.sheet

    def __str__(self) -> str:
        shown = f" ({self.value})" if self.value else ""
        return f"{self.where}{shown}: {self.why}" if self.where else self.why


class WorkbookRejected(ImportRejected):
    """A workbook with problems; nothing was imported. ``cells`` keeps them structured."""

    def __init__(self, message: str, cells: Sequence[CellProblem]) -> None:
        super().__init__(message, [str(p) for p in cells[:MAX_PROBLEMS]])
        self.cells = tuple(cells)


def _order(problem: CellProblem) -> tuple[str, int, int, str]:
    return (problem.sheet, problem.row, len(problem.column), problem.column)


def reject(problems: Sequence[CellProblem]) -> WorkbookRejected:
    """The error for a workbook with ``problems``, in the order of the sheet."""
    unique = sorted(dict.fromkeys(problems), key=_order)
    return WorkbookRejected(
        _("The workbook has {count} problem(s); nothing was imported.").format(count=len(unique)),
        unique,
    )
