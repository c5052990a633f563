"""What the intake and task detail forms need beyond queries.lookups: who may own
a task of a workflow, who "route automatically" would give it to, and the
practice's time zone for showing when things happened."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.clock import now
from practiceboard.core.rows import Option
from practiceboard.db.engine import Database
from practiceboard.db.models import RoleCapability, RoleWorkflow, User, UserRole, Workflow
from practiceboard.domain.policy import Cap


def eligible_owners(db: Database, actor: Actor, workflow_id: int) -> list[Option]:
    """Active staff who may own a task of this workflow, by name: whose roles see the
    workflow and let them work their own tasks (the rule services.tasks.check_owner
    enforces). None for a workflow the actor does not work on."""
    with db.read() as session:
        if not actor_policy(session, actor).sees_workflow(workflow_id):
            return []

        def users_with(capability: str):
            return (
                select(UserRole.user_id)
                .join(RoleCapability, RoleCapability.role_id == UserRole.role_id)
                .where(RoleCapability.capability_key == capability)
            )

        seeing = (
            select(UserRole.user_id)
            .join(RoleWorkflow, RoleWorkflow.role_id == UserRole.role_id)
            .where(RoleWorkflow.workflow_id == workflow_id)
        )
        rows = session.execute(
            select(User.id, User.display_name)
            .where(
                User.active,
                User.id.in_(users_with(Cap.TASK_EDIT_OWN)),
                User.id.in_(seeing) | User.id.in_(users_with(Cap.TASK_VIEW_ALL)),
            )
            .order_by(User.display_name, User.id)
        ).all()
    return [Option(*r) for r in rows]


def route_preview(db: Database, actor: Actor, workflow_id: int) -> Option | None:
    """Who "route automatically" would give a new task of this workflow to right now:
    the least-loaded member of its intake role, else the person doing the intake
    (the rule of services.tasks.route_owner). None for a workflow the actor does not
    work on."""
    with db.read() as session:
        if not actor_policy(session, actor).sees_workflow(workflow_id):
            return None
        role_id = session.scalar(select(Workflow.intake_role_id).where(Workflow.id == workflow_id))
        owner = definitions.least_loaded_member(session, role_id) or actor.user_id
        name = session.scalar(select(User.display_name).where(User.id == owner))
    return Option(owner, name or "")


def practice_zone(db: Database, actor: Actor) -> tuple[str, date]:
    """(the practice's IANA time zone, today's date there)."""
    with db.read() as session:
        actor_policy(session, actor)
        cal = definitions.practice_calendar(session)
    return cal.timezone, cal.local_date(now())
