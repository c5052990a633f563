"""patients name who changed them last

Patient edits use the same optimistic lock as tasks and care plans (``version``
as SQLAlchemy's version_id_col, which needs no schema change): a stale save is
"This patient was changed by NAME at TIME — reload". Naming them needs the
column below; patients saved before this revision name "someone else".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_patients_updated_by_id_users"), "users", ["updated_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_patients_updated_by_id_users"), type_="foreignkey")
        batch_op.drop_column("updated_by_id")
