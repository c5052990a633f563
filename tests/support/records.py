"""What an action left behind, read back as plain values: a task's columns, its events,
audit rows, and the row counts and snapshots that "nothing changed" compares."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from practiceboard.db.engine import Database
from practiceboard.db.models import AuditEntry, Note, Task, TaskEvent, TaskWatcher


def values(row: object) -> SimpleNamespace:
    """Every column of an ORM row, detached from its session."""
    return SimpleNamespace(**{c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs})


def task_row(db: Database, task_id: int) -> SimpleNamespace:
    """Every column of the task, as plain values."""
    with db.read() as s:
        return values(s.get(Task, task_id))


def version(db: Database, task_id: int) -> int:
    """The task's version (what the next change must expect)."""
    return task_row(db, task_id).version


def events(db: Database, task_id: int, after_id: int = 0) -> list[SimpleNamespace]:
    """The task's history events after ``after_id``, oldest first."""
    with db.read() as s:
        rows = s.scalars(
            select(TaskEvent)
            .where(TaskEvent.task_id == task_id, TaskEvent.id > after_id)
            .order_by(TaskEvent.id)
        )
        return [values(e) for e in rows]


def last_event_id(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.max(TaskEvent.id))) or 0


def audit_rows(db: Database, action: str | None = None, *, after: int = 0) -> list[SimpleNamespace]:
    """Audit rows, oldest first: of one action, or of every action, after the id ``after``
    (``mark = last_audit_id(db)`` before the action under test)."""
    query = select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with db.read() as s:
        return [values(e) for e in s.scalars(query)]


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
