"""The class a command works on, with its calendar and its school's policy."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.calendar import SchoolCalendar
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _
from desktop.models import PolicySetting, School, SchoolClass, SchoolYear, Teacher


@dataclass(frozen=True)
class ClassScope:
    class_id: int
    class_name: str
    school_id: int
    school_name: str
    governing_body: str
    province: str
    year_name: str
    teacher_id: int
    """The homeroom teacher's: the profile acts on their behalf."""
    teacher_name: str
    calendar: SchoolCalendar
    policy: SchoolPolicy


def load_policy(session: Session, school_id: int) -> SchoolPolicy:
    rows = session.scalars(select(PolicySetting).where(PolicySetting.school_id == school_id))
    return SchoolPolicy.from_strings({row.key: row.value for row in rows})


def save_policy(session: Session, school_id: int, policy: SchoolPolicy) -> None:
    for key, value in policy.to_strings().items():
        session.merge(PolicySetting(school_id=school_id, key=key, value=value))


def calendar_of(school_class: SchoolClass) -> SchoolCalendar:
    year: SchoolYear = school_class.year
    week = {
        int(day): frozenset(SchoolSession(s) for s in sessions)
        for day, sessions in json.loads(school_class.week).items()
    }
    return SchoolCalendar(
        first_day=year.first_day,
        last_day=year.last_day,
        semester2_start=year.semester2_start,
        holidays=frozenset(h.day for h in year.holidays),
        week=week,
    )


def load_scope(session: Session, class_name: str | None = None) -> ClassScope:
    """The named class, or the profile's only (first) class when no name is given."""
    query = select(SchoolClass).order_by(SchoolClass.id)
    if class_name is not None:
        query = query.where(SchoolClass.name == class_name)
    school_class = session.scalars(query.limit(1)).first()
    if school_class is None:
        if class_name is not None:
            raise NotFound(_("No class named {name} in this profile.").format(name=class_name))
        raise InvalidInput(
            _("This profile has no class yet: run 'homeroom init --demo' or import a class file.")
        )
    return scope_of(session, school_class)


def load_scope_by_id(session: Session, class_id: int) -> ClassScope:
    """The class ``class_id`` (as the server and sync name it)."""
    school_class = session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound(_("There is no class #{id} here.").format(id=class_id))
    return scope_of(session, school_class)


def scope_of(session: Session, school_class: SchoolClass) -> ClassScope:
    year = school_class.year
    school = session.get_one(School, year.school_id)
    teacher = session.get_one(Teacher, school_class.homeroom_teacher_id)
    return ClassScope(
        class_id=school_class.id,
        class_name=school_class.name,
        school_id=school.id,
        school_name=school.name,
        governing_body=school.governing_body,
        province=school.province,
        year_name=year.name,
        teacher_id=teacher.id,
        teacher_name=teacher.full_name,
        calendar=calendar_of(school_class),
        policy=load_policy(session, school.id),
    )
