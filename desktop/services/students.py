"""The class list, in Vietnamese order, and diacritic-insensitive search."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.names import matches, sort_key
from desktop.models import Student
from desktop.services.scope import ClassScope


def class_list(session: Session, scope: ClassScope, query: str = "") -> list[Student]:
    students = session.scalars(select(Student).where(Student.class_id == scope.class_id)).all()
    students = sorted(students, key=lambda s: sort_key(s.full_name))
    if query.strip():
        return [s for s in students if matches(query, s.full_name)]
    return list(students)
