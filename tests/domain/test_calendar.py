"""Practice calendar: holidays, business time (DST-correct) and the business-hour cut-off."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from practiceboard.domain.calendar import (
    PracticeCalendar,
    state_holidays,
    us_federal_holidays,
    us_states,
)
from practiceboard.domain.errors import ValidationError
from support import NY, ny

LA = ZoneInfo("America/Los_Angeles")
HOUR = 3600.0

DEFAULT = PracticeCalendar()
WEST = PracticeCalendar(timezone="America/Los_Angeles")
LONG_WEEK = PracticeCalendar(workdays=frozenset(range(6)), opens=time(7, 30), closes=time(19, 0))
# Open every day around the clock: the 2 a.m. DST switch falls inside business hours.
ROUND_THE_CLOCK = PracticeCalendar(
    workdays=frozenset(range(7)), opens=time(0, 0), closes=time(23, 59)
)
CALENDARS = [DEFAULT, WEST, LONG_WEEK, ROUND_THE_CLOCK]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def reference_seconds(cal: PracticeCalendar, start: datetime, end: datetime) -> float:
    """Slow, obvious version: walk every local day and add its overlap."""
    if end <= start:
        return 0.0
    tz = cal.tzinfo()
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        if cal.is_business_day(day):
            opens = datetime.combine(day, cal.opens, tz).timestamp()
            closes = datetime.combine(day, cal.closes, tz).timestamp()
            total += max(0.0, min(end.timestamp(), closes) - max(start.timestamp(), opens))
        day += timedelta(days=1)
    return total


# ------------------------------------------------------------------ holidays


def test_federal_holidays_2026():
    assert us_federal_holidays(2026) == {
        date(2026, 1, 1): "New Year's Day",
        date(2026, 1, 19): "Martin Luther King Jr. Day",
        date(2026, 2, 16): "Washington's Birthday",
        date(2026, 5, 25): "Memorial Day",
        date(2026, 6, 19): "Juneteenth",
        date(2026, 7, 3): "Independence Day (observed)",  # July 4 is a Saturday
        date(2026, 9, 7): "Labor Day",
        date(2026, 10, 12): "Columbus Day",
        date(2026, 11, 11): "Veterans Day",
        date(2026, 11, 26): "Thanksgiving Day",
        date(2026, 12, 25): "Christmas Day",
    }


def test_saturday_new_year_is_observed_the_previous_december():
    h2021, h2022 = us_federal_holidays(2021), us_federal_holidays(2022)
    assert h2021[date(2021, 12, 31)] == "New Year's Day (observed)"
    assert not any("New Year" in name for name in h2022.values())
    assert date(2022, 1, 1) not in h2022
    assert not DEFAULT.is_business_day(date(2021, 12, 31))
    assert DEFAULT.holidays_in(2021)[date(2021, 12, 31)] == "New Year's Day (observed)"
    # Fri Dec 31 2021 closed, Sat/Sun weekend, Mon Jan 3 2022 open.
    assert DEFAULT.business_hours(ny(2021, 12, 30, 17), ny(2022, 1, 3, 10)) == 2.0


@pytest.mark.parametrize(
    ("observed", "name"),
    [
        (date(2021, 6, 18), "Juneteenth (observed)"),  # Saturday -> Friday
        (date(2021, 7, 5), "Independence Day (observed)"),  # Sunday -> Monday
        (date(2021, 12, 24), "Christmas Day (observed)"),
        (date(2022, 6, 20), "Juneteenth (observed)"),
        (date(2022, 12, 26), "Christmas Day (observed)"),
        (date(2023, 1, 2), "New Year's Day (observed)"),
        (date(2023, 11, 10), "Veterans Day (observed)"),
        (date(2024, 5, 27), "Memorial Day"),  # last Monday of a month with five Mondays
        (date(2025, 1, 20), "Martin Luther King Jr. Day"),
        (date(2025, 11, 27), "Thanksgiving Day"),
        (date(2027, 12, 31), "New Year's Day (observed)"),
    ],
)
def test_observed_dates(observed: date, name: str):
    assert us_federal_holidays(observed.year)[observed] == name


def test_juneteenth_only_from_2021_and_counts():
    assert len(us_federal_holidays(2020)) == 10
    assert len(us_federal_holidays(2021)) == 12  # includes New Year's 2022, observed Dec 31
    assert len(us_federal_holidays(2022)) == 10
    assert len(us_federal_holidays(2026)) == 11


def test_holidays_are_always_weekdays_and_in_their_year():
    for year in range(2000, 2060):
        for day in us_federal_holidays(year):
            assert day.year == year
            assert day.weekday() < 5


def test_returned_holiday_dict_is_a_copy():
    us_federal_holidays(2026).clear()
    DEFAULT.holidays_in(2026).clear()
    assert len(us_federal_holidays(2026)) == 11
    assert len(DEFAULT.holidays_in(2026)) == 11


def test_extra_holidays_and_opting_out_of_federal():
    closure = date(2026, 12, 24)
    cal = PracticeCalendar(extra_holidays=frozenset({closure, date(2026, 11, 26)}))
    holidays = cal.holidays_in(2026)
    assert holidays[closure] == "Practice closed"
    assert holidays[date(2026, 11, 26)] == "Thanksgiving Day"  # federal name wins
    assert not cal.is_business_day(closure)
    assert cal.business_hours(ny(2026, 12, 24, 0), ny(2026, 12, 25, 0)) == 0.0

    own = PracticeCalendar(observe_us_federal_holidays=False, extra_holidays=frozenset({closure}))
    assert own.holidays_in(2026) == {closure: "Practice closed"}
    assert own.is_business_day(date(2026, 11, 26))
    assert own.business_hours(ny(2026, 11, 26, 0), ny(2026, 11, 27, 0)) == 9.0


def test_is_business_day():
    assert DEFAULT.is_business_day(date(2026, 11, 25))  # Wednesday
    assert not DEFAULT.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert not DEFAULT.is_business_day(date(2026, 7, 3))  # July 4 observed
    assert not DEFAULT.is_business_day(date(2026, 11, 28))  # Saturday
    assert LONG_WEEK.is_business_day(date(2026, 11, 28))
    assert not LONG_WEEK.is_business_day(date(2026, 11, 29))  # Sunday


# ------------------------------------------------------------------ business time


def test_same_day_overlap_with_opening_hours():
    assert DEFAULT.business_hours(ny(2026, 1, 14, 9), ny(2026, 1, 14, 11, 30)) == 2.5
    assert DEFAULT.business_hours(ny(2026, 1, 14, 6), ny(2026, 1, 14, 20)) == 9.0
    assert DEFAULT.business_hours(ny(2026, 1, 14, 6), ny(2026, 1, 14, 7, 59)) == 0.0
    assert DEFAULT.business_hours(ny(2026, 1, 14, 17), ny(2026, 1, 14, 23)) == 0.0
    assert DEFAULT.business_seconds(ny(2026, 1, 14, 16, 59), ny(2026, 1, 14, 18)) == 60.0


def test_end_not_after_start_is_zero():
    moment = ny(2026, 1, 14, 10)
    assert DEFAULT.business_seconds(moment, moment) == 0.0
    assert DEFAULT.business_seconds(moment, moment - timedelta(days=30)) == 0.0


def test_evenings_and_weekend_do_not_count():
    # Friday 16:00 -> Monday 09:00: one hour Friday, one hour Monday.
    assert DEFAULT.business_hours(ny(2026, 1, 9, 16), ny(2026, 1, 12, 9)) == 2.0
    # Friday evening -> Monday before opening: nothing.
    assert DEFAULT.business_hours(ny(2026, 1, 9, 18), ny(2026, 1, 12, 7)) == 0.0
    # A whole week, Monday midnight to Monday midnight.
    assert DEFAULT.business_hours(ny(2026, 1, 5), ny(2026, 1, 12)) == 45.0


def test_holiday_skipped():
    # Wed Nov 25 16:00 -> Fri Nov 27 10:00 2026: 1 h + Thanksgiving 0 h + 2 h.
    assert DEFAULT.business_hours(ny(2026, 11, 25, 16), ny(2026, 11, 27, 10)) == 3.0
    # Thu Jul 2 16:00 -> Mon Jul 6 9:00 2026: Fri Jul 3 is the observed Independence Day.
    assert DEFAULT.business_hours(ny(2026, 7, 2, 16), ny(2026, 7, 6, 9)) == 2.0


def test_utc_inputs_are_read_in_practice_time():
    # 13:00Z-22:00Z on a January Wednesday is 8:00-17:00 in New York.
    assert DEFAULT.business_hours(utc(2026, 1, 14, 13), utc(2026, 1, 14, 22)) == 9.0
    # The same UTC span is 5:00-14:00 in Los Angeles: six business hours there.
    assert WEST.business_hours(utc(2026, 1, 14, 13), utc(2026, 1, 14, 22)) == 6.0
    # Los Angeles' Monday runs 16:00Z Monday to 01:00Z Tuesday.
    assert WEST.business_hours(utc(2026, 1, 12), utc(2026, 1, 13)) == 8.0
    assert WEST.business_hours(utc(2026, 1, 12), utc(2026, 1, 13, 1)) == 9.0


def test_dst_weekends_keep_wall_clock_hours():
    # Spring forward Sun Mar 8 2026 and fall back Sun Nov 1 2026 (US).
    assert DEFAULT.business_hours(ny(2026, 3, 6, 12), ny(2026, 3, 9, 12)) == 9.0
    assert DEFAULT.business_hours(utc(2026, 3, 6, 17), utc(2026, 3, 9, 16)) == 9.0
    assert DEFAULT.business_hours(ny(2026, 10, 30, 12), ny(2026, 11, 2, 12)) == 9.0
    week = PracticeCalendar(workdays=frozenset(range(7)))
    assert week.business_hours(ny(2026, 3, 8), ny(2026, 3, 9)) == 9.0
    assert week.business_hours(ny(2026, 11, 1), ny(2026, 11, 2)) == 9.0


def test_dst_change_inside_business_hours():
    night = PracticeCalendar(
        workdays=frozenset(range(7)),
        opens=time(1),
        closes=time(3),
        observe_us_federal_holidays=False,
    )
    assert night.business_hours(ny(2026, 3, 8), ny(2026, 3, 9)) == 1.0  # 2:00-3:00 skipped
    assert night.business_hours(ny(2026, 11, 1), ny(2026, 11, 2)) == 3.0  # 1:00-2:00 twice
    assert night.business_hours(ny(2026, 3, 1), ny(2026, 3, 15)) == 27.0
    assert night.business_hours(ny(2026, 1, 1), ny(2027, 1, 1)) == 365 * 2.0
    full = 23 + 59 / 60
    assert ROUND_THE_CLOCK.business_hours(ny(2026, 3, 8), ny(2026, 3, 9)) == pytest.approx(full - 1)
    # 2026 has 11 observed federal holidays, all on days this calendar would otherwise open.
    assert ROUND_THE_CLOCK.business_hours(ny(2026, 1, 1), ny(2027, 1, 1)) == pytest.approx(
        (365 - 11) * full
    )


def test_span_crossing_years():
    # Mon Dec 28 2026 10:00 -> Tue Jan 5 2027 10:00. Dec 28-31: 7+9+9+9, Jan 1 holiday,
    # Jan 4: 9, Jan 5: 2.
    assert DEFAULT.business_hours(ny(2026, 12, 28, 10), ny(2027, 1, 5, 10)) == 45.0


def test_long_spans_match_the_day_by_day_reference():
    rng = random.Random(20260101)
    base = utc(2019, 1, 1).timestamp()
    for cal in CALENDARS:
        for _ in range(300):
            start = base + rng.uniform(0, 9 * 365 * 86400)
            end = start + rng.choice([rng.uniform(0, 3 * 86400), rng.uniform(0, 800 * 86400)])
            a, b = datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
            assert cal.business_seconds(a, b) == pytest.approx(
                reference_seconds(cal, a, b), abs=1e-3
            ), (cal, a, b)


def test_results_do_not_depend_on_query_order():
    # The merged holiday lists grow as years are seen; far-apart queries must not disturb them.
    # Each calendar gets its own (harmless, Saturday) closure so it does not share caches.
    spans = [
        (ny(2030, 11, 20), ny(2030, 12, 5)),
        (ny(2019, 11, 20), ny(2019, 12, 5)),
        (ny(2019, 1, 1), ny(2031, 1, 1)),
        (ny(2040, 7, 1), ny(2040, 7, 10)),
    ]
    for saturday, order in ((date(1990, 1, 6), spans), (date(1990, 1, 13), spans[::-1])):
        cal = PracticeCalendar(extra_holidays=frozenset({saturday}))
        for a, b in order:
            assert cal.business_seconds(a, b) == reference_seconds(cal, a, b)


def test_equal_calendars_share_derived_data():
    assert PracticeCalendar.from_dict(DEFAULT.to_dict())._cache is DEFAULT._cache
    assert PracticeCalendar(closes=time(18))._cache is not DEFAULT._cache


def test_custom_calendar_mon_to_sat():
    assert LONG_WEEK.day_seconds == 11.5 * HOUR
    # Jan 5-12 2026 has no holiday: six days of 11.5 hours.
    assert LONG_WEEK.business_hours(ny(2026, 1, 5), ny(2026, 1, 12)) == 69.0
    assert LONG_WEEK.business_hours(ny(2026, 1, 10, 7), ny(2026, 1, 10, 8)) == 0.5  # Saturday
    assert LONG_WEEK.business_hours(ny(2026, 1, 10, 18), ny(2026, 1, 12, 8)) == 1.5


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError):
        DEFAULT.business_seconds(datetime(2026, 1, 1), utc(2026, 1, 2))
    with pytest.raises(ValueError):
        DEFAULT.business_cutoff(datetime(2026, 1, 1), 3)
    with pytest.raises(ValueError):
        DEFAULT.local_date(datetime(2026, 1, 1))


def test_local_date_and_day_seconds():
    assert DEFAULT.day_seconds == 9 * HOUR
    assert DEFAULT.local_date(utc(2026, 1, 13, 3)) == date(2026, 1, 12)
    assert DEFAULT.local_date(utc(2026, 1, 13, 6)) == date(2026, 1, 13)
    assert WEST.local_date(utc(2026, 1, 13, 6)) == date(2026, 1, 12)
    assert DEFAULT.tzinfo() == NY


# ------------------------------------------------------------------ cut-off


def test_cutoff_examples():
    now = ny(2026, 1, 12, 10)  # Monday
    assert DEFAULT.business_cutoff(now, 2) == ny(2026, 1, 12, 8)
    assert DEFAULT.business_cutoff(now, 3) == ny(2026, 1, 9, 16)  # Friday
    assert DEFAULT.business_cutoff(now, 27) == ny(2026, 1, 7, 10)  # three business days
    assert DEFAULT.business_cutoff(ny(2026, 1, 12, 20), 9) == ny(2026, 1, 12, 8)
    assert DEFAULT.business_cutoff(ny(2026, 1, 12, 7), 9) == ny(2026, 1, 9, 8)
    # Thanksgiving is skipped.
    assert DEFAULT.business_cutoff(ny(2026, 11, 27, 10), 3) == ny(2026, 11, 25, 16)
    assert DEFAULT.business_cutoff(now, 2).tzinfo == UTC


def test_cutoff_of_zero_or_less_is_now():
    now = ny(2026, 1, 12, 10)
    assert DEFAULT.business_cutoff(now, 0) == now
    assert DEFAULT.business_cutoff(now, -5) == now
    assert DEFAULT.business_cutoff(now, 0).tzinfo == UTC


def test_cutoff_is_the_latest_such_moment():
    # Exactly the whole Friday: the cut-off is Friday's opening, not Thursday's close.
    assert DEFAULT.business_cutoff(ny(2026, 1, 12, 8), 9) == ny(2026, 1, 9, 8)


def test_cutoff_round_trip_property():
    rng = random.Random(42)
    base = utc(2020, 1, 1).timestamp()
    for cal in CALENDARS:
        for _ in range(400):
            now = datetime.fromtimestamp(base + rng.uniform(0, 7 * 365 * 86400), UTC)
            hours = rng.choice([rng.uniform(0.01, 10), rng.uniform(0, 200), rng.uniform(0, 5000)])
            cutoff = cal.business_cutoff(now, hours)
            assert cutoff <= now
            assert cal.business_seconds(cutoff, now) == pytest.approx(hours * HOUR, abs=1.0)
            # Latest: a moment later already has less than the threshold behind it.
            later = cutoff + timedelta(milliseconds=1)
            assert cal.business_seconds(later, now) < hours * HOUR


def test_cutoff_across_dst_inside_business_hours():
    now = ny(2026, 3, 9, 2)
    cutoff = ROUND_THE_CLOCK.business_cutoff(now, 30)
    assert ROUND_THE_CLOCK.business_seconds(cutoff, now) == pytest.approx(30 * HOUR, abs=1e-3)


# ------------------------------------------------------------------ settings form


def test_to_dict_from_dict_round_trip():
    cal = PracticeCalendar(
        timezone="America/Los_Angeles",
        workdays=frozenset({0, 1, 2, 3, 4, 5}),
        opens=time(7, 30),
        closes=time(19, 0),
        observe_us_federal_holidays=False,
        extra_holidays=frozenset({date(2026, 12, 24), date(2026, 8, 14)}),
    )
    data = cal.to_dict()
    assert data == {
        "timezone": "America/Los_Angeles",
        "workdays": [0, 1, 2, 3, 4, 5],
        "opens": "07:30",
        "closes": "19:00",
        "observe_us_federal_holidays": False,
        "extra_holidays": ["2026-08-14", "2026-12-24"],
        "state": None,
    }
    assert PracticeCalendar.from_dict(json.loads(json.dumps(data))) == cal
    assert PracticeCalendar.from_dict(DEFAULT.to_dict()) == DEFAULT
    odd = PracticeCalendar(opens=time(8, 0, 30))
    assert PracticeCalendar.from_dict(odd.to_dict()) == odd


def test_from_dict_defaults():
    assert PracticeCalendar.from_dict({}) == DEFAULT
    # The shipped default setting: timezone None means "the PC's zone", resolved by the caller.
    stored = {
        "timezone": None,
        "workdays": [0, 1, 2, 3, 4],
        "opens": "08:00",
        "closes": "17:00",
        "observe_us_federal_holidays": True,
        "extra_holidays": [],
    }
    assert PracticeCalendar.from_dict(stored) == DEFAULT


def test_calendar_is_hashable_and_replaceable():
    assert hash(PracticeCalendar()) == hash(DEFAULT)
    assert PracticeCalendar(workdays=[0, 1, 2, 3, 4]) == DEFAULT  # lists are accepted
    later = dataclasses.replace(DEFAULT, closes=time(18))
    assert later.day_seconds == 10 * HOUR
    assert later.business_hours(ny(2026, 1, 14), ny(2026, 1, 15)) == 10.0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"workdays": []}, "workdays"),
        ({"workdays": [7]}, "workdays"),
        ({"opens": "17:00", "closes": "08:00"}, "closes"),
        ({"opens": "09:00", "closes": "09:00"}, "closes"),
        ({"opens": "nine"}, "opens"),
        ({"closes": "25:00"}, "closes"),
        ({"extra_holidays": ["2026-02-30"]}, "extra_holidays"),
    ],
)
def test_invalid_settings(data: dict, field: str):
    with pytest.raises(ValidationError) as err:
        PracticeCalendar.from_dict(data)
    assert err.value.field == field
    assert err.value.message.endswith(".")


# ------------------------------------------------------------------ state holidays


def test_a_state_adds_its_own_holidays_from_the_holidays_package():
    texas = PracticeCalendar(timezone="America/Chicago", state="tx")
    assert texas.state == "TX"
    held = texas.holidays_in(2027)
    assert held[date(2027, 3, 2)] == "Texas Independence Day"  # a Tuesday
    assert not texas.is_business_day(date(2027, 3, 2))
    # A federal holiday keeps its federal name; the state adds no second entry.
    assert held[date(2027, 2, 15)] == "Washington's Birthday"
    assert state_holidays("TX", 2027)[date(2027, 3, 2)] == "Texas Independence Day"
    assert date(2027, 2, 15) not in state_holidays("TX", 2027)
    assert PracticeCalendar(timezone="America/Chicago").is_business_day(date(2027, 3, 2))
    assert PracticeCalendar.from_dict(texas.to_dict()) == texas
    # Three hours less of business time across the closure.
    start = datetime(2027, 3, 1, 14, 0, tzinfo=ZoneInfo("America/Chicago"))
    end = datetime(2027, 3, 3, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert texas.business_hours(start, end) == 4.0


def test_an_unknown_state_is_refused_with_a_sentence():
    with pytest.raises(ValidationError, match="not a US state") as caught:
        PracticeCalendar(state="ZZ")
    assert caught.value.field == "state"
    assert us_states()["TX"] == "Texas"
