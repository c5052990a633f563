"""domain.dates: one way to write a date or a moment for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from practiceboard.domain.dates import changed_at_label, clock_time, day_label, moment_label

NY = ZoneInfo("America/New_York")


def test_clock_time_has_no_leading_zero_and_noon_is_12():
    assert clock_time(datetime(2026, 3, 4, 9, 5)) == "9:05 AM"
    assert clock_time(datetime(2026, 3, 4, 12, 0)) == "12:00 PM"
    assert clock_time(datetime(2026, 3, 4, 0, 30)) == "12:30 AM"
    assert clock_time(datetime(2026, 3, 4, 21, 45)) == "9:45 PM"


def test_day_label_adds_the_year_only_when_it_differs():
    assert day_label(date(2026, 3, 4)) == "Mar 4"
    assert day_label(date(2026, 3, 4), today=date(2026, 12, 1)) == "Mar 4"
    assert day_label(date(2025, 12, 24), today=date(2026, 1, 2)) == "Dec 24, 2025"


def test_moments_are_in_the_zone_given():
    at = datetime(2026, 3, 4, 14, 5, tzinfo=UTC)  # 9:05 AM in New York
    assert moment_label(at, NY) == "Wed Mar 4, 9:05 AM"
    assert moment_label(at, "America/New_York") == "Wed Mar 4, 9:05 AM"
    assert changed_at_label(at, NY) == "9:05 AM on Mar 4"
    assert changed_at_label(at, "UTC") == "2:05 PM on Mar 4"
