"""The log file of a run: ``homeroom.log`` in the log folder (``desktop.paths.log_dir``),
rotated at 1 MB with three old copies kept, warnings and errors only.

Messages name records by id, never by a person's name or phone number; an exception is written
as ``desktop.crash`` writes it (its type and frames), never with its text, which can carry a
name, a phone or a reason for leave (SQLAlchemy's errors quote the row's values). No Qt: the
window and the commands may both use it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType

from desktop import paths

MAX_BYTES = 1_000_000
BACKUPS = 3

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class PrivateFormatter(logging.Formatter):
    """One line per record; exceptions by type and frames only."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        # ``logging.Formatter`` reuses a traceback that another handler (a console, a test
        # runner's) formatted first and cached on the record, message included: never here.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: ExcInfo) -> str:  # noqa: N802 - logging's API
        from desktop.crash import crash_report

        kind, error, trace = ei
        if kind is None:
            return ""
        report = crash_report(kind, error, trace).splitlines()
        return "\n".join(report[2:])  # the version and platform header: already in the run


def log_to_file(folder: Path | None = None) -> logging.Handler:
    """Send this process's warnings and errors to ``homeroom.log`` in the log folder of the
    profile in ``folder``; the handler, to remove and close when done."""
    from logging.handlers import RotatingFileHandler  # after the frame: it costs a tenth of it

    target = paths.log_dir(folder)
    handler: logging.Handler
    try:
        # The profile's folder (the log sits in it), maybe made here first: its owner's alone.
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            target / paths.LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        # A folder that cannot be written to is the profile's problem, which opening it reports
        # in the teacher's words; the app must get that far.
        return logging.NullHandler()
    handler.setFormatter(PrivateFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.WARNING))
    return handler
