"""Helpers for the read-side tests: a movable clock, tasks made through the services,
and the few states no service creates on purpose (set with a write session)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, Setting, Task, Workflow
from practiceboard.services.tasks import move_task
from support import Clock, new_task, reason_id, status_id

TZ = "America/New_York"
# Wednesday 12 March 2025, 10:00 in New York (EDT, UTC-4): a business day.
WED_10AM = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


@pytest.fixture(name="clock")
def clock_fixture(db, monkeypatch):
    """The practice in New York and the clock at Wednesday 10:00 there (movable)."""
    use_new_york(db)
    return Clock(monkeypatch, WED_10AM)


def use_new_york(db: Database) -> None:
    """Fix the practice calendar's time zone (the default is the PC's own)."""
    with db.write() as s:
        row = s.get(Setting, "calendar")
        row.value = {**(row.value or {}), "timezone": TZ}


def make_task(db: Database, actor: Actor, wf_key: str, title: str, **kw) -> int:
    """A task through intake, owned by its creator unless ``owner_id`` says otherwise."""
    kw.setdefault("owner_id", actor.user_id)
    return new_task(db, actor, wf_key, title, **kw).id


def version(db: Database, task_id: int) -> int:
    with db.read() as s:
        return s.get(Task, task_id).version


def move(db: Database, actor: Actor, task_id: int, to: str, reason: tuple[str, str] | None = None,
         note: str | None = None, owner: int | None = None) -> None:  # fmt: skip
    with db.read() as s:
        wf_key = s.execute(
            select(Workflow.key)
            .join(Task, Task.workflow_id == Workflow.id)
            .where(Task.id == task_id)
        ).scalar_one()
    move_task(
        db, actor, task_id, status_id(db, wf_key, to), expected_version=version(db, task_id),
        reason_id=reason_id(db, *reason) if reason else None, note=note, new_owner_id=owner,
    )  # fmt: skip


def add_patient(db: Database, mrn: str, name: str, dob: date | None = None) -> int:
    at = datetime.now(UTC)
    with db.write() as s:
        p = Patient(mrn=mrn, display_name=name, search_name=name.lower(), date_of_birth=dob,
                    active=True, version=1, created_at=at, updated_at=at)  # fmt: skip
        s.add(p)
        s.flush()
        return p.id


def set_task(db: Database, task_id: int, **values) -> None:
    """A state no service makes on purpose (an unexplained 'other', a stale touch)."""
    with db.write() as s:
        s.execute(update(Task).where(Task.id == task_id).values(**values))
