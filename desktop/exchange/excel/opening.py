"""Opening a workbook the teacher chose, safely: what is not an .xlsx (empty, an old .xls, a
password-protected workbook, a CSV renamed, a damaged file) or would unpack to too much (a zip
bomb) is refused with a clear sentence before openpyxl reads it."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from desktop.errors import InvalidInput
from desktop.i18n import _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""A class's workbook unpacks to a few megabytes; far more is a zip bomb or not ours."""
MAX_RATIO = 200
RATIO_FROM_BYTES = 10 * 1024 * 1024
"""Spreadsheet XML compresses well (a class's workbook about 5 times), but not beyond
MAX_RATIO once it is large (a bomb does, by far); a small file may compress as it likes."""

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                _("The file {name} is too large for a class workbook.").format(name=path.name)
            )
        return path.read_bytes()
    except OSError:
        raise InvalidInput(_("The file {name} cannot be read.").format(name=path.name)) from None


def open_workbook(path: Path) -> Workbook:
    """The workbook at ``path`` with its formulas as written (never their cached values)."""
    return open_bytes(read_bytes(path), name=path.name)


def open_bytes(data: bytes, *, name: str) -> Workbook:
    if not data:
        raise InvalidInput(_("The file {name} is empty.").format(name=name))
    if data.startswith(_OLE_MAGIC):
        raise InvalidInput(
            _(
                "The file {name} is an old Excel workbook (.xls) or is protected by a password; "
                "open it in Excel, remove the password and save it as .xlsx."
            ).format(name=name)
        )
    damaged = InvalidInput(
        _("The file {name} is damaged and cannot be opened as an Excel workbook.").format(name=name)
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK\x03\x04"):
            raise damaged  # an .xlsx cut short (a copy or a download that stopped)
        raise InvalidInput(
            _(
                "The file {name} is not an Excel workbook (.xlsx); a CSV or text file cannot be "
                "imported, save it as .xlsx in Excel."
            ).format(name=name)
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged from None
    unpacked = sum(member.file_size for member in members)
    suspicious = unpacked > RATIO_FROM_BYTES and unpacked > MAX_RATIO * len(data)
    if unpacked > MAX_UNPACKED_BYTES or suspicious:
        raise InvalidInput(
            _(
                "The file {name} would unpack to far more than a class workbook holds; it was "
                "not opened."
            ).format(name=name)
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise damaged
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles): not our concern.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a bad file
        raise damaged from None
