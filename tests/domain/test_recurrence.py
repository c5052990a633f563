"""Care plan cadence: parsing, canonical text, descriptions and next occurrences."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from practiceboard.domain.errors import ValidationError
from practiceboard.domain.recurrence import (
    PRESETS,
    Recurrence,
    describe,
    format_rule,
    next_after,
    occurrences,
    parse,
)

MO, TU, WE, TH, FR, SA, SU = range(7)


def month_end_clamped(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def matches(r: Recurrence, anchor: date, d: date) -> bool:
    """The definition, one day at a time (slow; the reference for the fast code)."""
    if d < anchor:
        return False
    if r.freq == "DAILY":
        return (d - anchor).days % r.interval == 0
    if r.freq == "WEEKLY":
        days = r.byday or (anchor.weekday(),)
        monday = anchor - timedelta(days=anchor.weekday())
        weeks = (d - monday).days // 7
        return d.weekday() in days and weeks % r.interval == 0
    months = (d.year - anchor.year) * 12 + d.month - anchor.month
    day = r.bymonthday or anchor.day
    return months % r.interval == 0 and d == month_end_clamped(d.year, d.month, day)


def reference(r: Recurrence, anchor: date, start: date, end: date) -> list[date]:
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [d for d in days if matches(r, anchor, d)]


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=DAILY", Recurrence("DAILY")),
        ("FREQ=WEEKLY", Recurrence("WEEKLY")),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", Recurrence("WEEKLY", 2, (MO, TH))),
        ("FREQ=MONTHLY;BYMONTHDAY=31", Recurrence("MONTHLY", bymonthday=31)),
        ("freq=monthly;interval=3;bymonthday=15", Recurrence("MONTHLY", 3, bymonthday=15)),
        (" FREQ = Weekly ; BYDAY = th, mo ; ", Recurrence("WEEKLY", byday=(MO, TH))),
        ("RRULE:FREQ=DAILY;INTERVAL=10", Recurrence("DAILY", 10)),
        ("FREQ=WEEKLY;BYDAY=MO,MO,FR", Recurrence("WEEKLY", byday=(MO, FR))),
        ("FREQ=DAILY;;INTERVAL=366", Recurrence("DAILY", 366)),
        ("INTERVAL=2;FREQ=WEEKLY", Recurrence("WEEKLY", 2)),
    ],
)
def test_parse(text: str, expected: Recurrence):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ";",
        "FREQ=YEARLY",
        "FREQ=HOURLY",
        "FREQ",
        "FREQ=",
        "=WEEKLY",
        "INTERVAL=2",
        "BYDAY=MO",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=367",
        "FREQ=WEEKLY;INTERVAL=-1",
        "FREQ=WEEKLY;INTERVAL=two",
        "FREQ=WEEKLY;INTERVAL=1.5",
        "FREQ=WEEKLY;INTERVAL=²",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=WEEKLY;BYDAY=MO,,TH",
        "FREQ=WEEKLY;BYDAY=MONDAY",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=MO",
        "FREQ=WEEKLY;BYMONTHDAY=3",
        "FREQ=MONTHLY;BYMONTHDAY=0",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=WEEKLY;COUNT=3",
        "FREQ=WEEKLY;UNTIL=20270101",
        "FREQ=WEEKLY;FREQ=DAILY",
        "every week",
    ],
)
def test_parse_errors_are_plain_sentences(text: str):
    with pytest.raises(ValidationError) as err:
        parse(text)
    assert err.value.field == "cadence"
    message = err.value.message
    assert (message[0].isupper() or message[0] == "“") and message.endswith(".")
    assert "“”" not in message
    assert "Traceback" not in message and "invalid literal" not in message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"freq": "YEARLY"},
        {"freq": "WEEKLY", "interval": 0},
        {"freq": "WEEKLY", "byday": (7,)},
        {"freq": "DAILY", "byday": (MO,)},
        {"freq": "WEEKLY", "bymonthday": 3},
        {"freq": "MONTHLY", "bymonthday": 40},
    ],
)
def test_constructor_validates(kwargs: dict):
    with pytest.raises(ValidationError) as err:
        Recurrence(**kwargs)
    assert err.value.field == "cadence"


def test_byday_is_normalised():
    assert Recurrence("WEEKLY", byday=(TH, MO, TH)).byday == (MO, TH)
    assert Recurrence("WEEKLY", byday=(TH, MO)) == Recurrence("WEEKLY", byday=(MO, TH))


# ------------------------------------------------------------------ text forms


def test_format_rule_is_canonical():
    assert format_rule(Recurrence("DAILY")) == "FREQ=DAILY"
    assert format_rule(Recurrence("WEEKLY", 2, (TH, MO))) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    assert format_rule(Recurrence("MONTHLY", 3, bymonthday=31)) == (
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=31"
    )
    assert format_rule(parse(" freq=weekly; byday=fr,mo ;interval=1")) == "FREQ=WEEKLY;BYDAY=MO,FR"


def test_round_trips():
    rng = random.Random(3)
    rules = [Recurrence("DAILY", n) for n in (1, 2, 366)]
    for _ in range(50):
        days = tuple(rng.sample(range(7), rng.randint(0, 7)))
        rules.append(Recurrence("WEEKLY", rng.randint(1, 366), days))
        monthday = rng.choice([None, 1, 28, 29, 31])
        rules.append(Recurrence("MONTHLY", rng.randint(1, 24), bymonthday=monthday))
    for r in rules:
        assert parse(format_rule(r)) == r
        assert format_rule(parse(format_rule(r))) == format_rule(r)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("FREQ=DAILY", "Every day"),
        ("FREQ=DAILY;INTERVAL=2", "Every 2 days"),
        ("FREQ=WEEKLY", "Weekly"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "Every 2 weeks on Monday and Thursday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Weekly on Monday, Wednesday and Friday"),
        ("FREQ=WEEKLY;BYDAY=SU", "Weekly on Sunday"),
        ("FREQ=MONTHLY", "Monthly"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "Monthly on day 31 (or the month's last day)"),
        ("FREQ=MONTHLY;BYMONTHDAY=28", "Monthly on day 28"),
        ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", "Every 3 months on day 15"),
        ("FREQ=MONTHLY;INTERVAL=3", "Every 3 months"),
    ],
)
def test_describe(rule: str, text: str):
    assert describe(parse(rule)) == text


def test_presets_parse_and_describe():
    assert list(PRESETS) == ["Weekly", "Every 2 weeks", "Monthly", "Every 3 months", "Daily"]
    for label, rule in PRESETS.items():
        assert format_rule(parse(rule)) == rule
        assert describe(parse(rule)).lower() in (label.lower(), "every day")


# ------------------------------------------------------------------ occurrences


def test_daily():
    r = parse("FREQ=DAILY;INTERVAL=3")
    anchor = date(2026, 1, 1)
    assert next_after(r, anchor, date(2025, 6, 1)) == anchor  # anchor is the first occurrence
    assert next_after(r, anchor, anchor) == date(2026, 1, 4)
    assert next_after(r, anchor, date(2026, 1, 4)) == date(2026, 1, 7)
    assert next_after(r, anchor, date(2026, 1, 5)) == date(2026, 1, 7)
    assert next_after(parse("FREQ=DAILY"), anchor, date(2026, 3, 1)) == date(2026, 3, 2)


def test_weekly_uses_the_anchor_weekday():
    r = parse("FREQ=WEEKLY")
    anchor = date(2026, 1, 7)  # Wednesday
    assert next_after(r, anchor, date(2026, 1, 1)) == anchor
    assert next_after(r, anchor, anchor) == date(2026, 1, 14)
    assert next_after(r, anchor, date(2026, 1, 13)) == date(2026, 1, 14)
    fortnightly = parse("FREQ=WEEKLY;INTERVAL=2")
    assert occurrences(fortnightly, anchor, date(2026, 1, 1), date(2026, 2, 28)) == [
        date(2026, 1, 7), date(2026, 1, 21), date(2026, 2, 4), date(2026, 2, 18),
    ]  # fmt: skip


def test_weekly_several_days_every_other_week():
    r = parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
    anchor = date(2026, 1, 7)  # a Wednesday: Monday Jan 5 is before the anchor, so skipped
    assert occurrences(r, anchor, date(2026, 1, 1), date(2026, 2, 15)) == [
        date(2026, 1, 8), date(2026, 1, 19), date(2026, 1, 22), date(2026, 2, 2), date(2026, 2, 5),
    ]  # fmt: skip
    assert next_after(r, anchor, date(2026, 1, 8)) == date(2026, 1, 19)
    assert next_after(r, anchor, date(2026, 1, 12)) == date(2026, 1, 19)  # off week skipped


def test_weekly_anchor_not_on_a_chosen_day():
    r = parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")
    anchor = date(2026, 1, 7)  # Wednesday; this week's Monday has passed
    assert next_after(r, anchor, date(2025, 12, 1)) == date(2026, 1, 19)


def test_monthly_clamps_to_month_end():
    r = parse("FREQ=MONTHLY")
    anchor = date(2026, 1, 31)
    assert occurrences(r, anchor, date(2026, 1, 1), date(2026, 6, 30)) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 31), date(2026, 6, 30),
    ]  # fmt: skip
    assert next_after(r, date(2024, 1, 31), date(2024, 1, 31)) == date(2024, 2, 29)  # leap
    assert next_after(r, date(2028, 1, 30), date(2028, 2, 1)) == date(2028, 2, 29)
    assert next_after(r, date(2027, 1, 29), date(2027, 2, 1)) == date(2027, 2, 28)


def test_monthly_by_month_day():
    r = parse("FREQ=MONTHLY;BYMONTHDAY=31")
    assert next_after(r, date(2026, 1, 15), date(2026, 1, 1)) == date(2026, 1, 31)
    early = parse("FREQ=MONTHLY;BYMONTHDAY=5")
    # The 5th of the anchor's month is before the anchor, so the series starts next month.
    assert next_after(early, date(2026, 1, 15), date(2025, 1, 1)) == date(2026, 2, 5)
    assert next_after(early, date(2026, 1, 15), date(2026, 2, 5)) == date(2026, 3, 5)


def test_every_three_months_across_years_and_leap_day():
    r = parse("FREQ=MONTHLY;INTERVAL=3")
    anchor = date(2023, 11, 30)
    assert occurrences(r, anchor, date(2023, 1, 1), date(2024, 12, 31)) == [
        date(2023, 11, 30), date(2024, 2, 29), date(2024, 5, 30), date(2024, 8, 30),
        date(2024, 11, 30),
    ]  # fmt: skip
    assert next_after(r, anchor, date(2024, 3, 1)) == date(2024, 5, 30)


def test_far_future_jumps_straight_there():
    anchor = date(2000, 1, 31)
    seven = parse("FREQ=MONTHLY;INTERVAL=7")
    expected = reference(seven, anchor, date(2300, 1, 2), date(2301, 1, 1))[0]
    assert next_after(seven, anchor, date(2300, 1, 1)) == expected
    assert next_after(parse("FREQ=DAILY;INTERVAL=366"), anchor, date(9000, 1, 1)) > date(9000, 1, 1)


def test_occurrences_edges():
    r = parse("FREQ=WEEKLY")
    anchor = date(2026, 1, 7)
    assert occurrences(r, anchor, date(2026, 2, 1), date(2026, 1, 1)) == []  # end before start
    assert occurrences(r, anchor, date(2025, 1, 1), date(2026, 1, 6)) == []  # before the anchor
    assert occurrences(r, anchor, anchor, anchor) == [anchor]
    last_month = occurrences(parse("FREQ=DAILY"), date(9999, 12, 1), date(9999, 12, 1), date.max)
    assert len(last_month) == 31  # stops at date.max instead of overflowing


def test_matches_day_by_day_reference():
    rng = random.Random(11)
    for _ in range(300):
        freq = rng.choice(["DAILY", "WEEKLY", "MONTHLY"])
        interval = rng.choice([1, 1, 2, 3, 5, 13])
        byday: tuple[int, ...] = ()
        bymonthday = None
        if freq == "WEEKLY" and rng.random() < 0.7:
            byday = tuple(rng.sample(range(7), rng.randint(1, 4)))
        if freq == "MONTHLY" and rng.random() < 0.6:
            bymonthday = rng.choice([1, 5, 15, 28, 29, 30, 31])
        r = Recurrence(freq, interval, byday, bymonthday)  # type: ignore[arg-type]
        anchor = date(2023, 1, 1) + timedelta(days=rng.randint(0, 800))
        start = anchor + timedelta(days=rng.randint(-60, 400))
        end = start + timedelta(days=rng.randint(0, 500))
        expected = reference(r, anchor, start, end)
        assert occurrences(r, anchor, start, end) == expected, (r, anchor, start, end)
        after = start + timedelta(days=rng.randint(-5, 100))
        following = reference(r, anchor, after + timedelta(days=1), after + timedelta(days=400))
        if following:
            assert next_after(r, anchor, after) == following[0], (r, anchor, after)
