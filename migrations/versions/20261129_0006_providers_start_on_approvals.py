"""providers start on the approvals inbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 07:00:00

The approvals inbox is where a provider's decisions wait, so it becomes the
provider role's view after sign-in. Only a role still on the old default
(My queue) moves: a practice that chose another start view keeps it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

roles = sa.table("roles", sa.column("key", sa.String), sa.column("start_view", sa.String))


def upgrade() -> None:
    op.execute(
        roles.update()
        .where(roles.c.key == "provider", roles.c.start_view == "queue")
        .values(start_view="approvals")
    )


def downgrade() -> None:
    op.execute(
        roles.update()
        .where(roles.c.key == "provider", roles.c.start_view == "approvals")
        .values(start_view="queue")
    )
