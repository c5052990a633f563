"""admin screens: a forced password change after a reset; retired statuses

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-29 09:50:00

An admin's password reset gives a one-time password, and the person must choose their
own at the next sign-in (``users.must_change_password``). A workflow status that tasks
have been in can no longer be deleted without breaking their history; the admin retires
it instead (``statuses.retired``): it keeps its id, its tasks and events, and no task
moves into it any more. Both are added columns (ALTER TABLE ADD COLUMN, no table rebuild
on SQLite), so the change-stamp triggers on those tables stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both engines (not batch mode, which would rebuild the tables on
    # SQLite and drop their triggers): a constant default fills the existing rows.
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "statuses", sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35+) keeps the tables and so their triggers.
    op.drop_column("statuses", "retired")
    op.drop_column("users", "must_change_password")
