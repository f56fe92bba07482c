"""The roll call's intent: one student's observation for one session."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, format_date
from desktop.i18n import N_, _
from desktop.models import AttendanceMark, Base, Student
from desktop.services import attendance, rights
from desktop.services.attendance import session_label
from desktop.services.changes import Changes
from desktop.services.conflict_reading import Facts, Told, refused
from desktop.services.intents.declaration import (
    Intent,
    IntentArgs,
    creates_nothing,
    never_converged,
    plain_conflict,
)
from desktop.services.scope import ClassScope


class SetAttendance(IntentArgs):
    NAME = "set_attendance"
    student_id: int = Field(gt=0)
    day: date
    session: Literal["morning", "afternoon"]
    observed: Observation | None


def _apply(s: Session, scope: ClassScope, a: SetAttendance, actor: str, now: datetime) -> Changes:
    return attendance.mark(
        s,
        scope,
        student_id=a.student_id,
        slot=Slot.of(a.day, SchoolSession(a.session)),
        observed=a.observed,
        actor=actor,
    )


def _permitted(
    session: Session, scope: ClassScope, args: SetAttendance, teacher_id: int | None
) -> None:
    rights.require_student_of_class(session, scope.class_id, args.student_id)


def _touched(session: Session, class_id: int, args: SetAttendance) -> list[Base]:
    student = session.get(Student, args.student_id)
    if student is None or student.class_id != class_id:
        return []
    return list(
        session.scalars(
            select(AttendanceMark).where(
                AttendanceMark.student_id == args.student_id,
                AttendanceMark.day == args.day,
                AttendanceMark.session == args.session,
            )
        )
    )


def _told(facts: Facts) -> Told:
    day = date.fromisoformat(str(facts.args["day"]))
    slot = f"{session_label(SchoolSession(facts.args['session']))} {format_date(day)}"
    observed = facts.args.get("observed")
    mine = (
        _("You recorded “{observation}” at roll call.").format(
            observation=Observation(observed).label
        )
        if observed
        else _("You cleared the roll call.")
    )
    return Told(
        student_id=int(facts.args["student_id"]),
        about=_("Roll call, {slot}").format(slot=slot),
        mine=mine,
        theirs=refused(facts),
    )


DECLARED: tuple[Intent[Any], ...] = (
    Intent(
        SetAttendance,
        N_("Roll call"),
        apply=_apply,
        permitted=_permitted,
        touched=_touched,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_told,
    ),
)
