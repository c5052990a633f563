"""Look-ups by key: the ids of the seeded workflows, statuses, reason codes and
programs, and a status's key from its id (the seed's ids are not assumed)."""

from __future__ import annotations

from sqlalchemy import select

from practiceboard.db.engine import Database
from practiceboard.db.models import Program, ReasonCode, Status, Workflow


def wf_id(db: Database, key: str) -> int:
    """The id of the workflow with this key."""
    with db.read() as s:
        return s.scalars(select(Workflow.id).where(Workflow.key == key)).one()


def status_id(db: Database, wf_key: str, key: str) -> int:
    """The id of a workflow's status, both by key."""
    with db.read() as s:
        return s.scalars(
            select(Status.id)
            .join(Workflow, Workflow.id == Status.workflow_id)
            .where(Workflow.key == wf_key, Status.key == key)
        ).one()


def status_key(db: Database, sid: int) -> str:
    """The key of the status with this id."""
    with db.read() as s:
        return s.get(Status, sid).key


def reason_id(db: Database, kind: str, key: str) -> int:
    """The id of a reason code, by kind and key."""
    with db.read() as s:
        return s.scalars(
            select(ReasonCode.id).where(ReasonCode.kind == kind, ReasonCode.key == key)
        ).one()


def program(db: Database, key: str = "ccm") -> int:
    """The id of a care program, by key."""
    with db.read() as s:
        return s.scalars(select(Program.id).where(Program.key == key)).one()
