"""Writing a workbook where the teacher chose: a clear sentence when it cannot be written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from openpyxl import Workbook

from desktop.errors import InvalidInput
from desktop.i18n import _


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Written next to ``path`` first and then renamed, so a failure leaves no half file."""
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=".homeroom-", suffix=".xlsx", dir=path.parent or Path(".")
        )
        os.close(handle)
        try:
            with _sheet_files_removed():
                workbook.save(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        raise InvalidInput(_("The file {name} cannot be written.").format(name=path.name)) from None


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
