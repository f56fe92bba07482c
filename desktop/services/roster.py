"""Corrections to the class list: a student's name, date of birth or gender, and a guardian
added or corrected. Each is one use case with one audit-log entry, run by the intents
``update_student`` and ``set_guardian`` on the client and again on the server.

Who a student is (the code), which class they are in, and a guardian's e-contact-book
registration and consent are the school's records and are not changed here (``rights``). The
audit log says which fields changed, never the names or phone numbers themselves.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from desktop.domain import roster as rules
from desktop.domain.names import normalize, search_key, sort_text
from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _
from desktop.models import Guardian, Student
from desktop.services import audit_log
from desktop.services.changes import Changes
from desktop.services.scope import ClassScope


def student_of_class(session: Session, scope: ClassScope, student_id: int) -> Student:
    student = session.get(Student, student_id)
    if student is None or student.class_id != scope.class_id:
        raise NotFound(_("There is no student #{id} in this class.").format(id=student_id))
    return student


def update_student(
    session: Session,
    scope: ClassScope,
    *,
    student_id: int,
    full_name: str | None,
    date_of_birth: date | None,
    gender: str | None,
    actor: str,
) -> Changes:
    """Correct what is given (``None`` keeps it); the name is stored in NFC with its class-list
    and search keys derived again."""
    student = student_of_class(session, scope, student_id)
    changed: list[str] = []
    if full_name is not None:
        name = rules.person_name(full_name)
        if name != student.full_name:
            student.full_name = name
            student.sort_key = sort_text(name)
            student.search_key = search_key(name)
            changed.append("full_name")
    if date_of_birth is not None and date_of_birth != student.date_of_birth:
        student.date_of_birth = rules.birth_date(date_of_birth, scope.calendar.first_day)
        changed.append("date_of_birth")
    if gender is not None and gender != student.gender:
        student.gender = rules.gender(gender)
        changed.append("gender")
    if not changed:
        return Changes.of(_("Nothing to change for {code}.").format(code=student.code))
    session.flush()
    audit_log.append(
        session,
        actor=actor,
        action="student.correct",
        entity="student",
        entity_id=student.id,
        after={"fields": changed},
    )
    return Changes.of(
        _("The record of {code} corrected.").format(code=student.code), student=[student.id]
    )


def set_guardian(
    session: Session,
    scope: ClassScope,
    *,
    student_id: int,
    guardian_id: int | None,
    full_name: str,
    relation: str,
    phone: str,
    actor: str,
) -> Changes:
    """Add a guardian to the student (``guardian_id`` ``None``) or correct one. The relation is
    one of the usual ones (stored as its code) or, for a guardian already recorded, the
    school's own words it has now. A new value must be a name or a Vietnamese phone number."""
    student = student_of_class(session, scope, student_id)
    guardian = None if guardian_id is None else session.get(Guardian, guardian_id)
    if guardian_id is not None and (guardian is None or guardian.student_id != student.id):
        raise NotFound(
            _("There is no guardian #{id} of {code}.").format(id=guardian_id, code=student.code)
        )
    # What the record already holds is not judged again (the school entered it); a new value is.
    name = normalize(full_name)
    if guardian is None or name != guardian.full_name:
        name = rules.person_name(full_name)
    number = phone.strip()
    if guardian is None or number != guardian.phone:
        number = rules.phone_number(phone)
    code = rules.relation_code(relation)
    if code is None and (guardian is None or normalize(relation) != guardian.relation):
        raise InvalidInput(
            _("“{relation}” is not a relation in the list.").format(relation=relation)
        )
    kept = code or normalize(relation)
    if guardian is None:
        if any(normalize(g.full_name) == name for g in student.guardians):
            raise InvalidInput(
                _("{name} is already a guardian of {code}.").format(name=name, code=student.code)
            )
        guardian = Guardian(
            student_id=student.id,
            full_name=name,
            relation=kept,
            phone=number,
            econtact_registered_on=None,
            consent_recorded_on=None,
        )
        session.add(guardian)
        session.flush()
        action, fields = "guardian.add", ["full_name", "relation", "phone"]
        summary = _("A guardian added for {code}.").format(code=student.code)
    else:
        fields = [
            field
            for field, old, new in (
                ("full_name", guardian.full_name, name),
                ("relation", guardian.relation, kept),
                ("phone", guardian.phone, number),
            )
            if old != new
        ]
        if not fields:
            return Changes.of(_("Nothing to change for {code}.").format(code=student.code))
        guardian.full_name, guardian.relation, guardian.phone = name, kept, number
        session.flush()
        action = "guardian.correct"
        summary = _("A guardian of {code} corrected.").format(code=student.code)
    audit_log.append(
        session,
        actor=actor,
        action=action,
        entity="guardian",
        entity_id=guardian.id,
        after={"student_id": student.id, "fields": fields},
    )
    return Changes.of(summary, guardian=[guardian.id])


def same_student(
    student: Student, full_name: str | None, born: date | None, gender: str | None
) -> bool:
    """Whether the record already says what a correction asks."""
    return (
        (full_name is None or normalize(full_name) == student.full_name)
        and (born is None or born == student.date_of_birth)
        and (gender is None or gender == student.gender)
    )


def holds_guardian(student: Student, guardian_id: int | None, name: str, phone: str) -> bool:
    """Whether the student already has this guardian as asked (the same name and phone, on the
    given row when one is named)."""
    try:
        number = rules.phone_number(phone)
    except InvalidInput:
        return False
    return any(
        (guardian_id is None or g.id == guardian_id)
        and g.full_name == normalize(name)
        and g.phone == number
        for g in student.guardians
    )
