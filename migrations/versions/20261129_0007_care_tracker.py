"""care plan tracker: patient phone and programs, plan templates and reasons, goal
targets, the workflow an intervention generates into

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 07:00:00

Patients gain a phone number and the programs they are enrolled in (a plain link
table), and an index on date of birth for the Patients search. A care plan records
the template it was made from and why it is on hold or closed; a goal its target;
an intervention the task workflow its tasks go to (none: the care task workflow).
Every new column is nullable, so existing rows need no data step. Two indexes let the
patient page, the Patients list and plan counts read one patient's or one plan's open
tasks directly instead of walking every open task.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_patients_date_of_birth"), ["date_of_birth"], unique=False
        )
    op.create_table(
        "patient_programs",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_programs_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_patient_programs_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "program_id", name=op.f("pk_patient_programs")),
    )
    with op.batch_alter_table("patient_programs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_programs_program_id"), ["program_id"], unique=False
        )
    with op.batch_alter_table("care_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("status_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("status_note", sa.String(length=500), nullable=True))
    with op.batch_alter_table("care_goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=200), nullable=True))
    with op.batch_alter_table("care_interventions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workflow_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_care_interventions_workflow_id_workflows"),
            "workflows",
            ["workflow_id"],
            ["id"],
        )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_patient_open", ["patient_id", "closed_at", "due_date"], unique=False
        )
        batch_op.create_index(
            "ix_tasks_plan_open", ["care_plan_id", "closed_at", "due_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_plan_open")
        batch_op.drop_index("ix_tasks_patient_open")
    with op.batch_alter_table("care_interventions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_care_interventions_workflow_id_workflows"), type_="foreignkey"
        )
        batch_op.drop_column("workflow_id")
    with op.batch_alter_table("care_goals", schema=None) as batch_op:
        batch_op.drop_column("target")
    with op.batch_alter_table("care_plans", schema=None) as batch_op:
        batch_op.drop_column("status_note")
        batch_op.drop_column("status_reason")
        batch_op.drop_column("template_key")
    with op.batch_alter_table("patient_programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_programs_program_id"))
    op.drop_table("patient_programs")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_date_of_birth"))
        batch_op.drop_column("phone")
