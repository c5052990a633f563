"""How old a task is, its SLA state, and whether it needs attention.

The board, the dashboard and SQL filters all use these rules, so "needs attention" means the
same thing everywhere: thresholds in business hours are turned into cut-off timestamps by the
practice calendar, and the Python flags compare against exactly those cut-offs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from practiceboard.domain.calendar import PracticeCalendar

# (label, first day, last day or None = open-ended); days are whole days in the status.
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–2 days", 0, 2),
    ("3–7 days", 3, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("over 30 days", 31, None),
)

UNTOUCHED_BUSINESS_DAYS = 3
OTHER_REASON = "other"  # the catch-all reason code that must be explained by a note

_MINUTE = 60
_HOUR = 3600
_DAY = 86400


def aging_bucket(days_in_status: int) -> int:
    """Index into AGING_BUCKETS for a whole number of days (negative counts as 0)."""
    days = max(0, days_in_status)
    for index, (_label, _low, high) in enumerate(AGING_BUCKETS):
        if high is None or days <= high:
            return index
    return len(AGING_BUCKETS) - 1  # unreachable: the last bucket is open-ended


def whole_days(start: datetime, end: datetime) -> int:
    """Completed 24-hour days from start to end, never negative."""
    # Timestamps, not datetime subtraction: aware datetimes sharing a tzinfo subtract as
    # wall-clock times, which is off by an hour across DST.
    return max(0, int((end.timestamp() - start.timestamp()) // _DAY))


def format_age(seconds: float) -> str:
    """Compact card label: "45m", "5h", "3d", "2w", "5mo" (always rounded down)."""
    seconds = max(0.0, seconds)
    if seconds < _HOUR:
        return f"{int(seconds // _MINUTE)}m"
    if seconds < _DAY:
        return f"{int(seconds // _HOUR)}h"
    if seconds < 14 * _DAY:  # "10d" reads better than "1w" for the second week
        return f"{int(seconds // _DAY)}d"
    if seconds < 60 * _DAY:
        return f"{int(seconds // (7 * _DAY))}w"
    return f"{int(seconds // (30 * _DAY))}mo"


class SlaState(StrEnum):
    OK = "ok"
    WARN = "warn"
    BREACH = "breach"
    PAUSED = "paused"


def sla_state(
    business_hours_in_status: float,
    warn_hours: float | None,
    breach_hours: float | None,
    paused: bool,
) -> SlaState:
    """SLA state of a task; thresholds are reached at exactly their value, None = no threshold.

    Waiting statuses pause the clock, so a paused task is never shown as warn or breach.
    """
    if paused:
        return SlaState.PAUSED
    if breach_hours is not None and business_hours_in_status >= breach_hours:
        return SlaState.BREACH
    if warn_hours is not None and business_hours_in_status >= warn_hours:
        return SlaState.WARN
    return SlaState.OK


class AttentionReason(StrEnum):
    OVERDUE = "overdue"
    BREACHED = "breached"
    UNTOUCHED = "untouched"
    UNEXPLAINED = "unexplained"  # open with reason code "other" and no note
    # A blocked task is stuck only through its blocker: it needs attention only when the
    # task it waits on is overdue or past its time limit (its own lateness then waits).
    BLOCKER_LATE = "blocker_late"


@dataclass(frozen=True)
class AttentionInput:
    due_date: date | None
    today: date  # practice-local today
    sla: SlaState
    last_touched_at: datetime
    now: datetime
    reason_key: str | None
    reason_note: str | None
    last_note_at: datetime | None
    status_since: datetime
    blocked: bool = False  # waits on another open task
    blocker_late: bool = False  # and that task is overdue or past its time limit


def untouched_cutoff(now: datetime, calendar: PracticeCalendar) -> datetime:
    """Tasks last touched before this aware-UTC moment are "untouched" (3 business days)."""
    hours = UNTOUCHED_BUSINESS_DAYS * calendar.day_seconds / 3600
    return calendar.business_cutoff(now, hours)


def is_unexplained(
    reason_key: str | None,
    reason_note: str | None,
    last_note_at: datetime | None,
    status_since: datetime,
) -> bool:
    """Reason "other" without a note on the move and no note written since entering the status."""
    if reason_key != OTHER_REASON or (reason_note or "").strip():
        return False
    return last_note_at is None or last_note_at < status_since


def attention_reasons(
    item: AttentionInput, calendar: PracticeCalendar
) -> tuple[AttentionReason, ...]:
    """Why an open task needs attention, in a fixed order; an empty tuple means it is fine.
    A task waiting on another is stuck only through it: when that one is late."""
    if item.blocked:
        return (AttentionReason.BLOCKER_LATE,) if item.blocker_late else ()
    reasons: list[AttentionReason] = []
    if item.due_date is not None and item.due_date < item.today:
        reasons.append(AttentionReason.OVERDUE)
    if item.sla == SlaState.BREACH:  # == so a stored "breach" string works too
        reasons.append(AttentionReason.BREACHED)
    # Same comparison the SQL filter makes, so list filters and card flags always agree.
    if item.last_touched_at < untouched_cutoff(item.now, calendar):
        reasons.append(AttentionReason.UNTOUCHED)
    if is_unexplained(item.reason_key, item.reason_note, item.last_note_at, item.status_since):
        reasons.append(AttentionReason.UNEXPLAINED)
    return tuple(reasons)
