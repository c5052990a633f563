"""What the intake and task detail forms need beyond queries.lookups: who may own
a task of a workflow, who "route automatically" would give it to, and the
practice's time zone for showing when things happened."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor
from practiceboard.core.clock import now
from practiceboard.core.rows import Option
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import RoleCapability, RoleWorkflow, User, UserRole
from practiceboard.domain.errors import NotFound
from practiceboard.domain.policy import Cap, Policy
from practiceboard.queries.lookups import options, read


@refusals_audited("intake.view", "workflow", "workflow_id")
def eligible_owners(db: Database, actor: Actor, workflow_id: int) -> list[Option]:
    """Active staff who may own a task of this workflow, by name: whose roles see the
    workflow and let them work their own tasks (the rule services.tasks.check_owner
    enforces). None for a workflow the actor does not work on."""
    return read(db, actor, eligible_owners_in, workflow_id)


def eligible_owners_in(session: Session, policy: Policy, workflow_id: int) -> list[Option]:
    if not policy.sees_workflow(workflow_id):
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
    return options(
        session,
        select(User.id, User.display_name)
        .where(
            User.active,
            User.id.in_(users_with(Cap.TASK_EDIT_OWN)),
            User.id.in_(seeing) | User.id.in_(users_with(Cap.TASK_VIEW_ALL)),
        )
        .order_by(User.display_name, User.id),
    )


@refusals_audited("intake.view", "workflow", "workflow_id")
def route_preview(db: Database, actor: Actor, workflow_id: int) -> Option | None:
    """Who "route automatically" would give a new task of this workflow to right now
    (core.definitions.intake_owner, the rule services.tasks applies). None for a
    workflow the actor does not work on."""
    return read(db, actor, route_preview_in, workflow_id)


def route_preview_in(session: Session, policy: Policy, workflow_id: int) -> Option | None:
    if not policy.sees_workflow(workflow_id):
        return None
    try:
        wf = definitions.load_workflow(session, workflow_id)
    except NotFound:
        return None
    owner = definitions.intake_owner(session, wf, policy.user_id)
    name = session.scalar(select(User.display_name).where(User.id == owner))
    return Option(owner, name or "")


@refusals_audited("intake.view", "setting")
def practice_zone(db: Database, actor: Actor) -> tuple[str, date]:
    """(the practice's IANA time zone, today's date there)."""
    return read(db, actor, practice_zone_in)


def practice_zone_in(session: Session, policy: Policy) -> tuple[str, date]:
    cal = definitions.practice_calendar(session)
    return cal.timezone, cal.local_date(now())
