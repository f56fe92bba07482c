"""The school, its year and calendar, its policy, and the class."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    governing_body: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))

    years: Mapped[list[SchoolYear]] = relationship(back_populates="school")


class PolicySetting(Base):
    """One school policy value as text; ``desktop.domain.policy`` owns names and parsing."""

    __tablename__ = "policy_setting"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class SchoolYear(Base):
    __tablename__ = "school_year"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    name: Mapped[str] = mapped_column(String(20))
    first_day: Mapped[date]
    semester2_start: Mapped[date]
    last_day: Mapped[date]

    school: Mapped[School] = relationship(back_populates="years")
    holidays: Mapped[list[Holiday]] = relationship(
        back_populates="year", cascade="all, delete-orphan", order_by="Holiday.day"
    )


class Holiday(Base):
    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("school_year_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id"))
    day: Mapped[date]
    name: Mapped[str] = mapped_column(String(100))

    year: Mapped[SchoolYear] = relationship(back_populates="holidays")


class Teacher(Base):
    __tablename__ = "teacher"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))


class SchoolClass(Base):
    """The homeroom class; ``week`` holds the attended sessions per weekday as JSON text."""

    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("school_year_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id"))
    name: Mapped[str] = mapped_column(String(20))
    grade_level: Mapped[int]
    homeroom_teacher_id: Mapped[int] = mapped_column(ForeignKey("teacher.id"))
    week: Mapped[str] = mapped_column(String(400))

    year: Mapped[SchoolYear] = relationship()
    homeroom_teacher: Mapped[Teacher] = relationship()


class ProfileSetting(Base):
    """Settings of this profile that travel with the database (e.g. the demo's fixed "today")."""

    __tablename__ = "profile_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
