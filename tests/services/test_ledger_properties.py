"""Property: no sequence of decisions, audits and roll calls leaves the ledger inconsistent."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session, Slot
from desktop.errors import HomeroomError
from desktop.models import AttendanceMark, LeaveRequest
from desktop.models.db import open_database
from desktop.services import attendance, leave, post_audit
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope
from tests.factories import at, build_small_class

START = date(2025, 10, 6)  # a Monday
sessions = st.sampled_from([Session.MORNING, Session.AFTERNOON])


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.db = open_database(Path(self.folder.name) / "homeroom.sqlite3")
        with self.db.transaction() as s:
            self.small = build_small_class(s)

    def teardown(self) -> None:
        self.db.close()
        self.folder.cleanup()

    def _try(self, action: object) -> None:
        try:
            with self.db.transaction() as s:
                action(s, load_scope(s))  # type: ignore[operator]
        except HomeroomError:
            pass  # refused actions must change nothing; the invariant checks that too

    def _request_ids(self) -> list[int]:
        with self.db.reading() as s:
            return list(s.scalars(select(LeaveRequest.id).order_by(LeaveRequest.id)))

    @rule(
        student=st.integers(0, 2),
        offset=st.integers(0, 12),
        length=st.integers(0, 5),
        first=sessions,
        last=sessions,
        channel=st.sampled_from([3, 4]),
    )
    def submit(
        self, student: int, offset: int, length: int, first: Session, last: Session, channel: int
    ) -> None:
        day = START + timedelta(days=offset)
        self._try(
            lambda s, scope: leave.submit(
                s,
                scope,
                NewRequest(
                    student_id=self.small.student_ids[student],
                    guardian_id=self.small.guardian_ids[student],
                    first=Slot.of(day, first),
                    last=Slot.of(day + timedelta(days=length), last),
                    reason_category="illness",
                    reason_text="Ốm",
                    channel=channel,
                    submitted_at=at(day),
                ),
                actor="parent",
            )
        )

    @rule(pick=st.integers(0, 50), approve=st.booleans())
    def decide(self, pick: int, approve: bool) -> None:
        ids = self._request_ids()
        if ids:
            rid = ids[pick % len(ids)]
            self._try(
                lambda s, scope: leave.decide(
                    s, scope, request_id=rid, approve=approve, note="Lý do", actor="GV"
                )
            )

    @rule(pick=st.integers(0, 50))
    def sign_off(self, pick: int) -> None:
        ids = self._request_ids()
        if ids:
            rid = ids[pick % len(ids)]
            self._try(
                lambda s, scope: leave.sign_off(
                    s, scope, request_id=rid, by="Hiệu trưởng", on=START, actor="GV"
                )
            )

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick: int) -> None:
        ids = self._request_ids()
        if ids:
            rid = ids[pick % len(ids)]
            self._try(lambda s, scope: leave.cancel(s, scope, request_id=rid, actor="parent"))

    @rule(pick=st.integers(0, 50), outcome=st.sampled_from(["confirmed", "discrepancy"]))
    def audit(self, pick: int, outcome: str) -> None:
        ids = self._request_ids()
        if ids:
            rid = ids[pick % len(ids)]
            self._try(
                lambda s, scope: post_audit.record(
                    s, scope, request_id=rid, method="phone", outcome=outcome, actor="GV"
                )
            )

    @rule(
        student=st.integers(0, 2),
        offset=st.integers(0, 15),
        session=sessions,
        observed=st.sampled_from(list(Observation)),
    )
    def roll_call(self, student: int, offset: int, session: Session, observed: Observation) -> None:
        slot = Slot.of(START + timedelta(days=offset), session)
        self._try(
            lambda s, scope: attendance.mark(
                s,
                scope,
                student_id=self.small.student_ids[student],
                slot=slot,
                observed=observed,
                actor="GV",
            )
        )

    @invariant()
    def ledger_matches_the_rules(self) -> None:
        with self.db.reading() as s:
            assert attendance.ledger_differences(s, load_scope(s)) == []

    @invariant()
    def excused_only_with_an_approved_leave_or_a_teacher_excuse(self) -> None:
        with self.db.reading() as s:
            for mark in s.scalars(select(AttendanceMark).where(AttendanceMark.status == "excused")):
                if mark.source == "leave":
                    request = s.get_one(LeaveRequest, mark.leave_request_id)
                    assert request.status == "approved"
                    assert request.audit_status != "discrepancy"
                else:
                    assert mark.observed == "excused_by_teacher"


TestLedger = LedgerMachine.TestCase
TestLedger.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
