"""The metrics of workflows.md ("Metrics"), per workflow over a period [start, end).

SQL selects and counts; medians and 90th percentiles are computed here over
the durations SQL selected. Durations are wall-clock seconds. Only workflows
the actor works on are counted; metrics are reports (reports.view).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from math import floor

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.rows import CountRow, DurationStat, RateStat
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import ReasonCode, Status, Task, TaskEvent, UtcDateTime, Workflow
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.queries.filters import place_and_role_conditions

MOVES = ("created", "status", "reopen")  # events that put a task into a status


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default; p50 = median)."""
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * q
    lo = floor(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


@dataclass(frozen=True)
class _Scope:
    visible: list[int]
    workflows: dict[int, tuple[str, str]]  # id -> (key, name), visible ones, in order
    statuses: dict[int, tuple[int, str, str, str | None]]  # id -> (workflow, name, cat, decision)
    narrow: tuple = ()  # more conditions on Task: the dashboard's location and role pickers

    def status_ids(self, pred) -> list[int]:
        return sorted(sid for sid, s in self.statuses.items() if pred(s))


@dataclass(frozen=True)
class Narrow:
    """Only tasks at these locations, or owned by holders of these roles (empty: all)."""

    location_ids: tuple[int, ...] = ()
    role_keys: tuple[str, ...] = ()


def _scope(session: Session, actor: Actor, narrow: Narrow | None = None) -> _Scope:
    policy = actor_policy(session, actor)
    require(policy, Cap.REPORTS_VIEW)
    wfs = session.execute(
        select(Workflow.id, Workflow.key, Workflow.name)
        .where(Workflow.id.in_(sorted(policy.workflow_ids)))
        .order_by(Workflow.position, Workflow.id)
    ).all()
    visible = [w.id for w in wfs]
    statuses = {
        r.id: (r.workflow_id, r.name, r.category, r.decision)
        for r in session.execute(
            select(
                Status.id, Status.workflow_id, Status.name, Status.category, Status.decision
            ).where(Status.workflow_id.in_(visible))
        )
    }
    extra = (
        tuple(place_and_role_conditions(narrow.location_ids, narrow.role_keys)) if narrow else ()
    )
    return _Scope(visible, {w.id: (w.key, w.name) for w in wfs}, statuses, extra)


def _durations(scope: _Scope, pairs: Iterable[tuple[int, float]]) -> list[DurationStat]:
    per: dict[int, list[float]] = defaultdict(list)
    for wf_id, seconds in pairs:
        per[wf_id].append(seconds)
    return [
        DurationStat(
            key, name, len(per[w]), percentile(per[w], 0.5), percentile(per[w], 0.9), sum(per[w])
        )  # fmt: skip
        for w, (key, name) in scope.workflows.items()
    ]


def _rates(scope: _Scope, num: Counter, den: Counter) -> list[RateStat]:
    return [RateStat(key, name, num[w], den[w]) for w, (key, name) in scope.workflows.items()]


def _in(period_col, start: datetime, end: datetime):
    return and_(period_col >= start, period_col < end)


@refusals_audited("metrics.view", "task")
def cycle_time(
    db: Database, actor: Actor, start: datetime, end: datetime, narrow: Narrow | None = None
) -> list[DurationStat]:
    """Creation to closing (done or cancelled), for tasks closed in the period."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        rows = session.execute(
            select(Task.workflow_id, Task.created_at, Task.closed_at).where(
                _in(Task.closed_at, start, end), Task.workflow_id.in_(scope.visible), *scope.narrow
            )
        ).all()
    return _durations(scope, ((w, (c2 - c1).total_seconds()) for w, c1, c2 in rows))


@refusals_audited("metrics.view", "task")
def time_in_status(
    db: Database, actor: Actor, start: datetime, end: datetime, narrow: Narrow | None = None
) -> list[DurationStat]:
    """Per status: each stay in it that ended (the task moved on) in the period,
    from the task events. Key is the status id, label 'Workflow · Status'."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        touched = (
            select(TaskEvent.task_id)
            .where(TaskEvent.kind.in_(MOVES), _in(TaskEvent.at, start, end))
            .distinct()
        )
        left_at = func.lead(TaskEvent.at, type_=UtcDateTime()).over(
            partition_by=TaskEvent.task_id, order_by=(TaskEvent.at, TaskEvent.id)
        )
        stays = (
            select(
                TaskEvent.to_status_id.label("status_id"),
                TaskEvent.at.label("entered"),
                left_at.label("left_at"),
            )  # fmt: skip
            .join(Task, Task.id == TaskEvent.task_id)
            .where(
                TaskEvent.kind.in_(MOVES),
                TaskEvent.task_id.in_(touched),
                Task.workflow_id.in_(scope.visible),
                *scope.narrow,
            )  # fmt: skip
            .subquery()
        )
        rows = session.execute(
            select(stays.c.status_id, stays.c.entered, stays.c.left_at).where(
                _in(stays.c.left_at, start, end)
            )
        ).all()
    per: dict[int, list[float]] = defaultdict(list)
    for sid, entered, left in rows:
        per[sid].append((left - entered).total_seconds())
    out = []
    for sid in sorted(per, key=lambda s: (scope.visible.index(scope.statuses[s][0]), s)):
        wf_name = scope.workflows[scope.statuses[sid][0]][1]
        v = per[sid]
        out.append(DurationStat(str(sid), f"{wf_name} · {scope.statuses[sid][1]}", len(v),
                                percentile(v, 0.5), percentile(v, 0.9), sum(v)))  # fmt: skip
    return out


def _events_by_workflow(session, scope: _Scope, *where) -> Counter:
    rows = session.execute(
        select(Task.workflow_id, func.count(TaskEvent.id))
        .join(Task, Task.id == TaskEvent.task_id)
        .where(Task.workflow_id.in_(scope.visible), *scope.narrow, *where)
        .group_by(Task.workflow_id)
    )
    return Counter(dict(rows.tuples().all()))


def _tasks_by_workflow(session, scope: _Scope, *where) -> Counter:
    rows = session.execute(
        select(Task.workflow_id, func.count(func.distinct(Task.id)))
        .select_from(TaskEvent)
        .join(Task, Task.id == TaskEvent.task_id)
        .where(Task.workflow_id.in_(scope.visible), *scope.narrow, *where)
        .group_by(Task.workflow_id)
    )
    return Counter(dict(rows.tuples().all()))


@refusals_audited("metrics.view", "task")
def reopen_rate(
    db: Database, actor: Actor, start: datetime, end: datetime, narrow: Narrow | None = None
) -> list[RateStat]:
    """Reopen events in the period / tasks closed (moved into done or cancelled) in it."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        closed = scope.status_ids(lambda s: s[2] in CLOSED_CATEGORIES)
        reopens = _events_by_workflow(
            session, scope, TaskEvent.kind == "reopen", _in(TaskEvent.at, start, end)
        )
        closes = _tasks_by_workflow(
            session, scope, TaskEvent.kind.in_(("created", "status")),
            TaskEvent.to_status_id.in_(closed), _in(TaskEvent.at, start, end),
        )  # fmt: skip
    return _rates(scope, reopens, closes)


@refusals_audited("metrics.view", "task")
def reassignment_rate(
    db: Database, actor: Actor, start: datetime, end: datetime, narrow: Narrow | None = None
) -> list[RateStat]:
    """Handoffs a person chose (not a transition rule) in the period / tasks
    created in the period."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        manual = _events_by_workflow(
            session, scope, TaskEvent.kind == "handoff", TaskEvent.manual.is_(True),
            _in(TaskEvent.at, start, end),
        )  # fmt: skip
        created = Counter(
            dict(
                session.execute(
                    select(Task.workflow_id, func.count(Task.id))
                    .where(
                        Task.workflow_id.in_(scope.visible),
                        *scope.narrow,
                        _in(Task.created_at, start, end),
                    )
                    .group_by(Task.workflow_id)
                )
                .tuples()
                .all()
            )
        )
    return _rates(scope, manual, created)


@refusals_audited("metrics.view", "task")
def approval_turnaround(
    db: Database, actor: Actor, start: datetime, end: datetime, narrow: Narrow | None = None
) -> list[DurationStat]:
    """Entering review to the decision, for decisions made in the period."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        review = scope.status_ids(lambda s: s[2] == "review")
        if not review:
            return _durations(scope, ())
        entry = aliased(TaskEvent)
        entered = (
            select(func.max(entry.at))
            .where(
                entry.task_id == TaskEvent.task_id,
                entry.kind.in_(MOVES),
                entry.to_status_id.in_(review),
                entry.at <= TaskEvent.at,
                (entry.from_status_id.is_(None)) | (entry.from_status_id.not_in(review)),
            )  # fmt: skip
            .scalar_subquery()
        )
        rows = session.execute(
            select(Task.workflow_id, TaskEvent.at, entered)
            .join(Task, Task.id == TaskEvent.task_id)
            .where(
                TaskEvent.kind == "decision",
                _in(TaskEvent.at, start, end),
                Task.workflow_id.in_(scope.visible),
                *scope.narrow,
            )  # fmt: skip
        ).all()
    pairs = []
    for wf_id, decided, began in rows:
        if began is None:
            continue
        pairs.append((wf_id, (decided - began).total_seconds()))
    return _durations(scope, pairs)


@refusals_audited("metrics.view", "task")
def rework_rate(
    db: Database, actor: Actor, start: datetime, end: datetime, narrow: Narrow | None = None
) -> list[RateStat]:
    """Of the tasks that entered review in the period, the share sent back to
    Needs info at least once in it."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        review = scope.status_ids(lambda s: s[2] == "review")
        sent_back = scope.status_ids(lambda s: s[3] == "sent_back")
        into_review = (
            select(TaskEvent.task_id).where(
                TaskEvent.kind.in_(MOVES),
                TaskEvent.to_status_id.in_(review),
                (TaskEvent.from_status_id.is_(None)) | (TaskEvent.from_status_id.not_in(review)),
                _in(TaskEvent.at, start, end),
            )  # fmt: skip
        )
        reviewed = _tasks_by_workflow(session, scope, TaskEvent.task_id.in_(into_review))
        reworked = _tasks_by_workflow(
            session, scope, TaskEvent.task_id.in_(into_review), TaskEvent.kind == "status",
            TaskEvent.to_status_id.in_(sent_back), _in(TaskEvent.at, start, end),
        )  # fmt: skip
    return _rates(scope, reworked, reviewed)


@refusals_audited("metrics.view", "task")
def top_reasons(
    db: Database,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    kinds: tuple[str, ...] = ("rejection", "exception"),
    limit: int = 10,
    narrow: Narrow | None = None,
) -> list[CountRow]:
    """The most used reason codes of these kinds on moves in the period, by count.
    Key 'kind:key', label the reason's label."""
    with db.read() as session:
        scope = _scope(session, actor, narrow)
        n = func.count(TaskEvent.id)
        rows = session.execute(
            select(ReasonCode.kind, ReasonCode.key, ReasonCode.label, n)
            .select_from(TaskEvent)
            .join(Task, Task.id == TaskEvent.task_id)
            .join(ReasonCode, ReasonCode.id == TaskEvent.reason_code_id)
            .where(
                TaskEvent.kind.in_(("status", "reopen")),
                ReasonCode.kind.in_(kinds),
                _in(TaskEvent.at, start, end),
                Task.workflow_id.in_(scope.visible),
                *scope.narrow,
            )  # fmt: skip
            .group_by(ReasonCode.kind, ReasonCode.key, ReasonCode.label)
            .order_by(n.desc(), ReasonCode.label)
            .limit(limit)
        ).all()
    return [CountRow(f"{kind}:{key}", label, count) for kind, key, label, count in rows]
