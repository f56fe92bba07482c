"""Writing a finished PDF where the teacher chose, whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.validation_text import os_error_reason


def write_pdf(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` exactly. The bytes go to a hidden file in the same folder
    first and are renamed over ``path`` once on disk, so a full disk or a pulled USB stick
    leaves the old file or the new one, never half a PDF (and never a copy in a temporary
    folder: the forms hold minors' personal data)."""
    target = Path(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise InvalidInput(
            _("Cannot write {path}: {error}").format(path=path, error=os_error_reason(error))
        ) from error
