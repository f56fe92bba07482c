"""Leave requests, their post-audits, and the attendance ledger they feed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, UtcDateTime


class LeaveRequest(Base):
    """A parent's leave-of-absence request; ``version`` changes whenever its content changes."""

    __tablename__ = "leave_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardian.id"))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    first_day: Mapped[date]
    first_session: Mapped[str] = mapped_column(String(10))
    last_day: Mapped[date]
    last_session: Mapped[str] = mapped_column(String(10))
    reason_category: Mapped[str] = mapped_column(String(20))
    reason_text: Mapped[str] = mapped_column(String(300), default="")
    channel: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # no index: a page written on every decision
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    original_received_on: Mapped[date | None]
    principal_signoff_by: Mapped[str] = mapped_column(String(100), default="")
    principal_signoff_on: Mapped[date | None]
    audit_status: Mapped[str] = mapped_column(String(20), default="none")
    version: Mapped[int] = mapped_column(default=1)

    audits: Mapped[list[PostAudit]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="PostAudit.id"
    )


class PostAudit(Base):
    """One post-audit (hậu kiểm) of an approved request: why chosen, how checked, what found."""

    __tablename__ = "post_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("leave_request.id"), index=True)
    selected_because: Mapped[str] = mapped_column(String(200))
    selection_seed: Mapped[int | None]
    method: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    auditor: Mapped[str] = mapped_column(String(100), default="")
    selected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    request: Mapped[LeaveRequest] = relationship(back_populates="audits")


class AttendanceMark(Base):
    """The ledger: what roll call observed and the status derived from it and the requests.

    ``status`` is always ``desktop.domain.attendance.derive_mark(observed, covers)``; services
    recompute it in the same transaction as any change to either input.
    """

    __tablename__ = "attendance_mark"
    __table_args__ = (
        UniqueConstraint("student_id", "day", "session"),
        Index("ix_attendance_mark_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))  # the unique index leads
    day: Mapped[date]
    session: Mapped[str] = mapped_column(String(10))
    observed: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    leave_request_id: Mapped[int | None] = mapped_column(ForeignKey("leave_request.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
