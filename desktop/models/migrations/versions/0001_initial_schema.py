"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=50), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_table(
        "profile_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_profile_setting")),
    )
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("governing_body", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
        sa.UniqueConstraint("code", name=op.f("uq_school_code")),
    )
    op.create_table(
        "policy_setting",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_policy_setting_school_id_school")
        ),
        sa.PrimaryKeyConstraint("school_id", "key", name=op.f("pk_policy_setting")),
    )
    op.create_table(
        "school_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("semester2_start", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_year_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_year")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_school_year_school_id_name")),
    )
    op.create_table(
        "teacher",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_teacher_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher")),
        sa.UniqueConstraint("code", name=op.f("uq_teacher_code")),
    )
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_year.id"],
            name=op.f("fk_holiday_school_year_id_school_year"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday")),
        sa.UniqueConstraint("school_year_id", "day", name=op.f("uq_holiday_school_year_id_day")),
    )
    op.create_table(
        "school_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("grade_level", sa.Integer(), nullable=False),
        sa.Column("homeroom_teacher_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["homeroom_teacher_id"],
            ["teacher.id"],
            name=op.f("fk_school_class_homeroom_teacher_id_teacher"),
        ),
        sa.ForeignKeyConstraint(
            ["school_year_id"],
            ["school_year.id"],
            name=op.f("fk_school_class_school_year_id_school_year"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_class")),
        sa.UniqueConstraint(
            "school_year_id", "name", name=op.f("uq_school_class_school_year_id_name")
        ),
    )
    op.create_table(
        "grade_deadline",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_grade_deadline_class_id_school_class")
        ),
        sa.PrimaryKeyConstraint("class_id", "semester", "kind", name=op.f("pk_grade_deadline")),
    )
    op.create_table(
        "student",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("sort_key", sa.String(length=400), nullable=False),
        sa.Column("search_key", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_student_class_id_school_class")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student")),
        sa.UniqueConstraint("class_id", "code", name=op.f("uq_student_class_id_code")),
    )
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_student_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_student_sort_key"), ["sort_key"], unique=False)

    op.create_table(
        "subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("periods_per_year", sa.Integer(), nullable=False),
        sa.Column("assessment", sa.String(length=10), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_subject_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["teacher.id"], name=op.f("fk_subject_teacher_id_teacher")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject")),
        sa.UniqueConstraint("class_id", "code", name=op.f("uq_subject_class_id_code")),
    )
    op.create_table(
        "conduct_rating",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_conduct_rating_student_id_student")
        ),
        sa.PrimaryKeyConstraint("student_id", "term", name=op.f("pk_conduct_rating")),
    )
    op.create_table(
        "grade_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("score", sa.String(length=16), nullable=True),
        sa.Column("comment", sa.String(length=2), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_grade_entry_student_id_student")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_grade_entry_subject_id_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_entry")),
        sa.UniqueConstraint(
            "student_id",
            "subject_id",
            "semester",
            "kind",
            "slot",
            name=op.f("uq_grade_entry_student_id_subject_id_semester_kind_slot"),
        ),
    )
    with op.batch_alter_table("grade_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grade_entry_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grade_entry_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "guardian",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("econtact_registered_on", sa.Date(), nullable=True),
        sa.Column("consent_recorded_on", sa.Date(), nullable=True),
        sa.Column("consent_note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_guardian_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian")),
    )
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardian_student_id"), ["student_id"], unique=False)

    op.create_table(
        "subject_term",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.String(length=32), nullable=True),
        sa.Column("locked_at", sa.String(length=32), nullable=True),
        sa.Column("review_state", sa.String(length=20), nullable=False),
        sa.Column("review_note", sa.String(length=500), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subject.id"], name=op.f("fk_subject_term_subject_id_subject")
        ),
        sa.PrimaryKeyConstraint("subject_id", "semester", name=op.f("pk_subject_term")),
    )
    op.create_table(
        "grade_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("old_value", sa.String(length=8), nullable=False),
        sa.Column("new_value", sa.String(length=8), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("review_state", sa.String(length=20), nullable=False),
        sa.Column("review_note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["grade_entry.id"], name=op.f("fk_grade_change_entry_id_grade_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_change")),
    )
    with op.batch_alter_table("grade_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grade_change_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "leave_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.String(length=32), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("first_session", sa.String(length=10), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("last_session", sa.String(length=10), nullable=False),
        sa.Column("reason_category", sa.String(length=20), nullable=False),
        sa.Column("reason_text", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_note", sa.String(length=500), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("original_received_on", sa.Date(), nullable=True),
        sa.Column("principal_signoff_by", sa.String(length=100), nullable=False),
        sa.Column("principal_signoff_on", sa.Date(), nullable=True),
        sa.Column("audit_status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardian.id"], name=op.f("fk_leave_request_guardian_id_guardian")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_leave_request_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_request")),
    )
    with op.batch_alter_table("leave_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leave_request_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_leave_request_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "attendance_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session", sa.String(length=10), nullable=False),
        sa.Column("observed", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("leave_request_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["leave_request_id"],
            ["leave_request.id"],
            name=op.f("fk_attendance_mark_leave_request_id_leave_request"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["student.id"], name=op.f("fk_attendance_mark_student_id_student")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_mark")),
        sa.UniqueConstraint(
            "student_id", "day", "session", name=op.f("uq_attendance_mark_student_id_day_session")
        ),
    )
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.create_index("ix_attendance_mark_day", ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attendance_mark_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "post_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("selected_because", sa.String(length=200), nullable=False),
        sa.Column("selection_seed", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("auditor", sa.String(length=100), nullable=False),
        sa.Column("selected_at", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["leave_request.id"],
            name=op.f("fk_post_audit_request_id_leave_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_audit")),
    )
    with op.batch_alter_table("post_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_audit_request_id"), ["request_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("post_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_audit_request_id"))

    op.drop_table("post_audit")
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_mark_student_id"))
        batch_op.drop_index("ix_attendance_mark_day")

    op.drop_table("attendance_mark")
    with op.batch_alter_table("leave_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leave_request_student_id"))
        batch_op.drop_index(batch_op.f("ix_leave_request_status"))

    op.drop_table("leave_request")
    with op.batch_alter_table("grade_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_change_entry_id"))

    op.drop_table("grade_change")
    op.drop_table("subject_term")
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_student_id"))

    op.drop_table("guardian")
    with op.batch_alter_table("grade_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grade_entry_subject_id"))
        batch_op.drop_index(batch_op.f("ix_grade_entry_student_id"))

    op.drop_table("grade_entry")
    op.drop_table("conduct_rating")
    op.drop_table("subject")
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_sort_key"))
        batch_op.drop_index(batch_op.f("ix_student_class_id"))

    op.drop_table("student")
    op.drop_table("grade_deadline")
    op.drop_table("school_class")
    op.drop_table("holiday")
    op.drop_table("teacher")
    op.drop_table("school_year")
    op.drop_table("policy_setting")
    op.drop_table("school")
    op.drop_table("profile_setting")
    op.drop_table("audit_log")
