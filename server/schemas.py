"""Messages of the parent, subject-teacher and principal endpoints (the sync messages are the
client's, in ``desktop.sync.protocol``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from desktop.domain.grade_review import ReviewState
from server.ranges import INT_MAX

SessionName = Literal["morning", "afternoon"]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, source: object, **values: Any) -> Self:
        """This message's fields taken from ``source``'s attributes of the same names, unless
        given in ``values``."""
        return cls.model_validate(
            {
                name: values[name] if name in values else getattr(source, name)
                for name in cls.model_fields
            }
        )


# --- Parents ------------------------------------------------------------------------------------


class NewLeave(Message):
    first_day: date
    first_session: SessionName = "morning"
    last_day: date
    last_session: SessionName = "afternoon"
    reason_category: Literal["illness", "family", "bereavement", "other"]
    reason_text: str = Field(default="", max_length=300)
    channel: Literal[3, 4] = Field(
        default=4, description="3: partial (the paper original follows), 4: fully online"
    )


class ParentLeave(Message):
    """A request as the parent follows it: the decision and its reason included."""

    id: int
    student_name: str
    submitted_at: datetime
    first_day: date
    first_session: str
    last_day: date
    last_session: str
    sessions: int
    reason_category: str
    reason_text: str
    channel: int
    status: str
    state_label: str
    decision_note: str
    decided_by: str
    decided_at: datetime | None
    original_received_on: date | None
    version: int


# --- Subject teachers ---------------------------------------------------------------------------


class TaughtSubject(Message):
    class_id: int
    class_name: str
    subject_code: str
    subject_name: str
    assessment: str


class GradeSet(Message):
    # Strict: a number sent as a string is refused, not coerced.
    class_id: int = Field(strict=True, gt=0, le=INT_MAX)
    student_id: int = Field(strict=True, gt=0, le=INT_MAX)
    subject_code: str = Field(min_length=1, max_length=20)
    semester: Literal[1, 2]
    kind: Literal["TX", "GK", "CK"]
    slot: int = Field(strict=True, ge=1, le=4)
    value: str = Field(min_length=1, max_length=8)
    reason: str = Field(default="", max_length=500, description="needed after publication or lock")
    base_version: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        le=INT_MAX,
        description="the version seen (0: empty cell); a newer one is a 409",
    )


class GradeView(Message):
    entry_id: int
    student_id: int
    student_code: str
    student_name: str
    subject_code: str
    semester: int
    kind: str
    slot: int
    value: str
    author: str
    updated_at: datetime
    version: int


class SubjectReviewView(Message):
    """The homeroom teacher's review of one subject's entries in one semester."""

    semester: int
    review_state: ReviewState = Field(
        description="returned: sent back to the subject teacher, with what to correct in the note"
    )
    review_note: str
    reviewed_by: str
    reviewed_at: datetime | None


# --- The principal ------------------------------------------------------------------------------


class ClassOverview(Message):
    class_id: int
    class_name: str
    homeroom_teacher: str
    students: int
    pending_requests: int
    awaiting_signoff: int
    completeness_percent: Decimal


class CompletenessRow(Message):
    subject_code: str
    subject_name: str
    semester: int
    expected: int
    entered: int
    missing: int
    overdue: int
    late: int


class CompletenessView(Message):
    class_id: int
    class_name: str
    percent: Decimal
    expected: int
    entered: int
    subjects: list[CompletenessRow]
    overdue_cells: list[str]
    late_cells: list[str]


class StudentAbsences(Message):
    student_id: int
    student_code: str
    student_name: str
    excused: int
    unexcused: int
    late: int
    total_absences: int
    warning: int | None
    over_limit: bool


class LeaveStatistics(Message):
    class_id: int
    class_name: str
    requests_by_status: dict[str, int]
    special_cases: int
    awaiting_signoff: int
    retroactive: int
    awaiting_original: int
    selected_for_audit: int
    audit_discrepancies: int
    students_over_limit: int
    absences: list[StudentAbsences]


class PendingSignoff(Message):
    request_id: int
    class_id: int
    class_name: str
    student_name: str
    first_day: date
    first_session: str
    last_day: date
    last_session: str
    sessions: int
    reason_category: str
    status: str
    principal_signoff_by: str
    principal_signoff_on: date | None
    version: int


class SignoffRequest(Message):
    on: date | None = Field(default=None, description="the sign-off date; today if left out")
