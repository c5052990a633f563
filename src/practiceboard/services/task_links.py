"""What closing a task does to the tasks that waited on it, inside the close's own
transaction: each block clears, the blocker's count goes back to 0, and each blocked
task's owner is told (an alert of kind ``unblocked``, shown by the alerts bell and the
desktop notice). Called by tasks.move_in; imports no other service.

The blocked tasks' rows change by a plain UPDATE that leaves their ``version`` alone:
someone editing one of them meanwhile is not refused for a change they did not make
to any field they see in the editor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.db.models import AlertPreference, Notification, Task
from practiceboard.domain.alerts import AlertKind, TaskFact, task_alert

TASKS = Task.__table__


def release_blocked(
    session: Session, closed: Task, at: datetime, closed_by: int | None = None
) -> list[int]:
    """Clear the blocks on ``closed`` and tell the blocked tasks' owners (not the person
    who closed it, nor an owner who turned this alert off); returns the ids of the tasks
    released. A closed task waits on nothing either: its own block goes, and its blocker
    stops counting it."""
    if closed.blocked_by_id is not None:
        session.execute(
            update(TASKS).where(TASKS.c.id == closed.blocked_by_id)
            .values(blocking_count=TASKS.c.blocking_count - 1)
        )  # fmt: skip
        closed.blocked_by_id = None
    if not closed.blocking_count:
        return []
    rows = session.execute(
        select(Task.id, Task.ref, Task.workflow_id, Task.title, Task.owner_id).where(
            Task.blocked_by_id == closed.id
        )
    ).all()
    session.execute(
        update(TASKS).where(TASKS.c.blocked_by_id == closed.id).values(blocked_by_id=None)
    )
    session.execute(update(TASKS).where(TASKS.c.id == closed.id).values(blocking_count=0))
    session.expire(closed, ["blocking_count"])
    show_titles = bool(definitions.setting(session, "alerts_show_titles"))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    owners = {r[4] for r in rows}
    muted = {
        uid for uid, kinds in session.execute(
            select(AlertPreference.user_id, AlertPreference.muted_kinds)
            .where(AlertPreference.user_id.in_(sorted(owners)))
        ) if AlertKind.UNBLOCKED.value in (kinds or ())
    }  # fmt: skip
    for tid, ref, wf_id, title, owner_id in rows:
        if owner_id == closed_by or owner_id in muted:
            continue
        wf = definitions.load_workflow(session, wf_id)
        alert = task_alert(
            owner_id, AlertKind.UNBLOCKED, TaskFact(tid, ref, wf.name, title),
            f"{closed.id}:{int(at.timestamp())}", show_titles=show_titles,
        )  # fmt: skip
        body = f"{closed.ref} is closed. " + (alert.body or "")
        session.execute(
            insert(Notification)
            .values(user_id=owner_id, task_id=tid, kind=alert.kind.value, title=alert.title,
                    body=body.strip()[:1000], dedupe_key=alert.dedupe_key, created_at=at)
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        )  # fmt: skip
    return [r[0] for r in rows]
