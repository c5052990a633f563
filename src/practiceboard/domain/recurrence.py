"""Care plan intervention cadence: a small, validated subset of iCalendar RRULE.

Supported: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL (1-366), BYDAY (weekly only) and BYMONTHDAY
(monthly only, 1-31). Unlike RRULE, a month-day past the month's end falls on the month's
last day instead of skipping the month: "monthly on the 31st" must still happen in February.
Weeks start on Monday, and INTERVAL counts weeks/months from the anchor's week/month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from practiceboard.domain.errors import ValidationError

Freq = Literal["DAILY", "WEEKLY", "MONTHLY"]
FREQUENCIES: tuple[str, ...] = ("DAILY", "WEEKLY", "MONTHLY")
MAX_INTERVAL = 366
DAY_CODES: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
)  # fmt: skip
_KEYS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY")
_FIELD = "cadence"

# Friendly choices for the care plan editor, in display order.
PRESETS: dict[str, str] = {
    "Weekly": "FREQ=WEEKLY",
    "Every 2 weeks": "FREQ=WEEKLY;INTERVAL=2",
    "Monthly": "FREQ=MONTHLY",
    "Every 3 months": "FREQ=MONTHLY;INTERVAL=3",
    "Daily": "FREQ=DAILY",
}


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, _FIELD)


@dataclass(frozen=True)
class Recurrence:
    freq: Freq
    interval: int = 1
    byday: tuple[int, ...] = ()  # weekdays, Monday = 0; WEEKLY only
    bymonthday: int | None = None  # MONTHLY only, 1..31, clamps to the month's end

    def __post_init__(self) -> None:
        if self.freq not in FREQUENCIES:
            raise _invalid(
                f"“{self.freq}” is not a supported way to repeat. Use daily, weekly or monthly."
            )
        if not isinstance(self.interval, int) or not 1 <= self.interval <= MAX_INTERVAL:
            raise _invalid(f"The repeat interval must be a whole number from 1 to {MAX_INTERVAL}.")
        if self.byday and self.freq != "WEEKLY":
            raise _invalid("Days of the week can only be chosen for a weekly schedule.")
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.byday):
            raise _invalid("Days of the week must be Monday to Sunday.")
        if self.bymonthday is not None:
            if self.freq != "MONTHLY":
                raise _invalid("A day of the month can only be chosen for a monthly schedule.")
            if not isinstance(self.bymonthday, int) or not 1 <= self.bymonthday <= 31:
                raise _invalid(
                    "The day of the month must be a number from 1 to 31 "
                    "(31 means the month's last day)."
                )
        # Sorted and de-duplicated so equal schedules compare equal and format identically.
        object.__setattr__(self, "byday", tuple(sorted(set(self.byday))))


def parse(rule: str) -> Recurrence:
    """Parse e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH" (case and spaces do not matter)."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        if not chunk.strip():
            continue  # tolerate "FREQ=DAILY;" and doubled separators
        key, sep, value = chunk.partition("=")
        key, value = key.strip().upper(), "".join(value.split()).upper()
        if not sep or not key or not value:
            raise _invalid(
                f"“{chunk.strip()}” is not understood. Write the schedule like "
                "FREQ=WEEKLY;INTERVAL=2."
            )
        if key not in _KEYS:
            raise _invalid(
                f"The schedule option “{key}” is not supported. "
                "Use FREQ, INTERVAL, BYDAY or BYMONTHDAY."
            )
        if key in parts:
            raise _invalid(f"The schedule gives {key} more than once. Give it once.")
        parts[key] = value
    if not parts:
        raise _invalid("Choose how often this should repeat, for example weekly.")
    if "FREQ" not in parts:
        raise _invalid("The schedule must say how often it repeats: daily, weekly or monthly.")

    interval = 1
    if "INTERVAL" in parts:
        interval = _whole_number(
            parts["INTERVAL"],
            f"The repeat interval must be a whole number from 1 to {MAX_INTERVAL}.",
        )
    byday: tuple[int, ...] = ()
    if "BYDAY" in parts:
        codes = parts["BYDAY"].split(",")
        for code in codes:
            if not code:
                raise _invalid("Separate the days of the week with single commas, like MO,TH.")
            if code not in DAY_CODES:
                raise _invalid(
                    f"“{code}” is not a day of the week. Use MO, TU, WE, TH, FR, SA or SU."
                )
        byday = tuple(DAY_CODES.index(code) for code in codes)
    bymonthday = None
    if "BYMONTHDAY" in parts:
        bymonthday = _whole_number(
            parts["BYMONTHDAY"],
            "The day of the month must be a number from 1 to 31 (31 means the month's last day).",
        )
    return Recurrence(parts["FREQ"], interval, byday, bymonthday)  # type: ignore[arg-type]


def _whole_number(value: str, message: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise _invalid(message)
    return int(value)


def format_rule(r: Recurrence) -> str:
    """Canonical rule text; parse(format_rule(r)) == r."""
    parts = [f"FREQ={r.freq}"]
    if r.interval != 1:
        parts.append(f"INTERVAL={r.interval}")
    if r.byday:
        parts.append("BYDAY=" + ",".join(DAY_CODES[d] for d in r.byday))
    if r.bymonthday is not None:
        parts.append(f"BYMONTHDAY={r.bymonthday}")
    return ";".join(parts)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe(r: Recurrence) -> str:
    """Plain-English schedule, e.g. "Every 2 weeks on Monday and Thursday"."""
    if r.freq == "DAILY":
        return "Every day" if r.interval == 1 else f"Every {r.interval} days"
    if r.freq == "WEEKLY":
        text = "Weekly" if r.interval == 1 else f"Every {r.interval} weeks"
        if r.byday:
            text += " on " + _join([DAY_NAMES[d] for d in r.byday])
        return text
    text = "Monthly" if r.interval == 1 else f"Every {r.interval} months"
    if r.bymonthday is not None:
        text += f" on day {r.bymonthday}"
        if r.bymonthday > 28:
            text += " (or the month's last day)"
    return text


def _in_month(month_index: int, day: int) -> date:
    """Day ``day`` of the month ``year * 12 + month - 1``, clamped to the month's last day."""
    year, month0 = divmod(month_index, 12)
    if day > 28:
        following = date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
        day = min(day, (following - timedelta(days=1)).day)
    return date(year, month0 + 1, day)


def _first_on_or_after(r: Recurrence, anchor: date, target: date) -> date:
    """First occurrence on or after ``target``; arithmetic jumps, no day-by-day loops."""
    target = max(target, anchor)
    step = r.interval
    if r.freq == "DAILY":
        periods = -(-(target - anchor).days // step)  # ceiling division
        return anchor + timedelta(days=periods * step)
    if r.freq == "WEEKLY":
        days = r.byday or (anchor.weekday(),)
        week0 = anchor - timedelta(days=anchor.weekday())  # Monday of the anchor's week
        weeks = (target - week0).days // 7
        active = -(-weeks // step) * step  # first week of the series at or after target's
        if active == weeks:
            for weekday in days:
                if weekday >= target.weekday():
                    return week0 + timedelta(days=7 * active + weekday)
            active += step
        return week0 + timedelta(days=7 * active + days[0])
    day = r.bymonthday or anchor.day
    month0 = anchor.year * 12 + anchor.month - 1
    months = target.year * 12 + target.month - 1 - month0
    active = month0 + -(-months // step) * step
    found = _in_month(active, day)
    if found < target:  # earlier day in the target's own month; the next one is later
        found = _in_month(active + step, day)
    return found


def next_after(r: Recurrence, anchor: date, after: date) -> date:
    """First occurrence strictly after ``after`` in the series that starts at ``anchor``."""
    return _first_on_or_after(r, anchor, after + timedelta(days=1))


def occurrences(r: Recurrence, anchor: date, start: date, end: date) -> list[date]:
    """All occurrences in [start, end] (inclusive) of the series anchored at ``anchor``."""
    out: list[date] = []
    try:
        current = _first_on_or_after(r, anchor, start)
        while current <= end:
            out.append(current)
            current = next_after(r, anchor, current)
    except OverflowError:  # ran past date.max
        pass
    return out
