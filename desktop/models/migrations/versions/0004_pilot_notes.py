"""pilot notes: problems the teacher noted during the pilot (local to the profile)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pilot_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_note")),
    )
    with op.batch_alter_table("pilot_note") as batch:
        batch.create_index(batch.f("ix_pilot_note_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pilot_note") as batch:
        batch.drop_index(batch.f("ix_pilot_note_day"))
    op.drop_table("pilot_note")
