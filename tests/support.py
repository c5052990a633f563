"""Helpers shared by test files in several folders: each default workflow's intake
fields, a movable clock, look-ups by key, tasks made through the services, and the
audit rows of one action.

Importable as ``support`` from every test file (tests/ is on sys.path, as for conftest).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from practiceboard.core import clock
from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.db.models import AuditEntry, Program, ReasonCode, Status, Workflow
from practiceboard.services.tasks import TaskDraft, TaskSaved, create_task

# Each default workflow's required intake fields.
FIELDS: dict[str, dict[str, str]] = {
    "referral": {"referred_to": "Cardiology"},
    "prior_auth": {"procedure": "MRI lumbar spine"},
    "records": {"records_from": "General Hospital"},
    "lab_followup": {"test": "A1c"},
    "billing": {"claim": "C-1001"},
    "supply": {"item": "Nitrile gloves x10"},
    "signoff": {"document": "Standing order"},
    "care_task": {},
}


class Clock:
    """core.clock.source, held still and set or moved by the test (monkeypatch
    restores it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(clock, "source", lambda: self.now)

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


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


def new_task(
    db: Database, actor: Actor, wf_key: str = "referral", title: str = "Cardiology referral", **kw
) -> TaskSaved:
    """A task through intake, with the workflow's required fields unless ``extra`` is given."""
    kw.setdefault("extra", FIELDS[wf_key])
    return create_task(db, actor, TaskDraft(workflow_id=wf_id(db, wf_key), title=title, **kw))


def audit_rows(db: Database, action: str) -> list[SimpleNamespace]:
    """The audit rows of one action, oldest first, as plain values."""
    with db.read() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        cols = AuditEntry.__mapper__.column_attrs
        return [SimpleNamespace(**{c.key: getattr(e, c.key) for c in cols}) for e in rows]
