"""An admin's changes to the workflows: names, statuses, reason codes, templates, whether a
workflow is in use, and which roles work on it — without breaking history.

Every task, event and report refers to statuses, reasons and templates by id, so a rename
keeps the id and history reads the new name. A status a task has ever been in cannot be
deleted (its events point at it); it is *retired*: it stays for its tasks and history,
and nothing moves into it any more. Reasons and templates are switched off the same way.
Every change is one audited transaction; the change-stamp triggers on these tables tell
every PC's definitions cache at once.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.unit import audited, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    ReasonCode,
    Role,
    RoleWorkflow,
    Status,
    Task,
    TaskEvent,
    Template,
    Transition,
    Workflow,
)
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import CLOSED_CATEGORIES, ReasonKind

NAME_MAX = 80
LABEL_MAX = 120


def _name(text: str, what: str, limit: int = NAME_MAX, field: str = "name") -> str:
    name = " ".join((text or "").split())
    if not name:
        raise ValidationError(f"Give the {what} a name.", field)
    if len(name) > limit:
        raise ValidationError(f"Keep the {what}'s name to {limit} characters.", field)
    return name


def _write(session: Session, actor: Actor, action: str, entity: str, entity_id, old, new) -> None:
    audit.write(session, actor.who(), action, entity, entity_id, category="configuration",
                at=now(), old=old, new=new)  # fmt: skip


# ---------------------------------------------------------------- workflows


def rename_workflow(db: Database, actor: Actor, workflow_id: int, name: str) -> None:
    with audited(db, actor, "workflow.rename", "workflow", workflow_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        wf = get_or_404(session, Workflow, workflow_id, "workflow")
        name = _name(name, "workflow")
        taken = session.scalar(
            select(Workflow.id).where(func.lower(Workflow.name) == name.lower(),
                                      Workflow.id != wf.id)
        )  # fmt: skip
        if taken is not None:
            raise ValidationError(f"Another workflow is already called “{name}”.", "name")
        old, wf.name = wf.name, name
        _write(session, actor, "workflow.rename", "workflow", wf.id, {"name": old}, {"name": name})


def set_workflow_active(db: Database, actor: Actor, workflow_id: int, active: bool) -> None:
    """Switch a workflow on or off. Off: no new work goes into it and it leaves the board's
    picker; its open tasks keep aging and stay reachable from search and history."""
    action = "workflow.enable" if active else "workflow.disable"
    with audited(db, actor, action, "workflow", workflow_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        wf = get_or_404(session, Workflow, workflow_id, "workflow")
        if not active and wf.active:
            others = session.scalar(
                select(func.count(Workflow.id)).where(Workflow.active, Workflow.id != wf.id)
            )
            if not others:
                raise ValidationError("At least one workflow must stay switched on.")
        old, wf.active = wf.active, active
        _write(session, actor, action, "workflow", wf.id, {"active": old}, {"active": active})


def set_workflow_roles(db: Database, actor: Actor, workflow_id: int, role_ids: list[int]) -> None:
    """Which roles work on this workflow (see its tasks, pick it on intake). Roles that
    see every workflow (managers, admins) see it whatever this says."""
    with audited(db, actor, "workflow.roles", "workflow", workflow_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        wf = get_or_404(session, Workflow, workflow_id, "workflow")
        wanted = set(role_ids)
        known = (
            set(session.scalars(select(Role.id).where(Role.id.in_(wanted)))) if wanted else set()
        )
        if wanted - known:
            raise ValidationError("One of those roles no longer exists. Refresh and try again.")
        old = sorted(session.scalars(
            select(RoleWorkflow.role_id).where(RoleWorkflow.workflow_id == wf.id)
        ))  # fmt: skip
        session.execute(delete(RoleWorkflow).where(RoleWorkflow.workflow_id == wf.id))
        for rid in sorted(wanted):
            session.add(RoleWorkflow(role_id=rid, workflow_id=wf.id))
        _write(session, actor, "workflow.roles", "workflow", wf.id, {"role_ids": old},
               {"role_ids": sorted(wanted)})  # fmt: skip


# ---------------------------------------------------------------- statuses


def rename_status(db: Database, actor: Actor, status_id: int, name: str) -> None:
    """A new name for a status; its id, tasks and history stay (history shows the new name)."""
    with audited(db, actor, "status.rename", "status", status_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        st = get_or_404(session, Status, status_id, "status")
        name = _name(name, "status")
        taken = session.scalar(
            select(Status.id).where(Status.workflow_id == st.workflow_id,
                                    func.lower(Status.name) == name.lower(), Status.id != st.id)
        )  # fmt: skip
        if taken is not None:
            raise ValidationError(f"This workflow already has a status called “{name}”.", "name")
        old, st.name = st.name, name
        _write(session, actor, "status.rename", "status", st.id, {"name": old}, {"name": name})


def _in_use(session: Session, status_id: int) -> bool:
    """Has any task ever been in this status (now, or in its history)?"""
    now_in = exists().where(Task.status_id == status_id)
    was_in = exists().where(
        or_(TaskEvent.to_status_id == status_id, TaskEvent.from_status_id == status_id)
    )
    return bool(session.scalar(select(now_in)) or session.scalar(select(was_in)))


def set_status_retired(db: Database, actor: Actor, status_id: int, retired: bool) -> None:
    """Retire a status (tasks no longer move into it; those in it can still move out), or
    bring it back."""
    action = "status.retire" if retired else "status.restore"
    with audited(db, actor, action, "status", status_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        st = get_or_404(session, Status, status_id, "status")
        if retired and not st.retired:
            rest = list(session.scalars(
                select(Status.category).where(Status.workflow_id == st.workflow_id,
                                              Status.id != st.id, Status.retired.is_(False))
            ))  # fmt: skip
            closed = {c.value for c in CLOSED_CATEGORIES}
            if not any(c not in closed for c in rest):
                raise ValidationError(
                    f"“{st.name}” is the workflow's last open status; it cannot be retired."
                )
            if st.category in closed and not any(c in closed for c in rest):
                raise ValidationError(
                    f"“{st.name}” is the workflow's last closing status; it cannot be retired."
                )
        old, st.retired = st.retired, retired
        _write(session, actor, action, "status", st.id, {"retired": old}, {"retired": retired})


def delete_status(db: Database, actor: Actor, status_id: int) -> None:
    """Remove a status no task has ever been in (with its moves). One with tasks or
    history is refused: retire it instead, so the history keeps its meaning."""
    with audited(db, actor, "status.delete", "status", status_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        st = get_or_404(session, Status, status_id, "status")
        if _in_use(session, st.id):
            raise ValidationError(
                f"“{st.name}” has tasks or history, so it cannot be deleted. Retire it instead: "
                "its tasks and history stay, and nothing new moves into it."
            )
        remaining = session.scalar(
            select(func.count(Status.id)).where(Status.workflow_id == st.workflow_id,
                                                Status.id != st.id, Status.retired.is_(False))
        )  # fmt: skip
        if not remaining:
            raise ValidationError(f"“{st.name}” is the workflow's last status.")
        session.execute(delete(Transition).where(
            or_(Transition.from_status_id == st.id, Transition.to_status_id == st.id)
        ))  # fmt: skip
        old = {"workflow_id": st.workflow_id, "key": st.key, "name": st.name}
        session.delete(st)
        _write(session, actor, "status.delete", "status", status_id, old, None)


# ---------------------------------------------------------------- reason codes


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "reason"


def add_reason(db: Database, actor: Actor, kind: str, label: str,
               note_required: bool = False) -> int:  # fmt: skip
    with audited(db, actor, "reason.create", "reason_code") as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        try:
            kind = ReasonKind(kind).value
        except ValueError:
            raise ValidationError("Pick which kind of move the reason is for.", "kind") from None
        label = _name(label, "reason", LABEL_MAX, "label")
        _label_free(session, kind, label, None)
        key, n = _slug(label), 1
        while session.scalar(select(ReasonCode.id).where(ReasonCode.kind == kind,
                                                         ReasonCode.key == key)):  # fmt: skip
            n += 1
            key = f"{_slug(label)[:36]}_{n}"
        position = session.scalar(
            select(func.coalesce(func.max(ReasonCode.position), 0)).where(ReasonCode.kind == kind)
        )
        row = ReasonCode(kind=kind, key=key, label=label, note_required=note_required,
                         position=position + 1, active=True)  # fmt: skip
        session.add(row)
        session.flush()
        new = {"kind": kind, "key": key, "label": label, "note_required": note_required}
        _write(session, actor, "reason.create", "reason_code", row.id, None, new)
        return row.id


def _label_free(session: Session, kind: str, label: str, own_id: int | None) -> None:
    q = select(ReasonCode.id).where(ReasonCode.kind == kind,
                                    func.lower(ReasonCode.label) == label.lower())  # fmt: skip
    if own_id is not None:
        q = q.where(ReasonCode.id != own_id)
    if session.scalar(q) is not None:
        raise ValidationError(f"There is already a reason “{label}” of this kind.", "label")


def edit_reason(db: Database, actor: Actor, reason_id: int, *, label: str,
                note_required: bool, active: bool) -> None:  # fmt: skip
    """Relabel a reason, ask for a note with it, or switch it off (it stays on the tasks
    and events that used it; it is no longer offered)."""
    with audited(db, actor, "reason.update", "reason_code", reason_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        row = get_or_404(session, ReasonCode, reason_id, "reason")
        label = _name(label, "reason", LABEL_MAX, "label")
        _label_free(session, row.kind, label, row.id)
        if not active and row.active:
            left = session.scalar(select(func.count(ReasonCode.id)).where(
                ReasonCode.kind == row.kind, ReasonCode.active, ReasonCode.id != row.id
            ))  # fmt: skip
            if not left:
                raise ValidationError(
                    f"“{row.label}” is the last reason of its kind; moves that need one would "
                    "have none to offer. Add another first."
                )
        old = {"label": row.label, "note_required": row.note_required, "active": row.active}
        row.label, row.note_required, row.active = label, note_required, active
        new = {"label": label, "note_required": note_required, "active": active}
        if old != new:
            _write(session, actor, "reason.update", "reason_code", row.id, old, new)


# ---------------------------------------------------------------- templates


def _template_values(name: str, title: str, details: str, checklist: list[str], priority: int,
                     due_in_days: int | None) -> dict:  # fmt: skip
    name = _name(name, "template")
    title = " ".join((title or "").split())
    if len(title) > 200:
        raise ValidationError("Keep the template's task title to 200 characters.", "title")
    items = [" ".join(c.split()) for c in checklist or [] if c and c.strip()]
    if any(len(c) > 200 for c in items):
        raise ValidationError("Keep each checklist item to 200 characters.", "checklist")
    if priority not in (0, 1, 2, 3):
        raise ValidationError("Pick a priority from the list.", "priority")
    if due_in_days is not None and not 0 <= due_in_days <= 365:
        raise ValidationError("Due in: between 0 and 365 days, or none.", "due_in_days")
    return {"name": name, "title": title, "details": (details or "").strip(), "checklist": items,
            "priority": priority, "due_in_days": due_in_days}  # fmt: skip


def add_template(db: Database, actor: Actor, workflow_id: int, *, name: str, title: str = "",
                 details: str = "", checklist: list[str] | None = None, priority: int = 1,
                 due_in_days: int | None = None) -> int:  # fmt: skip
    with audited(db, actor, "template.create", "template") as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        get_or_404(session, Workflow, workflow_id, "workflow")
        values = _template_values(name, title, details, checklist or [], priority, due_in_days)
        row = Template(workflow_id=workflow_id, fields=[], active=True, **values)
        session.add(row)
        session.flush()
        _write(session, actor, "template.create", "template", row.id, None,
               {"workflow_id": workflow_id, **values})  # fmt: skip
        return row.id


def edit_template(db: Database, actor: Actor, template_id: int, *, name: str, title: str,
                  details: str, checklist: list[str], priority: int, due_in_days: int | None,
                  active: bool) -> None:  # fmt: skip
    """Change a template: work already made from it keeps what it was given."""
    with audited(db, actor, "template.update", "template", template_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        row = get_or_404(session, Template, template_id, "template")
        values = _template_values(name, title, details, checklist, priority, due_in_days)
        values["active"] = active
        old = {k: getattr(row, k) for k in values}
        for k, v in values.items():
            setattr(row, k, v)
        if old != values:
            _write(session, actor, "template.update", "template", row.id, old, values)


__all__ = [
    "add_reason",
    "add_template",
    "delete_status",
    "edit_reason",
    "edit_template",
    "rename_status",
    "rename_workflow",
    "set_status_retired",
    "set_workflow_active",
    "set_workflow_roles",
]
