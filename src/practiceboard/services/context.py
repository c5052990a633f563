"""What every service needs: who is acting, their current policy, the clock, and
the guard that audits a refusal before raising it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, RoleCapability, RoleWorkflow, User, UserRole, Workflow
from practiceboard.domain.errors import ConflictError, NotFound, PermissionDenied
from practiceboard.domain.policy import Cap, Policy, denial_message

# Tests replace this to move time; everything that stamps a time asks it.
clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return clock()


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


def record_denial(db: Database, actor: Actor, action: str, entity: str, entity_id, message: str,
                  patient_id: int | None = None) -> None:  # fmt: skip
    """Audit a refused action in its own transaction (the action's own was rolled back)."""
    with db.write() as session:
        audit.write(
            session, actor.who(), action, entity, entity_id, outcome="denied",
            patient_id=patient_id, detail=message, at=now(),
        )  # fmt: skip


def changed_by(session: Session, what: str, user_id: int | None, at: datetime) -> ConflictError:
    """ "WHAT was changed by NAME at 9:05 AM on Mar 4 — reload…" in the practice's time zone."""
    from practiceboard.services.definitions import practice_calendar  # definitions imports us

    who = session.get(User, user_id) if user_id is not None else None
    name = who.display_name if who else "someone else"
    when = at.astimezone(practice_calendar(session).tzinfo())
    stamp = when.strftime("%I:%M %p").lstrip("0") + when.strftime(" on %b %d").replace(" 0", " ")
    return ConflictError(
        f"{what} was changed by {name} at {stamp} — reload to see their change.",
        changed_by=name,
        changed_at=at,
    )


def require(policy: Policy, capability: str) -> None:
    if not policy.can(capability):
        raise PermissionDenied(denial_message(capability))


def get_or_404(session: Session, model, ident, what: str):
    obj = session.get(model, ident) if ident is not None else None
    if obj is None:
        raise NotFound(f"That {what} no longer exists. Refresh and try again.")
    return obj


def audited(db: Database, actor: Actor, action: str, entity: str, entity_id=None):
    """Context manager: one write transaction; a PermissionDenied inside it rolls
    the work back, is audited as denied, and is raised again."""
    return _Audited(db, actor, action, entity, entity_id)


class _Audited:
    def __init__(self, db, actor, action, entity, entity_id):
        self.db, self.actor, self.action, self.entity, self.entity_id = (
            db, actor, action, entity, entity_id)  # fmt: skip
        self._cm = None
        self.patient_id: int | None = None

    def __enter__(self) -> Session:
        self._cm = self.db.write()
        return self._cm.__enter__()

    def __exit__(self, exc_type, exc, tb):
        suppressed = self._cm.__exit__(exc_type, exc, tb)
        if isinstance(exc, PermissionDenied):
            record_denial(self.db, self.actor, self.action, self.entity, self.entity_id,
                          exc.message, self.patient_id)  # fmt: skip
        return suppressed
