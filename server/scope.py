"""The class a server request works on, by id (the desktop looks classes up by name)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.errors import NotFound
from desktop.i18n import _
from desktop.models import School, SchoolClass, Teacher
from desktop.services.scope import ClassScope, calendar_of, load_policy


def load_scope_by_id(session: Session, class_id: int) -> ClassScope:
    """The class ``class_id`` with its calendar and its school's policy."""
    school_class = session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound(_("There is no class #{id} on this server.").format(id=class_id))
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
        teacher_name=teacher.full_name,
        calendar=calendar_of(school_class),
        policy=load_policy(session, school.id),
    )
