"""The grade book: subjects, entries, their history, deadlines, locks, reviews and conduct."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, DecimalText, UtcDateTime


class Subject(Base):
    __tablename__ = "subject"
    __table_args__ = (UniqueConstraint("class_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    periods_per_year: Mapped[int]
    assessment: Mapped[str] = mapped_column(String(10))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"))
    position: Mapped[int] = mapped_column(default=0)


class GradeEntry(Base):
    """One assessment of one student: a score (``Decimal``) or a comment (Đ / CĐ)."""

    __tablename__ = "grade_entry"
    __table_args__ = (UniqueConstraint("student_id", "subject_id", "semester", "kind", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    semester: Mapped[int]
    kind: Mapped[str] = mapped_column(String(2))
    slot: Mapped[int]
    score: Mapped[Decimal | None] = mapped_column(DecimalText())
    comment: Mapped[str | None] = mapped_column(String(2))
    author: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(20), default="entered")
    version: Mapped[int] = mapped_column(default=1)

    changes: Mapped[list[GradeChange]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="GradeChange.id"
    )


class GradeChange(Base):
    """A change of a recorded grade, kept for ever; after lock it is a change request."""

    __tablename__ = "grade_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("grade_entry.id"), index=True)
    old_value: Mapped[str] = mapped_column(String(8))
    new_value: Mapped[str] = mapped_column(String(8))
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(20))
    review_state: Mapped[str] = mapped_column(String(20))
    review_note: Mapped[str] = mapped_column(String(500), default="")

    entry: Mapped[GradeEntry] = relationship(back_populates="changes")


class GradeDeadline(Base):
    """The school's deadline for one grade column (TX covers every regular slot)."""

    __tablename__ = "grade_deadline"

    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), primary_key=True)
    semester: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(2), primary_key=True)
    due_on: Mapped[date]


class SubjectTerm(Base):
    """Publication, lock and the homeroom teacher's review of one subject in one semester."""

    __tablename__ = "subject_term"

    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), primary_key=True)
    semester: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_state: Mapped[str] = mapped_column(String(20), default="pending")
    review_note: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by: Mapped[str] = mapped_column(String(100), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ConductRating(Base):
    """Conduct (rèn luyện) per semester (1, 2) or the year (0), set by the homeroom teacher."""

    __tablename__ = "conduct_rating"

    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), primary_key=True)
    term: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())
