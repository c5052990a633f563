"""Small lists for pickers: workflows and their statuses, people, reasons, templates
and saved filters; each is one or two queries over small tables, as a function of
its own (``workflows(db, actor)``) and as a session-level loader
(``workflows_in(session, policy)``) that queries.pickers combines. Every (id, label)
picker list is read by ``options``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.rows import (
    Option,
    ReasonRow,
    RoleRow,
    SavedFilterRow,
    StatusRow,
    TaskFilter,
    TemplateRow,
    UserRow,
    WorkflowRow,
)
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    Location,
    ReasonCode,
    Role,
    SavedFilter,
    Status,
    Task,
    Template,
    User,
    UserRole,
    Workflow,
)
from practiceboard.domain.policy import Policy

T = TypeVar("T")
PROVIDER_ROLE = "provider"


def read(db: Database, actor: Actor, load: Callable[..., T], *args) -> T:
    """Run a session-level loader (``load(session, policy, *args)``, the ``*_in``
    functions here and in queries.pickers) in a read session of its own, after the
    account check. queries.pickers.picker_options runs many in one session."""
    with db.read() as session:
        return load(session, actor_policy(session, actor), *args)


@refusals_audited("lookup.view", "workflow")
def workflows(db: Database, actor: Actor) -> list[WorkflowRow]:
    """Active workflows the actor works on, in their configured order, with statuses."""
    return read(db, actor, workflows_in)


def workflows_in(session: Session, policy: Policy) -> list[WorkflowRow]:
    visible = sorted(policy.workflow_ids)
    if not visible:
        return []
    wfs = session.execute(
        select(Workflow.id, Workflow.key, Workflow.name, Workflow.kind, Workflow.fields)
        .where(Workflow.id.in_(visible), Workflow.active)
        .order_by(Workflow.position, Workflow.id)
    ).all()
    by_wf: dict[int, list[StatusRow]] = defaultdict(list)
    for s in session.execute(
        select(
            Status.workflow_id,
            Status.id,
            Status.key,
            Status.name,
            Status.category,
            Status.position,
            Status.definition_of_done,
            Status.decision,
        )  # fmt: skip
        .where(Status.workflow_id.in_(visible))
        .order_by(Status.workflow_id, Status.position)
    ):
        by_wf[s.workflow_id].append(StatusRow(*tuple(s)[1:]))
    return [
        WorkflowRow(w.id, w.key, w.name, w.kind, tuple(by_wf[w.id]), tuple(w.fields or ()))
        for w in wfs
    ]


@refusals_audited("lookup.view", "user")
def users(db: Database, actor: Actor, *, include_inactive: bool = False) -> list[UserRow]:
    """Staff by display name, with the keys of their roles (owner and people pickers)."""
    return read(db, actor, users_in, include_inactive)


def users_in(session: Session, policy: Policy, include_inactive: bool = False) -> list[UserRow]:
    q = select(User.id, User.display_name, User.active).order_by(User.display_name, User.id)
    if not include_inactive:
        q = q.where(User.active)
    people = session.execute(q).all()
    roles: dict[int, list[str]] = defaultdict(list)
    for uid, key in session.execute(
        select(UserRole.user_id, Role.key).join(Role, Role.id == UserRole.role_id).order_by(Role.id)
    ):
        roles[uid].append(key)
    return [UserRow(u.id, u.display_name, tuple(roles[u.id]), u.active) for u in people]


@refusals_audited("lookup.view", "role")
def roles(db: Database, actor: Actor) -> list[RoleRow]:
    return read(db, actor, roles_in)


def roles_in(session: Session, policy: Policy) -> list[RoleRow]:
    return [
        RoleRow(*r) for r in session.execute(select(Role.id, Role.key, Role.name).order_by(Role.id))
    ]


def options(session: Session, stmt) -> list[Option]:
    """(id, label) rows of a two-column SELECT, for a picker: the one loader of them."""
    return [Option(*r) for r in session.execute(stmt)]


@refusals_audited("lookup.view", "user")
def providers(db: Database, actor: Actor) -> list[Option]:
    """Active members of the provider role (the 'provider' picker on intake)."""
    return read(db, actor, providers_in)


def providers_in(session: Session, policy: Policy) -> list[Option]:
    return options(
        session,
        select(User.id, User.display_name)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(Role.key == PROVIDER_ROLE, User.active)
        .order_by(User.display_name, User.id),
    )


@refusals_audited("lookup.view", "location")
def locations(db: Database, actor: Actor) -> list[Option]:
    """Active locations, the default one first."""
    return read(db, actor, locations_in)


def locations_in(session: Session, policy: Policy) -> list[Option]:
    return options(
        session,
        select(Location.id, Location.name)
        .where(Location.active)
        .order_by(Location.is_default.desc(), Location.name),
    )


@refusals_audited("lookup.view", "task")
def payers(db: Database, actor: Actor) -> list[str]:
    """Payer names already used on tasks (payers are organisations, not patient data).

    Read over the whole table so the payer index answers it alone."""
    return read(db, actor, payers_in)


def payers_in(session: Session, policy: Policy) -> list[str]:
    return list(
        session.scalars(
            select(Task.payer).where(Task.payer.is_not(None)).distinct().order_by(Task.payer)
        )
    )


@refusals_audited("lookup.view", "reason_code")
def reason_codes(db: Database, actor: Actor, kind: str | None = None) -> list[ReasonRow]:
    """Offered reason codes, of one kind or all, in their configured order."""
    return read(db, actor, reason_codes_in, kind)


def reason_codes_in(session: Session, policy: Policy, kind: str | None = None) -> list[ReasonRow]:
    q = select(
        ReasonCode.id, ReasonCode.kind, ReasonCode.key, ReasonCode.label,
        ReasonCode.note_required,
    ).where(ReasonCode.active)  # fmt: skip
    if kind is not None:
        q = q.where(ReasonCode.kind == kind)
    return [
        ReasonRow(*r) for r in session.execute(q.order_by(ReasonCode.kind, ReasonCode.position))
    ]


@refusals_audited("lookup.view", "template", "workflow_id")
def templates(db: Database, actor: Actor, workflow_id: int) -> list[TemplateRow]:
    """Active templates of a workflow the actor works on (none for other workflows)."""
    return read(db, actor, templates_in, workflow_id)


def templates_in(session: Session, policy: Policy, workflow_id: int) -> list[TemplateRow]:
    if not policy.sees_workflow(workflow_id):
        return []
    rows = session.execute(
        select(
            Template.id,
            Template.workflow_id,
            Template.name,
            Template.title,
            Template.details,
            Template.checklist,
            Template.fields,
            Template.priority,
            Template.due_in_days,
        )  # fmt: skip
        .where(Template.workflow_id == workflow_id, Template.active)
        .order_by(Template.name, Template.id)
    ).all()
    return [
        TemplateRow(
            r.id,
            r.workflow_id,
            r.name,
            r.title,
            r.details,
            tuple(r.checklist or ()),
            tuple(r.fields or ()),
            r.priority,
            r.due_in_days,
        )  # fmt: skip
        for r in rows
    ]


@refusals_audited("lookup.view", "saved_filter")
def saved_filters(db: Database, actor: Actor) -> list[SavedFilterRow]:
    """The actor's own saved filters, by name."""
    return read(db, actor, saved_filters_in)


def saved_filters_in(session: Session, policy: Policy) -> list[SavedFilterRow]:
    rows = session.execute(
        select(SavedFilter.id, SavedFilter.name, SavedFilter.filters, SavedFilter.created_at)
        .where(SavedFilter.user_id == policy.user_id)
        .order_by(SavedFilter.name)
    ).all()
    return [
        SavedFilterRow(r.id, r.name, TaskFilter.from_dict(r.filters or {}), r.created_at)
        for r in rows
    ]


# ---------------------------------------------------------------- the signed-in session (GUI shell)

# Widest first: a person with several roles lands on the broadest view any of their
# roles starts on.
START_VIEWS = ("attention", "board", "approvals", "queue")


@refusals_audited("session.view", "user")
def policy_for(db: Database, actor: Actor) -> Policy:
    """The actor's policy snapshot, for showing and hiding controls (services enforce)."""
    with db.read() as session:
        return actor_policy(session, actor)


@refusals_audited("session.view", "user")
def role_names(db: Database, actor: Actor) -> list[str]:
    """Display names of the actor's roles, in role order (the status bar)."""
    with db.read() as session:
        actor_policy(session, actor)
        return list(
            session.scalars(
                select(Role.name)
                .join(UserRole, UserRole.role_id == Role.id)
                .where(UserRole.user_id == actor.user_id)
                .order_by(Role.id)
            )
        )


@refusals_audited("session.view", "user")
def start_view(db: Database, actor: Actor) -> str:
    """Where the actor lands after sign-in: attention, board, approvals or queue
    (roles.start_view)."""
    with db.read() as session:
        actor_policy(session, actor)
        views = set(
            session.scalars(
                select(Role.start_view)
                .join(UserRole, UserRole.role_id == Role.id)
                .where(UserRole.user_id == actor.user_id)
            )
        )
    return next((v for v in START_VIEWS if v in views), "queue")


def refresh_seconds(db: Database) -> int:
    """How often an open window re-reads its view (setting refresh_seconds; at least 15)."""
    with db.read() as session:
        return max(15, definitions.setting(session, "refresh_seconds"))


def idle_lock_minutes(db: Database) -> int:
    """Minutes without input before the screen locks (setting idle_lock_minutes; 0 = never).

    Read before anyone signs in, so it takes no actor; it is not patient data."""
    with db.read() as session:
        return max(0, definitions.setting(session, "idle_lock_minutes"))
