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

from practiceboard.core import definitions
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
    Task,
    TaskEvent,
    Workflow,
)
from practiceboard.domain import validation
from practiceboard.domain.careplan import (
    CLOSE_REASONS,
    GOAL_STATUSES,
    PLAN_STATUSES,
    RISKS,
    TEMPLATES_BY_KEY,
    Cadence,
    add_months,
)
from practiceboard.domain.careplan import parse_cadence as _parse_cadence
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, denial_message
from practiceboard.domain.unchanged import UNCHANGED, Unchanged
from practiceboard.domain.workflow import CLOSED_CATEGORIES, Category

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
    text = (validation.plain(value, "summary", multiline=True) or "").strip()
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
    if validation.calendar_date(start, "start date") is None:
        raise ValidationError("Every care plan needs a start date.", "start_date")
    validation.calendar_date(review, "review date")
    validation.calendar_date(end, "end date")
    if review is not None and review < start:
        raise ValidationError("The review date cannot be before the plan's start.", "review_date")
    if end is not None and end < start:
        raise ValidationError("The end date cannot be before the plan's start.", "end_date")


def _open(plan: CarePlan) -> None:
    if plan.status == "closed":
        raise ValidationError("This care plan is closed. Reopen it before changing it.", "status")


def parse_cadence(cadence: str | None) -> Cadence:
    """The cadence (a recurrence rule or one-off), or ValidationError on field "cadence"."""
    return _parse_cadence(cadence)


def first_due(rule, start: date) -> date | None:
    """The first occurrence on or after ``start`` (``rule``: a Cadence or a Recurrence)."""
    cadence = rule if isinstance(rule, Cadence) else Cadence(rule)
    return cadence.next_after(start, start - timedelta(days=1))


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
    end_date: date | None = None,
) -> PlanSaved:
    """A new plan (active, or a draft). One open plan per patient and program."""
    risk, summary = _risk(risk), _summary(summary)
    if status not in ("draft", "active"):
        raise ValidationError("A new care plan starts as a draft or active.", "status")
    _dates_in_order(start_date, review_date, end_date)
    guard = audited(db, actor, "careplan.create", "care_plan")
    guard.patient_id = patient_id
    with guard as session:
        plan = _new_plan(session, actor, patient_id, program_id, owner_id, start_date, risk,
                         summary, review_date, end_date, status, None)  # fmt: skip
        return _saved(plan)


def _new_plan(
    session, actor, patient_id, program_id, owner_id, start_date, risk, summary, review_date,
    end_date, status, template_key,
) -> CarePlan:  # fmt: skip
    policy = actor_policy(session, actor)
    require(policy, Cap.CAREPLAN_OPERATIONAL)
    if risk != "low" or summary:
        require(policy, Cap.CAREPLAN_CLINICAL)
    patient = get_or_404(session, Patient, patient_id, "patient")
    program = session.get(Program, program_id)
    if program is None or not program.active:
        raise ValidationError("Pick the program this plan belongs to.", "program")
    if owner_id is None:
        raise ValidationError("Every care plan needs an owner.", "owner")
    require_active(session, owner_id, "owner")
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
        end_date=end_date, template_key=template_key, created_at=at, updated_at=at,
        updated_by_id=actor.user_id,
    )  # fmt: skip
    session.add(plan)
    session.flush()
    _write(session, actor, "careplan.create", "care_plan", plan.id, plan, at, new={
        "program": program.key, "status": status, "risk": risk, "owner_id": owner_id,
        "summary": summary, "start_date": start_date, "review_date": review_date,
        "end_date": end_date, "template": template_key,
    })  # fmt: skip
    return plan


def create_plan_from_template(
    db: Database,
    actor: Actor,
    patient_id: int,
    template_key: str,
    owner_id: int,
    start_date: date,
    *,
    risk: str = "low",
    review_date: date | None = None,
) -> PlanSaved:
    """A new active plan with the template's program, goals and interventions, in one
    transaction. The template's goals and interventions are the practice's agreed
    content, so applying one is operational work (a coordinator may); changing them
    afterwards is clinical."""
    template = TEMPLATES_BY_KEY.get(template_key)
    if template is None:
        raise ValidationError("Pick one of the practice's plan templates.", "template")
    risk = _risk(risk)
    review = review_date or add_months(start_date, template.review_months)
    end = start_date + timedelta(days=template.length_days) if template.length_days else None
    _dates_in_order(start_date, review, end)
    guard = audited(db, actor, "careplan.create", "care_plan")
    guard.patient_id = patient_id
    with guard as session:
        program_id = session.scalars(
            select(Program.id).where(Program.key == template.program_key, Program.active)
        ).first()
        if program_id is None:
            raise ValidationError(
                f"The practice has no active program for the “{template.name}” template.",
                "template",
            )
        plan = _new_plan(session, actor, patient_id, program_id, owner_id, start_date, risk, "",
                         review, end, "active", template.key)  # fmt: skip
        at = plan.created_at
        for position, g in enumerate(template.goals, start=1):
            goal = CareGoal(care_plan_id=plan.id, description=g.description, target=g.target,
                            target_date=add_months(start_date, g.months), status="open",
                            position=position)  # fmt: skip
            session.add(goal)
            session.flush()
            _write(session, actor, "careplan.goal.add", "care_goal", goal.id, plan, at,
                   new={"description": goal.description, "target": goal.target,
                        "target_date": goal.target_date})  # fmt: skip
        for t in template.interventions:
            cadence = _parse_cadence(t.cadence)
            first = start_date + timedelta(days=t.offset_days)
            role_id = _role_id(session, t.role_key)
            wf_id = _workflow_id(session, t.workflow_key)
            iv = CareIntervention(
                care_plan_id=plan.id, title=t.title, cadence=cadence.text, role_id=role_id,
                workflow_id=wf_id, start_date=first, next_due=first_due(cadence, first),
                active=True,
            )  # fmt: skip
            session.add(iv)
            session.flush()
            _write(session, actor, "careplan.intervention.add", "care_intervention", iv.id,
                   plan, at, new={"title": iv.title, "cadence": iv.cadence, "start_date": first,
                                  "role": t.role_key, "workflow": t.workflow_key,
                                  "next_due": iv.next_due})  # fmt: skip
        return _saved(plan)


def _role_id(session: Session, role_key: str | None) -> int | None:
    if not role_key:
        return None
    role_id = session.scalars(select(Role.id).where(Role.key == role_key)).first()
    if role_id is None:
        raise ValidationError(f"There is no role called “{role_key}”.", "role")
    return role_id


def _workflow_id(session: Session, workflow_key: str | None) -> int | None:
    """The task workflow an intervention generates into; None for the care task workflow."""
    if not workflow_key or workflow_key == "care_task":
        return None
    wf = session.scalars(select(Workflow).where(Workflow.key == workflow_key)).first()
    if wf is None or not wf.active or wf.kind == "approval":
        raise ValidationError("Pick an active task workflow for this intervention.", "workflow")
    return wf.id


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
    status_reason: str | None = None,
    status_note: str = "",
) -> PlanSaved:
    """Owner, status and dates. Putting a plan on hold needs the reason in words
    (``status_note``); closing it one of CLOSE_REASONS (``status_reason``). Closing
    without an end date ends the plan today; reopening a closed plan clears its end
    date unless one is given. Generation runs only for active plans."""
    if not isinstance(status, Unchanged) and status not in PLAN_STATUSES:
        raise ValidationError("Pick draft, active, on hold or closed.", "status")
    note = validation.short_text(status_note, "status_note", 500, "reason") or None
    if status == "on_hold" and not note:
        raise ValidationError("Say why the plan is on hold.", "status_note")
    if status == "closed" and status_reason not in CLOSE_REASONS:
        raise ValidationError(
            "Pick why the plan is closed: completed, patient declined, transferred or deceased.",
            "status_reason",
        )
    change = _plan_change(db, actor, "careplan.update", plan_id, OPERATIONAL, expected_version)
    with change as (session, plan):
        fields = ("owner_id", "status", "start_date", "review_date", "end_date",
                  "status_reason", "status_note")  # fmt: skip
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
            new["start_date"] = validation.calendar_date(start_date, "start date")
        if not isinstance(review_date, Unchanged):
            new["review_date"] = validation.calendar_date(review_date, "review date")
        if not isinstance(end_date, Unchanged):
            new["end_date"] = validation.calendar_date(end_date, "end date")
        if not isinstance(status, Unchanged) and status != plan.status:
            if status not in _NEXT_STATUS[plan.status]:
                raise ValidationError(
                    f"A {plan.status.replace('_', ' ')} plan cannot be set back to "
                    f"{status.replace('_', ' ')}.",
                    "status",
                )  # fmt: skip
            new["status"] = status
            if status == "on_hold":
                new["status_reason"], new["status_note"] = "on_hold", note
            elif status == "closed":
                new["status_reason"], new["status_note"] = status_reason, note
            else:
                new["status_reason"], new["status_note"] = None, None
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


def hold_plan(
    db: Database, actor: Actor, plan_id: int, *, expected_version: int, reason: str
) -> PlanSaved:
    """Put an active plan on hold (generation pauses); ``reason`` in words."""
    return update_plan_operational(db, actor, plan_id, expected_version=expected_version,
                                   status="on_hold", status_note=reason)  # fmt: skip


def resume_plan(db: Database, actor: Actor, plan_id: int, *, expected_version: int) -> PlanSaved:
    """Back to active (from on hold, or a closed plan reopened); generation resumes."""
    return update_plan_operational(db, actor, plan_id, expected_version=expected_version,
                                   status="active")  # fmt: skip


def close_plan(
    db: Database, actor: Actor, plan_id: int, *, expected_version: int, reason: str,
    note: str = "",
) -> PlanSaved:  # fmt: skip
    """Close with one of CLOSE_REASONS: generation stops. Its open generated tasks stay
    open until ``close_generated_tasks`` (the plan page lists them with that action)."""
    return update_plan_operational(db, actor, plan_id, expected_version=expected_version,
                                   status="closed", status_reason=reason,
                                   status_note=note)  # fmt: skip


def review_plan(
    db: Database, actor: Actor, plan_id: int, *, expected_version: int, next_review: date,
    note: str = "",
) -> PlanSaved:  # fmt: skip
    """Record that the plan was reviewed today and when it is reviewed next."""
    body = validation.note(note, required=False)
    if validation.calendar_date(next_review, "next review date", "review_date") is None:
        raise ValidationError("Pick the date of the next review.", "review_date")
    change = _plan_change(db, actor, "careplan.review", plan_id, OPERATIONAL, expected_version)
    with change as (session, plan):
        _open(plan)
        today = practice_today(session)
        if next_review <= today:
            raise ValidationError("The next review must be after today.", "review_date")
        old = plan.review_date
        plan.review_date = next_review
        at = _touch(plan, actor)
        if body:
            session.add(Note(care_plan_id=plan.id, author_id=actor.user_id, at=at, body=body))
        session.flush()
        _write(session, actor, "careplan.review", "care_plan", plan.id, plan, at,
               old={"review_date": old}, new={"review_date": next_review, "reviewed_on": today,
                                              "note": body})  # fmt: skip
        return _saved(plan)


@dataclass(frozen=True)
class TasksClosed:
    closed: tuple[str, ...]  # the refs of the tasks closed
    left: int  # open generated tasks of workflows this person does not work on


def close_generated_tasks(db: Database, actor: Actor, plan_id: int) -> TasksClosed:
    """Close every open task generated from this closed plan with the plan's reason
    (the workflow's cancelled status), each with its history event, in one action."""
    change = _plan_change(db, actor, "careplan.close_tasks", plan_id, OPERATIONAL)
    with change as (session, plan):
        if plan.status != "closed":
            raise ValidationError(
                "Close the care plan first; its tasks close with the plan's reason.", "status"
            )
        policy = actor_policy(session, actor)
        label, reason_key = CLOSE_REASONS.get(plan.status_reason or "", ("Closed", "other"))
        reason = next((r for r in definitions.reasons_of_kind(session, "exception")
                       if r.key == reason_key), None)  # fmt: skip
        words = f"Care plan closed: {label}"
        if plan.status_note:
            words += f" — {plan.status_note}"
        tasks = session.scalars(
            select(Task)
            .where(
                Task.care_plan_id == plan.id,
                Task.intervention_id.is_not(None),
                Task.closed_at.is_(None),
            )
            .order_by(Task.id)
        ).all()
        at = now()
        closed, left = [], 0
        for task in tasks:
            if not policy.sees_workflow(task.workflow_id):
                left += 1
                continue
            wf = definitions.load_workflow(session, task.workflow_id)
            target = next((st for st in wf.statuses if st.category == Category.CANCELLED), None)
            target = target or next(st for st in wf.statuses if st.category in CLOSED_CATEGORIES)
            session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="status",
                                  from_status_id=task.status_id, to_status_id=target.id,
                                  reason_code_id=reason.id if reason else None,
                                  note=words[:2000]))  # fmt: skip
            task.status_id, task.status_since, task.closed_at = target.id, at, at
            task.last_touched_at, task.updated_at, task.updated_by_id = at, at, actor.user_id
            task.reason_code_id = reason.id if reason else None
            task.reason_note = words[:500]
            closed.append(task.ref)
        if not closed:
            return TasksClosed((), left)
        session.flush()
        _write(session, actor, "careplan.close_tasks", "care_plan", plan.id, plan, at,
               new={"closed": closed, "reason": plan.status_reason})  # fmt: skip
        return TasksClosed(tuple(closed), left)


# ---------------------------------------------------------------- goals


def add_goal(
    db: Database,
    actor: Actor,
    plan_id: int,
    description: str,
    target_date: date | None = None,
    target: str | None = None,
) -> GoalRow:
    text = _required_text(description, "description", GOAL_MAX, "goal")
    target = validation.short_text(target, "target", TITLE_MAX, "target")
    validation.calendar_date(target_date, "target date")
    with _plan_change(db, actor, "careplan.goal.add", plan_id, CLINICAL) as (session, plan):
        _open(plan)
        position = session.scalar(
            select(func.coalesce(func.max(CareGoal.position), 0)).where(
                CareGoal.care_plan_id == plan.id
            )
        )
        goal = CareGoal(care_plan_id=plan.id, description=text, target=target,
                        target_date=target_date, status="open", position=position + 1)  # fmt: skip
        session.add(goal)
        session.flush()
        _write(session, actor, "careplan.goal.add", "care_goal", goal.id, plan, now(),
               new={"description": text, "target": target, "target_date": target_date})  # fmt: skip
        return goal_rows(session, plan.id, goal.id)[0]


def update_goal(
    db: Database,
    actor: Actor,
    goal_id: int,
    *,
    status: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    target_date: date | None | Unchanged = UNCHANGED,
    target: str | None | Unchanged = UNCHANGED,
) -> GoalRow:
    new_values: dict = {}
    if not isinstance(target, Unchanged):
        new_values["target"] = validation.short_text(target, "target", TITLE_MAX, "target")
    if not isinstance(status, Unchanged):
        if status not in GOAL_STATUSES:
            raise ValidationError("A goal is in progress, met, not met or dropped.", "status")
        new_values["status"] = status
    if not isinstance(description, Unchanged):
        new_values["description"] = _required_text(description, "description", GOAL_MAX, "goal")
    if not isinstance(target_date, Unchanged):
        new_values["target_date"] = validation.calendar_date(target_date, "target date")
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
    workflow_key: str | None = None,
) -> InterventionRow:
    """A recurring (or one-off) piece of work. Its tasks go to ``owner_id``, else the
    least-loaded member of the role, else the plan owner (see care_tasks), in the
    workflow ``workflow_key`` (default: care plan tasks)."""
    title = _required_text(title, "title", TITLE_MAX, "intervention title")
    if validation.calendar_date(start_date, "start date") is None:
        raise ValidationError("Pick the day the intervention starts.", "start_date")
    rule = parse_cadence(cadence)
    cadence = rule.text
    next_due = first_due(rule, start_date)
    with _plan_change(db, actor, "careplan.intervention.add", plan_id, CLINICAL) as (session, plan):
        _open(plan)
        if goal_id is not None:
            goal = session.get(CareGoal, goal_id)
            if goal is None or goal.care_plan_id != plan.id:
                raise ValidationError("Pick one of this plan's goals.", "goal")
        role_id = _role_id(session, role_key)
        wf_id = _workflow_id(session, workflow_key)
        require_active(session, owner_id, "owner")
        iv = CareIntervention(
            care_plan_id=plan.id, goal_id=goal_id, title=title, cadence=cadence, role_id=role_id,
            owner_id=owner_id, workflow_id=wf_id, start_date=start_date, next_due=next_due,
            active=True,
        )  # fmt: skip
        session.add(iv)
        session.flush()
        _write(session, actor, "careplan.intervention.add", "care_intervention", iv.id, plan,
               now(), new={"title": title, "cadence": cadence, "start_date": start_date,
                           "goal_id": goal_id, "role": role_key, "owner_id": owner_id,
                           "workflow": workflow_key, "next_due": next_due})  # fmt: skip
        return intervention_rows(session, plan.id, iv.id)[0]


def update_intervention(
    db: Database,
    actor: Actor,
    intervention_id: int,
    *,
    title: str | Unchanged = UNCHANGED,
    cadence: str | Unchanged = UNCHANGED,
    role_key: str | None | Unchanged = UNCHANGED,
    owner_id: int | None | Unchanged = UNCHANGED,
    workflow_key: str | None | Unchanged = UNCHANGED,
) -> InterventionRow:
    """What the intervention is (``title``) is clinical; when and by whom it is done
    (cadence, role, person, workflow) is operational. A new cadence takes effect from
    today: tasks already generated stay, the next one follows the new rule."""
    new_values: dict = {}
    needs: set[str] = set()
    if not isinstance(title, Unchanged):
        new_values["title"] = _required_text(title, "title", TITLE_MAX, "intervention title")
        needs.add(Cap.CAREPLAN_CLINICAL)
    rule = None
    if not isinstance(cadence, Unchanged):
        rule = parse_cadence(cadence)
        new_values["cadence"] = rule.text
        needs.add(Cap.CAREPLAN_OPERATIONAL)
    if not isinstance(role_key, Unchanged) or not isinstance(owner_id, Unchanged):
        needs.add(Cap.CAREPLAN_OPERATIONAL)
    if not isinstance(workflow_key, Unchanged):
        needs.add(Cap.CAREPLAN_OPERATIONAL)
    plan_id = _parent_plan(db, CareIntervention, intervention_id, "intervention")
    caps = tuple(sorted(needs)) or OPERATIONAL
    change = _plan_change(db, actor, "careplan.intervention.update", plan_id, caps[:1])
    with change as (session, plan):
        policy = actor_policy(session, actor)
        for cap in caps:
            require(policy, cap)
        _open(plan)
        iv = get_or_404(session, CareIntervention, intervention_id, "intervention")
        if not isinstance(role_key, Unchanged):
            new_values["role_id"] = _role_id(session, role_key)
        if not isinstance(owner_id, Unchanged):
            require_active(session, owner_id, "owner")
            new_values["owner_id"] = owner_id
        if not isinstance(workflow_key, Unchanged):
            new_values["workflow_id"] = _workflow_id(session, workflow_key)
        changed = sorted(k for k, v in new_values.items() if getattr(iv, k) != v)
        if not changed:
            return intervention_rows(session, plan.id, iv.id)[0]
        old = {k: getattr(iv, k) for k in changed}
        for k in changed:
            setattr(iv, k, new_values[k])
        if "cadence" in changed and rule is not None:
            today = practice_today(session)
            after = max(today - timedelta(days=1), iv.last_generated_due or date.min)
            iv.start_date = max(iv.start_date, today)
            iv.next_due = rule.next_after(iv.start_date, after)
            new_values["next_due"] = iv.next_due
        session.flush()
        _write(session, actor, "careplan.intervention.update", "care_intervention", iv.id, plan,
               now(), old=old, new={k: new_values[k] for k in changed})  # fmt: skip
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
