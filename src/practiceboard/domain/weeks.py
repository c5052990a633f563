"""Practice weeks: Monday 00:00 to the next Monday 00:00 in the practice's time zone,
named as ISO weeks ("2026-W47"). The weekly report and the dashboard's periods use them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from practiceboard.domain.errors import ValidationError

_LABEL = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
BAD_WEEK = "Give the week as year and week number, for example 2026-W47."


@dataclass(frozen=True)
class Week:
    monday: date  # practice-local

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def previous(self, weeks: int = 1) -> Week:
        return Week(self.monday - timedelta(days=7 * weeks))

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC moments (a DST week is 167 or 169 hours long)."""
        return local_midnight(self.monday, zone), local_midnight(self.monday + timedelta(7), zone)

    def title(self) -> str:
        """'Mar 10 – Mar 16, 2025'."""
        a, b = self.monday, self.sunday
        return f"{a:%b} {a.day} – {b:%b} {b.day}, {b.year}"


def local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def week_of(day: date) -> Week:
    return Week(day - timedelta(days=day.weekday()))


def parse_week(text: str) -> Week:
    """'2026-W47' (or '2026W47') -> that week; a sentence when it is not one."""
    m = _LABEL.match(text or "")
    if not m:
        raise ValidationError(BAD_WEEK, "week")
    try:
        return Week(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
    except ValueError:
        raise ValidationError(BAD_WEEK, "week") from None
