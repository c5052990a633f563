"""Care plans: the plan itself, its goals, its interventions and its notes.

Who may change what (workflows.md): clinical fields — summary, risk, goals,
interventions — need careplan.edit_clinical (providers); operational fields —
owner, status, start/review/end dates — need careplan.edit_operational
(clinical staff, providers, care coordinators, managers). Creating a plan is
operational; giving it a risk other than "low" or a summary at creation needs
the clinical capability as well. Notes need either capability.

Each change is one transaction with one audit row (category "patient"); plan
edits are optimistically locked on the plan's version.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.definitions import practice_today
from practiceboard.core.people import require_active
from practiceboard.core.readers import goal_rows, intervention_rows, note_rows
from practiceboard.core.rows import GoalRow, InterventionRow, NoteRow
from practiceboard.core.unit import audited, check_version, conflict_if_stale, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    CareGoal,
    CareIntervention,
    CarePlan,
    Note,
    Patient,
    Program,
    Role,
)
from practiceboard.domain import recurrence, validation
from practiceboard.domain.careplan import GOAL_STATUSES, PLAN_STATUSES, RISKS
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, denial_message
from practiceboard.domain.unchanged import UNCHANGED, Unchanged

OPERATIONAL = (Cap.CAREPLAN_OPERATIONAL,)
CLINICAL = (Cap.CAREPLAN_CLINICAL,)
SUMMARY_MAX = 2000
GOAL_MAX = 300
TITLE_MAX = 200


@dataclass(frozen=True)
class PlanSaved:
    id: int
    patient_id: int
    version: int
    status: str


def _saved(plan: CarePlan) -> PlanSaved:
    return PlanSaved(plan.id, plan.patient_id, plan.version, plan.status)


# ---------------------------------------------------------------- checks


def _risk(value: str) -> str:
    if value not in RISKS:
        raise ValidationError("Risk must be low, medium or high.", "risk")
    return value


def _summary(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > SUMMARY_MAX:
        raise ValidationError(
            f"The summary is {len(text)} characters; keep it under {SUMMARY_MAX}. "
            "Clinical narrative belongs in the EHR.",
            "summary",
        )
    return text


def _required_text(value: str | None, field: str, limit: int, label: str) -> str:
    text = validation.short_text(value, field, limit, label)
    if not text:
        raise ValidationError(f"Enter the {label}.", field)
    return text


def _dates_in_order(start: date, review: date | None, end: date | None) -> None:
    if review is not None and review < start:
        raise ValidationError("The review date cannot be before the plan's start.", "review_date")
    if end is not None and end < start:
        raise ValidationError("The end date cannot be before the plan's start.", "end_date")


def _open(plan: CarePlan) -> None:
    if plan.status == "closed":
        raise ValidationError("This care plan is closed. Reopen it before changing it.", "status")


def parse_cadence(cadence: str | None):
    """The cadence as a recurrence rule, or ValidationError on field "cadence"."""
    try:
        return recurrence.parse((cadence or "").strip())
    except ValidationError as err:
        raise ValidationError(err.message, "cadence") from None
    except ValueError as err:
        raise ValidationError(f"The repeat rule is not valid: {err}", "cadence") from None


def first_due(rule, start: date) -> date | None:
    """The first occurrence on or after ``start``."""
    return recurrence.next_after(rule, start, start - timedelta(days=1))


# ---------------------------------------------------------------- conflicts

PLAN = "This care plan"  # how a conflict names the plan: "This care plan was changed by …"


@contextmanager
def _plan_change(
    db: Database,
    actor: Actor,
    action: str,
    plan_id: int,
    needs: tuple[str, ...],
    expected_version: int | None = None,
) -> Iterator[tuple[Session, CarePlan]]:
    """One audited transaction on a plan for an actor holding one of ``needs``.
    A refusal is audited with the plan's patient; a stale version (seen at load,
    or at flush when another PC saved in between) is a ConflictError naming who won."""
    guard = audited(db, actor, action, "care_plan", plan_id)
    with conflict_if_stale(db, CarePlan, plan_id, PLAN), guard as session:
        plan = get_or_404(session, CarePlan, plan_id, "care plan")
        guard.patient_id = plan.patient_id
        policy = actor_policy(session, actor)
        if not any(policy.can(cap) for cap in needs):
            raise PermissionDenied(denial_message(needs[0]))
        check_version(session, plan, expected_version, PLAN)
        yield session, plan


def _touch(plan: CarePlan, actor: Actor):
    at = now()
    plan.updated_at, plan.updated_by_id = at, actor.user_id
    return at


def _write(session, actor, action, entity, entity_id, plan, at, old=None, new=None) -> None:
    audit.write(session, actor.who(), action, entity, entity_id, at=at, category="patient",
                patient_id=plan.patient_id, old=old, new=new)  # fmt: skip


# ---------------------------------------------------------------- the plan


def create_care_plan(
    db: Database,
    actor: Actor,
    patient_id: int,
    program_id: int,
    owner_id: int,
    start_date: date,
    risk: str = "low",
    summary: str = "",
    review_date: date | None = None,
    status: str = "active",
) -> PlanSaved:
    """A new plan (active, or a draft). One open plan per patient and program."""
    risk, summary = _risk(risk), _summary(summary)
    if status not in ("draft", "active"):
        raise ValidationError("A new care plan starts as a draft or active.", "status")
    _dates_in_order(start_date, review_date, None)
    guard = audited(db, actor, "careplan.create", "care_plan")
    guard.patient_id = patient_id
    with guard as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.CAREPLAN_OPERATIONAL)
        if risk != "low" or summary:
            require(policy, Cap.CAREPLAN_CLINICAL)
        patient = get_or_404(session, Patient, patient_id, "patient")
        program = session.get(Program, program_id)
        if program is None or not program.active:
            raise ValidationError("Pick the program this plan belongs to.", "program")
        require_active(session, owner_id, "owner")
        if owner_id is None:
            raise ValidationError("Every care plan needs an owner.", "owner")
        existing = session.scalars(
            select(CarePlan.id).where(
                CarePlan.patient_id == patient.id,
                CarePlan.program_id == program.id,
                CarePlan.status != "closed",
            )
        ).first()
        if existing is not None:
            raise ValidationError(
                f"This patient already has an open {program.name} plan. Open that one instead.",
                "program",
            )
        at = now()
        plan = CarePlan(
            patient_id=patient.id, program_id=program.id, status=status, risk=risk,
            owner_id=owner_id, summary=summary, start_date=start_date, review_date=review_date,
            created_at=at, updated_at=at, updated_by_id=actor.user_id,
        )  # fmt: skip
        session.add(plan)
        session.flush()
        _write(session, actor, "careplan.create", "care_plan", plan.id, plan, at, new={
            "program": program.key, "status": status, "risk": risk, "owner_id": owner_id,
            "summary": summary, "start_date": start_date, "review_date": review_date,
        })  # fmt: skip
        return _saved(plan)


_NEXT_STATUS = {
    "draft": {"active", "closed"},
    "active": {"on_hold", "closed"},
    "on_hold": {"active", "closed"},
    "closed": {"active"},  # reopen
}


def update_plan_operational(
    db: Database,
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    owner_id: int | Unchanged = UNCHANGED,
    status: str | Unchanged = UNCHANGED,
    start_date: date | Unchanged = UNCHANGED,
    review_date: date | None | Unchanged = UNCHANGED,
    end_date: date | None | Unchanged = UNCHANGED,
) -> PlanSaved:
    """Owner, status and dates. Closing without an end date ends the plan today;
    reopening a closed plan clears its end date unless one is given."""
    if not isinstance(status, Unchanged) and status not in PLAN_STATUSES:
        raise ValidationError("Pick draft, active, on hold or closed.", "status")
    change = _plan_change(db, actor, "careplan.update", plan_id, OPERATIONAL, expected_version)
    with change as (session, plan):
        fields = ("owner_id", "status", "start_date", "review_date", "end_date")
        old = {k: getattr(plan, k) for k in fields}
        new = dict(old)
        if not isinstance(owner_id, Unchanged):
            if owner_id is None:
                raise ValidationError("Every care plan needs an owner.", "owner")
            require_active(session, owner_id, "owner")
            new["owner_id"] = owner_id
        if not isinstance(start_date, Unchanged):
            if start_date is None:
                raise ValidationError("Every care plan needs a start date.", "start_date")
            new["start_date"] = start_date
        if not isinstance(review_date, Unchanged):
            new["review_date"] = review_date
        if not isinstance(end_date, Unchanged):
            new["end_date"] = end_date
        if not isinstance(status, Unchanged) and status != plan.status:
            if status not in _NEXT_STATUS[plan.status]:
                raise ValidationError(
                    f"A {plan.status.replace('_', ' ')} plan cannot be set back to "
                    f"{status.replace('_', ' ')}.",
                    "status",
                )  # fmt: skip
            new["status"] = status
            if status == "closed" and new["end_date"] is None:
                new["end_date"] = practice_today(session)
            if plan.status == "closed" and isinstance(end_date, Unchanged):
                new["end_date"] = None
        _dates_in_order(new["start_date"], new["review_date"], new["end_date"])
        changed = sorted(k for k in fields if new[k] != old[k])
        if not changed:
            return _saved(plan)
        for k in changed:
            setattr(plan, k, new[k])
        at = _touch(plan, actor)
        session.flush()
        _write(session, actor, "careplan.update", "care_plan", plan.id, plan, at,
               old={k: old[k] for k in changed}, new={k: new[k] for k in changed})  # fmt: skip
        return _saved(plan)


def update_plan_clinical(
    db: Database,
    actor: Actor,
    plan_id: int,
    *,
    expected_version: int,
    risk: str | Unchanged = UNCHANGED,
    summary: str | Unchanged = UNCHANGED,
) -> PlanSaved:
    new_values: dict = {}
    if not isinstance(risk, Unchanged):
        new_values["risk"] = _risk(risk)
    if not isinstance(summary, Unchanged):
        new_values["summary"] = _summary(summary)
    change = _plan_change(
        db, actor, "careplan.update_clinical", plan_id, CLINICAL, expected_version
    )
    with change as (session, plan):
        _open(plan)
        changed = sorted(k for k, v in new_values.items() if getattr(plan, k) != v)
        if not changed:
            return _saved(plan)
        old = {k: getattr(plan, k) for k in changed}
        for k in changed:
            setattr(plan, k, new_values[k])
        at = _touch(plan, actor)
        session.flush()
        _write(session, actor, "careplan.update_clinical", "care_plan", plan.id, plan, at,
               old=old, new={k: new_values[k] for k in changed})  # fmt: skip
        return _saved(plan)


# ---------------------------------------------------------------- goals


def add_goal(
    db: Database, actor: Actor, plan_id: int, description: str, target_date: date | None = None
) -> GoalRow:
    text = _required_text(description, "description", GOAL_MAX, "goal")
    with _plan_change(db, actor, "careplan.goal.add", plan_id, CLINICAL) as (session, plan):
        _open(plan)
        position = session.scalar(
            select(func.coalesce(func.max(CareGoal.position), 0)).where(
                CareGoal.care_plan_id == plan.id
            )
        )
        goal = CareGoal(care_plan_id=plan.id, description=text, target_date=target_date,
                        status="open", position=position + 1)  # fmt: skip
        session.add(goal)
        session.flush()
        _write(session, actor, "careplan.goal.add", "care_goal", goal.id, plan, now(),
               new={"description": text, "target_date": target_date})  # fmt: skip
        return goal_rows(session, plan.id, goal.id)[0]


def update_goal(
    db: Database,
    actor: Actor,
    goal_id: int,
    *,
    status: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    target_date: date | None | Unchanged = UNCHANGED,
) -> GoalRow:
    new_values: dict = {}
    if not isinstance(status, Unchanged):
        if status not in GOAL_STATUSES:
            raise ValidationError("A goal is open, met or dropped.", "status")
        new_values["status"] = status
    if not isinstance(description, Unchanged):
        new_values["description"] = _required_text(description, "description", GOAL_MAX, "goal")
    if not isinstance(target_date, Unchanged):
        new_values["target_date"] = target_date
    plan_id = _parent_plan(db, CareGoal, goal_id, "goal")
    with _plan_change(db, actor, "careplan.goal.update", plan_id, CLINICAL) as (session, plan):
        _open(plan)
        goal = get_or_404(session, CareGoal, goal_id, "goal")
        changed = sorted(k for k, v in new_values.items() if getattr(goal, k) != v)
        if changed:
            old = {k: getattr(goal, k) for k in changed}
            for k in changed:
                setattr(goal, k, new_values[k])
            session.flush()
            _write(session, actor, "careplan.goal.update", "care_goal", goal.id, plan, now(),
                   old=old, new={k: new_values[k] for k in changed})  # fmt: skip
        return goal_rows(session, plan.id, goal.id)[0]


def _parent_plan(db: Database, model, ident: int, what: str) -> int:
    with db.read() as session:
        return get_or_404(session, model, ident, what).care_plan_id


# ---------------------------------------------------------------- interventions


def add_intervention(
    db: Database,
    actor: Actor,
    plan_id: int,
    title: str,
    cadence: str,
    start_date: date,
    goal_id: int | None = None,
    role_key: str | None = None,
    owner_id: int | None = None,
) -> InterventionRow:
    """A recurring piece of work. Its tasks go to ``owner_id``, else the least-loaded
    member of the role, else the plan owner (see care_tasks)."""
    title = _required_text(title, "title", TITLE_MAX, "intervention title")
    rule = parse_cadence(cadence)
    cadence = recurrence.format_rule(rule)
    next_due = first_due(rule, start_date)
    with _plan_change(db, actor, "careplan.intervention.add", plan_id, CLINICAL) as (session, plan):
        _open(plan)
        if goal_id is not None:
            goal = session.get(CareGoal, goal_id)
            if goal is None or goal.care_plan_id != plan.id:
                raise ValidationError("Pick one of this plan's goals.", "goal")
        role_id = None
        if role_key:
            role_id = session.scalars(select(Role.id).where(Role.key == role_key)).first()
            if role_id is None:
                raise ValidationError(f"There is no role called “{role_key}”.", "role")
        require_active(session, owner_id, "owner")
        iv = CareIntervention(
            care_plan_id=plan.id, goal_id=goal_id, title=title, cadence=cadence, role_id=role_id,
            owner_id=owner_id, start_date=start_date, next_due=next_due, active=True,
        )  # fmt: skip
        session.add(iv)
        session.flush()
        _write(session, actor, "careplan.intervention.add", "care_intervention", iv.id, plan,
               now(), new={"title": title, "cadence": cadence, "start_date": start_date,
                           "goal_id": goal_id, "role": role_key, "owner_id": owner_id,
                           "next_due": next_due})  # fmt: skip
        return intervention_rows(session, plan.id, iv.id)[0]


def deactivate_intervention(db: Database, actor: Actor, intervention_id: int) -> InterventionRow:
    """Stop generating tasks for it (tasks already generated stay as they are)."""
    plan_id = _parent_plan(db, CareIntervention, intervention_id, "intervention")
    change = _plan_change(db, actor, "careplan.intervention.deactivate", plan_id, CLINICAL)
    with change as (session, plan):
        iv = get_or_404(session, CareIntervention, intervention_id, "intervention")
        if iv.active:
            iv.active = False
            session.flush()
            _write(session, actor, "careplan.intervention.deactivate", "care_intervention",
                   iv.id, plan, now(), old={"active": True}, new={"active": False})  # fmt: skip
        return intervention_rows(session, plan.id, iv.id)[0]


# ---------------------------------------------------------------- notes


def add_plan_note(db: Database, actor: Actor, plan_id: int, text: str) -> NoteRow:
    """A short operational note on the plan (either care plan capability)."""
    body = validation.note(text)
    change = _plan_change(db, actor, "careplan.note", plan_id, OPERATIONAL + CLINICAL)
    with change as (session, plan):
        at = now()
        note = Note(care_plan_id=plan.id, author_id=actor.user_id, at=at, body=body)
        session.add(note)
        session.flush()
        _write(session, actor, "careplan.note", "note", note.id, plan, at, new={"body": body})
        return note_rows(session, plan.id, note.id)[0]
