"""The sign-in dialog: success, a wrong password, the lockout, Enter and Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from practiceboard.gui.shell.sign_in import SignedIn, SignInDialog
from support import PASSWORD, wf_id


@pytest.fixture
def dialog(qtbot, sqlite_db, gui_staff, runner) -> SignInDialog:
    dlg = SignInDialog(sqlite_db, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def type_in(dialog: SignInDialog, username: str, password: str) -> None:
    dialog.user_name.setText(username)
    dialog.password.setText(password)


def test_right_password_signs_in_and_loads_the_session(qtbot, dialog):
    type_in(dialog, "frontdesk", PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as got:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    session: SignedIn = got.args[0]
    assert session.actor.username == "frontdesk"
    assert session.role_names == ("Front desk",)
    assert session.start_view == "queue"
    assert session.idle_minutes == 10
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.password.text() == ""  # the password does not outlive the check


def test_wrong_password_says_so_inline_and_keeps_the_user_name(qtbot, dialog, wait_idle):
    type_in(dialog, "frontdesk", "not the password")
    dialog.submit()
    wait_idle()
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "That user name and password do not match."
    assert dialog.error_label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.user_name.text() == "frontdesk"
    assert dialog.password.text() == ""
    assert dialog.password.property("invalid") is True
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted


def test_five_wrong_passwords_lock_the_account(qtbot, dialog, wait_idle, clock):
    for _ in range(5):
        type_in(dialog, "frontdesk", "wrong guess")
        dialog.submit()
        wait_idle()
    assert dialog.error_label.text() == (
        "Too many wrong passwords: this account is locked for 15 more minutes. "
        "Ask your practice manager if you need in sooner."
    )

    # WHEN the right password comes too late THEN the lockout still holds
    clock.advance(minutes=14)
    type_in(dialog, "frontdesk", PASSWORD)
    dialog.submit()
    wait_idle()
    assert "locked for 1 more minute. " in dialog.error_label.text()
    assert dialog.result() != QDialog.DialogCode.Accepted

    # AND once the clock has passed the lockout, the same password signs in
    clock.advance(minutes=1, seconds=1)
    type_in(dialog, "frontdesk", PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000):
        dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_sign_in_the_last_tries_say_no_more_than_an_unknown_name_gets(qtbot, dialog, wait_idle):
    said = []
    for name in ("frontdesk", "frontdesk", "frontdesk", "nobody-here"):
        type_in(dialog, name, "wrong guess")
        dialog.submit()
        wait_idle()
        said.append(dialog.error_label.text())
    assert said == ["That user name and password do not match."] * 4


def test_missing_fields_are_named_without_asking_the_database(qtbot, dialog, runner):
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # focus is only real in the active window
    dialog.submit()
    assert dialog.error_label.text() == "Enter your user name."
    assert dialog.user_name.hasFocus()
    assert not runner.busy
    dialog.user_name.setText("frontdesk")
    dialog.submit()
    assert dialog.error_label.text() == "Enter your password."
    assert dialog.password.hasFocus()


def test_typing_clears_the_red_outline(qtbot, dialog):
    dialog.submit()
    assert dialog.user_name.property("invalid") is True
    qtbot.keyClicks(dialog.user_name, "f")
    assert dialog.user_name.property("invalid") is False


def test_enter_submits(qtbot, dialog):
    type_in(dialog, "manager", PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as got:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert got.args[0].start_view == "attention"


def test_escape_cancels(qtbot, dialog):
    with qtbot.waitSignal(dialog.rejected, timeout=2_000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_a_notice_and_the_database_are_shown_as_plain_text(qtbot, sqlite_db, runner):
    dlg = SignInDialog(sqlite_db, runner, username="frontdesk", notice="<b>Signed out</b>")
    qtbot.addWidget(dlg)
    assert dlg.error_label.text() == "<b>Signed out</b>"
    assert dlg.database_label.text() == sqlite_db.describe()
    for label in dlg.findChildren(QLabel):
        if label.objectName() in ("errorLabel", "databaseLabel"):
            assert label.textFormat() == Qt.TextFormat.PlainText
    assert dlg.user_name.text() == "frontdesk"


def test_tab_runs_name_password_sign_in(qtbot, dialog):
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.user_name.setFocus()
    seen = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [dialog.password, dialog.sign_in_button, dialog.cancel_button]


def test_several_roles_land_on_the_widest_start_view(gui_staff, signed_in):
    billing = wf_id(gui_staff.db, "billing")
    both = signed_in(gui_staff.add("twohats", ["front_desk", "billing"]))
    assert both.start_view == "board"  # billing's board is wider than the front desk's queue
    assert both.role_names == ("Front desk", "Billing")
    assert both.role_workflow_id == billing  # Billing follow-up, named after the billing role
    boss = signed_in(gui_staff.add("deputy", ["front_desk", "manager"]))
    assert boss.start_view == "attention"
    assert signed_in(gui_staff.front_desk).role_workflow_id is None


def test_the_dialog_grows_to_fit_a_long_message(qtbot, dialog):
    before = dialog.height()
    field = dialog.password.height()
    dialog.show_error(
        "That user name and password do not match. 1 more try before the account locks "
        "for 15 minutes; after that, ask your practice manager to unlock it sooner."
    )
    qtbot.wait(10)
    label = dialog.error_label
    assert dialog.height() > before
    assert label.height() >= label.heightForWidth(label.width())  # nothing clipped
    assert dialog.password.height() == field  # and the password box is not squashed
