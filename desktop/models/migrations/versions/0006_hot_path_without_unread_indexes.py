"""the teacher's hot path without indexes no query needs

A decision's commit wrote a page for each index it touched. Three of them served no query:
the attendance marks' student index (the unique (student_id, day, session) index leads with the
student), the requests' status index (no query filters a class's few hundred requests by status
alone) and the audit log's unique hash (the chain, not an index, makes the log tamper-evident).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op
from alembic.operations import BatchOperations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


APPEND_ONLY = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
)
"""Migration 0002's guards: SQLite drops a table's triggers with it, and a batch alter copies
the table into a new one."""


def _rebuild_audit_log(alter: Callable[[BatchOperations], None]) -> None:
    with op.batch_alter_table("audit_log") as batch:
        alter(batch)
    for trigger in APPEND_ONLY:
        op.execute(trigger)


def upgrade() -> None:
    with op.batch_alter_table("attendance_mark") as batch:
        batch.drop_index("ix_attendance_mark_student_id")
    with op.batch_alter_table("leave_request") as batch:
        batch.drop_index("ix_leave_request_status")
    _rebuild_audit_log(lambda batch: batch.drop_constraint("uq_audit_log_hash", type_="unique"))


def downgrade() -> None:
    _rebuild_audit_log(lambda batch: batch.create_unique_constraint("uq_audit_log_hash", ["hash"]))
    with op.batch_alter_table("leave_request") as batch:
        batch.create_index("ix_leave_request_status", ["status"], unique=False)
    with op.batch_alter_table("attendance_mark") as batch:
        batch.create_index("ix_attendance_mark_student_id", ["student_id"], unique=False)
