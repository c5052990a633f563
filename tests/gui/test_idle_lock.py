"""The idle lock (security.md item 5), with an injected clock: patient data leaves
the screen, the same user's password resumes, someone else signing in ends the session."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QWidget

from practiceboard.gui.shell.idle_lock import LOCKED_TEXT, UNLOCK_TRIES, IdleLock
from practiceboard.gui.shell.main_window import MainWindow
from practiceboard.gui.shell.sign_in import SignedIn
from support import PASSWORD

from .helpers import new_records_task


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot, ctx_for, signed_in, gui_staff, qt_settings, clock, wait_idle) -> MainWindow:
    # GIVEN the front desk at work, with a patient's task on screen
    actor = gui_staff.front_desk
    new_records_task(gui_staff.db, actor, "Chart for MRN-4242")
    win = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings,
                     live_updates=False, idle_clock=clock)  # fmt: skip
    qtbot.addWidget(win)
    win.show()
    wait_idle()
    assert win.views["queue"].owned.cards().rowCount() == 1
    return win


def idle_for(clock: Clock, window: MainWindow, minutes: float) -> bool:
    clock.now += minutes * 60
    return window.idle.check()


def visible_texts(root: QWidget) -> list[str]:
    texts = [w.text() for w in root.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in root.findChildren(QLineEdit) if w.isVisible()]
    return texts


# ---------------------------------------------------------------- the timer


def test_locks_after_the_idle_minutes_and_not_before(qtbot, clock):
    lock = IdleLock(10, clock=clock)
    clock.now += 9 * 60 + 59
    assert not lock.check()
    with qtbot.waitSignal(lock.locked, timeout=1_000):
        clock.now += 1
        assert lock.check()
    lock.stop()


def test_input_anywhere_restarts_the_count(qtbot, clock):
    lock = IdleLock(10, clock=clock)
    box = QLineEdit()
    qtbot.addWidget(box)
    clock.now += 9 * 60
    qtbot.keyClick(box, Qt.Key.Key_A)
    clock.now += 9 * 60
    assert not lock.check()
    clock.now += 60
    assert lock.check()
    lock.stop()


def test_zero_minutes_never_locks(clock):
    lock = IdleLock(0, clock=clock)
    clock.now += 10 * 24 * 3600
    assert not lock.check()
    lock.stop()


def test_a_pc_woken_from_sleep_comes_back_locked(qtbot):
    """The monotonic clock stops while a laptop sleeps (Linux, macOS); the wall clock
    does not: three hours of sleep locks even though the monotonic count barely moved."""
    mono, wall = Clock(), Clock()
    lock = IdleLock(10, clock=mono, wall=wall)
    mono.now += 30  # awake for half a minute
    wall.now += 30 + 3 * 3600  # ... and asleep for three hours
    with qtbot.waitSignal(lock.locked, timeout=1000):
        assert lock.check()
    lock.stop()


def test_setting_the_wall_clock_back_does_not_postpone_the_lock(qtbot):
    mono, wall = Clock(), Clock()
    lock = IdleLock(10, clock=mono, wall=wall)
    mono.now += 10 * 60
    wall.now -= 3600  # someone set the PC's clock back an hour
    assert lock.check()
    lock.stop()


def test_input_restarts_both_counts(qtbot):
    mono, wall = Clock(), Clock()
    lock = IdleLock(10, clock=mono, wall=wall)
    box = QLineEdit()
    qtbot.addWidget(box)
    mono.now += 9 * 60
    wall.now += 9 * 60
    qtbot.keyClick(box, Qt.Key.Key_A)
    mono.now += 9 * 60
    wall.now += 9 * 60
    assert not lock.check()
    wall.now += 60
    assert lock.check()
    lock.stop()


# ---------------------------------------------------------------- the window


def test_an_idle_window_hides_patient_data(qtbot, window, clock):
    queue = window.views["queue"]
    assert queue.isVisible() and queue.owned.cards().rows[0].title == "Chart for MRN-4242"
    assert idle_for(clock, window, 10)
    assert not queue.isVisible()
    assert window.locked
    assert not window.work_area.isVisible()
    assert not window.tool_bar.isVisible()
    assert window.lock_screen.isVisible()
    assert window.lock_screen.headline.text() == LOCKED_TEXT
    assert not any("4242" in t for t in visible_texts(window))
    assert not window.new_task_action.isEnabled() and not window.refresh_action.isEnabled()


def test_the_same_user_resumes_with_their_password(qtbot, window, clock, wait_idle):
    idle_for(clock, window, 10)
    window.lock_screen.password.setText("not it")
    window.lock_screen.submit()
    wait_idle()
    assert window.locked
    assert window.lock_screen.error_label.text() == "That password is not right."

    window.lock_screen.password.setText(PASSWORD)
    window.lock_screen.submit()
    wait_idle()
    assert not window.locked
    assert window.work_area.isVisible() and window.tool_bar.isVisible()
    assert window.new_task_action.isEnabled()
    assert not idle_for(clock, window, 9)  # the count starts again


def test_enter_on_the_lock_screen_submits(qtbot, window, clock, wait_idle):
    idle_for(clock, window, 10)
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    wait_idle()
    assert not window.locked


def test_open_task_windows_hide_with_the_lock_and_come_back(qtbot, window, clock, wait_idle):
    editor = QDialog(window)
    editor.setWindowTitle("Task REC-000001")
    note = QLineEdit("typed but not saved", editor)
    editor.show()
    idle_for(clock, window, 10)
    assert not editor.isVisible()
    window.lock_screen.password.setText(PASSWORD)
    window.lock_screen.submit()
    wait_idle()
    assert editor.isVisible()
    assert note.text() == "typed but not saved"
    editor.close()


def test_someone_else_signing_in_ends_the_first_session(qtbot, window, clock, gui_staff):
    idle_for(clock, window, 10)
    window.lock_screen.user_name.setText("clinical")
    window.lock_screen.password.setText(PASSWORD)
    with qtbot.waitSignal(window.ended, timeout=10_000) as ended:
        window.lock_screen.submit()
    reason, session = ended.args
    assert reason == "switch"
    assert isinstance(session, SignedIn) and session.actor.username == "clinical"
    assert not window.isVisible()


def test_someone_else_with_a_wrong_password_is_refused(qtbot, window, clock, wait_idle):
    idle_for(clock, window, 10)
    window.lock_screen.user_name.setText("clinical")
    window.lock_screen.password.setText("wrong")
    window.lock_screen.submit()
    wait_idle()
    assert window.locked and window.isVisible()
    assert window.lock_screen.error_label.text() == "That user name and password do not match."


def test_too_many_wrong_passwords_end_the_session(qtbot, window, clock, wait_idle):
    idle_for(clock, window, 10)
    for _ in range(UNLOCK_TRIES - 1):
        window.lock_screen.password.setText("wrong")
        window.lock_screen.submit()
        wait_idle()
    assert "1 more tries" in window.lock_screen.error_label.text()
    window.lock_screen.password.setText("wrong")
    with qtbot.waitSignal(window.ended, timeout=10_000) as ended:
        window.lock_screen.submit()
    assert ended.args[0] == "gave_up"


def test_the_lock_screen_action_locks_at_once(qtbot, window):
    window.lock_action.trigger()
    assert window.locked and window.idle.is_locked


def test_unlocking_reads_the_view_again(qtbot, window, clock, wait_idle, gui_staff):
    """What changed behind the lock shows at once, without waiting for a notice."""
    idle_for(clock, window, 10)
    new_records_task(gui_staff.db, gui_staff.front_desk, "Arrived while locked")
    window.lock_screen.password.setText(PASSWORD)
    window.lock_screen.submit()
    wait_idle()
    wait_idle()
    assert window.views["queue"].owned.cards().rowCount() == 2
