"""The desktop side of alerts, offscreen: the bridge hands deliveries to the GUI thread,
toasts stand in for the system tray, the bell counts, the panel opens tasks, marks read
and snoozes, and the settings dialog keeps a person's choices."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from practiceboard.domain.alerts import Delivery
from practiceboard.gui.dialogs.alert_settings import AlertSettingsDialog
from practiceboard.gui.shell.alerts.bridge import AlertBridge
from practiceboard.gui.shell.alerts.center import AlertCenterButton, BellButton, NotificationCenter
from practiceboard.gui.shell.alerts.notifier import Notifier
from practiceboard.gui.shell.alerts.tray import tray_available
from practiceboard.queries import notifications as inbox
from practiceboard.services import notifications
from support import START, audit_rows, new_task


@pytest.fixture
def window(qtbot) -> QWidget:
    w = QWidget()
    w.resize(900, 600)
    qtbot.addWidget(w)
    w.show()
    return w


def test_the_bridge_hands_this_persons_alerts_to_the_gui(qtbot, sqlite_db, gui_staff, clock):
    t = new_task(sqlite_db, gui_staff.manager, owner_id=gui_staff.front_desk.user_id)
    bridge = AlertBridge(sqlite_db, gui_staff.front_desk)
    got = []
    bridge.delivered.connect(got.append)
    bridge.check_now()
    assert [[(d.title, d.task_id) for d in batch] for batch in got] == [
        [(f"{t.ref} · Referral intake — handed to you", t.id)]
    ]
    bridge.check_now()  # shown once: nothing the second time
    assert len(got) == 1
    bridge.stop()


def test_the_bridge_runs_in_the_schedulers_pool(qtbot, sqlite_db, gui_staff, clock):
    new_task(sqlite_db, gui_staff.manager, owner_id=gui_staff.front_desk.user_id)
    bridge = AlertBridge(sqlite_db, gui_staff.front_desk, first_in=0)
    try:
        with qtbot.waitSignal(bridge.delivered, timeout=15_000) as blocker:
            bridge.start()
        assert len(blocker.args[0]) == 1
    finally:
        bridge.stop()


def test_without_a_tray_alerts_appear_as_clickable_toasts(qtbot, window):
    assert not tray_available()  # offscreen has no system tray: the fallback is what we test
    notifier = Notifier(window, tray=None)
    notifier.sound = False
    notifier.show([Delivery("REF-000042 · Referral intake — past time limit", "", 42, (1,))])
    [toast] = notifier.toasts.toasts
    assert toast.isVisible() and toast.title_label.text().startswith("REF-000042")
    assert toast.title_label.textFormat() == Qt.TextFormat.PlainText
    # In the window's bottom-right corner.
    assert toast.geometry().right() > window.width() - 40
    with qtbot.waitSignal(notifier.clicked) as clicked:
        qtbot.mouseClick(toast, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert clicked.args == [42]


def test_toasts_stack_and_never_pile_up(qtbot, window):
    notifier = Notifier(window, tray=None)
    notifier.sound = False
    notifier.show([Delivery(f"Alert {i}", "", i, (i,)) for i in range(5)])
    shown = notifier.toasts.toasts
    assert [t.delivery.task_id for t in shown] == [2, 3, 4]
    tops = [t.geometry().top() for t in shown]
    assert tops == sorted(tops) and len(set(tops)) == 3


def test_the_bell_counts_and_the_panel_opens_marks_and_snoozes(
    qtbot, ctx_for, gui_staff, sqlite_db, clock, wait_idle, window
):
    fd = gui_staff.front_desk
    tasks = [new_task(sqlite_db, gui_staff.manager, "referral", f"Referral {n}",
                      owner_id=fd.user_id) for n in range(2)]  # fmt: skip
    from practiceboard.jobs import alerts

    alerts.scan(sqlite_db, START)
    ctx = ctx_for(fd)
    bell = BellButton(window)
    center = NotificationCenter(ctx, window)
    wiring = AlertCenterButton(ctx, bell, center)
    wiring.recount()
    wait_idle()
    assert bell.text() == "2" and "2 unread" in bell.toolTip()

    opened = []
    center.open_task.connect(opened.append)
    wiring.open_panel()
    wait_idle()
    assert center.list.count() == 2 and center.isVisible()
    center.list.setCurrentRow(0)
    newest = center.current_row()
    assert newest.task_id == tasks[1].id and not center.snooze_button.isEnabled()
    center.reason_edit.setText("Clinic calls back Friday")
    center.snooze_button.click()
    wait_idle()
    assert center.message.text().startswith("Snoozed for a day")
    [row] = audit_rows(sqlite_db, "alert.snooze")
    assert row.entity_id == str(tasks[1].id) and row.user_id == fd.user_id

    center.list.setCurrentRow(1)
    center.open_button.click()
    wait_idle()
    assert opened == [tasks[0].id]
    assert inbox.unread_count(sqlite_db, fd) == 1
    assert bell.text() == "1"
    wiring.open_panel()
    wait_idle()
    center.read_all_button.click()
    wait_idle()
    assert bell.text() == "" and "nothing unread" in bell.toolTip()


def test_a_snooze_refused_keeps_the_reason_typed(qtbot, ctx_for, gui_staff, sqlite_db, clock,
                                                 wait_idle, window):  # fmt: skip
    fd = gui_staff.front_desk
    t = new_task(sqlite_db, gui_staff.manager, owner_id=fd.user_id)
    from practiceboard.jobs import alerts

    alerts.scan(sqlite_db, START)
    # The task moves to a workflow front desk cannot see meanwhile: the snooze is refused.
    from practiceboard.db.models import RoleWorkflow

    with sqlite_db.write() as s:
        s.query(RoleWorkflow).delete()
    center = NotificationCenter(ctx_for(fd), window)
    center.refresh()
    wait_idle()
    center.list.setCurrentRow(0)
    center.reason_edit.setText("Waiting on the clinic")
    center.snooze_button.click()
    wait_idle()
    assert "does not work on this kind of task" in center.message.text()
    assert center.reason_edit.text() == "Waiting on the clinic"
    assert t.id


def test_alert_settings_load_and_save_the_persons_choices(
    qtbot, ctx_for, gui_staff, sqlite_db, wait_idle, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    billing = gui_staff.billing
    notifications.set_preferences(sqlite_db, billing, muted_kinds=["warn"], digest_time="07:15")
    dialog = AlertSettingsDialog(ctx_for(billing), platform="linux")
    qtbot.addWidget(dialog)
    wait_idle()
    assert not dialog.kinds["warn"].isChecked() and dialog.kinds["breach"].isChecked()
    assert dialog.digest.time().toString("HH:mm") == "07:15"
    assert dialog.autostart.isVisibleTo(dialog) and not dialog.autostart.isChecked()
    dialog.kinds["breach"].setChecked(False)
    dialog.sound.setChecked(False)
    dialog.autostart.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    choices = inbox.alert_choices(sqlite_db, billing)
    assert choices.muted_kinds == {"warn", "breach"} and not choices.sound
    assert (tmp_path / "xdg" / "autostart" / "practiceboard.desktop").exists()


def test_starting_at_sign_in_is_not_offered_where_we_cannot(qtbot, ctx_for, gui_staff, wait_idle):
    dialog = AlertSettingsDialog(ctx_for(gui_staff.billing), platform="darwin")
    qtbot.addWidget(dialog)
    wait_idle()
    assert not dialog.autostart.isVisibleTo(dialog)


@pytest.fixture
def main_window(qtbot, ctx_for, signed_in, gui_staff, qt_settings, wait_idle):
    from practiceboard.gui.shell.main_window import MainWindow

    actor = gui_staff.front_desk
    win = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings, live_updates=False)
    qtbot.addWidget(win)
    win.show()
    wait_idle()
    return win


def test_the_main_window_has_the_bell_the_panel_and_alert_settings(
    qtbot, main_window, sqlite_db, gui_staff, clock, wait_idle
):
    from practiceboard.jobs import alerts

    t = new_task(sqlite_db, gui_staff.manager, owner_id=gui_staff.front_desk.user_id)
    alerts.scan(sqlite_db, START)
    main_window.alerts.button.recount()
    wait_idle()
    assert main_window.alerts.bell.text() == "1"
    assert main_window.alerts.bell.parent() is main_window.tool_bar
    main_window.alerts.bell.click()
    wait_idle()
    assert main_window.alerts.center.isVisible() and main_window.alerts.center.list.count() == 1
    assert main_window.alerts.settings_action in main_window.menus[0].actions()
    # Without a system tray, closing the window ends the session as before.
    assert not main_window.alerts.keeps_running_in_tray
    assert main_window.alerts.center.rows[0].task_id == t.id


def test_behind_the_lock_screen_an_alert_says_only_what_happened(qtbot, main_window, monkeypatch):
    main_window.alerts.notifier.sound = False
    main_window.lock()
    assert main_window.locked
    main_window.alerts.show([Delivery("REF-000007 · Referral intake — handed to you",
                                      "Cardiology for Zelda Quill", 7, (1,))])  # fmt: skip
    [toast] = main_window.alerts.notifier.toasts.toasts
    assert toast.title_label.text().startswith("REF-000007")
    assert not toast.body_label.text() and "Zelda" not in toast.body_label.text()


def test_clicking_a_toast_opens_its_task(qtbot, main_window, monkeypatch):
    opened = []
    monkeypatch.setattr(main_window, "open_task", opened.append)
    main_window.alerts.notifier.sound = False
    main_window.alerts.show([Delivery("REF-000009 · Referral intake — past time limit", "", 9,
                                      (1,))])  # fmt: skip
    [toast] = main_window.alerts.notifier.toasts.toasts
    qtbot.mouseClick(toast, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert opened == [9]


def test_the_scheduler_starts_after_the_window_shows_and_stops_with_it(
    qtbot, ctx_for, signed_in, gui_staff, qt_settings
):
    from practiceboard.gui.shell.main_window import MainWindow

    actor = gui_staff.front_desk
    win = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings,
                     live_updates=False, alerts=True)  # fmt: skip
    qtbot.addWidget(win)
    assert win.alerts.bridge is None  # not before the first turn of the event loop
    win.show()
    qtbot.waitUntil(lambda: win.alerts.bridge is not None, timeout=5000)
    assert win.alerts.bridge.scheduler.running
    scheduler = win.alerts.bridge.scheduler
    win.quit()
    assert not scheduler.running and win.alerts.bridge is None
