"""unknown_name_failures: a name no account has locks after as many wrong tries as a real one

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 12:40:00

Issue 11 took the "N more tries" hint away, so the words of a failed sign-in no longer tell
a real name from an unknown one; but only real accounts ever locked, so five wrong tries
still told them apart. Failures under unknown names are now counted per name, as an
account counts its own, and lock for the same minutes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import practiceboard.db.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unknown_name_failures",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column(
            "locked_until", practiceboard.db.models.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_failed_at", practiceboard.db.models.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_unknown_name_failures")),
    )


def downgrade() -> None:
    op.drop_table("unknown_name_failures")
