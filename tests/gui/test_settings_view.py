"""Practice settings: admins reach it from the navigation, it shows the practice's time
zone and settings, saves only what changed (audited), keeps a refused edit as typed,
and a refresh never throws away unsaved edits."""

from __future__ import annotations

import pytest

from practiceboard.core import definitions
from practiceboard.gui.views import registry
from practiceboard.gui.views.settings import PracticeSettingsView
from support import audit_rows, last_audit_id, status_id


@pytest.fixture
def admin_ctx(ctx_for, gui_staff):
    return ctx_for(gui_staff.admin)


@pytest.fixture
def view(qtbot, admin_ctx, wait_idle) -> PracticeSettingsView:
    v = PracticeSettingsView(admin_ctx)
    qtbot.addWidget(v)
    v.resize(1000, 900)
    v.show()
    wait_idle()
    return v


def row_of(view: PracticeSettingsView, status: str) -> int:
    return next(r for r in range(view.thresholds.rowCount())
                if view.thresholds.item(r, 0).text() == "Referral intake"
                and view.thresholds.item(r, 1).text() == status)  # fmt: skip


def test_only_admins_reach_the_settings_screen(admin_ctx, ctx):
    assert "settings" in [s.key for s in registry.views_for(admin_ctx.can)]
    assert "settings" not in [s.key for s in registry.views_for(ctx.can)]


def test_it_shows_the_practices_time_zone_and_settings(view, sqlite_db):
    with sqlite_db.read() as s:
        zone = definitions.practice_calendar(s).timezone
    assert view.calendar.zone.currentText() == zone
    assert view.name.text() == "Your practice"
    assert view.idle.value() == 10
    assert view.nightly.isChecked() and view.backup_time.time().toString("HH:mm") == "22:00"
    r = row_of(view, "New")
    assert (view.thresholds.item(r, 2).text(), view.thresholds.item(r, 3).text()) == ("8", "16")
    assert not view.save_button.isEnabled()  # nothing to save yet


def test_an_admin_saves_what_changed_audited(view, wait_idle, sqlite_db, gui_staff):
    mark = last_audit_id(sqlite_db)
    view.name.setText("Valley Family Care")
    view.calendar.zone.setCurrentText("America/Denver")
    view.calendar.state.setCurrentIndex(view.calendar.state.findData("CO"))
    view.idle.setValue(5)
    view.backups.setText("/media/usb/practice-backups")
    view.thresholds.item(row_of(view, "New"), 2).setText("4")
    assert view.save_button.isEnabled()
    view.save_button.click()
    wait_idle()
    assert view.saved_label.text() == "Saved." and view.error.text() == ""
    with sqlite_db.read() as s:
        assert definitions.setting(s, "practice_name") == "Valley Family Care"
        cal = definitions.practice_calendar(s)
        assert (cal.timezone, cal.state) == ("America/Denver", "CO")
        assert definitions.setting(s, "idle_lock_minutes") == 5
        assert definitions.setting(s, "backup_folder") == "/media/usb/practice-backups"
    rows = audit_rows(sqlite_db, after=mark)
    assert {r.entity_id for r in rows} == {"practice_name", "calendar", "idle_lock_minutes",
                                          "backup_folder", str(status_id(sqlite_db, "referral",
                                                                         "new"))}  # fmt: skip
    assert all(r.user_id == gui_staff.admin.user_id for r in rows)


def test_a_refused_save_keeps_what_was_typed(view, wait_idle, sqlite_db):
    mark = last_audit_id(sqlite_db)
    view.name.setText("Hillside")
    view.reports.setText("reports-here")  # not a whole path
    view.save_button.click()
    wait_idle()
    assert "whole folder path" in view.error.text()
    assert view.reports.text() == "reports-here" and view.name.text() == "Hillside"
    assert view.save_button.isEnabled()
    view.thresholds.item(row_of(view, "New"), 2).setText("soon")
    view.reports.setText("")
    view.save_button.click()
    assert "“soon” for New is not a number" in view.error.text()
    view.thresholds.item(row_of(view, "New"), 2).setText("20")  # after the breach (16)
    view.save_button.click()
    wait_idle()
    assert "warning must come before the breach" in view.error.text()
    assert audit_rows(sqlite_db, after=mark) == []


def test_refresh_keeps_unsaved_edits_and_undo_puts_back(view, wait_idle):
    view.name.setText("Typed, not saved")
    view.refresh()
    wait_idle()
    assert view.name.text() == "Typed, not saved"
    view.revert_button.click()
    assert view.name.text() == "Your practice" and not view.save_button.isEnabled()


def test_a_non_admin_gets_a_sentence_not_the_settings(qtbot, ctx, wait_idle):
    v = PracticeSettingsView(ctx)
    qtbot.addWidget(v)
    wait_idle()
    assert v.loaded is None and v.error.text() != ""
