"""What the dashboard shows, read in one worker call: the period and the one before it,
their counts, open work (aging, load), created vs closed for twelve weeks, the SLA
breaches of the period, and — for report readers — the metrics of both periods."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from practiceboard.core.rows import (
    CountRow,
    Dashboard,
    DurationStat,
    ExceptionRow,
    PeriodCounts,
    RateStat,
    TaskFilter,
)
from practiceboard.db.engine import Database
from practiceboard.domain.policy import Cap
from practiceboard.domain.weeks import Week, local_midnight, week_of
from practiceboard.queries import dashboard, metrics, weekly

PERIODS = ("this_week", "last_week", "last_4_weeks", "custom")
PERIOD_LABELS = {
    "this_week": "This week", "last_week": "Last week", "last_4_weeks": "Last 4 weeks",
    "custom": "Custom…",
}  # fmt: skip
VOLUME_WEEKS = 12

# How each number is counted (workflows.md "Metrics"), shown as tooltips.
DEFINITIONS = {
    "open": "Open tasks at the end of the period (now, for a period still running).",
    "created": "Tasks created in the period.",
    "closed": "Tasks moved into a done or cancelled status in the period (each task once).",
    "breached": "Tasks whose business time in one status passed that status's breach "
    "threshold during the period. Waiting statuses pause the clock; nights, weekends and "
    "holidays do not count.",
    "aging": "Open tasks per status, by whole days in their current status (0–2, 3–7, "
    "8–14, 15–30, over 30).",
    "load_owner": "Open tasks per owner; the darker part needs attention (overdue, past "
    "the SLA, untouched for three business days, or an unexplained 'other').",
    "load_role": "Open tasks per role of their owner (a person with two roles counts in both).",
    "volume": "Tasks created and tasks closed in each of the last twelve weeks (a task "
    "reopened and closed again counts in the week of its last closing; one still open "
    "after a reopen counts in none).",
    "exceptions": "The period's SLA breaches by the reason given when the task entered the status.",
    "cycle": "Creation to reaching a done or cancelled status, for tasks closed in the "
    "period: median and 90th percentile (wall-clock time).",
    "time_in_status": "Each stay in a status that ended in the period, from the task "
    "history: median and 90th percentile.",
    "reopen": "Reopen events in the period ÷ tasks closed in the period.",
    "reassign": "Hand-offs a person chose (not a transition rule) in the period ÷ tasks "
    "created in the period.",
    "turnaround": "Entering review to the decision, for decisions made in the period: "
    "median and 90th percentile.",
    "rework": "Of the items that entered review in the period, the share sent back to "
    "Needs info at least once.",
    "reasons": "The exception, rejection and send-back reasons used most in the period.",
}


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime
    end: datetime  # exclusive
    prev_start: datetime
    prev_end: datetime
    label: str
    prev_label: str


def period(key: str, today: date, zone, now: datetime,
           custom: tuple[date, date] | None = None) -> Period:  # fmt: skip
    """The period the picker names and the one before it, of the same length."""
    if key == "this_week":
        week = week_of(today)
        start, end = week.bounds(zone)
        prev = week.previous().bounds(zone)
        return Period(key, start, min(end, now), *prev, "this week", "last week")
    if key == "last_week":
        week = week_of(today).previous()
        return Period(key, *week.bounds(zone), *week.previous().bounds(zone), "last week",
                      "the week before")  # fmt: skip
    if key == "last_4_weeks":
        first = week_of(today).previous(4)
        start, end = first.monday, first.monday + timedelta(days=28)
        before = start - timedelta(days=28)
        return Period(key, local_midnight(start, zone), local_midnight(end, zone),
                      local_midnight(before, zone), local_midnight(start, zone),
                      "the last 4 weeks", "the 4 weeks before")  # fmt: skip
    if key == "custom" and custom is not None:
        lo, hi = sorted(custom)
        days = (hi - lo).days + 1
        after, before = hi + timedelta(days=1), lo - timedelta(days=days)
        return Period(key, local_midnight(lo, zone), local_midnight(after, zone),
                      local_midnight(before, zone), local_midnight(lo, zone),
                      f"{lo:%b} {lo.day} – {hi:%b} {hi.day}",
                      f"the {days} days before")  # fmt: skip
    raise ValueError(f"unknown period {key!r}")


@dataclass(frozen=True)
class Request:
    period_key: str = "this_week"
    custom: tuple[date, date] | None = None
    workflow_id: int | None = None
    location_id: int | None = None
    role_key: str | None = None

    def task_filter(self) -> TaskFilter:
        """The pickers as a list filter (what every bar's list starts from)."""
        return TaskFilter(
            workflow_ids=(self.workflow_id,) if self.workflow_id is not None else (),
            location_ids=(self.location_id,) if self.location_id is not None else (),
            role_keys=(self.role_key,) if self.role_key else (),
        )


@dataclass(frozen=True)
class Metrics:
    cycle: tuple[DurationStat, ...]
    time_in_status: tuple[DurationStat, ...]
    reopen: tuple[RateStat, ...]
    reassign: tuple[RateStat, ...]
    turnaround: tuple[DurationStat, ...]
    rework: tuple[RateStat, ...]
    reasons: tuple[CountRow, ...]


@dataclass(frozen=True)
class DashData:
    request: Request
    period: Period
    now: datetime
    zone: str
    counts: PeriodCounts
    prev_counts: PeriodCounts
    board: Dashboard
    weeks: tuple[Week, ...]
    volume: tuple[tuple[int, int], ...]
    breaches: tuple[ExceptionRow, ...]
    metrics: Metrics | None = None
    prev_metrics: Metrics | None = None
    status_ids: dict[str, int] = field(default_factory=dict)  # "Workflow · Status" -> id
    workflow_ids: dict[str, int] = field(default_factory=dict)  # workflow name -> id

    def aging(self) -> list[tuple[str, tuple[int, ...]]]:
        """Open work by days in status: per workflow, or per status when one workflow is
        picked; only rows with open work."""
        if self.request.workflow_id is not None:
            return [(label, counts) for label, counts in self.board.aging if sum(counts)]
        per: dict[str, list[int]] = {}
        for label, counts in self.board.aging:
            wf = label.partition(" · ")[0]
            row = per.setdefault(wf, [0] * len(counts))
            per[wf] = [a + b for a, b in zip(row, counts, strict=True)]
        return [(wf, tuple(counts)) for wf, counts in per.items() if sum(counts)]

    def aging_filter(self, label: str) -> TaskFilter:
        """What an aging row stands for, as a list filter."""
        if self.request.workflow_id is None:
            return TaskFilter(workflow_ids=(self.workflow_ids[label],))
        wf_name = next(n for n, i in self.workflow_ids.items() if i == self.request.workflow_id)
        return TaskFilter(status_ids=(self.status_ids[f"{wf_name} · {label}"],))


def _metrics(
    db, actor, start, end, workflow: tuple[str, str] | None, narrow: metrics.Narrow
) -> Metrics:
    """Per workflow; only the picked workflow's rows when one is picked ((key, name));
    only the tasks of the picked location and of owners in the picked role."""

    def only(rows):
        return tuple(r for r in rows if workflow is None or r.key == workflow[0])

    return Metrics(
        only(metrics.cycle_time(db, actor, start, end, narrow)),
        tuple(r for r in metrics.time_in_status(db, actor, start, end, narrow)
              if workflow is None or r.label.startswith(f"{workflow[1]} · ")),
        only(metrics.reopen_rate(db, actor, start, end, narrow)),
        only(metrics.reassignment_rate(db, actor, start, end, narrow)),
        only(metrics.approval_turnaround(db, actor, start, end, narrow)),
        only(metrics.rework_rate(db, actor, start, end, narrow)),
        tuple(metrics.top_reasons(db, actor, start, end, narrow=narrow,
                                  kinds=("exception", "rejection", "needs_info"))),
    )  # fmt: skip


def load(
    db: Database, actor, request: Request, *, now: datetime | None = None, with_metrics: bool = True
) -> DashData:
    """Everything the dashboard shows (runs in a worker); the metrics only for report
    readers (and not at all with ``with_metrics=False``: the bench's tiles-only figure)."""
    from practiceboard.core.actor import actor_policy
    from practiceboard.core.clock import now as clock_now
    from practiceboard.queries.cards import load_snapshot

    at = now or clock_now()
    with db.read() as session:
        snap = load_snapshot(session, actor, at)
        zone, today = snap.cal.tzinfo(), snap.today
        reads_reports = with_metrics and actor_policy(session, actor).can(Cap.REPORTS_VIEW)
        status_ids = {
            f"{snap.workflows[s.workflow_id].name} · {s.name}": s.id
            for s in snap.statuses.values()
            if s.workflow_id in snap.visible
        }
        workflow_ids = {snap.workflows[w].name: w for w in snap.visible}
        wf = request.workflow_id
        workflow = (snap.workflows[wf].key, snap.workflows[wf].name) if wf is not None else None
    p = period(request.period_key, today, zone, at, request.custom)
    filt = request.task_filter()
    counts, breaches = weekly.period_report(db, actor, p.start, p.end, filt=filt, now=at,
                                            hours=False)  # fmt: skip
    prev = weekly.period_counts(db, actor, p.prev_start, p.prev_end, filt=filt, now=at)
    extra = TaskFilter(location_ids=filt.location_ids, role_keys=filt.role_keys)
    board = dashboard.dashboard(db, actor, workflow_id=request.workflow_id, now=at,
                                filt=None if extra.is_empty() else extra)  # fmt: skip
    last = week_of(today)
    weeks = tuple(last.previous(n) for n in range(VOLUME_WEEKS - 1, -1, -1))
    edges = [w.bounds(zone)[0] for w in weeks] + [weeks[-1].bounds(zone)[1]]
    volume = tuple(weekly.volume(db, actor, edges, filt=filt, now=at))
    m = pm = None
    if reads_reports:
        narrow = metrics.Narrow(filt.location_ids, filt.role_keys)
        m = _metrics(db, actor, p.start, p.end, workflow, narrow)
        pm = _metrics(db, actor, p.prev_start, p.prev_end, workflow, narrow)
    return DashData(request, p, at, str(zone), counts, prev, board, weeks, volume, tuple(breaches),
                    m, pm, status_ids, workflow_ids)  # fmt: skip


def drill_ids(db: Database, actor, what: str, start, end, filt: TaskFilter) -> tuple[int, ...]:
    """The tasks behind a period number (runs in a worker)."""
    return weekly.task_ids(db, actor, what, start, end, filt=filt)
