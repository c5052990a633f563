"""Configured definitions (workflows, reasons, settings, the calendar) as domain
objects, cached per database until a definitions table changes (core.cache), and
the routing rules that need the database (least-loaded member of a role, who a
new task goes to)."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practiceboard.core import cache, settings
from practiceboard.core.cache import Stamp
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


@dataclass(frozen=True)
class _Workflows:
    by_id: dict[int, WorkflowDef]  # every workflow, active or not
    active: tuple[int, ...]  # active ones in their configured order


@dataclass(frozen=True)
class _Reasons:
    by_id: dict[int, tuple[ReasonDef, bool]]  # (the reason, still offered?)
    offered: tuple[ReasonDef, ...]  # offered ones by kind and position


def pin_workflows(session: Session, workflows: list[WorkflowDef] | None = None) -> None:
    """For batch writers (the demo, bulk generation): let load_workflow reuse these
    definitions (default: every workflow, read now) for the rest of this session
    without even checking the change stamp."""
    if workflows is None:
        workflows = list(_workflows(session).by_id.values())
    session.info[_PINNED] = {wf.id: wf for wf in workflows}


def load_workflow(session: Session, workflow_id: int, stamp: Stamp | None = None) -> WorkflowDef:
    pinned = session.info.get(_PINNED)
    if pinned and workflow_id in pinned:
        return pinned[workflow_id]
    wf = _workflows(session, stamp).by_id.get(workflow_id)
    if wf is None:
        raise NotFound("That workflow does not exist.")
    return wf


def all_workflows(session: Session, stamp: Stamp | None = None) -> list[WorkflowDef]:
    """Active workflows in their configured order."""
    held = _workflows(session, stamp)
    return [held.by_id[i] for i in held.active]


def every_workflow(session: Session, stamp: Stamp | None = None) -> list[WorkflowDef]:
    """Every workflow, active or not (their open tasks still age), from the cache."""
    return list(_workflows(session, stamp).by_id.values())


def _workflows(session: Session, stamp: Stamp | None = None) -> _Workflows:
    stamp = stamp or cache.current(session)[0]
    return cache.get(stamp, "workflow_defs", lambda: _load_workflows(session))


def _load_workflows(session: Session) -> _Workflows:
    """Every workflow with its statuses and transitions, in three queries."""
    statuses: dict[int, list[StatusDef]] = defaultdict(list)
    for s in session.scalars(select(Status).order_by(Status.workflow_id, Status.position)):
        statuses[s.workflow_id].append(StatusDef(
            s.id, s.key, s.name, Category(s.category), s.position, s.definition_of_done,
            s.warn_hours, s.breach_hours, s.pauses_sla, s.decision, s.retired,
        ))  # fmt: skip
    transitions: dict[int, list[TransitionDef]] = defaultdict(list)
    for t in session.scalars(select(Transition).order_by(Transition.id)):
        transitions[t.workflow_id].append(TransitionDef(
            t.id, t.from_status_id, t.to_status_id, t.capability_key, t.label,
            ReasonKind(t.reason_kind) if t.reason_kind else None, Handoff(t.handoff),
            t.is_reopen,
        ))  # fmt: skip
    wfs = list(session.scalars(select(Workflow).order_by(Workflow.position, Workflow.id)))
    by_id = {}
    for wf in wfs:
        by_id[wf.id] = WorkflowDef(
            wf.id, wf.key, wf.name, wf.kind, wf.ref_prefix, tuple(statuses[wf.id]),
            tuple(transitions[wf.id]), wf.approver_role_id, wf.intake_role_id,
        )  # fmt: skip
    return _Workflows(by_id, tuple(wf.id for wf in wfs if wf.active))


def reason(session: Session, reason_id: int | None) -> ReasonDef | None:
    if reason_id is None:
        return None
    found = _reasons(session).by_id.get(reason_id)
    if found is None or not found[1]:
        raise ValidationError("That reason is no longer offered. Pick another one.", "reason")
    return found[0]


def reasons_of_kind(session: Session, kind: str) -> list[ReasonDef]:
    return [r for r in _reasons(session).offered if r.kind == kind]


def _reasons(session: Session) -> _Reasons:
    return cache.get(cache.current(session)[0], "reason_defs", lambda: _load_reasons(session))


def _load_reasons(session: Session) -> _Reasons:
    rows = session.scalars(select(ReasonCode).order_by(ReasonCode.kind, ReasonCode.position))
    by_id = {
        r.id: (ReasonDef(r.id, ReasonKind(r.kind), r.key, r.label, r.note_required), r.active)
        for r in rows
    }
    return _Reasons(by_id, tuple(d for d, offered in by_id.values() if offered))


def least_loaded_member(session: Session, role_id: int | None) -> int | None:
    """The active member of a role with the fewest open tasks (ties: lowest id).
    Never cached: it counts open tasks."""
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


def least_loaded_members(session: Session, role_id: int | None) -> list[int]:
    """Every active member of a role, fewest open tasks first (ties: lowest id): the
    approvers a request may go to, the first one being least_loaded_member's pick."""
    if role_id is None:
        return []
    return list(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role_id == role_id, User.active)
            .order_by(_open_load(), User.id)
        )
    )


def member_loads(session: Session, role_id: int) -> dict[int, int]:
    """Each active member of a role and their open tasks (least_loaded_member's counts, for
    a caller assigning many tasks in one go)."""
    rows = session.execute(
        select(User.id, _open_load())
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role_id == role_id, User.active)
    )
    return {uid: n for uid, n in rows}


def _open_load():
    """A person's open tasks, as a scalar subquery correlated to User."""
    return (
        select(func.count(Task.id))
        .where(Task.owner_id == User.id, Task.closed_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )


def intake_owner(session: Session, wf: WorkflowDef, intake_user_id: int) -> int:
    """Who a new task goes to when intake says "route automatically": the least-loaded
    member of the workflow's intake role, else the person doing the intake. The one
    rule behind services.tasks (the task it creates) and queries.intake (the preview)."""
    return least_loaded_member(session, wf.intake_role_id) or intake_user_id


def setting(session: Session, key: str, *, stamp: Stamp | None = None):
    """The practice's value of a setting declared in core.settings, else its declared
    default (a copy: cached values are shared)."""
    stamp = stamp or cache.current(session)[0]
    held = cache.get(stamp, "settings", lambda: dict(session.execute(
        select(Setting.key, Setting.value)).tuples().all()))  # fmt: skip
    return copy.deepcopy(settings.read(key, held.get(key)))


def practice_calendar(session: Session, stamp: Stamp | None = None) -> PracticeCalendar:
    stamp = stamp or cache.current(session)[0]
    return cache.get(
        stamp, "calendar", lambda: _calendar(setting(session, "calendar", stamp=stamp))
    )


def _calendar(data) -> PracticeCalendar:
    data = dict(data or {})
    if not data.get("timezone"):
        data["timezone"] = local_timezone_name()
    return PracticeCalendar.from_dict(data)


def practice_today(session: Session) -> date:
    """Today's date in the practice's time zone."""
    return practice_calendar(session).local_date(now())
