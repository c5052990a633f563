"""Loading configured definitions (workflows, reasons, calendar) as domain objects,
and the routing rules that need the database (least-loaded member of a role)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practiceboard.core import settings
from practiceboard.core.clock import now
from practiceboard.core.timezone import local_timezone_name
from practiceboard.db.models import (
    ReasonCode,
    Setting,
    Status,
    Task,
    Transition,
    User,
    UserRole,
    Workflow,
)
from practiceboard.domain.calendar import PracticeCalendar
from practiceboard.domain.errors import NotFound, ValidationError
from practiceboard.domain.workflow import (
    Category,
    Handoff,
    ReasonDef,
    ReasonKind,
    StatusDef,
    TransitionDef,
    WorkflowDef,
)

_PINNED = "practiceboard.pinned_workflows"


def pin_workflows(session: Session, workflows: list[WorkflowDef] | None = None) -> None:
    """For batch writers (the demo, bulk generation): let load_workflow reuse these
    definitions (default: every workflow, read now) for the rest of this session
    instead of re-reading them on every call."""
    if workflows is None:
        workflows = [_to_def(session, wf) for wf in session.scalars(select(Workflow))]
    session.info[_PINNED] = {wf.id: wf for wf in workflows}


def load_workflow(session: Session, workflow_id: int) -> WorkflowDef:
    pinned = session.info.get(_PINNED)
    if pinned and workflow_id in pinned:
        return pinned[workflow_id]
    wf = session.get(Workflow, workflow_id)
    if wf is None:
        raise NotFound("That workflow does not exist.")
    return _to_def(session, wf)


def all_workflows(session: Session) -> list[WorkflowDef]:
    wfs = session.scalars(select(Workflow).where(Workflow.active).order_by(Workflow.position))
    return [_to_def(session, wf) for wf in wfs]


def _to_def(session: Session, wf: Workflow) -> WorkflowDef:
    statuses = tuple(
        StatusDef(
            s.id,
            s.key,
            s.name,
            Category(s.category),
            s.position,
            s.definition_of_done,
            s.warn_hours,
            s.breach_hours,
            s.pauses_sla,
            s.decision,
        )  # fmt: skip
        for s in session.scalars(
            select(Status).where(Status.workflow_id == wf.id).order_by(Status.position)
        )
    )
    transitions = tuple(
        TransitionDef(
            t.id,
            t.from_status_id,
            t.to_status_id,
            t.capability_key,
            t.label,
            ReasonKind(t.reason_kind) if t.reason_kind else None,
            Handoff(t.handoff),
            t.is_reopen,
        )  # fmt: skip
        for t in session.scalars(select(Transition).where(Transition.workflow_id == wf.id))
    )
    return WorkflowDef(
        wf.id, wf.key, wf.name, wf.kind, wf.ref_prefix, statuses, transitions,
        wf.approver_role_id, wf.intake_role_id,
    )  # fmt: skip


def reason(session: Session, reason_id: int | None) -> ReasonDef | None:
    if reason_id is None:
        return None
    r = session.get(ReasonCode, reason_id)
    if r is None or not r.active:
        raise ValidationError("That reason is no longer offered. Pick another one.", "reason")
    return ReasonDef(r.id, ReasonKind(r.kind), r.key, r.label, r.note_required)


def reasons_of_kind(session: Session, kind: str) -> list[ReasonDef]:
    rows = session.scalars(
        select(ReasonCode)
        .where(ReasonCode.kind == kind, ReasonCode.active)
        .order_by(ReasonCode.position)
    )
    return [ReasonDef(r.id, ReasonKind(r.kind), r.key, r.label, r.note_required) for r in rows]


def least_loaded_member(session: Session, role_id: int | None) -> int | None:
    """The active member of a role with the fewest open tasks (ties: lowest id)."""
    if role_id is None:
        return None
    load = (
        select(func.count(Task.id))
        .where(Task.owner_id == User.id, Task.closed_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    row = session.execute(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role_id == role_id, User.active)
        .order_by(load, User.id)
        .limit(1)
    ).first()
    return row[0] if row else None


def setting(session: Session, key: str, default=None):
    """The practice's value of a setting declared in core.settings, else its declared
    default. ``default`` is ignored (every default is declared once, there); it stays
    only until the last caller that passes one is switched."""
    row = session.get(Setting, key)
    return settings.read(key, None if row is None else row.value)


def practice_calendar(session: Session) -> PracticeCalendar:
    data = dict(setting(session, "calendar"))
    if not data.get("timezone"):
        data["timezone"] = local_timezone_name()
    return PracticeCalendar.from_dict(data)


def practice_today(session: Session) -> date:
    """Today's date in the practice's time zone."""
    return practice_calendar(session).local_date(now())
