"""documents on tasks (attached files and references) and "blocked by" between tasks

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-29 09:40:00

A document's row (task_documents) holds what a list shows — label, name, type, size,
SHA-256, who added it and when, whether it was removed — and its bytes live apart, in
document_chunks, a piece at a time, so no list ever reads content and a 25 MB file is
never held whole. Tasks gain two counters (live documents, tasks it blocks) and the
task they wait on, so the board reads the paper clip and the blocked flag from the
card's own row. The counters start at 0 for existing tasks (none had documents or
blockers); the new columns are added in place (no table rebuild), with the foreign key
declared on the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tasks", sa.Column("document_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "tasks", sa.Column("blocking_count", sa.Integer(), server_default="0", nullable=False)
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key in place (alembic would rebuild the
        # table, and with it every index of the largest table).
        op.execute(
            "ALTER TABLE tasks ADD COLUMN blocked_by_id INTEGER "
            "CONSTRAINT fk_tasks_blocked_by_id_tasks REFERENCES tasks (id)"
        )
    else:
        op.add_column("tasks", sa.Column("blocked_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_tasks_blocked_by_id_tasks"), "tasks", "tasks", ["blocked_by_id"], ["id"]
        )
    op.create_index(op.f("ix_tasks_blocked_by_id"), "tasks", ["blocked_by_id"], unique=False)
    op.create_table(
        "task_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=1000), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('file', 'reference')", name=op.f("ck_task_documents_kind")),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_task_documents_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["users.id"], name=op.f("fk_task_documents_removed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_documents_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_documents")),
    )
    op.create_index("ix_task_documents_task", "task_documents", ["task_id", "removed_at"])
    op.create_table(
        "document_chunks",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["task_documents.id"],
            name=op.f("fk_document_chunks_document_id_task_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "seq", name=op.f("pk_document_chunks")),
    )


def downgrade() -> None:
    op.drop_table("document_chunks")
    op.drop_index("ix_task_documents_task", table_name="task_documents")
    op.drop_table("task_documents")
    op.drop_index(op.f("ix_tasks_blocked_by_id"), table_name="tasks")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        if not sqlite:  # the SQLite rebuild drops the key with its column
            batch_op.drop_constraint(op.f("fk_tasks_blocked_by_id_tasks"), type_="foreignkey")
        batch_op.drop_column("blocked_by_id")
        batch_op.drop_column("blocking_count")
        batch_op.drop_column("document_count")
