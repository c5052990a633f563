"""Aging buckets, card age labels, SLA state and the "needs attention" rules."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from practiceboard.domain.aging import (
    AGING_BUCKETS,
    UNTOUCHED_BUSINESS_DAYS,
    AttentionInput,
    AttentionReason,
    SlaState,
    aging_bucket,
    attention_reasons,
    format_age,
    sla_state,
    untouched_cutoff,
    whole_days,
)
from practiceboard.domain.calendar import PracticeCalendar
from support import ny

CAL = PracticeCalendar()
MINUTE, HOUR, DAY = 60, 3600, 86400


NOW = ny(2026, 1, 15, 10)  # Thursday


def item(**changes) -> AttentionInput:
    """A task that needs no attention; tests change one thing at a time."""
    fine = AttentionInput(
        due_date=date(2026, 1, 20),
        today=date(2026, 1, 15),
        sla=SlaState.OK,
        last_touched_at=NOW - timedelta(hours=1),
        now=NOW,
        reason_key=None,
        reason_note=None,
        last_note_at=None,
        status_since=NOW - timedelta(days=2),
    )
    return dataclasses.replace(fine, **changes)


# ------------------------------------------------------------------ buckets and ages


def test_buckets_are_contiguous_and_open_ended():
    assert AGING_BUCKETS[0][1] == 0
    for (_, _, high), (_, low, _) in zip(AGING_BUCKETS, AGING_BUCKETS[1:], strict=False):
        assert low == high + 1
    assert AGING_BUCKETS[-1][2] is None


@pytest.mark.parametrize(
    ("days", "index"),
    [(-3, 0), (0, 0), (2, 0), (3, 1), (7, 1), (8, 2), (14, 2), (15, 3), (30, 3), (31, 4),
     (5000, 4)],
)  # fmt: skip
def test_aging_bucket_boundaries(days: int, index: int):
    assert aging_bucket(days) == index


def test_whole_days():
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert whole_days(start, start) == 0
    assert whole_days(start, start + timedelta(hours=23, minutes=59)) == 0
    assert whole_days(start, start + timedelta(days=1)) == 1
    assert whole_days(start, start + timedelta(days=31, hours=5)) == 31
    assert whole_days(start, start - timedelta(days=3)) == 0  # clock skew: never negative
    # Elapsed time, not wall clock: noon to noon across spring-forward is only 23 hours.
    assert whole_days(ny(2026, 3, 7, 12), ny(2026, 3, 8, 12)) == 0
    assert whole_days(ny(2026, 3, 7, 12), ny(2026, 3, 8, 13)) == 1
    assert whole_days(ny(2026, 1, 1, 9), datetime(2026, 1, 2, 14, tzinfo=UTC)) == 1


@pytest.mark.parametrize(
    ("seconds", "label"),
    [
        (-5, "0m"),
        (0, "0m"),
        (59, "0m"),
        (45 * MINUTE, "45m"),
        (HOUR - 1, "59m"),
        (HOUR, "1h"),
        (5 * HOUR + 59 * MINUTE, "5h"),
        (DAY - 1, "23h"),
        (DAY, "1d"),
        (3 * DAY + 20 * HOUR, "3d"),
        (14 * DAY - 1, "13d"),
        (14 * DAY, "2w"),
        (20 * DAY, "2w"),
        (60 * DAY - 1, "8w"),
        (60 * DAY, "2mo"),
        (150 * DAY, "5mo"),
        (730 * DAY, "24mo"),
    ],
)
def test_format_age(seconds: float, label: str):
    assert format_age(seconds) == label


# ------------------------------------------------------------------ SLA


@pytest.mark.parametrize(
    ("hours", "warn", "breach", "paused", "state"),
    [
        (0, 8, 16, False, SlaState.OK),
        (7.99, 8, 16, False, SlaState.OK),
        (8, 8, 16, False, SlaState.WARN),
        (15.99, 8, 16, False, SlaState.WARN),
        (16, 8, 16, False, SlaState.BREACH),
        (500, 8, 16, False, SlaState.BREACH),
        (500, None, None, False, SlaState.OK),
        (500, 8, None, False, SlaState.WARN),
        (500, None, 16, False, SlaState.BREACH),
        (10, None, 16, False, SlaState.OK),
        (500, 8, 16, True, SlaState.PAUSED),  # waiting statuses stop the clock
        (0, None, None, True, SlaState.PAUSED),
    ],
)
def test_sla_state(hours, warn, breach, paused, state):
    assert sla_state(hours, warn, breach, paused) is state


def test_sla_values_are_stable_strings():
    assert [s.value for s in SlaState] == ["ok", "warn", "breach", "paused"]
    assert SlaState.BREACH == "breach"


# ------------------------------------------------------------------ needs attention


def test_fine_task_needs_no_attention():
    assert attention_reasons(item(), CAL) == ()


def test_overdue_boundaries():
    assert attention_reasons(item(due_date=date(2026, 1, 14)), CAL) == (AttentionReason.OVERDUE,)
    assert attention_reasons(item(due_date=date(2026, 1, 15)), CAL) == ()  # due today
    assert attention_reasons(item(due_date=None), CAL) == ()


def test_breached_but_not_warned_or_paused():
    assert attention_reasons(item(sla=SlaState.BREACH), CAL) == (AttentionReason.BREACHED,)
    assert attention_reasons(item(sla=SlaState.WARN), CAL) == ()
    assert attention_reasons(item(sla=SlaState.PAUSED), CAL) == ()


def test_untouched_after_three_business_days():
    # Thursday 10:00 minus 27 business hours is Monday 10:00.
    assert untouched_cutoff(NOW, CAL) == ny(2026, 1, 12, 10)
    assert attention_reasons(item(last_touched_at=ny(2026, 1, 12, 10)), CAL) == ()
    assert attention_reasons(item(last_touched_at=ny(2026, 1, 12, 9, 59)), CAL) == (
        AttentionReason.UNTOUCHED,
    )
    touched = ny(2026, 1, 12, 10) - timedelta(microseconds=1)
    assert attention_reasons(item(last_touched_at=touched), CAL) == (AttentionReason.UNTOUCHED,)


def test_untouched_skips_weekends_and_holidays():
    # Monday 10:00 -> back to Wednesday 10:00 over the weekend.
    assert untouched_cutoff(ny(2026, 1, 12, 10), CAL) == ny(2026, 1, 7, 10)
    # Wed Jan 21 2026 10:00, MLK day Mon Jan 19: Wed 2 h, Tue 9, Fri 9, Thu 7.
    assert untouched_cutoff(ny(2026, 1, 21, 10), CAL) == ny(2026, 1, 15, 10)
    # Four calendar days over a weekend is still fine.
    monday = item(now=ny(2026, 1, 12, 10), today=date(2026, 1, 12),
                  last_touched_at=ny(2026, 1, 8, 11))  # fmt: skip
    assert attention_reasons(monday, CAL) == ()


def test_untouched_uses_the_calendar_day_length():
    long_days = PracticeCalendar(workdays=frozenset(range(6)), opens=time(7, 30), closes=time(19))
    now = ny(2026, 1, 15, 10)
    cutoff = untouched_cutoff(now, long_days)
    hours = long_days.business_hours(cutoff, now)
    assert hours == pytest.approx(UNTOUCHED_BUSINESS_DAYS * 11.5)


def test_untouched_flag_agrees_with_business_time():
    # The SQL filter compares last_touched_at with the cut-off; the flag must agree with
    # "three business days have passed" for any pair of moments.
    rng = random.Random(7)
    threshold = UNTOUCHED_BUSINESS_DAYS * CAL.day_seconds
    base = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    for _ in range(500):
        now = datetime.fromtimestamp(base + rng.uniform(0, 2 * 365 * DAY), UTC)
        touched = now - timedelta(seconds=rng.uniform(0, 12 * DAY))
        flagged = AttentionReason.UNTOUCHED in attention_reasons(
            item(now=now, last_touched_at=touched, due_date=None), CAL
        )
        waited = CAL.business_seconds(touched, now)
        if flagged:
            assert waited >= threshold - 1e-3
        else:
            assert waited <= threshold + 1e-3


def test_unexplained_other_reason():
    since = NOW - timedelta(days=2)
    other = item(reason_key="other", reason_note=None, status_since=since)
    assert attention_reasons(other, CAL) == (AttentionReason.UNEXPLAINED,)
    blank = dataclasses.replace(other, reason_note="   ")
    assert attention_reasons(blank, CAL) == (AttentionReason.UNEXPLAINED,)
    old_note = dataclasses.replace(other, last_note_at=since - timedelta(minutes=1))
    assert attention_reasons(old_note, CAL) == (AttentionReason.UNEXPLAINED,)

    assert attention_reasons(dataclasses.replace(other, reason_note="Payer portal down"), CAL) == ()
    assert attention_reasons(dataclasses.replace(other, last_note_at=since), CAL) == ()
    later = dataclasses.replace(other, last_note_at=since + timedelta(hours=1))
    assert attention_reasons(later, CAL) == ()
    assert attention_reasons(item(reason_key="waiting_payer"), CAL) == ()
    assert attention_reasons(item(reason_key=None), CAL) == ()


def test_all_reasons_in_fixed_order():
    everything = item(
        due_date=date(2026, 1, 1),
        sla=SlaState.BREACH,
        last_touched_at=ny(2026, 1, 2, 9),
        reason_key="other",
        reason_note="",
        last_note_at=None,
    )
    assert attention_reasons(everything, CAL) == (
        AttentionReason.OVERDUE,
        AttentionReason.BREACHED,
        AttentionReason.UNTOUCHED,
        AttentionReason.UNEXPLAINED,
    )
    assert [r.value for r in AttentionReason] == [
        "overdue", "breached", "untouched", "unexplained", "blocker_late",
    ]  # fmt: skip


def test_a_blocked_task_is_stuck_only_through_its_blocker():
    late_itself = dict(due_date=date(2026, 1, 1), sla=SlaState.BREACH,
                       last_touched_at=ny(2026, 1, 2, 9))  # fmt: skip
    assert attention_reasons(item(**late_itself, blocked=True), CAL) == ()
    assert attention_reasons(item(**late_itself, blocked=True, blocker_late=True), CAL) == (
        AttentionReason.BLOCKER_LATE,
    )
