"""indexes for the dashboard: open tasks with their aging columns; tasks by creation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 07:05:00

The dashboard counts open work per status and owner, with its aging bucket and whether
it needs attention. Those read status_since, due_date, last_touched_at and the reason
columns; without them in an index every open task's row is fetched from the table, which
was most of the query's time. Created-per-week and the weekly report's "new" read tasks
by their creation moment (with the workflow, for the reader's scope). The week's breaches
and closings read the moves into some statuses within a time range. On SQLite the new index gets its statistics at once: a
database that has them for its other indexes (ANALYZE) would otherwise never pick it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "closed_at", "workflow_id", "status_id", "owner_id", "status_since", "due_date",
    "last_touched_at", "reason_code_id", "reason_note", "last_note_at",
]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_open_aging", COLUMNS, unique=False)
        batch_op.create_index("ix_tasks_created", ["created_at", "workflow_id"], unique=False)
    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.create_index("ix_task_events_status_at", ["to_status_id", "at"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        has_stats = bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).first()
        if has_stats:
            bind.exec_driver_sql("ANALYZE ix_tasks_open_aging")
            bind.exec_driver_sql("ANALYZE ix_tasks_created")
            bind.exec_driver_sql("ANALYZE ix_task_events_status_at")


def downgrade() -> None:
    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.drop_index("ix_task_events_status_at")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_created")
        batch_op.drop_index("ix_tasks_open_aging")
