"""Helpers for the task and approval service tests: the clock's start, the rows and audit
entries an action left behind, and states set directly (the shared look-ups, task
maker and clock are in tests/support.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import func, select, update

from practiceboard.db.engine import Database
from practiceboard.db.models import (
    AuditEntry,
    Note,
    Role,
    RoleWorkflow,
    Status,
    Task,
    TaskEvent,
    TaskWatcher,
)
from support import wf_id

START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday, mid-morning in the US


def status_key(db: Database, sid: int) -> str:
    with db.read() as s:
        return s.get(Status, sid).key


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
