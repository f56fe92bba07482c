"""The demo class's approved forms draw exactly what they drew before the printing speed-ups
of 02/12/2026 (the words translated once per language, each page set once, the QR code's
modules as row strings): every string with its font, size and place, every rule, box and QR
path, page by page, as one digest. The drawing calls are recorded as reportlab receives them,
so the digest holds whatever reportlab and PDFium versions are installed; the same calls make
the same text layer and the same rendered page.

A change of the form on purpose (its layout, its words, the demo data) changes the digest:
render the forms to PNG (``pdftoppm``), look at them, and put the new digest here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from desktop.demo.generator import DEMO_TODAY, generate_demo_class
from desktop.models import LeaveRequest
from desktop.models.db import open_database
from desktop.reports.leave_form import render_leave_forms
from desktop.reports.verification import KEY_SETTING
from desktop.services.profile import TODAY_ENV, TODAY_KEY, set_setting
from desktop.services.scope import load_scope

DRAWN_BEFORE = "35b23a22a99b5821f34e83df57e9bc0f6688f9a58532bddcf67ba942e1ed82ad"
"""The digest of the 87 forms as drawn by 82d20fe, before the speed-ups, printed on the demo's
day (a form says the day it was printed, and a profile without a pinned day prints the real
one); renewed on 04/12/2026 for the demo's notes that fit their reason (seven forms changed
their note, e.g. #2's "Chia buồn cùng gia đình em.", looked at in PNG)."""
CALLS = ("drawString", "setFont", "line", "rect", "setLineWidth", "setFillGray", "saveState",
         "restoreState", "translate", "scale", "addLiteral", "showPage")  # fmt: skip


def _recorder(calls: list[list[Any]], name: str, original: Callable[..., Any]) -> Any:
    def record(self: Canvas, *args: Any, **kwargs: Any) -> Any:
        # Coordinates to a hundredth of a point: what the PDF writes of them.
        shown = [round(a, 2) if isinstance(a, float) else a for a in args]
        calls.append([name, shown, sorted(kwargs.items())])
        return original(self, *args, **kwargs)

    return record


def test_the_demo_forms_draw_what_they_drew_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TODAY_ENV, raising=False)
    database = open_database(tmp_path / "homeroom.sqlite3")
    with database.transaction() as session:
        generate_demo_class(session, seed=2025)
        set_setting(session, TODAY_KEY, DEMO_TODAY.isoformat())
        set_setting(session, KEY_SETTING, "ab" * 32)  # the codes, and so the QR codes, fixed
        ids = list(
            session.scalars(
                select(LeaveRequest.id)
                .where(LeaveRequest.status == "approved")
                .order_by(LeaveRequest.id)
            )
        )
    calls: list[list[Any]] = []
    for name in CALLS:
        monkeypatch.setattr(Canvas, name, _recorder(calls, name, getattr(Canvas, name)))
    with database.transaction() as session:
        pdf = render_leave_forms(session, load_scope(session), ids)
    database.close()
    assert len(ids) == 87 and pdf.startswith(b"%PDF")
    assert sum(call[0] == "showPage" for call in calls) == 87
    digest = hashlib.sha256(json.dumps(calls, ensure_ascii=False).encode()).hexdigest()
    assert digest == DRAWN_BEFORE
