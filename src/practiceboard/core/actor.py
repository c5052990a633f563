"""Who is acting, and what their roles let them do right now.

``Actor`` is the signed-in user as the GUI or CLI knows them; ``actor_policy``
checks their account on every call and takes their roles from core.cache, which
re-reads them as soon as any PC changes a role, so a disabled account or a removed
role takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core import cache
from practiceboard.core.cache import Stamp
from practiceboard.core.clock import now
from practiceboard.db import audit
from practiceboard.db.models import Role, RoleCapability, RoleWorkflow, UserRole, Workflow
from practiceboard.domain.errors import PermissionDenied
from practiceboard.domain.policy import Cap, Policy, denial_message


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the GUI or CLI knows them. Every action checks their
    account and their roles as the database holds them then (see actor_policy), so
    a disabled user or a removed role takes effect at once."""

    user_id: int
    username: str
    display_name: str
    workstation: str = "unknown"

    def who(self) -> audit.Who:
        return audit.Who(self.user_id, self.username, self.workstation)


def _load_policy(session: Session, user_id: int) -> Policy:
    """The roles, capabilities and visible workflows of one account, in two queries."""
    rows = session.execute(
        select(Role.key, RoleCapability.capability_key, Role.id)
        .select_from(UserRole)
        .join(Role, Role.id == UserRole.role_id)
        .outerjoin(RoleCapability, RoleCapability.role_id == Role.id)
        .where(UserRole.user_id == user_id)
    ).all()
    roles = {r[0] for r in rows}
    caps = {r[1] for r in rows if r[1] is not None}
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
    role_ids = frozenset(r[2] for r in rows)
    return Policy(user_id, frozenset(caps), frozenset(roles), frozenset(wf_ids), role_ids)


def _policy(session: Session, user_id: int) -> tuple[bool, Policy, Stamp]:
    """(account active, policy, the stamp read with it). Every service call and query
    pays this: one small query for the stamp and the active flag; roles and workflows
    come from the cache until a definitions table changes."""
    stamp, active, glass = cache.current_access(session, user_id, now())
    policy = cache.get(stamp, ("policy", user_id), lambda: _load_policy(session, user_id))
    if glass and not policy.can(Cap.PATIENT_VIEW):  # break-glass: patient data, for now
        policy = replace(policy, capabilities=policy.capabilities | {Cap.PATIENT_VIEW})
    return active, policy, stamp


def role_policy(session: Session, actor: Actor) -> Policy:
    """The policy of the actor's roles alone, with no break-glass grant read: for a
    database whose schema is older than this code (an upgrade's own admin check)."""
    if not cache.current(session, actor.user_id)[1]:
        raise PermissionDenied("Your account is disabled. Ask your practice manager.")
    return _load_policy(session, actor.user_id)


def load_policy(session: Session, user_id: int) -> Policy:
    return _policy(session, user_id)[1]


def policy_and_stamp(session: Session, actor: Actor) -> tuple[Policy, Stamp]:
    """The actor's policy and the change stamp read with it (for callers that go on to
    read cached definitions in the same call); a disabled or unknown account may do
    nothing."""
    active, policy, stamp = _policy(session, actor.user_id)
    if not active:
        raise PermissionDenied("Your account is disabled. Ask your practice manager.")
    return policy, stamp


def actor_policy(session: Session, actor: Actor) -> Policy:
    """The actor's policy; a disabled or unknown account may do nothing."""
    return policy_and_stamp(session, actor)[0]


def require(policy: Policy, capability: str) -> None:
    if not policy.can(capability):
        raise PermissionDenied(denial_message(capability))
