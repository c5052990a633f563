"""The weekly aging report: what is aging, where, why, and who is overloaded, for the
Monday huddle. Built from query rows into sections of tables and chart data; ``to_html``
lays it out for Qt's text document (gui/printing paints it onto a printer or a PDF) and
``write_csvs`` writes one CSV per table.

The summary, breaches, approvals and reasons are about the week; the aging tables,
the oldest items, the load and the overdue follow-ups are open work as it stands when
the report is made (on Monday morning that is the week's end: nothing moves at a
closed practice).
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from practiceboard.core.actor import Actor
from practiceboard.core.clock import now as clock_now
from practiceboard.core.definitions import practice_calendar, setting
from practiceboard.core.rows import PeriodCounts
from practiceboard.core.unit import audited_read
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, User, UserRole, Workflow
from practiceboard.domain.aging import AGING_BUCKETS
from practiceboard.domain.dates import moment_label
from practiceboard.domain.errors import NotFound
from practiceboard.domain.weeks import Week, week_of
from practiceboard.queries import careplans, dashboard, metrics, weekly
from practiceboard.reports.csvfile import write_csv

OLDEST = 25
EXCEPTIONS_SHOWN = 40  # in print; the CSV has them all
OWNERS_CHARTED = 12
HIPAA = "Contains patient identifiers — handle per HIPAA"


@dataclass(frozen=True)
class Table:
    key: str  # file-name part of its CSV
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    printed: int | None = None  # print only the first rows (the CSV has all)
    empty: str = "None."


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (name, a value per category)
    stacked: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class WeeklyReport:
    practice: str
    week: Week
    generated_at: datetime
    generated_by: str
    zone: str
    has_patients: bool
    this: PeriodCounts
    last: PeriodCounts
    sections: tuple[Section, ...] = field(default=())

    @property
    def title(self) -> str:
        return "Weekly aging report"

    @property
    def period(self) -> str:
        return f"{self.week.title()} ({self.week.label})"

    @property
    def footer_title(self) -> str:
        return f"{self.practice} · {self.title} · {self.week.label}"

    @property
    def footer(self) -> str:
        """Every page's footer; the HIPAA line when patient identifiers are in it."""
        return f"{self.footer_title} · {HIPAA}" if self.has_patients else self.footer_title

    @property
    def charts(self) -> dict[str, Chart]:
        return {c.key: c for s in self.sections for c in s.charts}


# ---------------------------------------------------------------- who it is for


def report_actor(db: Database, username: str | None = None, workstation: str = "report") -> Actor:
    """The named active account, or the first active manager (by id): whose view the
    report shows, so role scoping applies (a CLI run or the Monday job)."""
    with db.read() as session:
        q = select(User.id, User.username, User.display_name).where(User.active.is_(True))
        if username:
            q = q.where(User.username == username)
        else:
            q = (
                q.join(UserRole, UserRole.user_id == User.id)
                .join(Role, Role.id == UserRole.role_id)
                .where(Role.key == "manager")
            )
        row = session.execute(q.order_by(User.id).limit(1)).first()
    if row is None:
        raise NotFound(
            f"There is no active user called {username!r}." if username
            else "There is no active manager to make the report for."
        )  # fmt: skip
    return Actor(row[0], row[1], row[2], workstation)


# ---------------------------------------------------------------- building


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _rate(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}% ({num} of {den})" if den else "—"


def change(now: int, before: int) -> str:
    d = now - before
    return "same" if d == 0 else f"{'+' if d > 0 else '−'}{abs(d)}"


def build(db: Database, actor: Actor, week: Week, *, now: datetime | None = None) -> WeeklyReport:
    """The report for one week, as ``actor`` may see it (reports.view)."""
    weekly.report_scope(db, actor)
    at = now or clock_now()
    with db.read() as session:
        cal = practice_calendar(session)
        practice = setting(session, "practice_name")
        kinds = dict(session.execute(select(Workflow.key, Workflow.kind)).tuples().all())
    zone = cal.tzinfo()
    start, end = week.bounds(zone)
    prev = week.previous().bounds(zone)
    this, breaches = weekly.period_report(db, actor, start, end, now=at)
    last = weekly.period_counts(db, actor, *prev, now=at)
    board = dashboard.dashboard(db, actor, now=at)
    oldest = weekly.oldest_open(db, actor, OLDEST, now=at)
    reasons = metrics.top_reasons(db, actor, start, end, kinds=("exception", "rejection"))
    turnaround = metrics.approval_turnaround(db, actor, start, end)
    rework = metrics.rework_rate(db, actor, start, end)
    care = careplans.overdue_followups(db, actor)
    has_patients = any(r.mrn for r in oldest)
    stamp = moment_label(at, zone)
    sections = (
        _summary(this, last),
        _aging(board, stamp),
        _oldest(oldest, has_patients, zone),
        _exceptions(breaches, reasons, zone),
        _load(board),
        _approvals(turnaround, rework, kinds),
        _care(care),
    )
    if has_patients:
        audited_read(db, actor, "report.weekly", "report", None, patient_id=None,
                     detail=f"weekly aging report {week.label}")  # fmt: skip
    return WeeklyReport(practice, week, at, actor.display_name, str(zone), has_patients,
                        this, last, sections)  # fmt: skip


def _summary(this: PeriodCounts, last: PeriodCounts) -> Section:
    lines = (
        ("Open at the end of the week", this.open_at_end, last.open_at_end),
        ("New", this.created, last.created),
        ("Closed", this.closed, last.closed),
        ("Breached the SLA", this.breached, last.breached),
    )
    rows = tuple((name, a, b, change(a, b)) for name, a, b in lines)
    return Section(
        "Summary",
        "This week against last week. Breached: tasks whose business time in one status "
        "passed its breach threshold during the week (waiting statuses pause the clock).",
        (Table("summary", "This week and last", ("", "This week", "Last week", "Change"), rows),),
    )


def _aging(board, stamp: str) -> Section:
    rows, per_wf = [], {}
    for label, counts in board.aging:
        if not sum(counts):
            continue
        wf, _, status = label.partition(" · ")
        rows.append((wf, status, *counts, sum(counts)))
        per_wf.setdefault(wf, [0] * len(AGING_BUCKETS))
        per_wf[wf] = [a + b for a, b in zip(per_wf[wf], counts, strict=True)]
    if rows:
        totals = [sum(r[2 + i] for r in rows) for i in range(len(AGING_BUCKETS) + 1)]
        rows.append(("All workflows", "", *totals))
    header = ("Workflow", "Status", *(b[0] for b in AGING_BUCKETS), "Open")
    chart = Chart(
        "aging", "Open work by workflow and days in status", tuple(per_wf),
        tuple((b[0], tuple(v[i] for v in per_wf.values())) for i, b in enumerate(AGING_BUCKETS)),
        stacked=True,
    )  # fmt: skip
    return Section(
        "Aging by workflow and status",
        f"Open work as it stood on {stamp}, by whole days in its current status.",
        (
            Table(
                "aging", "Open tasks by days in status", header, tuple(rows), empty="No open work."
            ),
        ),  # fmt: skip
        (chart,) if per_wf else (),
    )


def _oldest(rows, has_patients: bool, zone) -> Section:
    header = ("Ref", *(("Patient",) if has_patients else ()), "Title", "Workflow · status",
              "Owner", "Days in status", "Reason")  # fmt: skip
    body = tuple(
        (
            r.ref,
            *((r.mrn or "",) if has_patients else ()),
            r.title,
            f"{r.workflow} · {r.status}",
            r.owner,
            r.days_in_status,
            r.reason,
        )  # fmt: skip
        for r in rows
    )
    return Section(
        f"The oldest {OLDEST} open items",
        "Longest in their current status first.",
        (Table("oldest", "Oldest open items", header, body, empty="No open work."),),
    )


def _exceptions(breaches, reasons, zone) -> Section:
    rows = tuple(
        (
            b.ref,
            f"{b.workflow} · {b.status}",
            b.owner,
            moment_label(b.entered, zone),
            round(b.business_hours, 1),
            round(b.breach_hours, 1),
            b.reason or "—",
        )  # fmt: skip
        for b in breaches
    )
    by_reason = Counter(b.reason or "No reason given" for b in breaches)
    per_status = Counter(f"{b.workflow} · {b.status}" for b in breaches)
    more = len(rows) - EXCEPTIONS_SHOWN
    return Section(
        "SLA exceptions",
        f"{len(rows)} breach{'' if len(rows) == 1 else 'es'} this week"
        + (f"; the first {EXCEPTIONS_SHOWN} are listed, the CSV has all." if more > 0 else "."),
        (
            Table(
                "breaches_by_status",
                "Breaches by workflow and status",
                ("Workflow · status", "Breaches"),
                tuple(per_status.most_common()),
            ),
            Table(
                "breaches_by_reason",
                "Breaches by reason",
                ("Reason", "Breaches"),
                tuple(by_reason.most_common()),
            ),
            Table(
                "breaches",
                "Breaches",
                (
                    "Ref",
                    "Workflow · status",
                    "Owner",
                    "In status since",
                    "Business hours",
                    "Threshold (h)",
                    "Reason",
                ),
                rows,
                printed=EXCEPTIONS_SHOWN,
            ),
            Table(
                "exception_reasons",
                "Top exception and rejection reasons this week",
                ("Reason", "Kind", "Times used"),
                tuple((r.label, r.key.partition(":")[0], r.count) for r in reasons),
            ),
        ),  # fmt: skip
    )


def _load(board) -> Section:
    owners = tuple((r.label, r.count, r.attention) for r in board.by_owner)
    roles = tuple((r.label, r.count, r.attention) for r in board.by_role)
    top = board.by_owner[:OWNERS_CHARTED]
    chart = Chart(
        "load", "Open tasks per owner (the busiest)", tuple(r.label for r in top),
        (("Fine", tuple(r.count - r.attention for r in top)),
         ("Needs attention", tuple(r.attention for r in top))),
        stacked=True,
    )  # fmt: skip
    return Section(
        "Load by owner",
        "Open tasks each person owns, and how many of them need attention (overdue, past "
        "the SLA, untouched for three business days, or an unexplained 'other').",
        (
            Table("load_by_owner", "By owner", ("Owner", "Open", "Need attention"), owners),
            Table("load_by_role", "By role", ("Role", "Open", "Need attention"), roles),
        ),
        (chart,) if top else (),
    )


def _approvals(turnaround, rework, kinds) -> Section:
    rw = {r.key: r for r in rework}
    rows = tuple(
        (
            t.label,
            t.count,
            _hours(t.median_seconds),
            _hours(t.p90_seconds),
            _rate(rw[t.key].numerator, rw[t.key].denominator),
        )  # fmt: skip
        for t in turnaround
        if kinds.get(t.key) == "approval"
    )
    return Section(
        "Approval turnaround and rework",
        "Turnaround: entering review to the decision, for decisions made this week. Rework: "
        "of the items that entered review this week, the share sent back to Needs info.",
        (
            Table(
                "approvals",
                "Approvals",
                ("Workflow", "Decisions", "Median", "90th percentile", "Rework"),
                rows,
                empty="No approval workflows.",
            ),
        ),  # fmt: skip
    )


def _care(care) -> Section:
    return Section(
        "Care follow-ups overdue",
        f"Open care plan tasks past their due date: {care.total}.",
        (
            Table(
                "care_by_program",
                "By program",
                ("Program", "Overdue"),
                tuple((r.label, r.count) for r in care.by_program),
                empty="No overdue follow-ups.",
            ),
            Table(
                "care_by_owner",
                "By owner",
                ("Owner", "Overdue"),
                tuple((r.label, r.count) for r in care.by_owner),
                empty="No overdue follow-ups.",
            ),
        ),  # fmt: skip
    )


# ---------------------------------------------------------------- output


_CSS = """
body { font-family: 'Segoe UI', 'Helvetica Neue', Arial, sans-serif; font-size: 9pt;
       color: #1f2933; }
h1 { font-size: 18pt; margin: 0; color: #12355b; }
h2 { font-size: 12.5pt; margin-top: 14pt; margin-bottom: 4pt; color: #12355b; }
h3 { font-size: 9.5pt; margin-top: 8pt; margin-bottom: 2pt; color: #334e68; }
p.meta { color: #52606d; margin: 0; }
p.intro { color: #3e4c59; margin-top: 0; margin-bottom: 4pt; }
table.t { border-collapse: collapse; font-size: 7.5pt; }
table.t th { background-color: #e4ebf2; color: #12355b; font-weight: 600; text-align: left;
             padding: 2px 4px; border: 1px solid #c3ccd6; }
table.t td { padding: 1px 4px; border: 1px solid #d9e0e7; }
td.n { text-align: right; }
tr.total td { font-weight: 600; background-color: #f2f5f8; }
p.note { color: #7b8794; font-style: italic; margin-top: 2pt; }
"""


def _cell(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="n">{value}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table_html(t: Table) -> str:
    if not t.rows:
        return f'<p class="note">{html.escape(t.empty)}</p>'
    shown = t.rows if t.printed is None else t.rows[: t.printed]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.header)
    body = []
    for row in shown:
        total = isinstance(row[0], str) and row[0] == "All workflows"
        cls = ' class="total"' if total else ""
        body.append(f"<tr{cls}>{''.join(_cell(v) for v in row)}</tr>")
    tail = ""
    if len(shown) < len(t.rows):
        tail = f'<p class="note">…and {len(t.rows) - len(shown)} more in the CSV.</p>'
    return (
        f'<table class="t" width="100%" cellspacing="0"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{tail}"
    )


def to_html(report: WeeklyReport, chart_width: int = 640) -> str:
    """The document for QTextDocument; each chart is an image named 'chart:KEY' that the
    printer renders and adds as a resource."""
    parts = [
        f"<html><head><style>{_CSS}</style></head><body>",
        f'<p class="meta">{html.escape(report.practice)}</p>',
        f"<h1>{html.escape(report.title)}</h1>",
        f'<p class="meta"><b>{html.escape(report.period)}</b> · generated '
        f"{html.escape(moment_label(report.generated_at, report.zone))} by "
        f"{html.escape(report.generated_by)}</p>",
    ]
    for number, section in enumerate(report.sections, start=1):
        # The oldest items start a page of their own: page 1 is the overview.
        brk = ' style="page-break-before: always"' if number == 3 else ""
        parts.append(f"<h2{brk}>{number}. {html.escape(section.title)}</h2>")
        parts.append(f'<p class="intro">{html.escape(section.intro)}</p>')
        for chart in section.charts:
            parts.append(f'<p><img src="chart:{chart.key}" width="{chart_width}" /></p>')
        for table in section.tables:
            if len(section.tables) > 1:
                parts.append(f"<h3>{html.escape(table.title)}</h3>")
            parts.append(_table_html(table))
    parts.append("</body></html>")
    return "".join(parts)


def tables(report: WeeklyReport) -> list[tuple[int, Table]]:
    return [(n, t) for n, s in enumerate(report.sections, start=1) for t in s.tables]


def write_csvs(report: WeeklyReport, folder: Path) -> list[Path]:
    """One CSV per table: '2025-W28 1 summary.csv', …; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)  # a new folder: this user's only
    return [
        write_csv(folder / f"{report.week.label} {n} {t.key}.csv", t.header, t.rows)
        for n, t in tables(report)
    ]


def file_name(week: Week) -> str:
    return f"Weekly aging report {week.label}.pdf"


def previous_week(db: Database, at: datetime | None = None) -> Week:
    """The last whole practice week before ``at`` (the report a Monday morning wants)."""
    with db.read() as session:
        cal = practice_calendar(session)
    return week_of(cal.local_date(at or clock_now())).previous()
