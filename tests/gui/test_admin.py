"""The Admin area with pytest-qt: only admins see it; users (add with a one-time
password, bad input kept, reset, unlock, disable, emergency access), workflows (rename
and retire a status), reason codes, Back up now and the restore dialog (what a backup
holds, confirm, replace); and the sign-in that makes a one-time password be replaced."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from practiceboard.db.engine import Database
from practiceboard.db.models import Task
from practiceboard.gui.shell.app import restore_notice
from practiceboard.gui.shell.sign_in import SignInDialog
from practiceboard.gui.views import registry
from practiceboard.gui.views.admin import AdminView
from practiceboard.gui.views.admin.common import select_id
from practiceboard.services import users
from support import PASSWORD, make_task, status_id


@pytest.fixture
def admin_view(qtbot, ctx_for, gui_staff, wait_idle) -> AdminView:
    view = AdminView(ctx_for(gui_staff.admin))
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.show()
    wait_idle()
    return view


def row_of(panel, username: str):
    return next(r for r in panel.rows if r.username == username)


def test_only_admins_get_the_admin_area(gui_staff, ctx_for):
    spec = registry.get("admin")
    assert ctx_for(gui_staff.admin).can(spec.capability)
    assert not ctx_for(gui_staff.manager).can(spec.capability)


def test_add_a_person_keeps_bad_input_and_shows_the_one_time_password_once(
    qtbot, admin_view, wait_idle, sqlite_db
):
    panel = admin_view.users
    panel.add()
    dialog = panel.dialog
    dialog.name.setText("Jo Doe")
    dialog.username.setText("frontdesk")  # taken
    dialog.submit()
    assert dialog.error.text() == "Give the account at least one role."
    dialog.role_boxes["billing"].setChecked(True)
    dialog.submit()
    wait_idle()
    assert dialog.isVisible() and "already taken" in dialog.error.text()
    assert dialog.name.text() == "Jo Doe"  # nothing typed is lost
    dialog.username.setText("jdoe")
    dialog.submit()
    wait_idle()
    assert dialog.result() == QDialog.DialogCode.Accepted
    shown = panel.dialog
    otp = shown.password.text()
    assert shown.objectName() == "OneTimePasswordDialog" and len(otp) >= 12
    assert users.sign_in(sqlite_db, "jdoe", otp).display_name == "Jo Doe"
    shown.reject()
    assert shown.password.text() == ""
    wait_idle()
    assert row_of(panel, "jdoe").must_change
    assert (
        "New password due"
        in panel.table.item([r.username for r in panel.rows].index("jdoe"), 3).text()
    )


def test_reset_unlock_and_disable(qtbot, admin_view, wait_idle, sqlite_db, gui_staff, messages):
    panel = admin_view.users
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017 - the lockout's AuthenticationError
            users.sign_in(sqlite_db, "billing", "wrong guess")
    panel.refresh()
    wait_idle()
    select_id(panel.table, gui_staff.billing.user_id)
    assert panel.unlock_button.isEnabled()
    panel.unlock()
    wait_idle()
    assert panel.notice.text() == "Bill Billing may sign in again."
    assert users.sign_in(sqlite_db, "billing", PASSWORD)

    select_id(panel.table, gui_staff.billing.user_id)
    panel.reset_password()
    wait_idle()
    otp = panel.dialog.password.text()
    assert users.sign_in(sqlite_db, "billing", otp)
    panel.dialog.reject()

    select_id(panel.table, gui_staff.admin.user_id)
    panel.toggle_active()  # yourself: refused with the service's sentence
    wait_idle()
    assert panel.notice.text() == "You cannot disable your own account."
    select_id(panel.table, gui_staff.billing.user_id)
    panel.toggle_active()
    wait_idle()
    assert not row_of(panel, "billing").active
    assert panel.active_button.text() == "&Enable"


def test_emergency_access_is_granted_with_a_reason_and_ended(
    qtbot, admin_view, wait_idle, sqlite_db, gui_staff, messages
):
    from practiceboard.core.actor import actor_policy
    from practiceboard.domain.policy import Cap

    def sees_patients() -> bool:
        with sqlite_db.read() as s:
            return actor_policy(s, gui_staff.admin).can(Cap.PATIENT_VIEW)

    panel = admin_view.users
    assert not sees_patients()  # the admin role sees no patient data: only by a grant
    select_id(panel.table, gui_staff.admin.user_id)
    assert panel.emergency_button.text() == "E&mergency access…"
    panel.emergency()
    dialog = panel.dialog
    assert dialog.objectName() == "EmergencyAccessDialog"
    dialog.minutes.setValue(30)
    dialog.reason.setPlainText("flu")
    dialog.submit()
    wait_idle()
    assert dialog.isVisible() and dialog.error.text().startswith("Say why")
    assert (dialog.minutes.value(), dialog.reason.toPlainText()) == (30, "flu")  # kept
    dialog.reason.setPlainText("Covering the front desk during the flu clinic")
    dialog.submit()
    wait_idle()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "Ada Admin may see patient data until" in panel.notice.text()
    assert row_of(panel, "admin").emergency_until is not None
    row = [r.username for r in panel.rows].index("admin")
    assert panel.table.item(row, 3).text().startswith("Emergency access until")
    assert sees_patients()

    select_id(panel.table, gui_staff.admin.user_id)
    assert panel.emergency_button.text() == "End e&mergency access"
    panel.emergency()
    wait_idle()
    assert panel.notice.text() == "Ada Admin's emergency access has ended."
    assert row_of(panel, "admin").emergency_until is None
    assert not sees_patients()


def test_rename_and_retire_a_status_from_the_workflows_tab(qtbot, admin_view, wait_idle,
                                                          sqlite_db, gui_staff):  # fmt: skip
    make_task(sqlite_db, gui_staff.front_desk, "referral", "Cardiology referral")
    panel = admin_view.workflows
    panel.refresh()
    wait_idle()
    panel.select_workflow("referral")
    new = status_id(sqlite_db, "referral", "new")
    select_id(panel.statuses, new)
    assert not panel.delete_button.isEnabled()  # a task is in it
    panel.status_name.setText("Just in")
    panel.rename_status()
    wait_idle()
    assert panel.notice.text() == "“New” is now “Just in”."
    ready = status_id(sqlite_db, "referral", "ready")
    select_id(panel.statuses, ready)
    panel.retire()
    wait_idle()
    st = next(s for s in panel.current().statuses if s.id == ready)
    assert st.retired and st.name == "Ready to schedule"
    assert [s.name for s in panel.current().statuses][0] == "Just in"


def test_a_reason_is_added_and_switched_off(qtbot, admin_view, wait_idle):
    panel = admin_view.reasons
    panel.kind.setCurrentIndex(panel.kind.findData("waiting"))
    panel.label.setText("Waiting on fax")
    panel.add()
    wait_idle()
    assert panel.current().label == "Waiting on fax"
    panel.offered.setChecked(False)
    panel.save()
    wait_idle()
    assert next(r for r in panel.rows if r.label == "Waiting on fax").active is False


def test_backup_now_then_restore_shows_what_it_holds_and_replaces(
    qtbot, admin_view, wait_idle, sqlite_db, gui_staff
):
    panel = admin_view.backups
    make_task(sqlite_db, gui_staff.front_desk, "referral", "Cardiology referral")
    panel.backup_now()
    wait_idle()
    assert panel.notice.text().startswith("Backed up and checked: ")
    path = panel.notice.text().split(": ", 1)[1]
    assert panel.last.text().startswith(panel.state.last_at.astimezone().strftime("%Y-%m-%d"))
    make_task(sqlite_db, gui_staff.front_desk, "referral", "Dermatology referral")

    panel.open_restore()
    dialog = panel.dialog
    from pathlib import Path

    dialog.choose(Path(path))
    wait_idle()
    assert "Tasks: 1" in dialog.summary.text() and "Patients: 0" in dialog.summary.text()
    assert not dialog.restore_button.isEnabled()  # not before the confirmation
    dialog.confirm.setChecked(True)
    with qtbot.waitSignal(panel.restored, timeout=20_000) as got:
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    restored = got.args[0]
    assert restored.audit_ok
    again = Database(sqlite_db.url)
    try:
        with again.read() as s:
            assert s.scalar(select(func.count(Task.id))) == 1
    finally:
        again.dispose()
    said = restore_notice(restored)
    assert said.startswith(f"The database was restored from {Path(path).name}")
    assert "Audit log intact" in said and str(restored.safety_backup) in said


def test_a_bad_file_is_refused_in_the_restore_dialog(qtbot, admin_view, wait_idle, tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("not a database")
    admin_view.backups.open_restore()
    dialog = admin_view.backups.dialog
    dialog.choose(junk)
    wait_idle()
    assert "not a PracticeBoard backup" in dialog.error.text()
    dialog.confirm.setChecked(True)
    assert not dialog.restore_button.isEnabled()


def test_a_one_time_password_is_replaced_before_the_board_opens(
    qtbot, sqlite_db, gui_staff, runner, wait_idle
):
    otp = users.reset_password(sqlite_db, gui_staff.admin, gui_staff.clinical.user_id)
    dialog = SignInDialog(sqlite_db, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.user_name.setText("clinical")
    dialog.password.setText(otp)
    dialog.submit()
    wait_idle()
    change = dialog.change_dialog
    assert change is not None and change.isVisible()
    change.new.setText("my own long passphrase")
    change.again.setText("my own long passphrase!")
    change.submit()
    assert change.error.text() == "The two new passwords do not match."
    change.again.setText("my own long passphrase")
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as got:
        change.submit()
    assert got.args[0].actor.username == "clinical"
    assert not users.must_change_password(sqlite_db, gui_staff.clinical.user_id)
    assert users.sign_in(sqlite_db, "clinical", "my own long passphrase")


def test_the_app_reopens_on_the_restored_data(qtbot, sqlite_db, gui_staff, qt_settings):
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from practiceboard.gui.shell.app import Shell

    codes: list[int] = []
    shell = Shell(QApplication.instance(), sqlite_db.url,
                  settings_factory=lambda: qt_settings, on_exit=codes.append)  # fmt: skip
    shell.start()
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.user_name.setText("admin")
    shell.dialog.password.setText(PASSWORD)
    shell.dialog.submit()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    panel = shell.window.show_view("admin").backups
    idle = lambda: qtbot.waitUntil(lambda: not shell.runner.busy, timeout=20_000)  # noqa: E731
    idle()
    panel.backup_now()
    idle()
    path = Path(panel.notice.text().split(": ", 1)[1])
    make_task(sqlite_db, gui_staff.front_desk, "referral", "After the backup")

    panel.open_restore()
    panel.dialog.choose(path)
    idle()
    panel.dialog.confirm.setChecked(True)
    panel.dialog.restore()
    qtbot.waitUntil(lambda: shell.window is None and shell.dialog is not None, timeout=20_000)
    notice = shell.dialog.error_label.text()
    assert notice.startswith(f"The database was restored from {path.name}")
    assert "Audit log intact" in notice
    with shell.db.read() as s:
        assert s.scalar(select(func.count(Task.id))) == 0
    shell.dialog.reject()
    assert codes == [0]
