"""Reading tasks: search with paging, one task in full, and (re-exported from
queries.board) the board and the work queues."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from practiceboard.core.actor import Actor
from practiceboard.core.rows import Card, TaskDetail, TaskFilter
from practiceboard.core.unit import audited_read, record_denial, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, Task, TaskWatcher, User
from practiceboard.domain.errors import NotFound
from practiceboard.queries import filters
from practiceboard.queries.board import (  # noqa: F401  (one module for the views to import)
    board,
    check_page,
    column_key,
    my_queue,
    needs_approval,
    needs_attention,
    ordered_page,
)
from practiceboard.queries.cards import card_from_row, card_select, fetch, load_snapshot
from practiceboard.queries.timeline import task_events


@refusals_audited("task.search", "task")
def search(
    db: Database,
    actor: Actor,
    filt: TaskFilter,
    *,
    sort: str = "urgency",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    now: datetime | None = None,
) -> tuple[list[Card], int]:
    """One page of matching tasks and how many match in all. Closed tasks only
    when the filter includes them."""
    filters.check_sort(sort)
    check_page(offset, limit)
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        where = filters.conditions(snap, filt)
        if not filt.include_closed:
            where.append(Task.closed_at.is_(None))
        total = session.execute(select(func.count(Task.id)).where(*where)).scalar_one()
        if total == 0 or offset >= total:
            return [], total
        page = ordered_page(
            session, snap, where, sort=sort, descending=descending, offset=offset, limit=limit
        )
        return page, total


_DETAIL_COLUMNS = (
    Task.workflow_id, Task.details, Task.requester_id, Task.patient_id, Task.extra,
    Task.checklist, Task.decision, Task.decided_by_id, Task.decided_at, Task.decision_note,
    Task.reopen_count, Task.closed_at,
)  # fmt: skip
NOT_YOURS = "Your role does not work on this kind of task."


@refusals_audited("task.view", "task", "task_id")
def task_detail(db: Database, actor: Actor, task_id: int) -> TaskDetail:
    """One task in full, with its timeline. The patient's name and date of birth
    only for roles that may see them, and then the view is audited. ``moves`` is
    left empty: services.task_actions.allowed_moves offers them."""
    with db.read() as session:
        snap = load_snapshot(session, actor)
        d = session.execute(select(*_DETAIL_COLUMNS).where(Task.id == task_id)).first()
        if d is None:
            raise NotFound("That task no longer exists. Refresh and try again.")
        visible = snap.policy.sees_workflow(d.workflow_id)
        if visible:
            card = card_from_row(
                snap, fetch(session, snap, card_select(snap).where(Task.id == task_id))[0]
            )
            patient = None
            if d.patient_id is not None and snap.show_patient:
                patient = session.execute(
                    select(Patient.display_name, Patient.date_of_birth).where(
                        Patient.id == d.patient_id
                    )
                ).first()
            watchers = tuple(
                session.scalars(
                    select(User.display_name)
                    .join(TaskWatcher, TaskWatcher.user_id == User.id)
                    .where(TaskWatcher.task_id == task_id)
                    .order_by(User.display_name)
                )
            )
            timeline = tuple(task_events(session, task_id))
    if not visible:
        raise record_denial(db, actor, "task.view", "task", task_id, NOT_YOURS, d.patient_id)
    if patient is not None:
        audited_read(db, actor, "patient.view", "patient", d.patient_id,
                     patient_id=d.patient_id, detail=f"Opened {card.ref}")  # fmt: skip
    wf = snap.workflows[card.workflow_id]
    return TaskDetail(
        card=card, details=d.details, requester_name=snap.users.get(d.requester_id, ""),
        patient_id=d.patient_id if snap.show_patient else None,
        patient_name=patient.display_name if patient else None,
        patient_dob=patient.date_of_birth if patient else None,
        extra=dict(d.extra or {}),
        extra_labels={f["key"]: f.get("label", f["key"]) for f in wf.fields or ()},
        checklist=list(d.checklist or ()), watchers=watchers, decision=d.decision,
        decided_by_name=snap.users.get(d.decided_by_id) if d.decided_by_id else None,
        decided_at=d.decided_at, decision_note=d.decision_note, reopen_count=d.reopen_count,
        closed_at=d.closed_at, timeline=timeline,
    )  # fmt: skip
