"""Reads both sides need: a care plan's goals, interventions and notes as rows.

The read side lists them; the care-plan services return the row they just wrote.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from practiceboard.core.rows import GoalRow, InterventionRow, NoteRow
from practiceboard.db.models import CareGoal, CareIntervention, Note, Role, User, Workflow
from practiceboard.domain.careplan import parse_cadence
from practiceboard.domain.errors import ValidationError


def goal_rows(session: Session, plan_id: int, goal_id: int | None = None) -> list[GoalRow]:
    q = select(CareGoal).where(CareGoal.care_plan_id == plan_id)
    if goal_id is not None:
        q = q.where(CareGoal.id == goal_id)
    goals = session.scalars(q.order_by(CareGoal.position, CareGoal.id))
    return [GoalRow(g.id, g.care_plan_id, g.description, g.target_date, g.status, g.position,
                    g.target) for g in goals]  # fmt: skip


def intervention_rows(
    session: Session, plan_id: int, intervention_id: int | None = None
) -> list[InterventionRow]:
    owner = aliased(User)
    q = (
        select(CareIntervention, Role.name, owner.display_name, Workflow.name)
        .outerjoin(Role, Role.id == CareIntervention.role_id)
        .outerjoin(owner, owner.id == CareIntervention.owner_id)
        .outerjoin(Workflow, Workflow.id == CareIntervention.workflow_id)
        .where(CareIntervention.care_plan_id == plan_id)
    )
    if intervention_id is not None:
        q = q.where(CareIntervention.id == intervention_id)
    q = q.order_by(CareIntervention.active.desc(), CareIntervention.next_due, CareIntervention.id)
    return [
        InterventionRow(
            i.id,
            i.care_plan_id,
            i.goal_id,
            i.title,
            i.cadence,
            _describe(i.cadence),
            i.role_id,
            role_name,
            i.owner_id,
            owner_name,
            i.start_date,
            i.next_due,
            i.last_generated_due,
            i.active,
            i.workflow_id,
            wf_name,
        )  # fmt: skip
        for i, role_name, owner_name, wf_name in session.execute(q)
    ]


def _describe(cadence: str) -> str:
    try:
        return parse_cadence(cadence).describe()
    except ValidationError:
        return cadence


def note_rows(session: Session, plan_id: int, note_id: int | None = None) -> list[NoteRow]:
    q = (
        select(Note, User.display_name)
        .join(User, User.id == Note.author_id)
        .where(Note.care_plan_id == plan_id)
    )
    if note_id is not None:
        q = q.where(Note.id == note_id)
    return [NoteRow(n.id, n.care_plan_id, n.author_id, name, n.at, n.body)
            for n, name in session.execute(q.order_by(Note.at.desc(), Note.id.desc()))]  # fmt: skip
