"""States a test needs but no service makes on purpose (or not the way the test needs
them), written directly with a write session: they set the scene, they are never the
action under test."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, Role, RoleWorkflow, Setting, Task

from .clock import TZ
from .ids import wf_id


def use_new_york(db: Database) -> None:
    """Fix the practice calendar's time zone (the default is the PC's own)."""
    with db.write() as s:
        row = s.get(Setting, "calendar")
        row.value = {**(row.value or {}), "timezone": TZ}


def set_calendar(db: Database, **values) -> None:
    """Change fields of the practice calendar (workdays, extra_holidays as ISO dates, …)."""
    with db.write() as s:
        row = s.get(Setting, "calendar")
        row.value = {**(row.value or {}), **values}


def add_patient(db: Database, mrn: str, name: str, dob: date | None = None) -> int:
    """A patient row, without the service's audit entry."""
    at = datetime.now(UTC)
    with db.write() as s:
        p = Patient(mrn=mrn, display_name=name, search_name=name.lower(), date_of_birth=dob,
                    active=True, version=1, created_at=at, updated_at=at)  # fmt: skip
        s.add(p)
        s.flush()
        return p.id


def set_task(db: Database, task_id: int, **values) -> None:
    """Set a task's columns (an unexplained 'other', a stale touch, an owner no move gave)."""
    with db.write() as s:
        s.execute(update(Task).where(Task.id == task_id).values(**values))


def let_see(db: Database, role_key: str, wf_key: str) -> None:
    """Let a role work on one more workflow, as an admin may configure."""
    with db.write() as s:
        role = s.scalars(select(Role.id).where(Role.key == role_key)).one()
        s.merge(RoleWorkflow(role_id=role, workflow_id=wf_id(db, wf_key)))
