"""PostgreSQL: the dashboard's open-work index also carries the task id

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 12:10:00

The dashboard counts open work per status, owner and aging bucket, with whether each
task needs attention, from ix_tasks_open_aging alone. Since tasks can wait on each other
(0012), the attention test also asks whether the task's id is among those waiting: on
SQLite every index holds the row id, but on PostgreSQL the id was not in this index, so
the server fetched every open task's row from the table (about 12 of the query's 15 ms
on the 250,000-task bench set; 3 ms with the id in the index). The index is rebuilt with
INCLUDE (id). SQLite: nothing changes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "closed_at", "workflow_id", "status_id", "owner_id", "status_since", "due_date",
    "last_touched_at", "reason_code_id", "reason_note", "last_note_at",
]  # fmt: skip


def _rebuild(include: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_tasks_open_aging", table_name="tasks")
    op.create_index(
        "ix_tasks_open_aging", "tasks", COLUMNS, unique=False, postgresql_include=include
    )


def upgrade() -> None:
    _rebuild(["id"])


def downgrade() -> None:
    _rebuild([])
