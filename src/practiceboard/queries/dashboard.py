"""Open work in numbers: per status, owner, role and workflow (with how many need
attention), and how long tasks have sat in each status (aging buckets).

One GROUP BY over the open tasks does it all; the attention flag and the aging
bucket are CASE expressions over cutoffs computed once from the calendar.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from practiceboard.core.actor import Actor
from practiceboard.core.rows import CountRow, Dashboard, TaskFilter
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, Task, UserRole
from practiceboard.domain.aging import AGING_BUCKETS
from practiceboard.queries import filters
from practiceboard.queries.board import check_workflow
from practiceboard.queries.cards import Snapshot, load_snapshot


def bucket_expression(snap: Snapshot):
    """Index into AGING_BUCKETS of whole days in status (aging.whole_days: completed
    24-hour days), as a CASE over one cutoff per bucket."""
    whens = []
    for index, (_label, _low, high) in enumerate(AGING_BUCKETS):
        if high is not None:
            # at most `high` whole days  <=>  entered less than high + 1 days ago
            whens.append((Task.status_since > snap.now - timedelta(days=high + 1), index))
    return case(*whens, else_=len(AGING_BUCKETS) - 1)


@refusals_audited("dashboard.view", "task")
def dashboard(
    db: Database,
    actor: Actor,
    *,
    workflow_id: int | None = None,
    now: datetime | None = None,
    filt: TaskFilter | None = None,
) -> Dashboard:
    """Counts of open tasks in the actor's workflows (managers and admins: all),
    or in one of them; ``filt`` narrows them further (the dashboard's location and
    role pickers)."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        if workflow_id is not None:
            check_workflow(snap, workflow_id)
        scope = filters.workflow_scope(snap, (workflow_id,) if workflow_id is not None else ())
        if filt is not None:
            scope = and_(scope, *filters.conditions(snap, filt))
        inner = (
            select(
                Task.status_id,
                Task.owner_id,
                bucket_expression(snap).label("bucket"),
                case((filters.attention_condition(snap), 1), else_=0).label("flag"),
            )  # fmt: skip
            .where(Task.closed_at.is_(None), scope)
            .subquery()
        )
        # Two small GROUP BYs over the same open tasks rather than one by (status, owner,
        # bucket): a third of the rows come back, and each evaluates only its own CASE
        # (both engines flatten the subquery). Grouping the subquery's plain columns:
        # PostgreSQL cannot match a GROUP BY expression with bound parameters to the
        # same expression in the SELECT list.
        conn = session.connection()
        rows = conn.execute(
            select(inner.c.status_id, inner.c.owner_id, func.count(), func.sum(inner.c.flag))
            .group_by(inner.c.status_id, inner.c.owner_id)
        ).all()  # fmt: skip
        buckets = conn.execute(
            select(inner.c.status_id, inner.c.bucket, func.count())
            .group_by(inner.c.status_id, inner.c.bucket)
        ).all()  # fmt: skip
        owners = sorted({r[1] for r in rows})
        roles_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if owners:
            for uid, key, name in session.execute(
                select(UserRole.user_id, Role.key, Role.name)
                .join(Role, Role.id == UserRole.role_id)
                .where(UserRole.user_id.in_(owners))
                .order_by(Role.id)
            ):
                roles_of[uid].append((key, name))
    return _assemble(snap, workflow_id, rows, buckets, roles_of)


def _assemble(snap: Snapshot, workflow_id: int | None, rows, buckets, roles_of) -> Dashboard:
    """rows: (status, owner, open, needing attention); buckets: (status, aging bucket,
    open)."""
    status_n, status_a, owner_n, owner_a = Counter(), Counter(), Counter(), Counter()
    aging: dict[int, list[int]] = defaultdict(lambda: [0] * len(AGING_BUCKETS))
    for sid, bucket, n in buckets:
        aging[sid][int(bucket)] += n
    for sid, owner, n, flagged in rows:
        flagged = int(flagged or 0)
        status_n[sid] += n
        status_a[sid] += flagged
        owner_n[owner] += n
        owner_a[owner] += flagged
    wf_ids = [workflow_id] if workflow_id is not None else list(snap.visible)
    wf_ids = sorted(
        (w for w in wf_ids if snap.workflows[w].active or status_n_of(snap, w, status_n)),
        key=lambda w: (snap.workflows[w].position, w),
    )
    statuses = [s for w in wf_ids for s in snap.workflow_statuses(w) if s.is_open]

    def label(s) -> str:
        if workflow_id is not None:
            return s.name
        return f"{snap.workflows[s.workflow_id].name} · {s.name}"

    by_status = tuple(
        CountRow(str(s.id), label(s), status_n[s.id], status_a[s.id]) for s in statuses
    )
    by_workflow = tuple(
        CountRow(
            str(w),
            snap.workflows[w].name,
            sum(status_n[s.id] for s in statuses if s.workflow_id == w),
            sum(status_a[s.id] for s in statuses if s.workflow_id == w),
        )  # fmt: skip
        for w in wf_ids
    )
    by_owner = tuple(
        CountRow(str(o), snap.users.get(o, ""), owner_n[o], owner_a[o])
        for o in sorted(owner_n, key=lambda o: (-owner_n[o], snap.users.get(o, ""), o))
    )
    role_n, role_a, role_name = Counter(), Counter(), {}
    for o in owner_n:
        for key, name in roles_of.get(o, ()):
            role_n[key] += owner_n[o]
            role_a[key] += owner_a[o]
            role_name[key] = name
    by_role = tuple(
        CountRow(k, role_name[k], role_n[k], role_a[k])
        for k in sorted(role_n, key=lambda k: (-role_n[k], role_name[k]))
    )
    return Dashboard(
        by_status=by_status, by_owner=by_owner, by_workflow=by_workflow,
        aging=tuple((label(s), tuple(aging[s.id])) for s in statuses),
        open_total=sum(status_n.values()), attention_total=sum(status_a.values()),
        by_role=by_role,
    )  # fmt: skip


def status_n_of(snap: Snapshot, workflow_id: int, status_n: Counter) -> int:
    return sum(status_n[s.id] for s in snap.workflow_statuses(workflow_id))
