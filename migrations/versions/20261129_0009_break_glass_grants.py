"""break-glass grants: an admin's time-limited, reasoned grant of patient-data visibility

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:00:00

security.md item 6: emergency access is an audited admin action, never a back door. One
row per grant; the grantee's policy holds patient.view while now is between starts_at
and ends_at and the grant was not revoked (core.actor), so it ends by itself.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import practiceboard.db.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "break_glass_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("starts_at", practiceboard.db.models.UtcDateTime(), nullable=False),
        sa.Column("ends_at", practiceboard.db.models.UtcDateTime(), nullable=False),
        sa.Column("revoked_at", practiceboard.db.models.UtcDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_break_glass_grants_granted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_break_glass_grants_revoked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_break_glass_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_grants")),
    )
    op.create_index("ix_break_glass_grants_user_ends", "break_glass_grants", ["user_id", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_break_glass_grants_user_ends", table_name="break_glass_grants")
    op.drop_table("break_glass_grants")
