"""Writing a workbook where the teacher chose: a clear sentence when it cannot be written."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from openpyxl import Workbook

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.reports.output import write_document
from desktop.validation_text import os_error_reason


def save_workbook(workbook: Workbook, path: Path) -> None:
    """The workbook is made in memory and then written as one document: openpyxl leaves its
    archive open when writing to a full disk fails, and the archive then raised again, in
    English, when the garbage collector closed it."""
    archive = io.BytesIO()
    with _sheet_files_removed():
        try:
            workbook.save(archive)
        except OSError as error:
            # Only the sheet files in the temporary folder touch the disk here.
            raise InvalidInput(
                _("Cannot write {path}: {error}").format(path=path, error=os_error_reason(error))
            ) from error
    write_document(path, archive.getvalue())


@contextmanager
def _sheet_files_removed() -> Iterator[None]:
    """openpyxl writes each sheet's XML, the class's names and phones in clear, to a file in
    the temporary folder, and removes it only once the sheet is in the workbook: when writing
    the workbook fails (a full disk), the file stays until the process ends, and for good if
    it is killed. Its list of those files is the only handle on them (saves run one at a time,
    on one lane, so the new ones are this save's)."""
    from openpyxl.worksheet import _writer

    before = set(_writer.ALL_TEMP_FILES)
    try:
        yield
    finally:
        for leftover in [name for name in _writer.ALL_TEMP_FILES if name not in before]:
            with suppress(OSError):
                os.remove(leftover)
            _writer.ALL_TEMP_FILES.remove(leftover)
