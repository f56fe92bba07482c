"""Approved leave requests of the small class, and reading a printed PDF back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO

from pypdf import PdfReader

from desktop.domain.calendar import Session, Slot
from desktop.models.db import Database
from desktop.services import leave
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope
from tests.factories import SmallClass

AM, PM = Session.MORNING, Session.AFTERNOON
TEACHER = "Trần Thị Hồng Nhung"
CODE = re.compile(r"HR-\d+-[A-Z2-7]{8}")


@dataclass(frozen=True)
class Leave:
    first: Slot
    last: Slot
    submitted_at: datetime
    decided_at: datetime | None
    channel: int = 4
    student: int = 0
    reason: str = "Sốt cao, đi khám bệnh"
    decided_by: str = TEACHER


FEBRUARY = Leave(
    first=Slot.of(date(2026, 2, 5), AM),
    last=Slot.of(date(2026, 2, 6), PM),
    submitted_at=datetime(2026, 2, 5, 0, 30, tzinfo=UTC),  # 07:30 at school
    decided_at=datetime(2026, 2, 5, 2, 15, tzinfo=UTC),  # 09:15 at school
)


def add_request(db: Database, small: SmallClass, spec: Leave) -> int:
    """Submit ``spec`` and, when it has a decision time, approve it then."""
    with db.transaction() as s:
        scope = load_scope(s)
        changes = leave.submit(
            s,
            scope,
            NewRequest(
                student_id=small.student_ids[spec.student],
                guardian_id=small.guardian_ids[spec.student],
                first=spec.first,
                last=spec.last,
                reason_category="illness",
                reason_text=spec.reason,
                channel=spec.channel,
                submitted_at=spec.submitted_at,
            ),
            actor="parent",
        )
        request_id = int(next(iter(changes.ids("leave_request"))))
        if spec.decided_at is not None:
            leave.decide(
                s,
                scope,
                request_id=request_id,
                approve=True,
                actor=spec.decided_by,
                now=spec.decided_at,
            )
        return request_id


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with whitespace runs as one space."""
    reader = PdfReader(BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def codes(pdf: bytes) -> list[str]:
    return [found for text in pages_text(pdf) for found in CODE.findall(text)][::2]
