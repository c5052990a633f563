"""spreadsheet imports: batches, their rows' fingerprints, remembered layouts; the
"import undone" reason and a cancelled status for the two workflows that had none

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 09:50:00

An import is one batch (import_batches); each row that created or updated something
keeps its fingerprint (import_rows), so importing the same file again creates nothing
twice, and an undo finds everything the batch made. import_layouts remembers the mapping
a person chose for a file's header row.

Undoing an import closes each task it created with the exception reason "Import undone"
(a new reason code). The move goes to the status the workflow's exception reasons lead
to; Prior authorization and Billing follow-up had none (a prior auth no longer needed
could only be closed as Denied), so each gains "Closed – not needed" (cancelled), reached
from every open status with an exception reason and reopened like every closed status.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# workflow key -> the status every open status may now be closed into, and the
# status a reopen goes back to (the workflow's first active status).
NEW_STATUS = {"prior_auth": "submitted", "billing": "investigating"}
KEY, NAME, DOD = "not_needed", "Closed – not needed", "No longer needed; closed with a reason"


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("layout", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('tasks', 'patients')", name=op.f("ck_import_batches_kind")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_import_batches_created_by_id_users")),
        sa.ForeignKeyConstraint(["undone_by_id"], ["users.id"],
                                name=op.f("fk_import_batches_undone_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )  # fmt: skip
    op.create_table(
        "import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"],
                                name=op.f("fk_import_rows_batch_id_import_batches")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"],
                                name=op.f("fk_import_rows_patient_id_patients")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_import_rows_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rows")),
    )  # fmt: skip
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_rows_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_import_rows_fingerprint"), ["fingerprint"], unique=False
        )
    op.create_table(
        "import_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("layout", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_import_layouts_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_layouts")),
        sa.UniqueConstraint("kind", "layout", name=op.f("uq_import_layouts_kind")),
    )  # fmt: skip
    _seed()


def _seed() -> None:
    conn = op.get_bind()
    pos = conn.execute(
        sa.text("SELECT COALESCE(MAX(position), 0) + 1 FROM reason_codes WHERE kind = 'exception'")
    ).scalar()
    conn.execute(
        sa.text(
            "INSERT INTO reason_codes (kind, key, label, note_required, position, active) "
            "VALUES ('exception', 'import_undone', 'Import undone', :f, :p, :t)"
        ),
        {"f": False, "t": True, "p": pos},
    )
    for wf_key, reopen_to in NEW_STATUS.items():
        wf = conn.execute(sa.text("SELECT id FROM workflows WHERE key = :k"), {"k": wf_key}).first()
        if wf is None:
            continue
        wf_id = wf[0]
        if conn.execute(
            sa.text("SELECT id FROM statuses WHERE workflow_id = :w AND category = 'cancelled'"),
            {"w": wf_id},
        ).first():
            continue
        position = conn.execute(
            sa.text("SELECT MAX(position) + 1 FROM statuses WHERE workflow_id = :w"), {"w": wf_id}
        ).scalar()
        conn.execute(
            sa.text(
                "INSERT INTO statuses (workflow_id, key, name, category, position,"
                " definition_of_done, pauses_sla) VALUES (:w, :k, :n, 'cancelled', :p, :d, :f)"
            ),
            {"w": wf_id, "k": KEY, "n": NAME, "p": position, "d": DOD, "f": False},
        )
        new_id = conn.execute(
            sa.text("SELECT id FROM statuses WHERE workflow_id = :w AND key = :k"),
            {"w": wf_id, "k": KEY},
        ).scalar()
        open_ids = conn.execute(
            sa.text(
                "SELECT id FROM statuses WHERE workflow_id = :w"
                " AND category NOT IN ('done', 'cancelled') ORDER BY position"
            ),
            {"w": wf_id},
        ).scalars()
        back = conn.execute(
            sa.text("SELECT id FROM statuses WHERE workflow_id = :w AND key = :k"),
            {"w": wf_id, "k": reopen_to},
        ).scalar()
        insert = sa.text(
            "INSERT INTO transitions (workflow_id, from_status_id, to_status_id, capability_key,"
            " label, reason_kind, handoff, is_reopen) VALUES (:w, :a, :b, 'task.edit_own', '',"
            " :r, 'keep', :o)"
        )
        for open_id in list(open_ids):
            conn.execute(insert, {"w": wf_id, "a": open_id, "b": new_id, "r": "exception",
                                  "o": False})  # fmt: skip
        conn.execute(insert, {"w": wf_id, "a": new_id, "b": back, "r": "reopen", "o": True})


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(
        sa.text("DELETE FROM reason_codes WHERE kind = 'exception' AND key = 'import_undone'")
    )
    for wf_key in NEW_STATUS:
        ids = conn.execute(
            sa.text(
                "SELECT s.id FROM statuses s JOIN workflows w ON w.id = s.workflow_id"
                " WHERE w.key = :k AND s.key = :s"
            ),
            {"k": wf_key, "s": KEY},
        ).scalars()
        for sid in list(ids):
            conn.execute(
                sa.text("DELETE FROM transitions WHERE from_status_id = :s OR to_status_id = :s"),
                {"s": sid},
            )
            conn.execute(sa.text("DELETE FROM statuses WHERE id = :s"), {"s": sid})
    op.drop_table("import_layouts")
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_rows_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_import_rows_batch_id"))
    op.drop_table("import_rows")
    op.drop_table("import_batches")
