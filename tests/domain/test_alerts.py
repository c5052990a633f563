"""Delivery grouping and alert text, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from practiceboard.domain.alerts import (
    AlertKind,
    Pending,
    TaskFact,
    deliveries,
    parse_clock,
    task_alert,
    threshold_occasion,
)

OPEN = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)


def pending(n: int, kind: str = "warn", at: datetime = OPEN + timedelta(hours=1)) -> list:
    return [Pending(i, kind, f"REF-{i:06d} · Referral intake — getting old", "", i, at)
            for i in range(1, n + 1)]  # fmt: skip


def test_nothing_is_shown_in_quiet_hours():
    assert deliveries(pending(2), None) == []


def test_up_to_three_arrive_one_by_one_with_their_task():
    shown = deliveries(pending(3), OPEN)
    assert [(d.task_id, d.notification_ids) for d in shown] == [(1, (1,)), (2, (2,)), (3, (3,))]


def test_more_than_three_become_one_summary():
    [summary] = deliveries(pending(5), OPEN)
    assert summary.title == "5 alerts new" and summary.task_id is None
    assert summary.notification_ids == (1, 2, 3, 4, 5)
    assert summary.body.splitlines()[0] == "REF-000001 · Referral intake — getting old"


def test_alerts_held_over_quiet_hours_arrive_as_one_digest():
    night = pending(2, at=OPEN - timedelta(hours=6))
    [digest] = deliveries(night, OPEN)
    assert digest.title == "2 alerts while the practice was closed"


def test_a_managers_breaches_arrive_as_one_bundle():
    shown = deliveries(pending(4, "breaches") + pending(1)[:1], OPEN)
    assert [d.title for d in shown][0] == "4 tasks passed their time limit"
    assert len(shown) == 2


def test_a_long_list_is_cut_with_a_count():
    [summary] = deliveries(pending(9), OPEN)
    assert summary.body.splitlines()[-1] == "and 4 more"


def test_alert_text_is_lock_screen_safe_unless_titles_are_allowed():
    fact = TaskFact(7, "PA-000123", "Prior authorization", "MRI for Jane Roe")
    plain = task_alert(3, AlertKind.BREACH, fact, "x")
    assert plain.title == "PA-000123 · Prior authorization — past time limit"
    assert plain.body == "" and plain.dedupe_key == "breach:7:x"
    assert task_alert(3, AlertKind.BREACH, fact, "x", show_titles=True).body == "MRI for Jane Roe"


def test_a_threshold_is_re_armed_by_a_new_stay_in_the_status():
    assert threshold_occasion(OPEN) != threshold_occasion(OPEN + timedelta(seconds=1))


def test_digest_time_reads_hours_and_minutes_and_falls_back():
    assert f"{parse_clock('07:30'):%H:%M}" == "07:30"
    assert f"{parse_clock('soon'):%H:%M}" == "08:00"
    assert f"{parse_clock(None):%H:%M}" == "08:00"
