"""The admin screens' reads: accounts, workflows with their statuses and templates,
reason codes, and the backup state. Each needs the admin capability."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.definitions import setting
from practiceboard.core.paths import data_dir
from practiceboard.core.rows import (
    AccountRow,
    BackupState,
    ReasonAdminRow,
    RoleRow,
    StatusAdminRow,
    TemplateAdminRow,
    WorkflowAdminRow,
)
from practiceboard.core.settings import read
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    BreakGlassGrant,
    ReasonCode,
    Role,
    RoleWorkflow,
    Setting,
    Status,
    Task,
    TaskEvent,
    Template,
    User,
    UserRole,
    Workflow,
)
from practiceboard.domain.policy import Cap


@contextmanager
def _admin_session(db: Database, actor: Actor) -> Iterator[Session]:
    """A read session, after the account check and the admin capability."""
    with db.read() as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        yield session


def roles(db: Database, actor: Actor) -> list[RoleRow]:
    with _admin_session(db, actor) as session:
        return [RoleRow(*r) for r in session.execute(select(Role.id, Role.key, Role.name)
                                                      .order_by(Role.id))]  # fmt: skip


def accounts(db: Database, actor: Actor) -> list[AccountRow]:
    """Every account, by name; disabled ones too."""
    with _admin_session(db, actor) as session:
        held: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for uid, key, name in session.execute(
            select(UserRole.user_id, Role.key, Role.name)
            .join(Role, Role.id == UserRole.role_id)
            .order_by(Role.id)
        ):
            held[uid].append((key, name))
        at = now()
        rows = session.execute(
            select(User.id, User.username, User.display_name, User.active, User.locked_until,
                   User.must_change_password, User.last_login_at)
            .order_by(func.lower(User.display_name), User.id)
        ).all()  # fmt: skip
        emergency = dict(
            session.execute(
                select(BreakGlassGrant.user_id, func.max(BreakGlassGrant.ends_at))
                .where(BreakGlassGrant.revoked_at.is_(None), BreakGlassGrant.ends_at > at)
                .group_by(BreakGlassGrant.user_id)
            ).all()
        )
        return [
            AccountRow(
                r.id,
                r.username,
                r.display_name,
                tuple(k for k, _ in held[r.id]),
                tuple(n for _, n in held[r.id]),
                r.active,
                bool(r.locked_until and r.locked_until > at),
                r.must_change_password,
                r.last_login_at,
                emergency.get(r.id),
            )  # fmt: skip
            for r in rows
        ]


def workflows(db: Database, actor: Actor) -> list[WorkflowAdminRow]:
    """Every workflow (on or off) with its statuses, templates and roles."""
    with _admin_session(db, actor) as session:
        open_counts = dict(
            session.execute(select(Task.status_id, func.count()).group_by(Task.status_id)).all()
        )
        ever = union(
            select(Task.status_id.label("sid")),
            select(TaskEvent.to_status_id.label("sid")).where(TaskEvent.to_status_id.is_not(None)),
            select(TaskEvent.from_status_id.label("sid"))
            .where(TaskEvent.from_status_id.is_not(None)),
        ).subquery()  # fmt: skip
        used = set(session.scalars(select(ever.c.sid)))
        statuses: dict[int, list[StatusAdminRow]] = defaultdict(list)
        for s in session.scalars(select(Status).order_by(Status.workflow_id, Status.position)):
            statuses[s.workflow_id].append(StatusAdminRow(
                s.id, s.key, s.name, s.category, s.position, s.retired,
                open_counts.get(s.id, 0), s.id in used,
            ))  # fmt: skip
        templates: dict[int, list[TemplateAdminRow]] = defaultdict(list)
        for t in session.scalars(select(Template).order_by(Template.workflow_id, Template.name)):
            templates[t.workflow_id].append(TemplateAdminRow(
                t.id, t.name, t.title, t.details, tuple(t.checklist or ()), t.priority,
                t.due_in_days, t.active,
            ))  # fmt: skip
        role_ids: dict[int, list[int]] = defaultdict(list)
        for rid, wid in session.execute(
            select(RoleWorkflow.role_id, RoleWorkflow.workflow_id).order_by(RoleWorkflow.role_id)
        ):
            role_ids[wid].append(rid)
        return [
            WorkflowAdminRow(
                wf.id,
                wf.key,
                wf.name,
                wf.kind,
                wf.active,
                tuple(role_ids[wf.id]),
                tuple(statuses[wf.id]),
                tuple(templates[wf.id]),
            )  # fmt: skip
            for wf in session.scalars(select(Workflow).order_by(Workflow.position, Workflow.id))
        ]


def reasons(db: Database, actor: Actor) -> list[ReasonAdminRow]:
    """Every reason code (offered or switched off), by kind and position, with its uses."""
    with _admin_session(db, actor) as session:
        uses = dict(
            session.execute(
                select(TaskEvent.reason_code_id, func.count())
                .where(TaskEvent.reason_code_id.is_not(None))
                .group_by(TaskEvent.reason_code_id)
            ).all()
        )
        return [
            ReasonAdminRow(
                r.id, r.kind, r.key, r.label, r.note_required, r.active, uses.get(r.id, 0)
            )  # fmt: skip
            for r in session.scalars(
                select(ReasonCode).order_by(ReasonCode.kind, ReasonCode.position, ReasonCode.id)
            )
        ]


def backup_state(db: Database, actor: Actor) -> BackupState:
    with _admin_session(db, actor) as session:
        folder = (setting(session, "backup_folder") or "").strip()
        when = setting(session, "backup_time") or "02:00"
        row = session.get(Setting, "last_verified_backup")
        last = read("last_verified_backup", None if row is None else row.value) or {}
    try:
        at = datetime.fromisoformat(last["at"])
    except (KeyError, TypeError, ValueError):
        at = None
    return BackupState(folder or str(data_dir() / "backups"), when, at,
                       str(last.get("file", "")), str(last.get("pc", "")))  # fmt: skip
