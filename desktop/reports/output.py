"""Writing a finished document where the teacher asked for it.

The bytes go to a hidden temporary file beside the target, are flushed to disk and only then
renamed over it: a crash or a full disk leaves the old file or the new one, never half a PDF,
and nothing is left behind in a temporary folder (the forms hold personal data of minors).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.validation_text import os_error_reason


def write_document(path: Path, data: bytes) -> Path:
    """Write ``data`` at ``path`` (replacing it); the absolute path written."""
    target = Path(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InvalidInput(
            _("Cannot write {path}: {error}").format(path=path, error=os_error_reason(error))
        ) from error
    return target
