"""The practice calendar: business hours, workdays and holidays, in the practice's time zone.

The US federal holidays are computed here (observed dates only, as federal offices close);
a state's own holidays come from the ``holidays`` package (``state_holidays``), those of its
days that are not federal holidays already.

Business time is the overlap of a span with [opens, closes) local wall-clock time on business
days (a workday that is not a holiday). Board loads ask this for thousands of cards whose spans
can be years long, so whole days are counted arithmetically (weeks by division, holidays by
bisect over cached per-year lists) and only the partial first and last days are computed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from practiceboard.domain.errors import ValidationError

DEFAULT_TIMEZONE = "America/New_York"
PRACTICE_CLOSED = "Practice closed"
_ONE_DAY = timedelta(days=1)
_MISSING = object()
_DAY_CACHE_LIMIT = 20_000  # ~55 years of days; cleared wholesale when exceeded


# ------------------------------------------------------------------ US federal holidays


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - _ONE_DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _raw_federal(year: int) -> list[tuple[date, str]]:
    """The holidays *of* ``year`` at their observed dates (New Year's may land in year - 1)."""
    fixed = [(1, 1, "New Year's Day")]
    if year >= 2021:  # Juneteenth became a federal holiday in June 2021
        fixed.append((6, 19, "Juneteenth"))
    fixed += [(7, 4, "Independence Day"), (11, 11, "Veterans Day"), (12, 25, "Christmas Day")]
    out: list[tuple[date, str]] = []
    for month, day, name in fixed:
        actual = date(year, month, day)
        shift = {5: -1, 6: 1}.get(actual.weekday(), 0)  # Saturday -> Friday, Sunday -> Monday
        if shift:
            out.append((actual + timedelta(days=shift), f"{name} (observed)"))
        else:
            out.append((actual, name))
    out += [
        (_nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(year, 2, 0, 3), "Washington's Birthday"),
        (_last_weekday(year, 5, 0), "Memorial Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (_nth_weekday(year, 10, 0, 2), "Columbus Day"),
        (_nth_weekday(year, 11, 3, 4), "Thanksgiving Day"),
    ]
    return out


@lru_cache(maxsize=512)
def _federal(year: int) -> tuple[tuple[date, str], ...]:
    # Keyed by observed date, so next year's New Year's (observed Dec 31) belongs here.
    both = _raw_federal(year) + _raw_federal(year + 1)
    return tuple(sorted((d, name) for d, name in both if d.year == year))


def us_federal_holidays(year: int) -> dict[date, str]:
    """Observed US federal holidays whose observed date falls in ``year``, date -> name."""
    return dict(_federal(year))


# ------------------------------------------------------------------ state holidays


def us_states() -> dict[str, str]:
    """Two-letter code -> name of every US state, territory and DC the ``holidays``
    package knows, sorted by name."""
    import holidays

    names = {code: name for name, code in holidays.US.subdivisions_aliases.items()}
    return dict(sorted(((c, names.get(c, c)) for c in holidays.US.subdivisions),
                       key=lambda item: item[1]))  # fmt: skip


@lru_cache(maxsize=256)
def _state_only(state: str, year: int) -> tuple[tuple[date, str], ...]:
    import holidays

    federal = holidays.US(years=year)
    own = holidays.US(subdiv=state, years=year)
    return tuple(
        sorted((d, name) for d, name in own.items() if d not in federal and d.year == year)
    )


def state_holidays(state: str, year: int) -> dict[date, str]:
    """The state's public holidays in ``year`` that are not federal holidays, date -> name."""
    return dict(_state_only(state, year))


def _check_state(state: str | None) -> str | None:
    if not state:
        return None
    code = str(state).strip().upper()
    if code not in us_states():
        raise ValidationError(
            f"“{state}” is not a US state or territory. Choose one from the list.", "state"
        )
    return code


# ------------------------------------------------------------------ the calendar


def _seconds_of(t: time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _timestamp(moment: datetime, name: str) -> float:
    if moment.tzinfo is None:  # naive times would silently use the PC's zone
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.timestamp()


def _overlap(day: tuple[float, float] | None, start: float, end: float) -> float:
    if day is None:
        return 0.0
    return max(0.0, min(end, day[1]) - max(start, day[0]))


@dataclass(frozen=True)
class _Year:
    names: dict[date, str]
    closed: frozenset[int]  # ordinals of every holiday
    closed_workdays: list[int]  # sorted ordinals of holidays that fall on workdays
    uneven: list[int]  # sorted ordinals whose business hours span a DST change


class _Cache:
    """Derived data of one calendar setting, shared by equal calendars (see _shared_cache)."""

    __slots__ = ("tz", "nominal", "prefix", "per_week", "days", "years", "merged")

    def __init__(self, tz: ZoneInfo, nominal: float, workdays: frozenset[int]):
        self.tz = tz
        self.nominal = nominal
        # prefix[r] = workdays among Monday..weekday r-1, for counting partial weeks.
        self.prefix = [sum(1 for w in range(r) if w in workdays) for r in range(8)]
        self.per_week = len(workdays)
        self.days: dict[int, tuple[float, float] | None] = {}
        self.years: dict[int, _Year] = {}
        # (lo, hi, closed workday holidays, uneven days): sorted ordinals merged over the years
        # seen so far, so a span of any length costs one pair of bisects. Replaced as a whole,
        # never mutated, so concurrent readers always see a consistent snapshot.
        self.merged: tuple[int, int, list[int], list[int]] = (1, 0, [], [])


# Services rebuild the calendar from settings on every board load; sharing the derived data
# between equal calendars keeps those loads warm.
@lru_cache(maxsize=16)
def _shared_cache(
    timezone: str,
    workdays: frozenset[int],
    opens: time,
    closes: time,
    observe_us_federal_holidays: bool,
    extra_holidays: frozenset[date],
    state: str | None,
) -> _Cache:
    # Every field is part of the key, so a changed setting never sees stale derived data.
    return _Cache(ZoneInfo(timezone), _seconds_of(closes) - _seconds_of(opens), workdays)


@dataclass(frozen=True)
class PracticeCalendar:
    timezone: str = DEFAULT_TIMEZONE  # IANA name
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    observe_us_federal_holidays: bool = True
    extra_holidays: frozenset[date] = frozenset()  # practice-specific closures
    state: str | None = None  # two-letter code: that state's own holidays close too
    _cache: _Cache = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Accept lists/sets from settings code, but store frozensets so the calendar hashes.
        set_ = object.__setattr__
        set_(self, "workdays", frozenset(self.workdays))
        set_(self, "extra_holidays", frozenset(self.extra_holidays))
        set_(self, "state", _check_state(self.state))
        if not self.workdays:
            raise ValidationError(
                "Choose at least one day of the week the practice is open.", "workdays"
            )
        if any(not isinstance(w, int) or not 0 <= w <= 6 for w in self.workdays):
            raise ValidationError(
                "Working days must be days of the week (Monday to Sunday).", "workdays"
            )
        if self.opens >= self.closes:
            raise ValidationError("The closing time must be later than the opening time.", "closes")
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            raise ValidationError(
                f"“{self.timezone}” is not a time zone this computer knows. "
                "Choose one such as America/New_York.",
                "timezone",
            ) from None
        cache = _shared_cache(
            tz.key,
            self.workdays,
            self.opens,
            self.closes,
            self.observe_us_federal_holidays,
            self.extra_holidays,
            self.state,
        )
        set_(self, "_cache", cache)

    # ---- days and holidays

    def tzinfo(self) -> ZoneInfo:
        return self._cache.tz

    @property
    def day_seconds(self) -> float:
        """Length of a normal business day (wall clock, ignoring DST days)."""
        return self._cache.nominal

    def local_date(self, moment: datetime) -> date:
        """The practice-local calendar date of an aware moment."""
        _timestamp(moment, "moment")
        return moment.astimezone(self._cache.tz).date()

    def holidays_in(self, year: int) -> dict[date, str]:
        """Observed federal holidays (if observed), the state's own holidays (if a state is
        chosen) and the practice's closures dated in ``year``."""
        return dict(self._year(year).names)

    def is_business_day(self, d: date) -> bool:
        return d.weekday() in self.workdays and d.toordinal() not in self._year(d.year).closed

    def _year(self, year: int) -> _Year:
        cached = self._cache.years.get(year)
        if cached is not None:
            return cached
        names = {d: PRACTICE_CLOSED for d in self.extra_holidays if d.year == year}
        if self.state:
            names.update(_state_only(self.state, year))
        if self.observe_us_federal_holidays:
            names.update(_federal(year))  # the federal name wins on a shared date
        closed = frozenset(d.toordinal() for d in names)
        on_workdays = sorted(d.toordinal() for d in names if d.weekday() in self.workdays)
        # Days whose open and close have different UTC offsets; default 8-17 hours never do.
        tz, uneven = self._cache.tz, []
        d, stop = date(year, 1, 1), date(year + 1, 1, 1)
        while d < stop:
            start = datetime.combine(d, self.opens, tz)
            if start.utcoffset() != datetime.combine(d, self.closes, tz).utcoffset():
                uneven.append(d.toordinal())
            d += _ONE_DAY
        info = _Year(names, closed, on_workdays, uneven)
        self._cache.years[year] = info
        return info

    def _day(self, ordinal: int) -> tuple[float, float] | None:
        """(open, close) POSIX timestamps of a local date, or None when closed that day."""
        days = self._cache.days
        info = days.get(ordinal, _MISSING)
        if info is _MISSING:
            if len(days) > _DAY_CACHE_LIMIT:
                days.clear()
            d = date.fromordinal(ordinal)
            info = None
            if self.is_business_day(d):
                tz = self._cache.tz
                info = (
                    datetime.combine(d, self.opens, tz).timestamp(),
                    datetime.combine(d, self.closes, tz).timestamp(),
                )
            days[ordinal] = info
        return info  # type: ignore[return-value]

    def _cover(self, first: int, last: int) -> tuple[int, int, list[int], list[int]]:
        """The merged lists, widened to include ordinals first..last."""
        c = self._cache
        lo, hi, _, _ = c.merged
        years = [date.fromordinal(first).year, date.fromordinal(last).year]
        if lo <= hi:
            years += [date.fromordinal(lo).year, date.fromordinal(hi).year]
        infos = [self._year(y) for y in range(min(years), max(years) + 1)]
        merged = (
            date(min(years), 1, 1).toordinal(),
            date(max(years), 12, 31).toordinal(),
            [o for info in infos for o in info.closed_workdays],
            [o for info in infos for o in info.uneven],
        )
        c.merged = merged
        return merged

    def _whole_days_seconds(self, first: int, last: int) -> float:
        """Business seconds in the local dates with ordinals first..last (inclusive)."""
        if last < first:
            return 0.0
        c = self._cache
        lo, hi, closed, uneven = c.merged
        if first < lo or last > hi:
            lo, hi, closed, uneven = self._cover(first, last)
        # Ordinal 1 (0001-01-01) is a Monday: whole weeks by division, the rest by prefix.
        weeks_end, rest_end = divmod(last, 7)
        weeks_start, rest_start = divmod(first - 1, 7)
        count = (weeks_end - weeks_start) * c.per_week + c.prefix[rest_end] - c.prefix[rest_start]
        count -= bisect_right(closed, last) - bisect_left(closed, first)
        total = count * c.nominal
        if uneven:
            for ordinal in uneven[bisect_left(uneven, first) : bisect_right(uneven, last)]:
                day = self._day(ordinal)
                if day is not None:
                    total += day[1] - day[0] - c.nominal
        return total

    def opened_at(self, moment: datetime) -> datetime | None:
        """When the practice opened today, if it is open at ``moment``; None while closed
        (nights, weekends, holidays): the quiet hours of alerts."""
        n = _timestamp(moment, "moment")
        day = self._day(moment.astimezone(self._cache.tz).toordinal())
        if day is None or not day[0] <= n < day[1]:
            return None
        return datetime.fromtimestamp(day[0], UTC)

    # ---- business time

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds between two aware moments; 0 when end <= start."""
        if start.tzinfo is None or end.tzinfo is None:  # inlined: this is the hot path
            raise ValueError("start and end must be timezone-aware datetimes")
        s, e = start.timestamp(), end.timestamp()
        if e <= s:
            return 0.0
        tz = self._cache.tz
        first = start.astimezone(tz).toordinal()
        last = end.astimezone(tz).toordinal()
        total = _overlap(self._day(first), s, e)
        if last != first:
            total += _overlap(self._day(last), s, e)
            total += self._whole_days_seconds(first + 1, last - 1)
        return total

    def business_hours(self, start: datetime, end: datetime) -> float:
        return self.business_seconds(start, end) / 3600.0

    def business_cutoff(self, now: datetime, business_hours: float) -> datetime:
        """The latest aware-UTC moment T with business_seconds(T, now) >= business_hours.

        Anything last touched before T has waited at least that many business hours, so a
        business-hour threshold becomes a plain timestamp comparison in SQL.
        """
        n = _timestamp(now, "now")
        if business_hours <= 0:
            return now.astimezone(UTC)
        remaining = business_hours * 3600.0
        ordinal = now.astimezone(self._cache.tz).toordinal()
        day = self._day(ordinal)
        if day is not None:
            upto = min(n, day[1])
            available = max(0.0, upto - day[0])
            if remaining <= available:
                return datetime.fromtimestamp(upto - remaining, UTC)
            remaining -= available
        ordinal -= 1
        # Jump back over whole weeks that cannot use up the rest (holidays only shorten them),
        # then single weeks, then walk back day by day (< 7 steps).
        week_seconds = self._cache.per_week * self._cache.nominal
        while (weeks := int(remaining // week_seconds) - 1) >= 1:
            span = self._whole_days_seconds(ordinal - 7 * weeks + 1, ordinal)
            if span >= remaining:  # only on DST days with long hours; finish below
                break
            remaining -= span
            ordinal -= 7 * weeks
        while (week := self._whole_days_seconds(ordinal - 6, ordinal)) < remaining:
            remaining -= week
            ordinal -= 7
        while True:
            day = self._day(ordinal)
            if day is not None:
                available = day[1] - day[0]
                if remaining <= available:
                    return datetime.fromtimestamp(day[1] - remaining, UTC)
                remaining -= available
            ordinal -= 1

    # ---- settings form

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form stored in the ``calendar`` setting."""
        return {
            "timezone": self.timezone,
            "workdays": sorted(self.workdays),
            "opens": _format_time(self.opens),
            "closes": _format_time(self.closes),
            "observe_us_federal_holidays": self.observe_us_federal_holidays,
            "extra_holidays": [d.isoformat() for d in sorted(self.extra_holidays)],
            "state": self.state,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PracticeCalendar:
        """Inverse of to_dict; missing or empty keys fall back to the defaults."""
        kwargs: dict[str, Any] = {}
        if data.get("timezone"):
            kwargs["timezone"] = str(data["timezone"])
        if data.get("workdays") is not None:
            kwargs["workdays"] = frozenset(data["workdays"])
        for key, label, example in (("opens", "opening", "08:00"), ("closes", "closing", "17:00")):
            if data.get(key):
                kwargs[key] = _parse_time(data[key], key, label, example)
        if data.get("observe_us_federal_holidays") is not None:
            kwargs["observe_us_federal_holidays"] = bool(data["observe_us_federal_holidays"])
        if data.get("extra_holidays"):
            kwargs["extra_holidays"] = frozenset(_parse_date(v) for v in data["extra_holidays"])
        if data.get("state"):
            kwargs["state"] = str(data["state"])
        return cls(**kwargs)


def _format_time(t: time) -> str:
    # "HH:MM" as the settings form expects; seconds only if someone set them in code.
    return t.isoformat("minutes" if not (t.second or t.microsecond) else "auto")


def _parse_time(value: Any, key: str, label: str, example: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"Enter the {label} time as hours and minutes, for example {example}.", key
        ) from None


def _parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"“{value}” is not a valid closure date. Use the form YYYY-MM-DD.", "extra_holidays"
        ) from None
