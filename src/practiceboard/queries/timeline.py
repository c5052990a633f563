"""A task's history as sentences people read ("Moved from New to Waiting on records"),
and a patient's history across the tasks about them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.rows import TimelineEntry
from practiceboard.core.unit import audited_read, record_denial, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    AuditEntry,
    CarePlan,
    Note,
    Patient,
    Program,
    ReasonCode,
    Status,
    Task,
    TaskEvent,
    User,
)
from practiceboard.domain.careplan import CLOSE_REASONS, GOAL_STATUS_LABELS
from practiceboard.domain.dates import day_label
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


@refusals_audited("task.timeline", "task", "task_id")
def task_timeline(db: Database, actor: Actor, task_id: int) -> list[TimelineEntry]:
    """The task's history, oldest first."""
    with db.read() as session:
        _visible_task(session, actor_policy(session, actor), task_id)
        return task_events(session, task_id)


# A patient timeline's groups, in the order its filter offers them.
TIMELINE_GROUPS: dict[str, str] = {
    "task": "Task changes",
    "decision": "Approval decisions",
    "generated": "Generated check-ins",
    "plan": "Care plan changes",
    "note": "Notes",
}
_PLAN_ACTIONS = (
    "careplan.create", "careplan.update", "careplan.update_clinical", "careplan.review",
    "careplan.close_tasks", "careplan.goal.add", "careplan.goal.update",
    "careplan.intervention.add", "careplan.intervention.update",
    "careplan.intervention.deactivate",
)  # fmt: skip
_STATUS_WORDS = {"on_hold": "Put on hold", "closed": "Closed", "active": "Made active",
                 "draft": "Back to draft"}  # fmt: skip


def _group(kind: str, generated: bool) -> str:
    if kind == "decision":
        return "decision"
    if kind == "note":
        return "note"
    if kind == "created" and generated:
        return "generated"
    return "task"


def _plan_sentence(action: str, plan_name: str, old: dict, new: dict) -> tuple[str, str | None]:
    """(sentence, words worth showing under it) for one audited care plan change."""
    if action == "careplan.create":
        return f"{plan_name} plan started", None
    if action == "careplan.update":
        status = new.get("status")
        if status:
            said = _STATUS_WORDS.get(status, "Status changed")
            reason = new.get("status_reason")
            if status == "closed" and reason:
                said += f": {CLOSE_REASONS.get(reason, (reason,))[0]}"
            return f"{plan_name} plan: {said}", new.get("status_note")
        fields = ", ".join(k.replace("_id", "").replace("_", " ") for k in new)
        return f"{plan_name} plan: changed {fields}", None
    if action == "careplan.update_clinical":
        return f"{plan_name} plan: changed {', '.join(sorted(new))}", None
    if action == "careplan.review":
        return f"{plan_name} plan reviewed; next review {new.get('review_date')}", new.get("note")
    if action == "careplan.close_tasks":
        return f"{plan_name} plan: closed {len(new.get('closed') or [])} generated task(s)", None
    if action == "careplan.goal.add":
        return "Goal added", new.get("description")
    if action == "careplan.goal.update":
        status = new.get("status")
        if status:
            return f"Goal marked {GOAL_STATUS_LABELS.get(status, status).lower()}", None
        return "Goal changed", new.get("description")
    if action == "careplan.intervention.add":
        return "Intervention added", new.get("title")
    if action == "careplan.intervention.deactivate":
        return "Intervention stopped", None
    return "Intervention changed: " + ", ".join(k.replace("_id", "") for k in new), None


def _loads(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def patient_entries(
    session: Session, policy: Policy, patient_id: int, groups: set[str] | None, limit: int
) -> list[TimelineEntry]:
    """The patient's timeline, newest first: task events of the workflows the role works
    on, care plan changes (from their audit rows, which hold old and new values) and
    plan and patient notes."""
    want = groups or set(TIMELINE_GROUPS)
    out: list[TimelineEntry] = []
    names = Names(session)
    if want & {"task", "decision", "generated", "note"}:
        kinds = set()
        if "task" in want:
            kinds |= {"created", "status", "handoff", "reopen", "edit", "watch", "unwatch"}
        if "generated" in want:
            kinds.add("created")
        if "decision" in want:
            kinds |= {"decision", "status"}  # a decision's move is folded into it
        if "note" in want:
            kinds.add("note")
        events = session.execute(
            select(*_EVENT_COLUMNS, Task.ref, Task.intervention_id, Task.due_date)
            .join(Task, Task.id == TaskEvent.task_id)
            .where(
                Task.patient_id == patient_id,
                # + 0: through the patient's tasks, not every open task of the practice
                (Task.workflow_id + 0).in_(sorted(policy.workflow_ids)),
                TaskEvent.kind.in_(sorted(kinds)),
            )
            .order_by(TaskEvent.at.desc(), TaskEvent.id.desc())
            .limit(limit)
        ).all()
        decided = {(e.task_id, e.at, e.to_status_id) for e in events if e.kind == "decision"}
        for e in events:
            if e.kind == "status" and (e.task_id, e.at, e.to_status_id) in decided:
                continue
            group = _group(e.kind, e.intervention_id is not None)
            if group not in want:
                continue
            summary = sentence(e, names)
            if group == "generated":
                due = day_label(e.due_date) if e.due_date else "no date"
                summary = f"Check-in generated for {names.user(e.to_owner_id)}, due {due}"
            out.append(TimelineEntry(
                at=e.at, actor_name=names.user(e.actor_id), kind=e.kind, summary=summary,
                reason_label=names.reasons.get(e.reason_code_id) if e.reason_code_id else None,
                note=e.note or None, task_ref=e.ref, group=group,
            ))  # fmt: skip
    plans = dict(
        session.execute(
            select(CarePlan.id, Program.name)
            .join(Program, Program.id == CarePlan.program_id)
            .where(CarePlan.patient_id == patient_id)
        ).tuples().all()
    )  # fmt: skip
    if "plan" in want:
        rows = session.execute(
            select(AuditEntry.at, AuditEntry.user_id, AuditEntry.username, AuditEntry.action,
                   AuditEntry.entity, AuditEntry.entity_id, AuditEntry.old_values,
                   AuditEntry.new_values)
            .where(AuditEntry.patient_id == patient_id, AuditEntry.outcome == "success",
                   AuditEntry.action.in_(_PLAN_ACTIONS))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        ).all()  # fmt: skip
        for r in rows:
            plan_name = "Care"
            if r.entity == "care_plan" and r.entity_id and r.entity_id.isdigit():
                plan_name = plans.get(int(r.entity_id), "Care")
            summary, words = _plan_sentence(r.action, plan_name, _loads(r.old_values),
                                            _loads(r.new_values))  # fmt: skip
            out.append(TimelineEntry(at=r.at, actor_name=names.users.get(r.user_id, r.username),
                                     kind="plan", summary=summary, note=words or None,
                                     group="plan"))  # fmt: skip
    if "note" in want:
        about = Note.patient_id == patient_id
        if plans:
            about = or_(about, Note.care_plan_id.in_(sorted(plans)))
        for n in session.execute(
            select(Note.at, Note.author_id, Note.body, Note.care_plan_id)
            .where(about, Note.task_id.is_(None))
            .order_by(Note.at.desc(), Note.id.desc())
            .limit(limit)
        ):
            where = f"{plans.get(n.care_plan_id, 'Care')} plan note" if n.care_plan_id else "Note"
            out.append(TimelineEntry(at=n.at, actor_name=names.user(n.author_id), kind="note",
                                     summary=where, note=n.body, group="note"))  # fmt: skip
    out.sort(key=lambda e: e.at, reverse=True)
    return out[:limit]


@refusals_audited("patient.view", "patient", "patient_id")
def patient_timeline(
    db: Database,
    actor: Actor,
    patient_id: int,
    *,
    limit: int = 500,
    groups: set[str] | None = None,
) -> list[TimelineEntry]:
    """Everything that happened for one patient, newest first (see patient_entries);
    ``groups`` keeps only those TIMELINE_GROUPS. Audited as a view of patient data."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        allowed = policy.can(Cap.PATIENT_VIEW)
        if allowed:
            if session.get(Patient, patient_id) is None:
                raise NotFound("That patient no longer exists. Refresh and try again.")
            result = patient_entries(session, policy, patient_id, groups, limit)
    if not allowed:
        message = denial_message(Cap.PATIENT_VIEW)
        raise record_denial(db, actor, "patient.view", "patient", patient_id, message, patient_id)
    audited_read(db, actor, "patient.view", "patient", patient_id, patient_id=patient_id,
                 detail="Patient timeline")  # fmt: skip
    return result
