"""Who is told what about aging work, and how it reaches them.

Pure rules: the scan hands in plain facts (a task passed a threshold, a task was
handed to someone, a request was sent back) and gets back the alerts to record.
Each alert has a de-duplication key, unique per person, so two PCs scanning at
once or a restart never raise it twice. Delivery then groups what is waiting:
alerts held over quiet hours arrive as one digest, a manager's breaches of one
scan as one bundle, and more than three at once as one summary.

Alert text is safe on a lock screen: the task's reference, its workflow and what
happened — never a patient's name or MRN. A practice may allow task titles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class AlertKind(StrEnum):
    ASSIGNED = "assigned"  # a task handed to me or created for me
    WARN = "warn"  # my task passed its warn threshold
    BREACH = "breach"  # my task passed its breach threshold (time limit)
    SENT_BACK = "sent_back"  # a request came back to me for more information
    CARE_DUE = "care_due"  # the morning digest of care follow-ups due today
    CARE_OVERDUE = "care_overdue"  # a care follow-up of mine is overdue
    APPROVAL_WARN = "approval_warn"  # a request waiting on my decision passed its warn
    ESCALATION = "escalation"  # a request waiting on someone else passed its breach
    BREACHES = "breaches"  # manager: a task in any workflow passed its time limit
    REPORT_READY = "report_ready"  # manager: the weekly aging report is in the reports folder
    UNBLOCKED = "unblocked"  # the task my task waited on is closed: mine may go on


KIND_LABELS: dict[AlertKind, str] = {
    AlertKind.ASSIGNED: "Handed to me",
    AlertKind.WARN: "My task is getting old",
    AlertKind.BREACH: "My task passed its time limit",
    AlertKind.SENT_BACK: "Sent back to me",
    AlertKind.CARE_DUE: "Care follow-ups due today",
    AlertKind.CARE_OVERDUE: "Care follow-up overdue",
    AlertKind.APPROVAL_WARN: "A decision waits on me",
    AlertKind.ESCALATION: "Escalated decision",
    AlertKind.BREACHES: "Any task past its time limit (managers)",
    AlertKind.REPORT_READY: "Weekly aging report ready (managers)",
    AlertKind.UNBLOCKED: "A task mine waited on is done",
}

# What each alert says happened, after "REF · Workflow — ".
_WHAT: dict[AlertKind, str] = {
    AlertKind.ASSIGNED: "handed to you",
    AlertKind.WARN: "getting old",
    AlertKind.BREACH: "past time limit",
    AlertKind.SENT_BACK: "sent back to you",
    AlertKind.CARE_OVERDUE: "follow-up overdue",
    AlertKind.APPROVAL_WARN: "waiting on your decision",
    AlertKind.ESCALATION: "decision past time limit",
    AlertKind.BREACHES: "past time limit",
    AlertKind.UNBLOCKED: "no longer blocked",
}

SUMMARY_OVER = 3  # more alerts than this at once become one summary
DEFAULT_DIGEST = time(8, 0)  # the care digest waits until this practice time


@dataclass(frozen=True, slots=True)
class TaskFact:
    """A task as the alert text may mention it (no patient data)."""

    id: int
    ref: str
    workflow_name: str
    title: str


@dataclass(frozen=True, slots=True)
class Alert:
    user_id: int
    kind: AlertKind
    dedupe_key: str
    title: str
    body: str = ""
    task_id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One desktop notification: a single alert (with its task) or a group of them."""

    title: str
    body: str
    task_id: int | None  # clicking opens this task; None for a group
    notification_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Pending:
    """A recorded alert not yet shown to its person."""

    id: int
    kind: str
    title: str
    body: str
    task_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Crossing:
    """An open task that passed a threshold within the look-back window."""

    task: TaskFact
    owner_id: int
    level: str  # warn | breach
    status_since: datetime
    category: str  # the status category (review = waiting on a decision)
    workflow_id: int
    approver_role_id: int | None


@dataclass(frozen=True, slots=True)
class Handover:
    """A task created for someone, handed to them, or sent back to them."""

    event_id: int
    task: TaskFact
    to_owner_id: int
    sent_back: bool


@dataclass(frozen=True, slots=True)
class CareItem:
    task: TaskFact
    owner_id: int
    due_date: date


@dataclass(frozen=True)
class ScanFacts:
    now: datetime
    today: date
    local_time: time
    opened_at: datetime | None
    show_titles: bool
    crossings: list[Crossing]
    handovers: list[Handover]
    care_due: list[CareItem]
    care_overdue: list[CareItem]
    managers: frozenset[int]
    active_users: frozenset[int]
    muted: dict[int, frozenset[str]]
    digest_time: dict[int, time]
    snoozed: frozenset[tuple[int, int]]  # (user id, task id) held back now
    raised: frozenset[tuple[int, str]]  # (user id, dedupe key) already recorded
    approvers: dict[int, list[int]] = field(default_factory=dict)  # role id -> least loaded first


def parse_clock(text: str | None) -> time:
    """'HH:MM' as a time of day; anything unreadable is the default digest time."""
    try:
        hours, minutes = (int(part) for part in (text or "").split(":"))
        return time(hours, minutes)
    except ValueError:
        return DEFAULT_DIGEST


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def task_alert(
    user_id: int,
    kind: AlertKind,
    task: TaskFact,
    occasion: str,
    *,
    show_titles: bool = False,
) -> Alert:
    """An alert about one task; ``occasion`` makes the key unique per happening (the
    event id, or the moment the task entered its status for a threshold)."""
    title = f"{task.ref} · {task.workflow_name} — {_WHAT[kind]}"
    body = task.title if show_titles else ""
    return Alert(user_id, kind, f"{kind.value}:{task.id}:{occasion}", title[:200], body, task.id)


def threshold_occasion(status_since: datetime) -> str:
    """A threshold fires once per stay in a status: leaving and coming back re-arms it."""
    return str(_stamp(status_since))


def care_digest(user_id: int, day: date, count: int) -> Alert:
    noun = "follow-up" if count == 1 else "follow-ups"
    return Alert(
        user_id, AlertKind.CARE_DUE, care_digest_key(day), f"{count} care {noun} due today"
    )


def care_digest_key(day: date) -> str:
    return f"{AlertKind.CARE_DUE.value}:{day.isoformat()}"


def deliveries(pending: Sequence[Pending], opened_at: datetime | None) -> list[Delivery]:
    """Group what waits to be shown.

    ``opened_at`` is when the practice last opened (None while it is closed, in which
    case nothing is shown: quiet hours). Alerts recorded before that moment were held
    over quiet hours and arrive as one digest; a manager's breaches arrive as one
    bundle; and more than SUMMARY_OVER single alerts become one summary.
    """
    if opened_at is None or not pending:
        return []
    held = [p for p in pending if p.created_at < opened_at]
    fresh = [p for p in pending if p.created_at >= opened_at]
    out: list[Delivery] = []
    if held:
        out.append(_group(held, "while the practice was closed"))
    breaches = [p for p in fresh if p.kind == AlertKind.BREACHES]
    singles = [p for p in fresh if p.kind != AlertKind.BREACHES]
    if breaches:
        n = len(breaches)
        if n == 1:
            out.append(_single(breaches[0]))
        else:
            out.append(
                Delivery(
                    f"{n} tasks passed their time limit",
                    _list_refs(breaches),
                    None,
                    tuple(p.id for p in breaches),
                )
            )
    if len(singles) > SUMMARY_OVER:
        out.append(_group(singles, "new"))
    else:
        out.extend(_single(p) for p in singles)
    return out


def _single(p: Pending) -> Delivery:
    return Delivery(p.title, p.body, p.task_id, (p.id,))


def _group(items: Sequence[Pending], when: str) -> Delivery:
    n = len(items)
    noun = "alert" if n == 1 else "alerts"
    return Delivery(f"{n} {noun} {when}", _list_refs(items), None, tuple(p.id for p in items))


def _list_refs(items: Iterable[Pending], limit: int = 5) -> str:
    titles = [p.title for p in items]
    more = len(titles) - limit
    lines = titles[:limit] + ([f"and {more} more"] if more > 0 else [])
    return "\n".join(lines)
