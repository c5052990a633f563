"""Dates and times as the practice reads them: "9:05 AM", "Mar 4", "Wed Mar 4, 9:05 AM".

Every label of a moment is given in the practice's time zone (the caller passes
it), never the PC's, so two PCs in one practice show the same time.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo


def _local(at: datetime, zone: tzinfo | str) -> datetime:
    return at.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def clock_time(when: datetime) -> str:
    """'9:05 AM' (no leading zero) for a time already in the right zone."""
    return f"{when.strftime('%I').lstrip('0')}:{when:%M %p}"


def day_label(day: date, today: date | None = None) -> str:
    """'Mar 4'; with the year ('Mar 4, 2025') when it is not this year's (given ``today``)."""
    text = f"{day:%b} {day.day}"
    return text if today is None or day.year == today.year else f"{text}, {day.year}"


def moment_label(at: datetime, zone: tzinfo | str) -> str:
    """'Wed Mar 4, 9:05 AM': when something happened, for a history or a decision."""
    when = _local(at, zone)
    return f"{when:%a} {day_label(when)}, {clock_time(when)}"


def changed_at_label(at: datetime, zone: tzinfo | str) -> str:
    """'9:05 AM on Mar 4': when someone else changed what the user was editing."""
    when = _local(at, zone)
    return f"{clock_time(when)} on {day_label(when)}"
