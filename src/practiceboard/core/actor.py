"""Who is acting, and what their roles let them do right now.

``Actor`` is the signed-in user as the GUI or CLI knows them; ``actor_policy``
re-reads their roles from the database, so a disabled account or a removed role
takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.db import audit
from practiceboard.db.models import Role, RoleCapability, RoleWorkflow, User, UserRole, Workflow
from practiceboard.domain.errors import PermissionDenied
from practiceboard.domain.policy import Cap, Policy, denial_message


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the GUI or CLI knows them. Services re-read their
    roles from the database on every action, so a disabled user or a removed
    role takes effect at once."""

    user_id: int
    username: str
    display_name: str
    workstation: str = "unknown"

    def who(self) -> audit.Who:
        return audit.Who(self.user_id, self.username, self.workstation)


def _policy(session: Session, user_id: int) -> tuple[bool, Policy]:
    """(account active, policy) in two queries: roles with their capabilities, then the
    visible workflows. Every service call and query pays this, so it stays small."""
    rows = session.execute(
        select(User.active, Role.key, RoleCapability.capability_key)
        .select_from(User)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .outerjoin(Role, Role.id == UserRole.role_id)
        .outerjoin(RoleCapability, RoleCapability.role_id == Role.id)
        .where(User.id == user_id)
    ).all()
    active = bool(rows) and bool(rows[0][0])
    roles = {r[1] for r in rows if r[1] is not None}
    caps = {r[2] for r in rows if r[2] is not None}
    if Cap.TASK_VIEW_ALL in caps:
        wf_ids = set(session.scalars(select(Workflow.id)))
    else:
        wf_ids = set(
            session.scalars(
                select(RoleWorkflow.workflow_id)
                .join(UserRole, UserRole.role_id == RoleWorkflow.role_id)
                .where(UserRole.user_id == user_id)
            )
        )
    return active, Policy(user_id, frozenset(caps), frozenset(roles), frozenset(wf_ids))


def load_policy(session: Session, user_id: int) -> Policy:
    return _policy(session, user_id)[1]


def actor_policy(session: Session, actor: Actor) -> Policy:
    """The actor's policy; a disabled or unknown account may do nothing."""
    active, policy = _policy(session, actor.user_id)
    if not active:
        raise PermissionDenied("Your account is disabled. Ask your practice manager.")
    return policy


def require(policy: Policy, capability: str) -> None:
    if not policy.can(capability):
        raise PermissionDenied(denial_message(capability))
