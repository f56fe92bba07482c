"""Benchmark of printing from the window (issue 9): the longest stall of the GUI thread while
the print preview prints 100 leave forms to a PDF-file ``QPrinter`` (the real Qt print path,
pages drawn at the printer's resolution up to 300 dpi), measured with a 5 ms timer heartbeat
as in ``bench/ui.py``, against the heartbeat's own longest gap on an idle loop (target: under
50 ms).

The forms come from ``desktop.reports.leave_form.render_leave_forms`` on the demo profile's
approved requests (repeated up to 100).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/print_window.py``; ``measure(root,
check)`` is what a combined ``bench/print.py`` calls.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMS = 100
STALL_MS = 50.0
Check = Callable[[str, str, str, bool], None]


def approved_requests(database: Any, count: int) -> list[int]:
    """``count`` approved requests of the demo class: copies of its approved ones where it has
    fewer (the forms print a repeated id once)."""
    from sqlalchemy import select

    from desktop.models import LeaveRequest

    with database.transaction() as session:
        approved = list(
            session.scalars(select(LeaveRequest).where(LeaveRequest.status == "approved"))
        )
        for index in range(max(0, count - len(approved))):
            source = approved[index % len(approved)]
            columns = LeaveRequest.__table__.columns
            session.add(
                LeaveRequest(**{c.key: getattr(source, c.key) for c in columns if c.key != "id"})
            )
        session.flush()
        query = select(LeaveRequest.id).where(LeaveRequest.status == "approved")
        return list(session.scalars(query.order_by(LeaveRequest.id).limit(count)))


def wait_until(condition: Callable[[], bool], timeout_s: float = 600.0) -> None:
    """Qt's event loop until ``condition`` holds (checked by a 1 ms timer, as in the app: the
    GUI thread sleeps in between)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError("printing did not finish in time")


def heartbeat_gaps(until: Callable[[], bool]) -> float:
    """The longest gap between beats of a 5 ms timer on the GUI thread until ``until``."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]
    longest = [0]

    def beat() -> None:
        now = clock.elapsed()
        longest[0] = max(longest[0], now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(beat)
    timer.start()
    wait_until(until)
    timer.stop()
    return float(longest[0])


def measure(root: Path, check: Check) -> None:
    """Print 100 forms from the preview into a PDF file under ``root``; ``check`` gets the
    verdict on the longest GUI-thread stall."""
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from desktop.cli.main import main as homeroom
    from desktop.models.db import open_database
    from desktop.reports.leave_form import render_leave_forms
    from desktop.services import workspace
    from desktop.ui.printing.preview import PrintPreview
    from desktop.ui.tasks import TaskRunner

    assert homeroom(["--data-dir", str(root / "window"), "init", "--demo"]) == 0
    database = open_database(root / "window" / "homeroom.sqlite3")
    chosen = approved_requests(database, FORMS)
    source = "desktop.reports.leave_form.render_leave_forms"

    def make() -> bytes:
        with workspace.work(database, None, write=True) as unit:
            return render_leave_forms(unit.session, unit.scope, chosen)

    runner = TaskRunner()
    preview = PrintPreview(runner, make, title="bench", file_name="bench.pdf")
    preview.resize(1000, 700)
    preview.show()
    idle_until = time.monotonic() + 1.0
    idle = heartbeat_gaps(lambda: time.monotonic() > idle_until)
    wait_until(lambda: preview.page_count > 0 or preview.message.property("error") is True)
    if preview.page_count != FORMS:
        raise RuntimeError(f"the forms did not come: {preview.message.text()}")
    wait_until(lambda: preview.model.drawn_width(0) is not None)

    target = root / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    ended: list[object] = []
    start = time.perf_counter()
    preview.print_to(printer)
    job = preview.job
    assert job is not None
    job.finished.connect(ended.append)
    job.failed.connect(ended.append)
    # The teacher scrolls through the preview meanwhile: its pages are drawn too.
    bar = preview.view.verticalScrollBar()
    scroll = [0]

    def scrolled() -> bool:
        scroll[0] += 1
        if scroll[0] % 200 == 0:
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
        return bool(ended)

    stall = heartbeat_gaps(scrolled)
    elapsed = time.perf_counter() - start
    preview.close()
    runner.wait()
    database.close()
    pages = len(PdfReader(target).pages) if target.exists() else 0
    print(
        f"\n[{FORMS} forms from {source}; printed at {min(printer.resolution(), 300)} dpi "
        f"(printer {printer.resolution()} dpi) in {elapsed:.1f} s, {pages} pages in the file; "
        f"outcome {ended[0]!r}]"
    )
    check(
        f"longest GUI-thread stall printing {FORMS} forms",
        f"{stall:.0f} ms (idle loop's own longest gap {idle:.0f} ms)",
        f"< {STALL_MS:.0f} ms",
        stall < STALL_MS and pages == FORMS,
    )


def main() -> None:
    from desktop.app import application

    app, _translator = application()
    verdicts = [0, 0]

    def check(label: str, shown: str, target: str, ok: bool) -> None:
        verdicts[0] += ok
        verdicts[1] += 1
        print(f"  {label:<44} {shown:<48} target {target:<10} {'PASS' if ok else 'FAIL'}")

    with tempfile.TemporaryDirectory(prefix="homeroom-bench-print-") as scratch:
        measure(Path(scratch), check)
    app.quit()
    print(f"\n{verdicts[0]}/{verdicts[1]} targets met")


if __name__ == "__main__":
    main()
