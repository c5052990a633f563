"""Time in tests: a clock the test holds still and moves, and the moments the suites
start at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from practiceboard.core import clock

# The service tests' start: a Wednesday, mid-morning in the US.
START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)

# The read-side tests' practice time zone and start: Wednesday 12 March 2025, 10:00 in
# New York (EDT, UTC-4), a business day. support.states.use_new_york sets the zone.
TZ = "America/New_York"
NY = ZoneInfo(TZ)
WED_10AM = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


def ny(*args: int) -> datetime:
    """A wall-clock moment in New York: ny(2026, 1, 15, 10) is 10:00 there."""
    return datetime(*args, tzinfo=NY)


class Clock:
    """core.clock.source, held still and set or moved by the test (monkeypatch
    restores it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(clock, "source", lambda: self.now)

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now
