"""Intents: the user actions that must reach the central server, and their one registry.

``perform`` runs a use case and writes its intent to the outbox in the same transaction (the
client); ``apply_intent`` runs the same use case from a pushed intent (the reference server).
Both sides validate the arguments with the same models, and both run the same domain rules.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, school_time
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import OutboxIntent
from desktop.models.base import pinned_now
from desktop.models.provisional import PROVISIONAL_FLAG
from desktop.services import attendance, grades, leave, post_audit
from desktop.services.changes import Changes
from desktop.services.profile import effective_now
from desktop.services.scope import ClassScope
from desktop.validation_text import validation_text

TEXT = Field(default="", max_length=500)


class IntentArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DecideLeave(IntentArgs):
    request_id: int = Field(gt=0)
    approve: bool
    note: str = TEXT
    base_version: int = Field(ge=1)


class ReceiveOriginal(IntentArgs):
    request_id: int = Field(gt=0)
    received_on: date


class RecordSignoff(IntentArgs):
    request_id: int = Field(gt=0)
    by: str = Field(min_length=1, max_length=100)
    on: date


class SelectForAudit(IntentArgs):
    request_id: int = Field(gt=0)
    reasons: tuple[str, ...] = Field(max_length=8)
    seed: int


class RecordAudit(IntentArgs):
    request_id: int = Field(gt=0)
    method: Literal["phone", "meeting", "document"]
    outcome: Literal["confirmed", "discrepancy"]
    note: str = TEXT


class SetAttendance(IntentArgs):
    student_id: int = Field(gt=0)
    day: date
    session: Literal["morning", "afternoon"]
    observed: Observation | None


class SetGrade(IntentArgs):
    student_id: int = Field(gt=0)
    subject_code: str = Field(min_length=1, max_length=20)
    semester: Literal[1, 2]
    kind: Literal["TX", "GK", "CK"]
    slot: int = Field(ge=1, le=4)
    value: str = Field(min_length=1, max_length=8)
    reason: str = TEXT
    base_version: int = Field(ge=0)
    """0 when the cell was empty here; a different server version is a conflict."""


class ReviewSubject(IntentArgs):
    subject_code: str = Field(min_length=1, max_length=20)
    semester: Literal[1, 2]
    send_back: bool = False
    note: str = TEXT


class CheckGradeChange(IntentArgs):
    change_id: int = Field(gt=0)
    query_note: str | None = Field(default=None, max_length=500)


class SetConduct(IntentArgs):
    student_id: int = Field(gt=0)
    term: Literal[0, 1, 2]
    level: Literal["Tốt", "Khá", "Đạt", "Chưa đạt"]


Runner = Callable[[Session, ClassScope, Any, str, datetime], Changes]
"""``(session, scope, args, actor, now)``: ``now`` is when the action happens (see ``perform``)."""


@dataclass(frozen=True)
class IntentSpec:
    args: type[IntentArgs]
    run: Runner


def _decide(s: Session, scope: ClassScope, a: DecideLeave, actor: str, now: datetime) -> Changes:
    return leave.decide(
        s,
        scope,
        request_id=a.request_id,
        approve=a.approve,
        note=a.note,
        base_version=a.base_version,
        actor=actor,
        now=now,
    )


def _original(
    s: Session, scope: ClassScope, a: ReceiveOriginal, actor: str, now: datetime
) -> Changes:
    return leave.receive_original(
        s, scope, request_id=a.request_id, received_on=a.received_on, actor=actor
    )


def _signoff(s: Session, scope: ClassScope, a: RecordSignoff, actor: str, now: datetime) -> Changes:
    return leave.sign_off(s, scope, request_id=a.request_id, by=a.by, on=a.on, actor=actor)


def _select(s: Session, scope: ClassScope, a: SelectForAudit, actor: str, now: datetime) -> Changes:
    return post_audit.mark_selected(
        s, scope, request_id=a.request_id, reasons=a.reasons, seed=a.seed, actor=actor
    )


def _audit(s: Session, scope: ClassScope, a: RecordAudit, actor: str, now: datetime) -> Changes:
    return post_audit.record(
        s,
        scope,
        request_id=a.request_id,
        method=a.method,
        outcome=a.outcome,
        note=a.note,
        actor=actor,
    )


def _attendance(
    s: Session, scope: ClassScope, a: SetAttendance, actor: str, now: datetime
) -> Changes:
    return attendance.mark(
        s,
        scope,
        student_id=a.student_id,
        slot=Slot.of(a.day, SchoolSession(a.session)),
        observed=a.observed,
        actor=actor,
    )


def _grade(s: Session, scope: ClassScope, a: SetGrade, actor: str, now: datetime) -> Changes:
    return grades.set_grade(
        s,
        scope,
        student_ref=str(a.student_id),
        subject_code=a.subject_code,
        semester=a.semester,
        kind=a.kind,
        slot=a.slot,
        value=a.value,
        reason=a.reason,
        base_version=a.base_version,
        actor=actor,
        today=school_time(now).date(),
        now=now,
    )


def _review(s: Session, scope: ClassScope, a: ReviewSubject, actor: str, now: datetime) -> Changes:
    return grades.review_subject(
        s,
        scope,
        subject_code=a.subject_code,
        semester=a.semester,
        send_back=a.send_back,
        note=a.note,
        actor=actor,
    )


def _check(
    s: Session, scope: ClassScope, a: CheckGradeChange, actor: str, now: datetime
) -> Changes:
    return grades.check_change(
        s, scope, change_id=a.change_id, query_note=a.query_note, actor=actor
    )


def _conduct(s: Session, scope: ClassScope, a: SetConduct, actor: str, now: datetime) -> Changes:
    return grades.set_conduct(
        s, scope, student_ref=str(a.student_id), term=a.term, level=a.level, actor=actor
    )


INTENTS: dict[str, IntentSpec] = {
    "decide_leave": IntentSpec(DecideLeave, _decide),
    "receive_original": IntentSpec(ReceiveOriginal, _original),
    "record_signoff": IntentSpec(RecordSignoff, _signoff),
    "select_for_audit": IntentSpec(SelectForAudit, _select),
    "record_audit": IntentSpec(RecordAudit, _audit),
    "set_attendance": IntentSpec(SetAttendance, _attendance),
    "set_grade": IntentSpec(SetGrade, _grade),
    "review_subject": IntentSpec(ReviewSubject, _review),
    "check_grade_change": IntentSpec(CheckGradeChange, _check),
    "set_conduct": IntentSpec(SetConduct, _conduct),
}


def parse_args(name: str, raw: dict[str, Any]) -> IntentArgs:
    """Validated arguments of intent ``name``; anything malformed is ``InvalidInput``."""
    spec = INTENTS.get(name)
    if spec is None:
        raise InvalidInput(_("Unknown action: {name}").format(name=name))
    try:
        return spec.args.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(validation_text(exc.errors())) from None


def apply_intent(
    session: Session,
    scope: ClassScope,
    name: str,
    raw: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> Changes:
    """Run an intent's use case (the server side of a push, at the server's ``now``); nothing
    goes to an outbox."""
    args = parse_args(name, raw)
    with pinned_now(now):
        return INTENTS[name].run(session, scope, args, actor, now)


def perform(
    session: Session,
    scope: ClassScope,
    name: str,
    raw: dict[str, Any],
    *,
    actor: str,
    now: datetime | None = None,
) -> Changes:
    """Run a user action locally and queue its intent, in the caller's transaction.

    Every time the action records is ``now``, by default ``effective_now``: on the demo, the
    demo's school day at the current time of day."""
    args = parse_args(name, raw)
    moment = now or effective_now(session)
    session.info[PROVISIONAL_FLAG] = True
    try:
        with pinned_now(moment):
            changes = INTENTS[name].run(session, scope, args, actor, moment)
            session.flush()
    finally:
        session.info.pop(PROVISIONAL_FLAG, None)
    session.add(
        OutboxIntent(
            id=str(uuid.uuid4()),
            name=name,
            args=json.dumps(args.model_dump(mode="json"), ensure_ascii=False, sort_keys=True),
            actor=actor,
            created_at=moment,
        )
    )
    session.flush()
    return changes


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0
