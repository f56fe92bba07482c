"""Intents: the user actions that must reach the central server, one declaration each
(``declaration``), listed in ``registry``."""

from desktop.services.intents.attendance import SetAttendance
from desktop.services.intents.declaration import Intent, IntentArgs
from desktop.services.intents.grades import CheckGradeChange, ReviewSubject, SetConduct, SetGrade
from desktop.services.intents.leave import (
    DecideLeave,
    ReceiveOriginal,
    RecordAudit,
    RecordSignoff,
    SelectForAudit,
)
from desktop.services.intents.registry import (
    INTENTS,
    apply_intent,
    label_of,
    parse_args,
    pending_count,
    perform,
)
from desktop.services.intents.roster import SetGuardian, UpdateStudent

__all__ = [
    "INTENTS",
    "CheckGradeChange",
    "DecideLeave",
    "Intent",
    "IntentArgs",
    "ReceiveOriginal",
    "RecordAudit",
    "RecordSignoff",
    "ReviewSubject",
    "SelectForAudit",
    "SetAttendance",
    "SetConduct",
    "SetGrade",
    "SetGuardian",
    "UpdateStudent",
    "apply_intent",
    "label_of",
    "parse_args",
    "pending_count",
    "perform",
]
