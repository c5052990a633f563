"""Alerts as a person meets them: handed to one app once, read, snoozed with a reason,
and their own choices — with clear refusals for bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from practiceboard.domain.alerts import Alert, AlertKind
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import notifications as inbox
from practiceboard.services import notifications
from support import audit_rows, new_task

AT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def some_alerts(user_id: int, n: int) -> list[Alert]:
    return [Alert(user_id, AlertKind.WARN, f"warn:{i}:0", f"REF-{i:06d} · x — getting old")
            for i in range(n)]  # fmt: skip


def test_recording_twice_records_once(db, staff):
    first = notifications.record(db, some_alerts(staff.billing.user_id, 3), AT)
    again = notifications.record(db, some_alerts(staff.billing.user_id, 4), AT)
    assert None not in first and again[:3] == [None, None, None] and again[3] is not None
    assert inbox.unread_count(db, staff.billing) == 4


def test_an_alert_is_handed_to_one_app_only(db, staff):
    notifications.record(db, some_alerts(staff.billing.user_id, 2), AT)
    first = notifications.hand_over(db, staff.billing.user_id, AT + timedelta(minutes=1))
    second = notifications.hand_over(db, staff.billing.user_id, AT + timedelta(minutes=1))
    assert len(first) == 2 and second == []


def test_the_notification_center_lists_newest_first_and_marks_read(db, staff):
    notifications.record(db, some_alerts(staff.billing.user_id, 2), AT)
    notifications.record(db, some_alerts(staff.billing.user_id, 3)[2:], AT + timedelta(hours=1))
    notifications.record(db, some_alerts(staff.front_desk.user_id, 1), AT)
    rows = inbox.my_alerts(db, staff.billing)
    assert [r.title[:10] for r in rows] == ["REF-000002", "REF-000001", "REF-000000"]
    assert notifications.mark_read(db, staff.billing, [rows[0].id]) == 1
    assert inbox.unread_count(db, staff.billing) == 2
    assert notifications.mark_read(db, staff.billing) == 2  # all read
    assert inbox.unread_count(db, staff.billing) == 0
    assert inbox.unread_count(db, staff.front_desk) == 1  # someone else's stay unread


def test_snoozing_needs_a_reason_and_a_task_the_person_works_on(db, staff):
    t = new_task(db, staff.front_desk)
    with pytest.raises(ValidationError, match="Say why"):
        notifications.snooze(db, staff.front_desk, t.id, "   ")
    with pytest.raises(PermissionDenied):
        notifications.snooze(db, staff.billing, t.id, "not mine")
    [denied] = audit_rows(db, "alert.snooze")
    assert denied.outcome == "denied" and denied.user_id == staff.billing.user_id


def test_alert_choices_are_checked_and_kept(db, staff):
    with pytest.raises(ValidationError, match="no alert called"):
        notifications.set_preferences(db, staff.billing, muted_kinds=["gossip"])
    with pytest.raises(ValidationError, match="hours and minutes"):
        notifications.set_preferences(db, staff.billing, digest_time="7 o'clock")
    assert inbox.alert_choices(db, staff.billing).sound is True  # defaults before any choice
    notifications.set_preferences(
        db, staff.billing, muted_kinds=["warn", "breach"], sound=False, digest_time="07:30"
    )
    choices = inbox.alert_choices(db, staff.billing)
    assert choices.muted_kinds == {"warn", "breach"} and not choices.sound
    assert choices.digest_time == "07:30"
    assert [r.outcome for r in audit_rows(db, "alert.preferences")] == ["success"]
