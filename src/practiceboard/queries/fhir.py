"""What a FHIR export holds, as plain rows: patients, their care plans and goals, their
tasks (of the workflows the reader works on) and the staff those name.

Needs export and patient.view; the export is audited as a view of patient data
('export.fhir', with how many of each were exported), a refusal as denied.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.definitions import setting
from practiceboard.core.rows import (
    FhirGoalRow,
    FhirPatientRow,
    FhirPerson,
    FhirPlanRow,
    FhirSource,
    FhirTaskRow,
)
from practiceboard.core.unit import audited_read, record_denial
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    CareGoal,
    CarePlan,
    Note,
    Patient,
    Program,
    ReasonCode,
    Role,
    Status,
    Task,
    User,
    UserRole,
    Workflow,
)
from practiceboard.domain.errors import NotFound, PermissionDenied
from practiceboard.domain.policy import Cap, denial_message


def fhir_source(
    db: Database, actor: Actor, *, mrn: str | None = None, since: date | None = None
) -> FhirSource:
    """Everything the export writes: one patient (``mrn``) or all active ones; with
    ``since``, only plans and tasks changed on or after that day (UTC)."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        for cap in (Cap.EXPORT, Cap.PATIENT_VIEW):
            if not policy.can(cap):
                record_denial(db, actor, "export.fhir", "patient", None, denial_message(cap))
                raise PermissionDenied(denial_message(cap))
        q = select(Patient).order_by(Patient.mrn)
        q = q.where(Patient.mrn == mrn) if mrn else q.where(Patient.active)
        patients = [
            FhirPatientRow(
                p.id,
                p.mrn,
                p.display_name,
                p.date_of_birth,
                p.phone,
                p.primary_provider_id,
                p.active,
            )  # fmt: skip
            for p in session.scalars(q)
        ]
        if mrn and not patients:
            raise NotFound(f"There is no patient with MRN {mrn}.")
        ids = [p.id for p in patients]
        after = datetime.combine(since, time(0), UTC) if since else None
        pq = (
            select(CarePlan, Program.name)
            .join(Program, Program.id == CarePlan.program_id)
            .where(CarePlan.patient_id.in_(ids))
            .order_by(CarePlan.id)
        )
        if after is not None:
            pq = pq.where(CarePlan.updated_at >= after)
        plans = [
            FhirPlanRow(
                c.id,
                c.patient_id,
                name,
                c.status,
                c.summary or "",
                c.start_date,
                c.end_date,
                c.owner_id,
                c.status_reason,
                c.updated_at,
            )  # fmt: skip
            for c, name in session.execute(pq)
        ]
        plan_ids = [p.id for p in plans]
        goals = [
            FhirGoalRow(g.id, g.care_plan_id, g.description, g.target, g.target_date, g.status)
            for g in session.scalars(
                select(CareGoal)
                .where(CareGoal.care_plan_id.in_(plan_ids))
                .order_by(CareGoal.care_plan_id, CareGoal.position, CareGoal.id)
            )
        ]
        reason = aliased(ReasonCode)
        tq = (
            select(
                Task,
                Workflow.key,
                Status.key,
                Status.name,
                Status.category,
                reason.key,
                reason.label,
            )  # fmt: skip
            .join(Workflow, Workflow.id == Task.workflow_id)
            .join(Status, Status.id == Task.status_id)
            .outerjoin(reason, reason.id == Task.reason_code_id)
            .where(Task.patient_id.in_(ids), Task.workflow_id.in_(policy.workflow_ids))
            .order_by(Task.id)
        )
        if after is not None:
            tq = tq.where(or_(Task.updated_at >= after, Task.created_at >= after))
        found = session.execute(tq).all()
        notes: dict[int, list] = defaultdict(list)
        task_ids = [t.id for t, *_ in found]
        if task_ids:
            nq = (
                select(Note.task_id, Note.at, User.display_name, Note.body)
                .join(User, User.id == Note.author_id)
                .where(Note.task_id.in_(task_ids))
                .order_by(Note.at, Note.id)
            )
            for task_id, at, who, body in session.execute(nq):
                notes[task_id].append((at, who, body))
        tasks = [
            FhirTaskRow(
                t.id,
                t.ref,
                t.title,
                t.patient_id,
                t.care_plan_id,
                wf,
                skey,
                sname,
                cat,
                t.owner_id,
                t.requester_id,
                t.due_date,
                t.created_at,
                t.updated_at,
                rkey,
                rlabel,
                t.reason_note,
                tuple(notes.get(t.id, ())),
            )  # fmt: skip
            for t, wf, skey, sname, cat, rkey, rlabel in found
        ]
        named = {p.primary_provider_id for p in patients} | {c.owner_id for c in plans}
        named |= {t.owner_id for t in tasks} | {t.requester_id for t in tasks}
        named.discard(None)
        providers = set(
            session.scalars(
                select(UserRole.user_id)
                .join(Role, Role.id == UserRole.role_id)
                .where(Role.key == "provider")
            )
        )
        people = tuple(
            FhirPerson(u.id, u.username, u.display_name, u.active, u.id in providers)
            for u in session.scalars(select(User).where(User.id.in_(named)).order_by(User.id))
        )
        system = setting(session, "fhir_mrn_system")
    audited_read(
        db, actor, "export.fhir", "patient", patients[0].id if mrn else None,
        patient_id=patients[0].id if mrn else None,
        detail=f"{len(patients)} patients, {len(plans)} care plans, {len(tasks)} tasks",
    )  # fmt: skip
    return FhirSource(system, people, tuple(patients), tuple(plans), tuple(goals), tuple(tasks))
