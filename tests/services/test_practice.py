"""The practice: made once (name, calendar, first admin in one transaction) and changed
by an admin (audited, only what changed), on both engines."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from practiceboard.core import definitions
from practiceboard.db.models import Setting, User
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries.practice import practice_settings
from practiceboard.services import practice, users
from support import PASSWORD, audit_rows, last_audit_id, status_id

CALENDAR = {"timezone": "America/Chicago", "workdays": [0, 1, 2, 3, 4, 5], "opens": "07:30",
            "closes": "18:00", "observe_us_federal_holidays": True, "state": "TX",
            "extra_holidays": ["2027-08-13"]}  # fmt: skip


def test_a_new_practice_is_made_in_one_go(db):
    uid = practice.create_practice(db, "  Valley   Family Care ", CALENDAR, "Boss",
                                   "Pat Manager", "Long-enough-pass1")  # fmt: skip
    with db.read() as s:
        assert definitions.setting(s, "practice_name") == "Valley Family Care"
        cal = definitions.practice_calendar(s)
        assert (cal.timezone, cal.state, cal.opens.hour) == ("America/Chicago", "TX", 7)
        assert s.get(User, uid).username == "boss"
    assert users.sign_in(db, "boss", "Long-enough-pass1").user_id == uid
    actions = [r.action for r in audit_rows(db)]
    assert actions.count("setting.update") == 2 and "user.create" in actions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "practice_name"),
        ({"calendar": {**CALENDAR, "timezone": "Mars/Base"}}, "timezone"),
        ({"calendar": {**CALENDAR, "opens": "18:00", "closes": "08:00"}}, "closes"),
        ({"calendar": {**CALENDAR, "state": "ZZ"}}, "state"),
        ({"admin_username": "no spaces"}, "username"),
        ({"admin_password": "short"}, "password"),
    ],
)
def test_bad_input_makes_nothing(db, change, field):
    args = dict(name="Valley", calendar=CALENDAR, admin_username="boss", admin_name="Pat",
                admin_password="Long-enough-pass1") | change  # fmt: skip
    mark = last_audit_id(db)
    with pytest.raises(ValidationError) as caught:
        practice.create_practice(db, **args)
    assert caught.value.field == field
    with db.read() as s:
        assert s.scalar(select(func.count(User.id))) == 0
        assert s.get(Setting, "practice_name").value == "Your practice"
    assert audit_rows(db, after=mark) == []


def test_a_practice_is_made_only_once(db, staff):
    with pytest.raises(ValidationError, match="already has a practice"):
        practice.create_practice(db, "Again", CALENDAR, "boss2", "Pat", "Long-enough-pass1")


def test_the_wizard_checks_need_no_database():
    assert practice.check_new_admin(" Boss ", " Pat  Manager ", "x" * 12, "x" * 12) == (
        "boss", "Pat Manager")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        practice.check_new_admin("boss", "Pat", "x" * 12, "y" * 12)
    assert caught.value.field == "repeat"
    with pytest.raises(ValidationError, match="at least 12"):
        practice.check_new_admin("boss", "Pat", "x" * 11, "x" * 11)


def test_an_admin_saves_settings_audited_and_only_what_changed(db, staff):
    shown = practice_settings(db, staff.admin)
    assert shown.practice_name == "Your practice" and shown.backup_time == "22:00"
    new_desk = status_id(db, "referral", "new")
    mark = last_audit_id(db)
    changed = practice.save_settings(
        db, staff.admin,
        {"practice_name": "Hillside Clinic", "idle_lock_minutes": "5",
         "backup_folder": "/media/usb/backups", "backup_time": "21:30",
         "reports_folder": "", "calendar": {**shown.calendar, "state": "NY"}},
        {new_desk: (2.0, 6.0)},
    )  # fmt: skip
    assert set(changed) == {"practice_name", "idle_lock_minutes", "backup_folder",
                            "backup_time", "calendar", f"status:{new_desk}"}  # fmt: skip
    rows = audit_rows(db, after=mark)
    assert len(rows) == 6 and all(r.user_id == staff.admin.user_id for r in rows)
    name_row = next(r for r in rows if r.entity_id == "practice_name")
    assert json.loads(name_row.old_values) == {"practice_name": "Your practice"}
    assert json.loads(name_row.new_values) == {"practice_name": "Hillside Clinic"}
    again = practice_settings(db, staff.admin)
    assert again.idle_lock_minutes == 5 and again.calendar["state"] == "NY"
    row = next(t for t in again.thresholds if t.status_id == new_desk)
    assert (row.warn_hours, row.breach_hours) == (2.0, 6.0)
    # Saving the same values again writes nothing.
    mark = last_audit_id(db)
    assert practice.save_settings(db, staff.admin, {"practice_name": "Hillside Clinic"},
                                  {new_desk: (2.0, 6.0)}) == []  # fmt: skip
    assert audit_rows(db, after=mark) == []


@pytest.mark.parametrize(
    ("values", "limits", "field"),
    [
        ({"idle_lock_minutes": 999}, {}, "idle_lock_minutes"),
        ({"backup_folder": "backups"}, {}, "backup_folder"),
        ({"backup_time": "25:00"}, {}, "backup_time"),
        ({"lockout_minutes": 1}, {}, "lockout_minutes"),
        ({}, "warn after breach", "warn_hours"),
    ],
)
def test_bad_settings_change_nothing(db, staff, values, limits, field):
    if limits == "warn after breach":
        limits = {status_id(db, "referral", "new"): (8.0, 4.0)}
    mark = last_audit_id(db)
    with pytest.raises(ValidationError) as caught:
        practice.save_settings(db, staff.admin, values, limits)
    assert caught.value.field == field
    assert audit_rows(db, after=mark) == []


def test_only_an_admin_reads_or_saves_the_settings(db, staff):
    with pytest.raises(PermissionDenied):
        practice_settings(db, staff.front_desk)
    with pytest.raises(PermissionDenied):
        practice.save_settings(db, staff.front_desk, {"practice_name": "Mine"})
    denied = audit_rows(db, "setting.update")
    assert denied[-1].outcome == "denied"
    with db.read() as s:
        assert definitions.setting(s, "practice_name") == "Your practice"


def test_passwords_of_the_policy_hold_for_the_first_admin(db):
    with pytest.raises(ValidationError, match="at least"):
        practice.create_practice(db, "V", CALENDAR, "boss", "Pat", PASSWORD[:5])
