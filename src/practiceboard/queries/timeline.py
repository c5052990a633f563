"""A task's history as sentences people read ("Moved from New to Waiting on records"),
and a patient's history across the tasks about them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.rows import TimelineEntry
from practiceboard.core.unit import audited_read, record_denial
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, ReasonCode, Status, Task, TaskEvent, User
from practiceboard.domain.decisions import words as decision_words
from practiceboard.domain.errors import NotFound, PermissionDenied
from practiceboard.domain.policy import Cap, Policy, denial_message

# Task fields as an edit sentence names them ("Edited title, due date").
FIELD_WORDS = {
    "title": "title", "details": "details", "due_date": "due date", "priority": "priority",
    "payer": "payer", "provider_id": "provider", "location_id": "location",
    "patient_id": "patient", "extra": "intake fields", "checklist": "checklist",
    "owner_id": "owner", "care_plan_id": "care plan",
}  # fmt: skip

_EVENT_COLUMNS = (
    TaskEvent.id, TaskEvent.task_id, TaskEvent.at, TaskEvent.actor_id, TaskEvent.kind,
    TaskEvent.from_status_id, TaskEvent.to_status_id, TaskEvent.from_owner_id,
    TaskEvent.to_owner_id, TaskEvent.reason_code_id, TaskEvent.note, TaskEvent.data,
)  # fmt: skip


class Names:
    """Display names for the ids events carry, loaded once per call (small tables)."""

    def __init__(self, session: Session) -> None:
        self.users = dict(session.execute(select(User.id, User.display_name)).tuples().all())
        self.statuses = dict(session.execute(select(Status.id, Status.name)).tuples().all())
        self.reasons = dict(session.execute(select(ReasonCode.id, ReasonCode.label)).tuples().all())

    def user(self, uid: int | None) -> str:
        return self.users.get(uid, "someone") if uid is not None else "nobody"

    def status(self, sid: int | None) -> str:
        return self.statuses.get(sid, "an old status") if sid is not None else "no status"


def edited_fields(data: dict | None) -> list[str]:
    """Which fields an edit event changed, whichever shape the edit service stored."""
    if not data:
        return []
    for key in ("fields", "changed"):
        if isinstance(data.get(key), list | tuple):
            names = list(data[key])
            break
    else:
        if isinstance(data.get("new"), dict) or isinstance(data.get("old"), dict):
            names = list(dict.fromkeys([*(data.get("old") or {}), *(data.get("new") or {})]))
        else:
            names = list(data)
    return [FIELD_WORDS.get(n, str(n).replace("_id", "").replace("_", " ")) for n in names]


def sentence(ev, names: Names) -> str:
    kind = ev.kind
    if kind == "created":
        return f"Created in {names.status(ev.to_status_id)}, owned by {names.user(ev.to_owner_id)}"
    if kind == "status":
        return f"Moved from {names.status(ev.from_status_id)} to {names.status(ev.to_status_id)}"
    if kind == "handoff":
        return f"Handed from {names.user(ev.from_owner_id)} to {names.user(ev.to_owner_id)}"
    if kind == "decision":
        said = decision_words((ev.data or {}).get("decision"))
        return said.history if said else f"Decided: {names.status(ev.to_status_id)}"
    if kind == "reopen":
        return "Reopened"
    if kind == "note":
        return "Note"
    if kind == "edit":
        fields = edited_fields(ev.data)
        return f"Edited {', '.join(fields)}" if fields else "Edited"
    if kind == "watch":
        return "Started watching"
    if kind == "unwatch":
        return "Stopped watching"
    return kind.capitalize()


def entries(events: Sequence, names: Names, refs: dict[int, str] | None = None) -> list:
    """Events (in the order given) as timeline entries. A move that records a
    decision is shown once, as the decision."""
    decided = {(e.task_id, e.at, e.to_status_id) for e in events if e.kind == "decision"}
    out = []
    for e in events:
        if e.kind == "status" and (e.task_id, e.at, e.to_status_id) in decided:
            continue
        out.append(
            TimelineEntry(
                at=e.at,
                actor_name=names.user(e.actor_id),
                kind=e.kind,
                summary=sentence(e, names),
                reason_label=names.reasons.get(e.reason_code_id) if e.reason_code_id else None,
                note=e.note or None,
                task_ref=refs.get(e.task_id) if refs else None,
            )  # fmt: skip
        )
    return out


def _visible_task(session: Session, policy: Policy, task_id: int):
    row = session.execute(
        select(Task.id, Task.ref, Task.workflow_id, Task.patient_id).where(Task.id == task_id)
    ).first()
    if row is None:
        raise NotFound("That task no longer exists. Refresh and try again.")
    if not policy.can(Cap.TASK_VIEW) or not policy.sees_workflow(row.workflow_id):
        raise PermissionDenied("Your role does not work on this kind of task.")
    return row


def task_events(session: Session, task_id: int) -> list[TimelineEntry]:
    events = session.execute(
        select(*_EVENT_COLUMNS)
        .where(TaskEvent.task_id == task_id)
        .order_by(TaskEvent.at, TaskEvent.id)
    ).all()
    return entries(events, Names(session))


def task_timeline(db: Database, actor: Actor, task_id: int) -> list[TimelineEntry]:
    """The task's history, oldest first."""
    with db.read() as session:
        _visible_task(session, actor_policy(session, actor), task_id)
        return task_events(session, task_id)


def patient_timeline(
    db: Database, actor: Actor, patient_id: int, *, limit: int = 500
) -> list[TimelineEntry]:
    """Everything that happened on the tasks about one patient, newest first, each
    entry naming its task; only workflows the actor works on. Audited as a view
    of patient data."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        allowed = policy.can(Cap.PATIENT_VIEW)
        if allowed:
            if session.get(Patient, patient_id) is None:
                raise NotFound("That patient no longer exists. Refresh and try again.")
            visible = sorted(policy.workflow_ids)
            events = session.execute(
                select(*_EVENT_COLUMNS, Task.ref)
                .join(Task, Task.id == TaskEvent.task_id)
                .where(Task.patient_id == patient_id, Task.workflow_id.in_(visible))
                .order_by(TaskEvent.at.desc(), TaskEvent.id.desc())
                .limit(limit)
            ).all()
            # The decision/move pairing in entries() does not depend on the order.
            result = entries(events, Names(session), {e.task_id: e.ref for e in events})
    if not allowed:
        message = denial_message(Cap.PATIENT_VIEW)
        record_denial(db, actor, "patient.view", "patient", patient_id, message, patient_id)
        raise PermissionDenied(message)
    audited_read(db, actor, "patient.view", "patient", patient_id, patient_id=patient_id,
                 detail="Patient timeline")  # fmt: skip
    return result
