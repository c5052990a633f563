"""The Patients view and the patient page: who the practice follows, what their plan
is, what the next action is and who owns it.

Only roles with patient.view see any of it (an admin sees no patient names); a search
and each page shown are audited as views of patient data, refusals as denied. Tasks
and counts cover only the workflows the role works on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.definitions import practice_today
from practiceboard.core.patient_match import patient_match
from practiceboard.core.rows import TimelineEntry
from practiceboard.core.unit import audited_read, record_denial, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    CarePlan,
    Patient,
    PatientProgram,
    Program,
    Status,
    Task,
    User,
    Workflow,
)
from practiceboard.domain.careplan import RISKS
from practiceboard.domain.errors import NotFound, ValidationError
from practiceboard.domain.policy import Cap, Policy, denial_message
from practiceboard.queries.careplans import PlanRow, plan_rows
from practiceboard.queries.timeline import patient_entries

SEARCH_MAX = 120
LIST_LIMIT = 100
TASK_LIMIT = 200


@dataclass(frozen=True, slots=True)
class PatientListRow:
    id: int
    mrn: str
    name: str
    date_of_birth: date | None
    programs: str  # enrolled programs' names, comma-separated
    risk: str | None  # the highest risk of the patient's open plans
    provider_name: str | None
    active_plan: str | None  # program of the active plan (the first, if several)
    active_plan_id: int | None
    next_action: str | None  # title of the open task due soonest
    next_due: date | None
    next_task_id: int | None
    overdue: int  # open care plan tasks past their due date


@dataclass(frozen=True, slots=True)
class PatientTaskRow:
    id: int
    ref: str
    title: str
    workflow_name: str
    status_name: str
    owner_name: str
    due_date: date | None
    overdue: bool
    care_plan_id: int | None


@dataclass(frozen=True)
class PatientPage:
    patient: PatientListRow
    phone: str | None
    version: int
    primary_provider_id: int | None
    program_ids: tuple[int, ...]
    plans: tuple[PlanRow, ...]  # open plans first, then closed ones
    open_tasks: tuple[PatientTaskRow, ...]
    timeline: tuple[TimelineEntry, ...]


def _refuse(db: Database, actor: Actor, action: str, patient_id: int | None) -> NoReturn:
    message = denial_message(Cap.PATIENT_VIEW)
    raise record_denial(db, actor, action, "patient", patient_id, message, patient_id)


def _of_visible_workflows(policy: Policy):
    """Tasks of the workflows the role works on, for reads that start from a patient.
    ``workflow_id + 0`` keeps the planner off the open-work indexes that lead with the
    workflow: given both, SQLite walked every open task of the practice per patient
    (480 ms for a page of 100 on the bench data) instead of the patient's own
    (ix_tasks_patient_open, 0.5 ms)."""
    return (Task.workflow_id + 0).in_(sorted(policy.workflow_ids))


def _list_rows(
    session: Session, policy: Policy, today: date, where, limit: int
) -> list[PatientListRow]:
    provider = aliased(User)
    base = session.execute(
        select(Patient.id, Patient.mrn, Patient.display_name, Patient.date_of_birth,
               provider.display_name)
        .outerjoin(provider, provider.id == Patient.primary_provider_id)
        .where(*where)
        .order_by(Patient.search_name, Patient.id)
        .limit(limit)
    ).all()  # fmt: skip
    ids = [r[0] for r in base]
    if not ids:
        return []
    programs: dict[int, list[str]] = defaultdict(list)
    for pid, name in session.execute(
        select(PatientProgram.patient_id, Program.name)
        .join(Program, Program.id == PatientProgram.program_id)
        .where(PatientProgram.patient_id.in_(ids))
        .order_by(Program.name)
    ):
        programs[pid].append(name)
    risk: dict[int, str] = {}
    active: dict[int, tuple[int, str]] = {}
    for pid, plan_id, status, plan_risk, name in session.execute(
        select(CarePlan.patient_id, CarePlan.id, CarePlan.status, CarePlan.risk, Program.name)
        .join(Program, Program.id == CarePlan.program_id)
        .where(CarePlan.patient_id.in_(ids), CarePlan.status != "closed")
        .order_by(CarePlan.id)
    ):
        if RISKS.index(plan_risk) > RISKS.index(risk.get(pid, "low")) or pid not in risk:
            risk[pid] = plan_risk
        if status == "active" and pid not in active:
            active[pid] = (plan_id, name)
    visible = _of_visible_workflows(policy)
    open_ = [Task.patient_id.in_(ids), Task.closed_at.is_(None), visible]
    # The open task due soonest per patient (undated last): one correlated look-up per
    # patient, each on the patient's open tasks (ix_tasks_patient_open).
    first = (
        select(Task.id)
        .where(Task.patient_id == Patient.id, Task.closed_at.is_(None), visible)
        .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
        .limit(1)
        .correlate(Patient)
        .scalar_subquery()
    )
    firsts = dict(
        session.execute(select(Patient.id, first).where(Patient.id.in_(ids))).tuples().all()
    )
    nxt = {
        r.patient_id: r
        for r in session.execute(
            select(Task.patient_id, Task.id, Task.title, Task.due_date).where(
                Task.id.in_([t for t in firsts.values() if t is not None])
            )
        )
    }
    # Care tasks as coalesce(...) != 0, not IS NOT NULL: given the bare column,
    # PostgreSQL walked every care task (ix_tasks_care_plan_id, ~21,000 on the bench set)
    # instead of these patients' open tasks (ix_tasks_patient_open): 5 of 24 ms.
    overdue = dict(
        session.execute(
            select(Task.patient_id, func.count(Task.id))
            .where(*open_, func.coalesce(Task.care_plan_id, 0) != 0, Task.due_date < today)
            .group_by(Task.patient_id)
        ).tuples().all()
    )  # fmt: skip
    out = []
    for pid, mrn, name, dob, provider_name in base:
        n = nxt.get(pid)
        plan = active.get(pid)
        out.append(PatientListRow(
            pid, mrn, name, dob, ", ".join(programs.get(pid, [])), risk.get(pid), provider_name,
            plan[1] if plan else None, plan[0] if plan else None, n.title if n else None,
            n.due_date if n else None, n.id if n else None, overdue.get(pid, 0),
        ))  # fmt: skip
    return out


@refusals_audited("patient.search", "patient")
def list_patients(
    db: Database,
    actor: Actor,
    text: str = "",
    *,
    program_id: int | None = None,
    overdue_only: bool = False,
    limit: int = LIST_LIMIT,
) -> list[PatientListRow]:
    """Active patients by name: ``text`` is an MRN (prefix), part of a name, or a date of
    birth (1956-04-12 or 4/12/1956). Empty text lists the first ``limit`` by name.
    Audited as a search ('patient.search', with the words searched, not who was found)."""
    query = " ".join((text or "").split())
    if len(query) > SEARCH_MAX:
        raise ValidationError(f"Search for at most {SEARCH_MAX} characters.", "search")
    with db.read() as session:
        policy = actor_policy(session, actor)
        allowed = policy.can(Cap.PATIENT_VIEW)
        if allowed:
            today = practice_today(session)
            where = [Patient.active]
            if query:
                where.append(patient_match(query))  # the app's one patient-matching rule
            if program_id is not None:
                where.append(
                    select(PatientProgram.patient_id)
                    .where(PatientProgram.patient_id == Patient.id,
                           PatientProgram.program_id == program_id)
                    .exists()
                )  # fmt: skip
            if overdue_only:
                where.append(
                    select(Task.id)
                    .where(Task.patient_id == Patient.id, Task.closed_at.is_(None),
                           Task.care_plan_id.is_not(None), Task.due_date < today,
                           _of_visible_workflows(policy))
                    .exists()
                )  # fmt: skip
            rows = _list_rows(session, policy, today, where, max(1, min(limit, LIST_LIMIT)))
    if not allowed:
        _refuse(db, actor, "patient.search", None)
    audited_read(db, actor, "patient.search", "patient", None, patient_id=None,
                 detail=query or "(all patients)")  # fmt: skip
    return rows


@refusals_audited("patient.view", "patient", "patient_id")
def patient_page(
    db: Database, actor: Actor, patient_id: int, *, groups: set[str] | None = None
) -> PatientPage:
    """One patient: header, plans, open tasks of the role's workflows and the timeline
    (``groups``: the timeline filter). Audited as a view of patient data."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        allowed = policy.can(Cap.PATIENT_VIEW)
        if allowed:
            patient = session.get(Patient, patient_id)
            if patient is None:
                raise NotFound("That patient no longer exists. Refresh and try again.")
            today = practice_today(session)
            [head] = _list_rows(session, policy, today, [Patient.id == patient_id], 1)
            program_ids = tuple(sorted(session.scalars(
                select(PatientProgram.program_id).where(PatientProgram.patient_id == patient_id)
            )))  # fmt: skip
            plans = plan_rows(session, True, today, [CarePlan.patient_id == patient_id], 50,
                               policy.workflow_ids)  # fmt: skip
            plans.sort(key=lambda p: (p.status == "closed", p.id))
            owner = aliased(User)
            tasks = tuple(
                PatientTaskRow(t.id, t.ref, t.title, wf, st, own, t.due_date,
                               t.due_date is not None and t.due_date < today, t.care_plan_id)
                for t, wf, st, own in session.execute(
                    select(Task, Workflow.name, Status.name, owner.display_name)
                    .join(Workflow, Workflow.id == Task.workflow_id)
                    .join(Status, Status.id == Task.status_id)
                    .join(owner, owner.id == Task.owner_id)
                    .where(Task.patient_id == patient_id, Task.closed_at.is_(None),
                           _of_visible_workflows(policy))
                    .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
                    .limit(TASK_LIMIT)
                )
            )  # fmt: skip
            timeline = tuple(patient_entries(session, policy, patient_id, groups, 500))
            page = PatientPage(head, patient.phone, patient.version, patient.primary_provider_id,
                               program_ids, tuple(plans), tasks, timeline)  # fmt: skip
    if not allowed:
        _refuse(db, actor, "patient.view", patient_id)
    audited_read(db, actor, "patient.view", "patient", patient_id, patient_id=patient_id,
                 detail="Patient page")  # fmt: skip
    return page
