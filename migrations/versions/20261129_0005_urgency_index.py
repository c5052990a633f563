"""index for urgency pages: open tasks, oldest in their status first

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 05:35:00

Needs attention, my queue and needs approval list the most urgent open tasks a rank
at a time, oldest in status first; with this index the database hands the rows over
in that order and stops at the end of the page.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_open_since", ["closed_at", "status_since", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_open_since")
