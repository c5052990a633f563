"""Shared helpers for the task and approval service tests: look-ups by key, tasks made
through the services, the rows and audit entries an action left behind, and a
movable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select, update

from practiceboard.db.engine import Database
from practiceboard.db.models import (
    AuditEntry,
    Note,
    ReasonCode,
    Role,
    RoleWorkflow,
    Status,
    Task,
    TaskEvent,
    TaskWatcher,
    Workflow,
)
from practiceboard.services import context
from practiceboard.services.context import Actor
from practiceboard.services.tasks import TaskDraft, TaskSaved, create_task

START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday, mid-morning in the US

# Each default workflow's required intake fields.
FIELDS = {
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
    """services.context.clock, held still and moved by the test."""

    def __init__(self, monkeypatch, start: datetime = START) -> None:
        self.now = start
        monkeypatch.setattr(context, "clock", lambda: self.now)

    def advance(self, **kw) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def wf_id(db: Database, key: str) -> int:
    with db.read() as s:
        return s.scalars(select(Workflow.id).where(Workflow.key == key)).one()


def status_id(db: Database, wf_key: str, key: str) -> int:
    with db.read() as s:
        return s.scalars(
            select(Status.id).join(Workflow).where(Workflow.key == wf_key, Status.key == key)
        ).one()


def status_key(db: Database, sid: int) -> str:
    with db.read() as s:
        return s.get(Status, sid).key


def reason_id(db: Database, kind: str, key: str) -> int:
    with db.read() as s:
        return s.scalars(
            select(ReasonCode.id).where(ReasonCode.kind == kind, ReasonCode.key == key)
        ).one()


def new_task(
    db: Database, actor: Actor, wf_key: str = "referral", title: str = "Cardiology referral", **kw
) -> TaskSaved:
    kw.setdefault("extra", FIELDS[wf_key])
    return create_task(db, actor, TaskDraft(workflow_id=wf_id(db, wf_key), title=title, **kw))


def task_row(db: Database, task_id: int) -> SimpleNamespace:
    """Every column of the task, as plain values."""
    with db.read() as s:
        t = s.get(Task, task_id)
        return SimpleNamespace(**{c.key: getattr(t, c.key) for c in Task.__mapper__.column_attrs})


def set_owner(db: Database, task_id: int, owner_id: int) -> None:
    """Give a task to someone directly (a state the test needs, not an action under test)."""
    with db.write() as s:
        s.execute(
            update(Task).where(Task.id == task_id).values(owner_id=owner_id)
            .execution_options(synchronize_session=False)
        )  # fmt: skip


def events(db: Database, task_id: int, after_id: int = 0) -> list[SimpleNamespace]:
    with db.read() as s:
        rows = s.scalars(
            select(TaskEvent)
            .where(TaskEvent.task_id == task_id, TaskEvent.id > after_id)
            .order_by(TaskEvent.id)
        )
        cols = TaskEvent.__mapper__.column_attrs
        return [SimpleNamespace(**{c.key: getattr(e, c.key) for c in cols}) for e in rows]


def last_event_id(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.max(TaskEvent.id))) or 0


def audit_since(db: Database, after_id: int) -> list[SimpleNamespace]:
    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id))
        cols = AuditEntry.__mapper__.column_attrs
        return [SimpleNamespace(**{c.key: getattr(e, c.key) for c in cols}) for e in rows]


def last_audit_id(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.max(AuditEntry.id))) or 0


def counts(db: Database) -> dict[str, int]:
    """Row counts an action may change; refused actions' own 'denied' audit rows excluded."""
    with db.read() as s:
        return {
            "tasks": s.scalar(select(func.count(Task.id))),
            "task_events": s.scalar(select(func.count(TaskEvent.id))),
            "notes": s.scalar(select(func.count(Note.id))),
            "watchers": s.scalar(select(func.count()).select_from(TaskWatcher)),
            "audit_log": s.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.outcome != "denied")
            ),
        }


def snapshot(db: Database) -> dict:
    """Counts plus every task's columns: 'nothing changed' compares two of these."""
    with db.read() as s:
        tasks = {
            t.id: tuple(getattr(t, c.key) for c in Task.__mapper__.column_attrs)
            for t in s.scalars(select(Task))
        }
    return {"counts": counts(db), "tasks": tasks}


def let_see(db: Database, role_key: str, wf_key: str) -> None:
    """Let a role work on one more workflow, as an admin may configure."""
    with db.write() as s:
        role = s.scalars(select(Role.id).where(Role.key == role_key)).one()
        s.merge(RoleWorkflow(role_id=role, workflow_id=wf_id(db, wf_key)))
