"""Counts over a period for the weekly aging report and the dashboard's tiles:
open at the end, created, closed and breached; the SLA breaches themselves; the
oldest open work; created vs closed per week.

SQL counts with cutoffs computed once from the practice calendar (as the board's
attention flags do); only the few candidate breaches are checked in Python, to see
whether the task was still in the status when its clock ran out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, literal, literal_column, or_, select
from sqlalchemy.orm import aliased

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.rows import AgedRow, ExceptionRow, PeriodCounts, TaskFilter
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, Task, TaskEvent
from practiceboard.domain.aging import whole_days
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.queries import filters
from practiceboard.queries.cards import Snapshot, load_snapshot

MOVES = ("created", "status", "reopen")  # events that put a task into a status
_NEXT_MOVE = aliased(TaskEvent, name="next_move")  # made once: aliasing per call costs


def _scope(snap: Snapshot, filt: TaskFilter | None) -> list:
    """The actor's workflows and the dashboard's filters, over open and closed work.
    Empty when it narrows nothing (a manager's whole practice, no picker set): the
    counts over events then read the events alone, with no join to their tasks."""
    if filt is None or filt.is_empty():
        if set(snap.visible) >= set(snap.workflows):
            return []
        return [filters.workflow_scope(snap)]
    return filters.conditions(snap, filt)


def _events(stmt, scope: list):
    """stmt over task_events, joined to the tasks only when the scope needs their columns."""
    if scope:
        stmt = stmt.join(Task, Task.id == TaskEvent.task_id).where(*scope)
    return stmt


def _closings(snap, start: datetime, end: datetime) -> tuple:
    """Events that closed a task within [start, end): the week's "closed" (the count and
    the tasks behind it)."""
    return (
        TaskEvent.kind.in_(("created", "status")),
        TaskEvent.to_status_id.in_(_closed_ids(snap)),
        TaskEvent.at >= start,
        TaskEvent.at < end,
    )


def _closed_ids(snap: Snapshot) -> list[int]:
    return sorted(s.id for s in snap.statuses.values() if s.category in CLOSED_CATEGORIES)


def _open_ids(snap: Snapshot) -> list[int]:
    return sorted(s.id for s in snap.statuses.values() if s.category not in CLOSED_CATEGORIES)


@refusals_audited("report.view", "report")
def period_counts(
    db: Database,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    filt: TaskFilter | None = None,
    now: datetime | None = None,
) -> PeriodCounts:
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        return _period_counts(session, snap, start, end, filt)


@refusals_audited("report.view", "report")
def period_report(
    db: Database,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    filt: TaskFilter | None = None,
    now: datetime | None = None,
    hours: bool = True,
) -> tuple[PeriodCounts, list[ExceptionRow]]:
    """period_counts and sla_exceptions at once (the breaches are found once); without
    ``hours``, a breach still open at the end has no business hours counted (None)."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        breaches = _breaches(session, snap, start, end, _scope(snap, filt), hours=hours)
        return _period_counts(session, snap, start, end, filt, breaches), breaches


def _period_counts(session, snap: Snapshot, start, end, filt, breaches=None) -> PeriodCounts:
    scope = _scope(snap, filt)
    conn = session.connection()
    created = conn.execute(
        select(func.count()).select_from(Task).where(*scope, Task.created_at >= start,
                                                     Task.created_at < end)
    ).scalar_one()  # fmt: skip
    closed = conn.execute(
        _events(
            select(func.count(func.distinct(TaskEvent.task_id))).select_from(TaskEvent), scope
        ).where(*_closings(snap, start, end))
    ).scalar_one()

    # Open at the end of the period, counted from what is cheap to find: the tasks open
    # now, plus those closed since the end (each was open at the end unless it had been
    # closed then and reopened since), less those that were closed at the end and reopened
    # since (few: their state at the end is their last move before it).
    # Each count as "all of them, less those created after the end": the first walks
    # the open-work / closing-time indexes, the second the creation index over a few days
    # (given "created before the end" itself, the planner walks the whole creation index).
    def count(*where) -> int:
        q = select(func.count()).select_from(Task).where(*scope, *where)
        return conn.execute(q).scalar_one()

    created_before = Task.created_at < end
    born_after = Task.created_at >= end
    # Among those created after the end, closed_at only filters: on SQLite a unary plus
    # keeps the planner on the creation index rather than on every open task's.
    closing = Task.closed_at
    if conn.dialect.name == "sqlite":
        closing = literal_column("+tasks.closed_at", type_=Task.closed_at.type)
    open_now = count(Task.closed_at.is_(None)) - count(born_after, closing.is_(None))
    closed_since = count(Task.closed_at >= end) - count(born_after, closing >= end)
    later = aliased(TaskEvent)
    reopened_since = select(later.task_id).where(later.kind == "reopen", later.at >= end)
    last = (
        select(
            TaskEvent.to_status_id.label("sid"),
            func.row_number()
            .over(
                partition_by=TaskEvent.task_id, order_by=(TaskEvent.at.desc(), TaskEvent.id.desc())
            )
            .label("rn"),
        )  # fmt: skip
        .join(Task, Task.id == TaskEvent.task_id)
        .where(
            *scope,
            TaskEvent.task_id.in_(reopened_since),
            TaskEvent.kind.in_(MOVES),
            TaskEvent.at < end,
            created_before,
        )  # fmt: skip
        .subquery()
    )
    closed_then = conn.execute(
        select(func.count())
        .select_from(last)
        .where(last.c.rn == 1, last.c.sid.in_(_closed_ids(snap)))
    ).scalar_one()
    if breaches is None:  # the count alone: no business hours to add up for display
        stays = _breached_stays(session, snap, start, end, scope, details=False)
        breached = len({r[0] for r in stays})
    else:
        breached = len({r.task_id for r in breaches})
    return PeriodCounts(open_now + closed_since - closed_then, created, closed, breached)


@refusals_audited("report.view", "report")
def sla_exceptions(
    db: Database,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    filt: TaskFilter | None = None,
    now: datetime | None = None,
) -> list[ExceptionRow]:
    """Every stay in a timed status whose breach moment fell in [start, end), in the
    order they entered the status. Waiting statuses pause the clock: never here."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        return _breaches(session, snap, start, end, _scope(snap, filt))


def _breached_stays(session, snap: Snapshot, start, end, scope, *, details=True) -> list[tuple]:
    """The stays whose breach moment fell in [start, end), in the order they entered
    the status: (task, status, entered, business hours, reason, ref, workflow, owner),
    the last four only with ``details`` (else the count alone is wanted: no join to
    the tasks unless the scope needs one). The hours are None for a stay still in its
    status at the end: its window already says the clock ran out by then, and only a
    list that shows the hours adds them up. Waiting statuses pause the clock: never
    here."""
    hours_of = {sid: float(snap.statuses[sid].breach_hours) for sid in snap.breach_cutoffs}
    if not hours_of:  # open statuses with a breach threshold that do not pause the clock
        return []
    cal = snap.cal
    # Breached in the period <=> entered after cutoff(start, h) and at or before
    # cutoff(end, h): the calendar (holidays, hours) turns h into two timestamps, and
    # each threshold into one range over the (status, at) index of the events.
    ranges = []
    for hours in sorted(set(hours_of.values())):
        sids = sorted(sid for sid, h in hours_of.items() if h == hours)
        lo, hi = cal.business_cutoff(start, hours), cal.business_cutoff(end, hours)
        ranges.append(and_(TaskEvent.to_status_id.in_(sids), TaskEvent.at > lo, TaskEvent.at <= hi))
    # When each stay ended: the task's next move, found per entry through the events'
    # (task, at) index, so only the candidate stays come back, not every later move.
    # A stay that ended by the start cannot have breached in the period (its clock had
    # not run out then): about half the entries, left out in SQL.
    later = _NEXT_MOVE
    after_it = (
        later.task_id == TaskEvent.task_id,
        later.kind.in_(MOVES),
        later.at >= TaskEvent.at,
        or_(later.at > TaskEvent.at, later.id > TaskEvent.id),
    )
    left = select(func.min(later.at)).where(*after_it).scalar_subquery()
    ended_before = exists(select(literal(1)).select_from(later).where(*after_it, later.at <= start))
    columns = [TaskEvent.task_id, TaskEvent.to_status_id, TaskEvent.at, left]
    if details:
        columns += [TaskEvent.reason_code_id, Task.ref, Task.workflow_id, Task.owner_id]
        stmt = select(*columns).join(Task, Task.id == TaskEvent.task_id).where(*scope)
    else:
        stmt = _events(select(*columns).select_from(TaskEvent), scope)
    entries = (
        session.connection()
        .execute(
            stmt.where(or_(*ranges), TaskEvent.kind.in_(MOVES), ~ended_before).order_by(
                TaskEvent.at, TaskEvent.id
            )
        )
        .all()
    )
    out = []
    for tid, sid, entered, left_at, *rest in entries:
        spent = None
        if left_at is not None and left_at < end:  # it left within the period
            hours = hours_of[sid]
            if (left_at - entered).total_seconds() < hours * 3600:
                continue  # not even that many hours on the clock: no calendar needed
            spent = cal.business_hours(entered, left_at)
            if spent < hours:  # it left the status before the clock ran out
                continue
        out.append((tid, sid, entered, spent, *rest))
    return out


def _breaches(session, snap: Snapshot, start, end, scope, *, hours=True) -> list[ExceptionRow]:
    """The period's breaches as rows; with ``hours``, the business hours each stay
    counted (else None where the calendar would have to count them: the dashboard
    shows reasons, not hours)."""
    cal = snap.cal
    rows = []
    for tid, sid, entered, spent, reason, ref, wf, owner in _breached_stays(
        session, snap, start, end, scope
    ):
        if spent is None and hours:
            spent = cal.business_hours(entered, end)
        rows.append(
            ExceptionRow(
                tid,
                ref,
                snap.workflows[wf].name,
                snap.statuses[sid].name,
                snap.users.get(owner, ""),
                entered,
                spent,
                float(snap.statuses[sid].breach_hours),
                snap.reasons[reason].label if reason in snap.reasons else "",
            )  # fmt: skip
        )
    return rows


@refusals_audited("report.view", "report")
def oldest_open(
    db: Database,
    actor: Actor,
    limit: int = 25,
    *,
    filt: TaskFilter | None = None,
    now: datetime | None = None,
) -> list[AgedRow]:
    """The open tasks longest in their status; the MRN only for a reader who may see
    patients."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        mrn = Patient.mrn if snap.show_patient else literal(None)
        stmt = (
            select(
                Task.id,
                Task.ref,
                Task.title,
                Task.workflow_id,
                Task.status_id,
                Task.owner_id,
                Task.status_since,
                Task.reason_code_id,
                mrn,
            )  # fmt: skip
            .select_from(Task)
            .where(*_scope(snap, filt), Task.closed_at.is_(None))
            .order_by(Task.status_since, Task.id)
            .limit(limit)
        )
        if snap.show_patient:
            stmt = stmt.outerjoin(Patient, Patient.id == Task.patient_id)
        rows = session.execute(stmt).all()
    return [
        AgedRow(
            tid,
            ref,
            title,
            snap.workflows[wf].name,
            snap.statuses[sid].name,
            snap.users.get(owner, ""),
            since,
            whole_days(since, snap.now),
            snap.reasons[reason].label if reason in snap.reasons else "",
            mrn_value,
        )  # fmt: skip
        for tid, ref, title, wf, sid, owner, since, reason, mrn_value in rows
    ]


@refusals_audited("report.view", "report")
def volume(
    db: Database,
    actor: Actor,
    edges: Sequence[datetime],
    *,
    filt: TaskFilter | None = None,
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """(created, closed) per period between consecutive edges, oldest first. Closed
    counts a task in the period of its closing (when reopened and closed again: the
    last one)."""
    if len(edges) < 2:
        return []
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        scope = _scope(snap, filt)

        # One count per period and column, each a range over an index whose first column
        # is that timestamp (created: ix_tasks_created; closed: the open-work indexes):
        # a CASE over the edges per row costs four times as much as the ranges together.
        # Closed counts the task's closing moment (the latest, for one reopened and closed
        # again).
        spans = list(zip(edges, edges[1:], strict=False))

        def per_period(col) -> list[int]:
            counts = [
                select(func.count()).select_from(Task).where(*scope, col >= a, col < b)
                .scalar_subquery()
                for a, b in spans
            ]  # fmt: skip
            return [int(n) for n in session.connection().execute(select(*counts)).one()]

        created, closed = per_period(Task.created_at), per_period(Task.closed_at)
    return list(zip(created, closed, strict=True))


@refusals_audited("report.view", "report")
def report_scope(db: Database, actor: Actor) -> None:
    """The weekly report is a report: reports.view (managers, admins)."""
    with db.read() as session:
        require(actor_policy(session, actor), Cap.REPORTS_VIEW)


DRILL_LIMIT = 5000  # a dashboard number opens at most this many tasks in the list
DRILLS = ("created", "closed", "breached")


@refusals_audited("report.view", "report")
def task_ids(
    db: Database,
    actor: Actor,
    what: str,
    start: datetime,
    end: datetime,
    *,
    filt: TaskFilter | None = None,
    now: datetime | None = None,
) -> tuple[int, ...]:
    """The tasks behind a period's number (created, closed or breached in it), for the
    list a dashboard tile or bar opens; the first DRILL_LIMIT by id."""
    if what not in DRILLS:
        raise ValueError(f"unknown period number {what!r}")
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        scope = _scope(snap, filt)
        if what == "breached":
            stays = _breached_stays(session, snap, start, end, scope, details=False)
            return tuple(sorted({r[0] for r in stays}))
        if what == "created":
            col = Task.id
            stmt = select(col).where(*scope, Task.created_at >= start, Task.created_at < end)
        else:
            col = TaskEvent.task_id
            stmt = (
                _events(select(col).select_from(TaskEvent), scope)
                .where(*_closings(snap, start, end))
                .distinct()
            )
        ids = session.connection().execute(stmt.order_by(col).limit(DRILL_LIMIT)).scalars()
        return tuple(ids)
