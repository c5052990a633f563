"""The care plan tracker's read side: the plan list, one plan's detail, and
overdue follow-ups by program and by owner.

Patient names and MRNs appear only for roles with patient.view; opening one
plan is a view of patient data and is audited ('careplan.view').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.definitions import practice_today
from practiceboard.core.like import contains, starts_with
from practiceboard.core.readers import goal_rows, intervention_rows, note_rows
from practiceboard.core.rows import CountRow, GoalRow, InterventionRow, NoteRow, Option
from practiceboard.core.unit import audited_read, get_or_404, record_denial, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    CarePlan,
    Patient,
    Program,
    Role,
    Status,
    Task,
    User,
    Workflow,
)
from practiceboard.domain.careplan import PLAN_STATUSES, RISKS
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap, denial_message
from practiceboard.queries.intake import eligible_owners_in
from practiceboard.queries.lookups import options, providers_in

LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: int
    version: int
    patient_id: int
    patient_ref: str | None  # MRN; None when the role may not see patient data
    patient_name: str | None
    program_id: int
    program_name: str
    status: str
    risk: str
    owner_id: int
    owner_name: str
    start_date: date
    review_date: date | None
    end_date: date | None
    review_overdue: bool
    open_tasks: int
    overdue_tasks: int


@dataclass(frozen=True, slots=True)
class PlanTaskRow:
    """An open task generated from (or filed against) the plan."""

    id: int
    ref: str
    version: int
    title: str
    status_id: int
    status_name: str
    category: str
    owner_id: int
    owner_name: str
    due_date: date | None
    overdue: bool
    intervention_id: int | None


@dataclass(frozen=True)
class PlanDetail:
    plan: PlanRow
    summary: str
    updated_at: datetime
    updated_by_name: str | None
    patient_dob: date | None
    goals: tuple[GoalRow, ...]
    interventions: tuple[InterventionRow, ...]
    open_tasks: tuple[PlanTaskRow, ...]
    notes: tuple[NoteRow, ...]
    template_key: str | None = None
    status_reason: str | None = None  # "on_hold" or a CLOSE_REASONS key
    status_note: str | None = None

    @property
    def open_generated(self) -> tuple[PlanTaskRow, ...]:
        """Open tasks generated from the plan's interventions (closed with a closed plan)."""
        return tuple(t for t in self.open_tasks if t.intervention_id is not None)


@dataclass(frozen=True)
class OverdueFollowups:
    """Open care plan tasks past their due date."""

    by_program: tuple[CountRow, ...]
    by_owner: tuple[CountRow, ...]
    total: int


def plan_rows(session: Session, sees_patients: bool, today: date, where, limit: int, workflows):
    """Plan rows; their task counts cover only the workflows in ``workflows``."""
    owner = aliased(User)
    # workflow_id + 0: count each plan's tasks through its own index (ix_tasks_plan_open),
    # not the practice's open work (see queries.patients._of_visible_workflows).
    visible = (Task.workflow_id + 0).in_(sorted(workflows))
    open_tasks = (
        select(func.count(Task.id))
        .where(Task.care_plan_id == CarePlan.id, Task.closed_at.is_(None), visible)
        .correlate(CarePlan)
        .scalar_subquery()
    )
    overdue = (
        select(func.count(Task.id))
        .where(
            Task.care_plan_id == CarePlan.id,
            Task.closed_at.is_(None),
            Task.due_date < today,
            visible,
        )
        .correlate(CarePlan)
        .scalar_subquery()
    )
    q = (
        select(
            CarePlan,
            Patient.mrn,
            Patient.display_name,
            Program.name,
            owner.display_name,
            open_tasks,
            overdue,
        )  # fmt: skip
        .join(Patient, Patient.id == CarePlan.patient_id)
        .join(Program, Program.id == CarePlan.program_id)
        .join(owner, owner.id == CarePlan.owner_id)
        .where(*where)
        .order_by(CarePlan.review_date.is_(None), CarePlan.review_date, CarePlan.id)
        .limit(limit)
    )
    out = []
    for p, mrn, name, program, owner_name, n_open, n_overdue in session.execute(q):
        out.append(PlanRow(
            p.id, p.version, p.patient_id, mrn if sees_patients else None,
            name if sees_patients else None, p.program_id, program, p.status, p.risk, p.owner_id,
            owner_name, p.start_date, p.review_date, p.end_date,
            p.status != "closed" and p.review_date is not None and p.review_date < today,
            n_open, n_overdue,
        ))  # fmt: skip
    return out


# ---------------------------------------------------------------- queries


@refusals_audited("careplan.list", "care_plan")
def list_plans(
    db: Database,
    actor: Actor,
    *,
    program_id: int | None = None,
    owner_id: int | None = None,
    risk: str | None = None,
    status: str | None = "active",
    text: str = "",
    limit: int = LIST_LIMIT,
) -> list[PlanRow]:
    """Plans by review date (soonest first, undated last). ``status=None`` lists all.
    ``text`` matches the program or owner name, and — for roles that may see patient
    data — the patient's MRN (prefix) or name."""
    if status is not None and status not in PLAN_STATUSES:
        raise ValidationError("Pick a care plan status to filter by.", "status")
    if risk is not None and risk not in RISKS:
        raise ValidationError("Risk must be low, medium or high.", "risk")
    with db.read() as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.TASK_VIEW)
        sees = policy.can(Cap.PATIENT_VIEW)
        where = []
        if program_id is not None:
            where.append(CarePlan.program_id == program_id)
        if owner_id is not None:
            where.append(CarePlan.owner_id == owner_id)
        if risk is not None:
            where.append(CarePlan.risk == risk)
        if status is not None:
            where.append(CarePlan.status == status)
        needle = " ".join((text or "").split()).lower()[:120]
        if needle:
            owner = aliased(User)
            owned_by = select(owner.id).where(
                owner.id == CarePlan.owner_id, contains(func.lower(owner.display_name), needle)
            )
            terms = [contains(func.lower(Program.name), needle), owned_by.exists()]
            if sees:
                terms += [
                    starts_with(func.lower(Patient.mrn), needle),
                    contains(Patient.search_name, needle),
                ]
            where.append(or_(*terms))
        return plan_rows(
            session, sees, practice_today(session), where, max(1, min(limit, LIST_LIMIT)),
            policy.workflow_ids,
        )  # fmt: skip


@refusals_audited("careplan.view", "care_plan", "plan_id")
def plan_detail(db: Database, actor: Actor, plan_id: int) -> PlanDetail:
    """Everything on one plan; needs patient.view and is audited as a patient-data view."""
    with db.read() as session:
        plan = get_or_404(session, CarePlan, plan_id, "care plan")
        patient_id = plan.patient_id
        policy = actor_policy(session, actor)
        allowed = policy.can(Cap.PATIENT_VIEW)
        if allowed:
            detail = _plan_detail(session, plan, policy.workflow_ids)
    if not allowed:
        message = denial_message(Cap.PATIENT_VIEW)
        raise record_denial(db, actor, "careplan.view", "care_plan", plan_id, message, patient_id)
    audited_read(db, actor, "careplan.view", "care_plan", plan_id, patient_id=patient_id)
    return detail


def _plan_detail(session: Session, plan: CarePlan, workflows) -> PlanDetail:
    """The plan; its task list holds only tasks of ``workflows`` (those the role works on):
    billing and front desk never see care task rows they could not open."""
    plan_id = plan.id
    today = practice_today(session)
    row = plan_rows(session, True, today, [CarePlan.id == plan_id], 1, workflows)[0]
    updated_by = session.get(User, plan.updated_by_id) if plan.updated_by_id else None
    status_name = aliased(Status)
    owner = aliased(User)
    tasks = session.execute(
        select(Task, status_name.name, status_name.category, owner.display_name)
        .join(status_name, status_name.id == Task.status_id)
        .join(owner, owner.id == Task.owner_id)
        .where(
            Task.care_plan_id == plan_id,
            Task.closed_at.is_(None),
            Task.workflow_id.in_(sorted(workflows)),
        )
        .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
    )
    open_tasks = tuple(
        PlanTaskRow(
            t.id,
            t.ref,
            t.version,
            t.title,
            t.status_id,
            sname,
            cat,
            t.owner_id,
            oname,
            t.due_date,
            t.due_date is not None and t.due_date < today,
            t.intervention_id,
        )  # fmt: skip
        for t, sname, cat, oname in tasks
    )
    dob = session.get(Patient, plan.patient_id).date_of_birth
    return PlanDetail(
        row, plan.summary, plan.updated_at, updated_by.display_name if updated_by else None,
        dob, tuple(goal_rows(session, plan_id)), tuple(intervention_rows(session, plan_id)),
        open_tasks, tuple(note_rows(session, plan_id)), plan.template_key, plan.status_reason,
        plan.status_note,
    )  # fmt: skip


def overdue_counts(session: Session, policy, today: date) -> tuple[list, list]:
    """Open care plan tasks of the role's workflows due before ``today``: per program
    (id, key, name, count) and per owner (id, name, count), the most first. Shared by the
    overdue follow-ups (the weekly report) and the care dashboard."""
    overdue = (
        Task.care_plan_id.is_not(None),
        Task.closed_at.is_(None),
        Task.due_date < today,
        Task.workflow_id.in_(sorted(policy.workflow_ids)),
    )
    by_program = session.execute(
        select(Program.id, Program.key, Program.name, func.count(Task.id))
        .join(CarePlan, CarePlan.program_id == Program.id)
        .join(Task, Task.care_plan_id == CarePlan.id)
        .where(*overdue)
        .group_by(Program.id, Program.key, Program.name)
        .order_by(func.count(Task.id).desc(), Program.name)
    ).all()
    by_owner = session.execute(
        select(User.id, User.display_name, func.count(Task.id))
        .join(Task, Task.owner_id == User.id)
        .where(*overdue)
        .group_by(User.id, User.display_name)
        .order_by(func.count(Task.id).desc(), User.display_name)
    ).all()
    return by_program, by_owner


@refusals_audited("careplan.list", "care_plan")
def overdue_followups(db: Database, actor: Actor) -> OverdueFollowups:
    """Open care plan tasks due before today (practice time), by program and by owner."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.TASK_VIEW)
        today = practice_today(session)
        by_program, by_owner = overdue_counts(session, policy, today)
        return OverdueFollowups(
            tuple(CountRow(key, name, n) for _id, key, name, n in by_program),
            tuple(CountRow(str(uid), name, n) for uid, name, n in by_owner),
            sum(n for *_, n in by_program),
        )


@dataclass(frozen=True)
class CareChoices:
    """What the patient and care plan forms offer."""

    owners: tuple[Option, ...]  # who may own a plan: people who work care plan tasks
    programs: tuple[Option, ...]
    providers: tuple[Option, ...]
    today: date
    # who does an intervention, by role (key, name), and the task workflows an
    # intervention may generate into (key, name); the care task workflow first
    roles: tuple[tuple[str, str], ...] = ()
    workflows: tuple[tuple[str, str], ...] = ()


@refusals_audited("careplan.list", "care_plan")
def care_choices(db: Database, actor: Actor) -> CareChoices:
    with db.read() as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.TASK_VIEW)
        care_wf = session.scalars(select(Workflow.id).where(Workflow.key == "care_task")).first()
        owners = eligible_owners_in(session, policy, care_wf) if care_wf is not None else []
        programs = options(
            session, select(Program.id, Program.name).where(Program.active).order_by(Program.name)
        )
        roles = session.execute(
            select(Role.key, Role.name).where(Role.key != "admin").order_by(Role.id)
        ).all()
        flows = session.execute(
            select(Workflow.key, Workflow.name)
            .where(Workflow.active, Workflow.kind != "approval")
            .order_by((Workflow.key != "care_task"), Workflow.name)
        ).all()
        return CareChoices(tuple(owners), tuple(programs), tuple(providers_in(session, policy)),
                           practice_today(session), tuple(map(tuple, roles)),
                           tuple(map(tuple, flows)))  # fmt: skip
