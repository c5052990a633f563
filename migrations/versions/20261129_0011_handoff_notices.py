"""handoff notices: the "new to you" badge of a task handed to someone

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-29 09:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import practiceboard.db.models

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handoff_notices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=False),
        sa.Column("at", practiceboard.db.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_handoff_notices_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_handoff_notices_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_handoff_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "task_id", name=op.f("pk_handoff_notices")),
    )
    with op.batch_alter_table("handoff_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_notices_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handoff_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_notices_task_id"))
    op.drop_table("handoff_notices")
