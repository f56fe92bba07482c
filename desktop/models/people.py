"""Students and their guardians: personal data of minors (see domain.md §6)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base


class Student(Base):
    """A student; ``sort_key`` and ``search_key`` derive from ``full_name`` (domain.names)."""

    __tablename__ = "student"
    __table_args__ = (UniqueConstraint("class_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(100))
    sort_key: Mapped[str] = mapped_column(String(400), index=True)
    search_key: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    gender: Mapped[str] = mapped_column(String(10))

    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="student", cascade="all, delete-orphan", order_by="Guardian.id"
    )


class Guardian(Base):
    """A parent or guardian; online requests need an e-contact-book registration with consent."""

    __tablename__ = "guardian"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20))
    econtact_registered_on: Mapped[date | None]
    consent_recorded_on: Mapped[date | None]
    consent_note: Mapped[str] = mapped_column(String(200), default="")

    student: Mapped[Student] = relationship(back_populates="guardians")
