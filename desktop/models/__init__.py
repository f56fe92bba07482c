"""The local database: SQLAlchemy 2 typed ORM models, engine set-up and migrations (no Qt)."""

from desktop.models.audit_log import AuditLogEntry
from desktop.models.base import Base
from desktop.models.grades import (
    ConductRating,
    GradeChange,
    GradeDeadline,
    GradeEntry,
    Subject,
    SubjectTerm,
)
from desktop.models.leave import AttendanceMark, LeaveRequest, PostAudit
from desktop.models.people import Guardian, Student
from desktop.models.pilot import PilotNote
from desktop.models.privacy import PrivacyIncident
from desktop.models.school import (
    Holiday,
    PolicySetting,
    ProfileSetting,
    School,
    SchoolClass,
    SchoolYear,
    Teacher,
)
from desktop.models.sync import OutboxIntent, SyncConflict, SyncInbox, SyncState

__all__ = [
    "AttendanceMark",
    "AuditLogEntry",
    "Base",
    "ConductRating",
    "GradeChange",
    "GradeDeadline",
    "GradeEntry",
    "Guardian",
    "Holiday",
    "LeaveRequest",
    "OutboxIntent",
    "PilotNote",
    "PolicySetting",
    "PostAudit",
    "PrivacyIncident",
    "ProfileSetting",
    "School",
    "SchoolClass",
    "SchoolYear",
    "Student",
    "Subject",
    "SubjectTerm",
    "SyncConflict",
    "SyncInbox",
    "SyncState",
    "Teacher",
]
