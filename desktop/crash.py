"""Crash logs that hold no personal data, for errors nobody expected (bugs).

A crash log is what a teacher sends to the school's IT contact, so it carries only what finds
the bug: the app version, the exception's type and where it happened (file, line, function of
each frame, chained exceptions too). Never the exception's message or local variables: a
message can carry a student's name, a phone number or a reason for leave. File paths are cut to
the part inside the package (a home folder may be named after its owner).
"""

from __future__ import annotations

import platform
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from desktop import __version__, paths

MAX_LOG_BYTES = 1_000_000
"""Past this size the log is moved to ``crash.log.1`` (one old copy kept)."""

_PROJECT_ROOT = Path(__file__).resolve().parent.parent
_PACKAGE_FOLDERS = ("site-packages", "dist-packages")


def crash_report(
    error_type: type[BaseException],
    error: BaseException | None,
    trace: TracebackType | None,
    *,
    thread: str | None = None,
    now: datetime | None = None,
) -> str:
    """The text of one crash: a header line, then each exception's type and frames."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"=== Homeroom {__version__} at {when}"
        + (f" in thread {_safe_thread_name(thread)}" if thread else ""),
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
    ]
    for index, (kind, frames) in enumerate(_chain(error_type, error, trace)):
        lines.append(("" if index == 0 else "while handling or caused by ") + _type_name(kind))
        lines.extend(
            f"  {_short_path(frame.filename)}:{frame.lineno} in {frame.name}" for frame in frames
        )
    return "\n".join(lines) + "\n"


def write_crash_log(report: str, folder: Path | None = None) -> Path:
    """Append ``report`` to the crash log in ``folder`` (default: the log folder); its path."""
    target = paths.log_dir(folder) / paths.CRASH_FILE
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the profile's folder
    if target.exists() and target.stat().st_size > MAX_LOG_BYTES:
        target.replace(target.with_name(target.name + ".1"))
    with target.open("a", encoding="utf-8") as log:
        log.write(report + "\n")
    return target


def _chain(
    error_type: type[BaseException], error: BaseException | None, trace: TracebackType | None
) -> Iterator[tuple[type[BaseException], traceback.StackSummary]]:
    """The exception, then the ones it was raised from or while handling (each once)."""
    yield error_type, traceback.extract_tb(trace)
    seen = {id(error)}
    current = error
    while current is not None:
        following = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
        if following is None or id(following) in seen:
            return
        seen.add(id(following))
        yield type(following), traceback.extract_tb(following.__traceback__)
        current = following


def _type_name(kind: type[BaseException]) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _short_path(filename: str) -> str:
    """``desktop/ui/x.py`` or ``PySide6/...``: the part after the project or site-packages
    folder; only the file name for anything else."""
    path = Path(filename)
    for index in range(len(path.parts) - 1, -1, -1):
        if path.parts[index] in _PACKAGE_FOLDERS:
            return "/".join(path.parts[index + 1 :])
    try:
        return path.resolve().relative_to(_PROJECT_ROOT).as_posix()
    except (OSError, ValueError):
        return path.name


def _safe_thread_name(name: str) -> str:
    # Thread names are set by code, but keep the log one line per field whatever they hold.
    return "".join(ch for ch in name if ch.isprintable())[:60]
