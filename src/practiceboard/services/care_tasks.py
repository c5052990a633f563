"""Recurring care tasks: turn each due occurrence of an active intervention on an
active plan into one 'care_task' task.

Run by the scheduler (as its system user) or by a signed-in user who may create
care tasks. Safe to run again and from two PCs at once: each plan is one
transaction that locks its interventions' rows, dates up to
``last_generated_due`` are never generated twice, and each insert sits in a
savepoint so a duplicate (intervention, due date) from another PC is skipped,
not fatal. After a long outage it catches up once, at most ``CATCH_UP_CAP``
occurrences per intervention (the most recent ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.people import is_active
from practiceboard.core.unit import audited
from practiceboard.db.engine import Database
from practiceboard.db.models import CareIntervention, CarePlan, Workflow
from practiceboard.domain import recurrence
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, Policy
from practiceboard.services.tasks import TaskDraft, create_in

CARE_WORKFLOW = "care_task"
CATCH_UP_CAP = 12


@dataclass(frozen=True)
class GenerationResult:
    created: int  # tasks created by this run
    plans: int  # plans that got at least one new task
    skipped: int = 0  # older occurrences left out by the catch-up cap
    duplicates: int = 0  # occurrences another PC generated at the same moment


def _care_workflow(session: Session, policy: Policy) -> int:
    """The care task workflow's id, if this actor may create its tasks."""
    require(policy, Cap.TASK_CREATE)
    require(policy, Cap.PATIENT_VIEW)
    wf_id = session.scalars(select(Workflow.id).where(Workflow.key == CARE_WORKFLOW)).first()
    if wf_id is None or not policy.sees_workflow(wf_id):
        raise PermissionDenied("Your role does not work on care plan tasks.")
    return wf_id


def generate_due_tasks(db: Database, actor: Actor, through: date) -> GenerationResult:
    """Create the tasks of every occurrence due on or before ``through``."""
    with audited(db, actor, "careplan.generate", "care_plan") as session:
        _care_workflow(session, actor_policy(session, actor))
        plan_ids = list(
            session.scalars(
                select(CareIntervention.care_plan_id)
                .join(CarePlan, CarePlan.id == CareIntervention.care_plan_id)
                .where(
                    CarePlan.status == "active",
                    CareIntervention.active,
                    CareIntervention.next_due <= through,
                )
                .distinct()
                .order_by(CareIntervention.care_plan_id)
            )
        )
    created = plans = skipped = duplicates = 0
    for plan_id in plan_ids:
        c, s, d = _generate_for_plan(db, actor, plan_id, through)
        created, skipped, duplicates = created + c, skipped + s, duplicates + d
        plans += 1 if c else 0
    return GenerationResult(created, plans, skipped, duplicates)


def _generate_for_plan(db: Database, actor: Actor, plan_id: int, through: date):
    guard = audited(db, actor, "careplan.generate", "care_plan", plan_id)
    created = skipped = duplicates = 0
    with guard as session:
        policy = actor_policy(session, actor)
        wf_id = _care_workflow(session, policy)
        plan = session.get(CarePlan, plan_id)
        if plan is None or plan.status != "active":
            return 0, 0, 0
        guard.patient_id = plan.patient_id
        definitions.pin_workflows(session)  # one workflow read per plan, not per task
        end = min(through, plan.end_date) if plan.end_date else through
        # FOR UPDATE: a second PC waits here, then sees the advanced next_due and skips.
        interventions = session.scalars(
            select(CareIntervention)
            .where(
                CareIntervention.care_plan_id == plan.id,
                CareIntervention.active,
                CareIntervention.next_due <= through,
            )
            .order_by(CareIntervention.id)
            .with_for_update()
        ).all()
        for iv in interventions:
            try:
                rule = recurrence.parse(iv.cadence)
            except ValidationError:  # only raw SQL can store one; skip it, keep the others going
                continue
            start = iv.next_due
            if iv.last_generated_due is not None and iv.last_generated_due >= start:
                start = iv.last_generated_due + timedelta(days=1)
            due = (
                list(recurrence.occurrences(rule, iv.start_date, start, end))
                if start <= end
                else []
            )
            keep = due[-CATCH_UP_CAP:]
            skipped += len(due) - len(keep)
            for day in keep:
                draft = TaskDraft(
                    workflow_id=wf_id, title=iv.title, owner_id=_owner(session, iv, plan),
                    due_date=day, patient_id=plan.patient_id, care_plan_id=plan.id,
                    intervention_id=iv.id,
                )  # fmt: skip
                try:
                    with session.begin_nested():
                        create_in(session, actor, policy, draft)
                    created += 1
                except IntegrityError:
                    duplicates += 1
            if due:
                iv.last_generated_due = due[-1]
            if iv.next_due <= end:
                # Everything up to `end` is done; past the plan's end date nothing moves.
                iv.next_due = recurrence.next_after(rule, iv.start_date, end)
        session.flush()
    return created, skipped, duplicates


def _owner(session: Session, iv: CareIntervention, plan: CarePlan) -> int | None:
    """The intervention's owner, else the least-loaded member of its role, else the
    plan owner; None lets intake route it (the care task workflow's intake role)."""
    if iv.owner_id is not None and is_active(session, iv.owner_id):
        return iv.owner_id
    member = definitions.least_loaded_member(session, iv.role_id)
    if member is not None:
        return member
    return plan.owner_id if is_active(session, plan.owner_id) else None
