"""Writing a workbook where the teacher chose: a clear sentence when it cannot be written."""

from __future__ import annotations

import os
import tempfile
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
            workbook.save(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        raise InvalidInput(_("The file {name} cannot be written.").format(name=path.name)) from None
