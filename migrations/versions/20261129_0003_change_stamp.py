"""change stamp: one row the definitions tables bump, so caches know when to re-read

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:30:00

Every INSERT, UPDATE or DELETE of a definitions table sets ``change_stamp.value``
to a new random number, by trigger, inside the writer's own transaction: the
cache of core.cache sees the change at the next call on every PC, whoever wrote
it (the app, the CLI, raw SQL). ``users`` bumps only when a column the caches
hold changes (name, username, active): a sign-in's bookkeeping must not empty
every cache in the practice.

SQLite drops a table's triggers when a batch migration rebuilds the table: a
later revision that batch-alters one of these tables must create its triggers
again (tests/db/test_change_stamp.py checks every table has them at head).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fixed identifiers (DDL takes no bound parameters), never user input.
STAMPED = (
    "users", "roles", "capabilities", "role_capabilities", "user_roles", "locations",
    "workflows", "role_workflows", "statuses", "transitions", "reason_codes", "templates",
    "programs", "settings",
)  # fmt: skip
USER_COLUMNS = "username, display_name, active"  # what the caches read from users
# A new random value; on PostgreSQL below 2^62, so it always fits a bigint.
SQLITE_BUMP = "BEGIN UPDATE change_stamp SET value = random() WHERE id = 1; END"
PG_BUMP = (
    "CREATE FUNCTION pb_bump_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE change_stamp SET value = floor(random() * 4611686018427387904)::bigint "
    "WHERE id = 1; RETURN NULL; END $$"
)
SQLITE_FIRST = "INSERT INTO change_stamp (id, value) VALUES (1, random())"
PG_FIRST = (
    "INSERT INTO change_stamp (id, value) VALUES (1, floor(random() * 4611686018427387904)::bigint)"
)


def _sqlite_triggers() -> None:
    bump = SQLITE_BUMP
    for table in STAMPED:
        for verb in ("INSERT", "UPDATE", "DELETE"):
            event = f"UPDATE OF {USER_COLUMNS}" if table == "users" and verb == "UPDATE" else verb
            op.execute(
                f"CREATE TRIGGER change_stamp_{table}_{verb.lower()} "
                f"AFTER {event} ON {table} FOR EACH ROW {bump}"
            )


def _pg_triggers() -> None:
    op.execute(PG_BUMP)
    for table in STAMPED:
        update = f"UPDATE OF {USER_COLUMNS}" if table == "users" else "UPDATE"
        op.execute(
            f"CREATE TRIGGER change_stamp_bump AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION pb_bump_change_stamp()"
        )


def upgrade() -> None:
    op.create_table(
        "change_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_stamp")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(SQLITE_FIRST if sqlite else PG_FIRST)
    if sqlite:
        _sqlite_triggers()
    else:
        _pg_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in STAMPED:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS change_stamp_{table}_{verb}")
    else:
        for table in STAMPED:
            op.execute(f"DROP TRIGGER IF EXISTS change_stamp_bump ON {table}")
        op.execute("DROP FUNCTION IF EXISTS pb_bump_change_stamp()")
    op.drop_table("change_stamp")
