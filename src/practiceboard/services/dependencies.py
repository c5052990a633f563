""" "Blocked by": a task that cannot go on until another one is done.

A task waits on at most one other open task, of any workflow its editor may see. The
blocked task keeps the blocker's id (``blocked_by_id``); the blocker counts the tasks
waiting on it (``blocking_count``), so both cards show it from their own rows. A chain
that would lead back to the task is refused. When the blocker closes, tasks.move_in
clears the block and tells the blocked task's owner (services/task_links.py).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor
from practiceboard.core.clock import now
from practiceboard.core.unit import get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, TaskEvent
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.services.tasks import (
    TaskSaved,
    audit_category,
    changing,
    check_visible_and_editable,
    saved,
)

TASKS = Task.__table__
CHAIN_LIMIT = 1000  # a chain longer than any practice's (and a guard against a loop)


def _blocking(session: Session, task_id: int, step: int) -> None:
    session.execute(
        update(TASKS).where(TASKS.c.id == task_id)
        .values(blocking_count=TASKS.c.blocking_count + step)
    )  # fmt: skip


def _chain_back(session: Session, start: Task, target_id: int) -> list[str] | None:
    """The refs from ``start`` following what each waits on, when that leads to
    ``target_id``; None when it does not."""
    refs, current, seen = [start.ref], start, set()
    while current.blocked_by_id is not None and len(refs) < CHAIN_LIMIT:
        if current.blocked_by_id == target_id:
            return refs
        if current.blocked_by_id in seen:
            return None
        seen.add(current.blocked_by_id)
        current = session.get(Task, current.blocked_by_id)
        if current is None:
            return None
        refs.append(current.ref)
    return None


def set_blocker(
    db: Database, actor: Actor, task_id: int, blocker_id: int, *, expected_version: int | None
) -> TaskSaved:
    """``task_id`` waits on ``blocker_id`` from now (replacing what it waited on)."""
    with changing(db, actor, "task.block", task_id, expected_version) as (session, policy, task):
        check_visible_and_editable(policy, task)
        if task.closed_at is not None:
            raise ValidationError(f"{task.ref} is closed; a closed task waits on nothing.")
        blocker = get_or_404(session, Task, blocker_id, "task")
        if not policy.sees_workflow(blocker.workflow_id):
            raise PermissionDenied(
                "Your role does not work on that task's workflow, so it cannot be a blocker here."
            )
        if blocker.id == task.id:
            raise ValidationError("A task cannot wait on itself.", "blocker")
        if blocker.closed_at is not None:
            raise ValidationError(
                f"{blocker.ref} is already closed, so there is nothing to wait for.", "blocker"
            )
        if task.blocked_by_id == blocker.id:
            return saved(task)
        loop = _chain_back(session, blocker, task.id)
        if loop is not None:
            path = " → ".join([*loop, task.ref])
            raise ValidationError(
                f"{blocker.ref} already waits on {task.ref} ({path}); two tasks cannot wait on "
                "each other. Remove one of the blocks first.",
                "blocker",
            )
        old = task.blocked_by_id
        if old is not None:
            _blocking(session, old, -1)
        _blocking(session, blocker.id, 1)
        at = now()
        task.blocked_by_id = blocker.id
        task.updated_at, task.updated_by_id = at, actor.user_id
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="edit",
                              data={"fields": ["blocked_by"], "blocker": blocker.ref}))  # fmt: skip
        session.flush()
        audit.write(
            session, actor.who(), "task.block", "task", task.id, at=at,
            patient_id=task.patient_id, category=audit_category(task),
            old={"blocked_by_id": old}, new={"blocked_by_id": blocker.id, "blocker": blocker.ref},
        )  # fmt: skip
        return saved(task)


def clear_blocker(
    db: Database, actor: Actor, task_id: int, *, expected_version: int | None
) -> TaskSaved:
    """The task no longer waits on anything."""
    with changing(db, actor, "task.unblock", task_id, expected_version) as (
        session, policy, task,
    ):  # fmt: skip
        check_visible_and_editable(policy, task)
        old = task.blocked_by_id
        if old is None:
            return saved(task)
        _blocking(session, old, -1)
        at = now()
        task.blocked_by_id = None
        task.updated_at, task.updated_by_id = at, actor.user_id
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="edit",
                              data={"fields": ["blocked_by"]}))  # fmt: skip
        session.flush()
        audit.write(
            session, actor.who(), "task.unblock", "task", task.id, at=at,
            patient_id=task.patient_id, category=audit_category(task),
            old={"blocked_by_id": old}, new={"blocked_by_id": None},
        )  # fmt: skip
        return saved(task)
