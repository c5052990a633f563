"""Task use cases: intake and moves (the heart of the board and approvals).

Each function is one user action in one transaction: the change, its task
event(s) and its audit row commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, load_policy, require
from practiceboard.core.clock import now
from practiceboard.core.people import is_active, require_active
from practiceboard.core.unit import audited, check_version, conflict_if_stale, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Location, Patient, Setting, Task, TaskEvent, User, Workflow
from practiceboard.domain import validation
from practiceboard.domain.decisions import words as decision_words
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, Policy
from practiceboard.domain.workflow import (
    CLOSED_CATEGORIES,
    Category,
    StatusDef,
    TransitionDef,
    WorkflowDef,
    check_move,
    new_owner,
)
from practiceboard.services import task_links


@dataclass(frozen=True)
class TaskDraft:
    """What the intake dialog (or the CLI, or the demo) submits."""

    workflow_id: int
    title: str
    details: str = ""
    owner_id: int | None = None  # None: route automatically
    due_date: date | None = None
    patient_id: int | None = None
    payer: str | None = None
    provider_id: int | None = None
    location_id: int | None = None
    priority: int = 1
    template_id: int | None = None
    care_plan_id: int | None = None
    intervention_id: int | None = None
    extra: dict = field(default_factory=dict)
    checklist: list = field(default_factory=list)
    # A generated task's aging clock starts here (its lead window), not at creation.
    clock_from: datetime | None = None


@dataclass(frozen=True)
class TaskSaved:
    id: int
    ref: str
    version: int
    status_id: int
    owner_id: int


def saved(task: Task) -> TaskSaved:
    return TaskSaved(task.id, task.ref, task.version, task.status_id, task.owner_id)


def route_owner(session: Session, wf: WorkflowDef, actor: Actor) -> int:
    """'Route automatically': the rule of core.definitions.intake_owner."""
    return definitions.intake_owner(session, wf, actor.user_id)


NEXT_TASK_ID = "next_task_id"  # session.info key: a batch writer's running task id (SQLite)


def _next_id(session: Session) -> int:
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(select(func.nextval("tasks_id_seq"))).scalar_one()
    # SQLite: the write transaction began IMMEDIATE, so no one else can take this id.
    # A batch writer that puts NEXT_TASK_ID in session.info counts once per transaction
    # (a task rolled back to its savepoint leaves a gap, never a repeat).
    if NEXT_TASK_ID in session.info:
        ident = session.info[NEXT_TASK_ID]
        if ident is None:
            ident = (session.execute(select(func.max(Task.id))).scalar() or 0) + 1
        session.info[NEXT_TASK_ID] = ident + 1
        return ident
    return (session.execute(select(func.max(Task.id))).scalar() or 0) + 1


def search_text(ref: str, title: str, mrn: str | None) -> str:
    return " ".join(p for p in (ref, title, mrn or "") if p).lower()[:400]


def create_task(db: Database, actor: Actor, draft: TaskDraft) -> TaskSaved:
    with audited(db, actor, "task.create", "task") as session:
        return create_in(session, actor, actor_policy(session, actor), draft)


def create_in(session: Session, actor: Actor, policy: Policy, draft: TaskDraft) -> TaskSaved:
    """Intake inside the caller's transaction (create_task is the one-action form)."""
    title = validation.title(draft.title)
    details = validation.details(draft.details)
    validation.priority(draft.priority)
    payer = validation.short_text(draft.payer, "payer", 80)
    checklist = validation.checklist(draft.checklist)  # the same as edit_task's
    validation.calendar_date(draft.due_date, "due date")
    validation.moment(draft.clock_from, "start of the aging clock", "clock_from")
    require(policy, Cap.TASK_CREATE)
    wf_row = session.get(Workflow, draft.workflow_id)
    if wf_row is None or not wf_row.active:
        raise ValidationError("Pick a workflow for the new task.", "workflow")
    if not policy.sees_workflow(wf_row.id):
        raise PermissionDenied(f"Your role does not work on {wf_row.name} tasks.")
    wf = definitions.load_workflow(session, wf_row.id)
    extra = validation.workflow_fields(wf_row.fields, draft.extra)
    mrn = None
    if draft.patient_id is not None:
        require(policy, Cap.PATIENT_VIEW)
        mrn = get_or_404(session, Patient, draft.patient_id, "patient").mrn
    if draft.location_id is not None:
        get_or_404(session, Location, draft.location_id, "location")
    require_active(session, draft.provider_id, "provider")
    if draft.owner_id is not None:
        check_owner(session, wf, draft.owner_id)
    owner = draft.owner_id or route_owner(session, wf, actor)
    at = now()
    since = max(at, draft.clock_from) if draft.clock_from is not None else at
    task_id = _next_id(session)
    ref = f"{wf.ref_prefix}-{task_id:06d}"
    first = wf.first_status
    task = Task(
        id=task_id, ref=ref, workflow_id=wf.id, status_id=first.id, title=title,
        details=details, search_text=search_text(ref, title, mrn), owner_id=owner,
        requester_id=actor.user_id, location_id=draft.location_id or _default_location(session),
        payer=payer, provider_id=draft.provider_id, patient_id=draft.patient_id,
        care_plan_id=draft.care_plan_id, intervention_id=draft.intervention_id,
        template_id=draft.template_id, priority=draft.priority, due_date=draft.due_date,
        created_at=at, status_since=since, last_touched_at=since, extra=extra,
        checklist=checklist, updated_at=at, updated_by_id=actor.user_id,
    )  # fmt: skip
    session.add(task)
    session.add(TaskEvent(task_id=task_id, at=at, actor_id=actor.user_id, kind="created",
                          to_status_id=first.id, to_owner_id=owner))  # fmt: skip
    session.flush()
    audit.write(
        session, actor.who(), "task.create", "task", task.id, at=at,
        patient_id=task.patient_id, category=audit_category(task),
        new={"ref": ref, "workflow": wf.key, "title": title, "owner_id": owner,
             "status": first.key, "due_date": draft.due_date},
    )  # fmt: skip
    return saved(task)


def _default_location(session: Session) -> int | None:
    return session.scalars(select(Location.id).where(Location.is_default)).first()


def audit_category(task: Task) -> str:
    """The audit category of a change to this task: patient data or operational work."""
    return "patient" if task.patient_id is not None else "operational"


def load_for_change(session: Session, task_id: int, expected_version: int | None) -> Task:
    """The task, or ConflictError naming who changed it since the user loaded it."""
    task = get_or_404(session, Task, task_id, "task")
    check_version(session, task, expected_version, task.ref)
    return task


def check_visible(policy: Policy, task: Task) -> None:
    if not policy.sees_workflow(task.workflow_id):
        raise PermissionDenied("Your role does not work on this kind of task.")


def check_visible_and_editable(policy: Policy, task: Task) -> None:
    check_visible(policy, task)
    if task.owner_id == policy.user_id:
        require(policy, Cap.TASK_EDIT_OWN)  # their own task: the refusal names the right
    elif not policy.may_edit_task(task.owner_id):
        raise PermissionDenied(
            f"{task.ref} belongs to someone else. Only its owner or a manager can change it."
        )


OWNER_CHECKS = "owner_checks"  # session.info key: (workflow id, user id) already checked


@contextmanager
def batch_intake(session: Session) -> Iterator[int | None]:
    """For a writer that creates many tasks in one transaction (care generation, a
    spreadsheet import): every workflow definition pinned, the people, locations,
    workflows and the database id (the audit key's) held in the session — its identity
    map keeps only what is referenced, so each task's checks would read them again —
    each (workflow, owner) checked once and, on SQLite, the next task id counted once.
    Yields the practice's default location id."""
    definitions.pin_workflows(session)
    held = [
        *session.scalars(select(User)), *session.scalars(select(Location)),
        *session.scalars(select(Workflow)), session.get(Setting, "database_id"),
    ]  # fmt: skip
    session.info[OWNER_CHECKS] = set()
    session.info[NEXT_TASK_ID] = None  # counted once, then one up per task
    try:
        yield next((h.id for h in held if isinstance(h, Location) and h.is_default), None)
    finally:
        session.info.pop(OWNER_CHECKS, None)
        session.info.pop(NEXT_TASK_ID, None)


def check_owner(session: Session, wf: WorkflowDef, user_id: int) -> None:
    """A task may only go to an active person whose roles work on its workflow;
    anyone else could never see or move it. A batch writer that puts a set in
    ``session.info[OWNER_CHECKS]`` has each (workflow, person) checked once per
    transaction (its own writes change no one's roles)."""
    memo = session.info.get(OWNER_CHECKS)
    if memo is not None and (wf.id, user_id) in memo:
        return
    user = session.get(User, user_id)
    if user is None:
        raise ValidationError("The owner must be an active staff member.", "owner")
    if not user.active:
        raise ValidationError(
            f"{user.display_name}'s account is disabled. Pick someone else.", "owner"
        )
    person = load_policy(session, user_id)
    if not (person.sees_workflow(wf.id) and person.can(Cap.TASK_EDIT_OWN)):
        raise ValidationError(
            f"{user.display_name} does not work on {wf.name} tasks. Pick someone who does.",
            "owner",
        )
    if memo is not None:
        memo.add((wf.id, user_id))


@dataclass(frozen=True)
class MoveRights:
    """Whether this user may move this task at all (``refusal`` says why not) and,
    if so, which transition capabilities count as theirs (``can``)."""

    refusal: str | None
    can: Callable[[str], bool]


def move_rights(policy: Policy, task: Task, wf: WorkflowDef) -> MoveRights:
    """The one rule for moving a task, shared by move_in and allowed_moves: its owner
    moves it, a manager moves anyone's, and on a task waiting for review the provider
    it names, or anyone holding the workflow's approver role, may decide it (and only
    decide it): a request routed to one doctor may be signed by another."""
    manager = policy.can(Cap.TASK_CLOSE_ANY)
    mine = task.owner_id == policy.user_id
    deciding = (
        policy.can(Cap.APPROVAL_DECIDE)
        and (task.provider_id == policy.user_id or wf.approver_role_id in policy.role_ids)
        and wf.status(task.status_id).category is Category.REVIEW
    )
    if not (mine or manager or deciding):
        return MoveRights(
            f"{task.ref} belongs to someone else. Only its owner or a manager can move it.",
            lambda cap: False,
        )

    def can(cap: str) -> bool:
        # A manager may close or reopen any task; a decision always needs its capability.
        if cap == Cap.APPROVAL_DECIDE:
            return policy.can(cap)
        if mine or manager:
            return policy.can(cap) or manager
        return False

    return MoveRights(None, can)


def owner_after(
    session: Session, wf: WorkflowDef, task: Task, transition: TransitionDef,
    picked: int | None = None,
) -> tuple[int, bool]:  # fmt: skip
    """(owner after this move, chosen by a person?): the handoff rule of the transition,
    routing review to the task's provider (if still active) or the approver role."""
    provider = task.provider_id
    if provider is not None and not is_active(session, provider):
        provider = None
    return new_owner(
        transition.handoff,
        current_owner=task.owner_id,
        requester=task.requester_id,
        provider=provider,
        approver_from_role=lambda: definitions.least_loaded_member(session, wf.approver_role_id),
        picked=picked,
    )


@contextmanager
def changing(
    db: Database, actor: Actor, action: str, task_id: int, expected_version: int | None
) -> Iterator[tuple[Session, Policy, Task]]:
    """One change of an existing task: the audited transaction, the actor's policy and
    the task at the version the user saw. A concurrent writer that got there first
    (StaleDataError at flush or commit) becomes the same ConflictError as a stale load."""
    guard = audited(db, actor, action, "task", task_id)
    with conflict_if_stale(db, Task, task_id, lambda task: task.ref), guard as session:
        policy = actor_policy(session, actor)
        task = load_for_change(session, task_id, expected_version)
        guard.patient_id = task.patient_id
        yield session, policy, task


def move_task(
    db: Database,
    actor: Actor,
    task_id: int,
    to_status_id: int,
    *,
    expected_version: int | None,
    reason_id: int | None = None,
    note: str | None = None,
    new_owner_id: int | None = None,
) -> TaskSaved:
    """Move a task to another status (this is also close, reopen and every decision)."""
    note = validation.note(note, required=False)
    with changing(db, actor, "task.move", task_id, expected_version) as (session, policy, task):
        return move_in(session, actor, policy, task, to_status_id, reason_id, note, new_owner_id)


def move_in(
    session: Session,
    actor: Actor,
    policy: Policy,
    task: Task,
    to_status_id: int,
    reason_id: int | None = None,
    note: str | None = None,
    new_owner_id: int | None = None,
    *,
    also: tuple[dict, dict] | None = None,
) -> TaskSaved:
    """A move inside the caller's transaction (move_task is the one-action form).

    ``also`` is (old, new) values of other fields the caller changed in the same
    action, so the action still writes one complete audit row.
    """
    wf = definitions.load_workflow(session, task.workflow_id)
    check_visible(policy, task)
    if not wf.has_status(to_status_id):
        raise ValidationError(f"{wf.name} tasks have no such status.", "status")
    src, dst = wf.status(task.status_id), wf.status(to_status_id)
    rights = move_rights(policy, task, wf)
    if rights.refusal:
        raise PermissionDenied(rights.refusal)
    why = definitions.reason(session, reason_id)
    transition = check_move(wf, src.id, dst.id, rights.can, why, note)
    if new_owner_id is not None and new_owner_id != task.owner_id:
        if not (task.owner_id == policy.user_id or policy.can(Cap.TASK_REASSIGN)):
            raise PermissionDenied("Only a manager can hand someone else's task to another person.")
        check_owner(session, wf, new_owner_id)
    owner, manual = owner_after(session, wf, task, transition, new_owner_id)
    at = now()
    old = {"status": src.key, "owner_id": task.owner_id, "reason_id": task.reason_code_id}
    kind = "reopen" if transition.is_reopen else "status"
    session.add(TaskEvent(
        task_id=task.id, at=at, actor_id=actor.user_id, kind=kind, from_status_id=src.id,
        to_status_id=dst.id, reason_code_id=reason_id, note=note,
    ))  # fmt: skip
    if dst.decision:
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="decision",
                              to_status_id=dst.id, reason_code_id=reason_id, note=note,
                              data={"decision": dst.decision}))  # fmt: skip
        task.decision, task.decided_by_id, task.decided_at = dst.decision, actor.user_id, at
        task.decision_reason_id, task.decision_note = reason_id, note
    if owner != task.owner_id:
        session.add(TaskEvent(
            task_id=task.id, at=at, actor_id=actor.user_id, kind="handoff",
            from_owner_id=task.owner_id, to_owner_id=owner, manual=manual,
        ))  # fmt: skip
    task.status_id, task.owner_id, task.status_since, task.last_touched_at = dst.id, owner, at, at
    task.reason_code_id, task.reason_note = reason_id, note
    if transition.is_reopen:
        task.reopen_count += 1
        task.decision = task.decided_by_id = task.decided_at = None
        task.decision_reason_id = task.decision_note = None
    if dst.category in CLOSED_CATEGORIES:
        task.closed_at = task.closed_at if src.category in CLOSED_CATEGORIES else at
    else:
        task.closed_at = None
    task.updated_at, task.updated_by_id = at, actor.user_id
    if task.closed_at == at:
        task_links.release_blocked(session, task, at, actor.user_id)  # what waited on it goes on
    session.flush()
    new = {"status": dst.key, "owner_id": owner, "reason_id": reason_id, "note": note}
    if also:
        old, new = {**old, **also[0]}, {**new, **also[1]}
    audit.write(
        session, actor.who(), move_action(src, dst, transition), "task", task.id, at=at,
        patient_id=task.patient_id, category=audit_category(task), old=old, new=new,
    )  # fmt: skip
    return saved(task)


def move_action(src: StatusDef, dst: StatusDef, transition: TransitionDef) -> str:
    """The audit action a move is recorded as: what the user did, in the practice's words."""
    if transition.is_reopen:
        return "task.reopen"
    if dst.decision:
        said = decision_words(dst.decision)
        return said.action if said else "task.move"
    if dst.category is Category.REVIEW and src.category is not Category.REVIEW:
        return "approval.request"
    if not dst.is_open and src.is_open:
        return "task.close"
    return "task.move"
