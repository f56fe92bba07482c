"""The class a server request works on, by id (the desktop looks classes up by name)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.errors import NotFound
from desktop.i18n import _
from desktop.models import SchoolClass
from desktop.services.scope import ClassScope, scope_of


def load_scope_by_id(session: Session, class_id: int) -> ClassScope:
    """The class ``class_id`` with its calendar and its school's policy."""
    school_class = session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound(_("There is no class #{id} on this server.").format(id=class_id))
    return scope_of(session, school_class)
