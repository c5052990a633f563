"""Every picker a form offers, in one read: the one loader the intake dialog, the
task detail and the filter bar can share instead of a round of lookups each
(one session, one account check, the definitions from core.cache)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor
from practiceboard.core.rows import PickerOptions
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.domain.policy import Policy
from practiceboard.queries import intake, lookups


@refusals_audited("intake.view", "workflow", "workflow_id")
def picker_options(db: Database, actor: Actor, workflow_id: int | None = None) -> PickerOptions:
    """The workflows, people, roles, places, payers, providers and saved filters the
    actor may pick from, the practice's zone and today; with ``workflow_id`` also
    that workflow's templates, eligible owners and who auto-routing would pick."""
    return lookups.read(db, actor, _load, workflow_id)


def _load(session: Session, policy: Policy, workflow_id: int | None) -> PickerOptions:
    zone, today = intake.practice_zone_in(session, policy)
    one = workflow_id is not None
    return PickerOptions(
        workflows=tuple(lookups.workflows_in(session, policy)),
        users=tuple(lookups.users_in(session, policy)),
        roles=tuple(lookups.roles_in(session, policy)),
        locations=tuple(lookups.locations_in(session, policy)),
        payers=tuple(lookups.payers_in(session, policy)),
        providers=tuple(lookups.providers_in(session, policy)),
        saved_filters=tuple(lookups.saved_filters_in(session, policy)),
        timezone=zone,
        today=today,
        templates=tuple(lookups.templates_in(session, policy, workflow_id)) if one else (),
        owners=tuple(intake.eligible_owners_in(session, policy, workflow_id)) if one else (),
        routed_to=intake.route_preview_in(session, policy, workflow_id) if one else None,
    )
