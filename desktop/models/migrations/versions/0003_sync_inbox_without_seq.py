"""sync inbox without seq (protocol 2 sends no per-row seq)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows staged by a protocol-1 sync arrived in seq order, so their ids keep that order.
    with op.batch_alter_table("sync_inbox") as batch:
        batch.drop_column("seq")


def downgrade() -> None:
    with op.batch_alter_table("sync_inbox") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="1"))
