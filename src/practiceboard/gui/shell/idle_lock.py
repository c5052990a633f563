"""The automatic screen lock (security.md item 5).

After ``idle_lock_minutes`` without keyboard or mouse input (setting, default 10;
0 switches it off) the main window swaps its work area for the lock screen, so no
patient data stays on an unattended screen. The same person types their password
to carry on where they were (services.users.verify_password); after a few wrong
tries the session ends and the sign-in dialog, with its lockout rules, takes
over. A different person may sign in from the lock screen instead, which ends
the first session.

Idle time is counted on two clocks and the larger wins: the monotonic clock
(immune to the wall clock being set back) and the wall clock, because the monotonic
clock stops while a laptop sleeps on Linux and macOS — a PC woken after hours away
must come back locked. Both are injectable (``IdleLock(minutes, clock=..., wall=...)``)
so tests move time instead of waiting; ``check()`` is what the timer calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.runner import Runner
from practiceboard.gui.shell.sign_in import SignedIn, error_text, sign_in
from practiceboard.services import users

CHECK_MS = 15_000  # how often idleness is checked; the lock comes at most this late
UNLOCK_TRIES = 5  # wrong passwords on the lock screen before the session ends
LOCKED_TEXT = "Locked — enter your password to continue"

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleLock(QObject):
    """Counts idle time from any input anywhere in the app; emits ``locked`` when due."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        minutes: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        check_ms: int = CHECK_MS,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.minutes, self.clock, self.wall = minutes, clock, wall
        self.is_locked = False
        self._mark()
        self._timer = QTimer(self, interval=check_ms)
        self._timer.timeout.connect(self.check)
        if minutes > 0:
            QApplication.instance().installEventFilter(self)
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _INPUT_EVENTS and not self.is_locked:
            self._mark()
        return False

    def _mark(self) -> None:
        self.last_input, self.last_input_wall = self.clock(), self.wall()

    def idle_seconds(self) -> float:
        """Seconds since the last input: the larger of the two clocks' counts (a sleep
        stops the monotonic one; setting the wall clock back shrinks only the other)."""
        return max(0.0, self.clock() - self.last_input, self.wall() - self.last_input_wall)

    def check(self) -> bool:
        """Lock when the idle time has run out; True when locked now."""
        if self.minutes > 0 and not self.is_locked and self.idle_seconds() >= self.minutes * 60:
            self.lock()
        return self.is_locked

    def lock(self) -> None:
        if not self.is_locked:
            self.is_locked = True
            self.locked.emit()

    def unlock(self) -> None:
        self.is_locked = False
        self._mark()
        self.unlocked.emit()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockScreen(QWidget):
    """What shows instead of the work area while locked: no task, no patient, one form.

    ``unlocked`` — the same user proved it is them; ``switched(SignedIn)`` — someone
    else signed in; ``gave_up`` — too many wrong passwords, the session must end.
    """

    unlocked = Signal()
    switched = Signal(object)  # SignedIn
    gave_up = Signal()

    def __init__(self, db: Database, runner: Runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.db, self.runner, self.actor = db, runner, actor
        self.failures = 0
        self._pending = False

        card = QFrame(self)
        card.setObjectName("lockCard")
        card.setFixedWidth(420)
        icon = QLabel(card)
        icon.setPixmap(theme.pixmap("lock", 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.headline = _label(LOCKED_TEXT, card, "heading")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.hint = _label(
            "Someone else? Type your own user name and password; this session will end.",
            card,
            "muted",
        )
        self.user_name = QLineEdit(actor.username, card, objectName="lockUserName")
        self.user_name.setAccessibleName("User name")
        self.password = QLineEdit(card, objectName="lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("Password")
        self.error_label = _label("", card, "error")
        self.error_label.setObjectName("lockError")
        self.error_label.hide()
        self.unlock_button = QPushButton("&Unlock", card, objectName="unlockButton")
        self.unlock_button.setProperty("kind", "primary")
        self.unlock_button.setDefault(True)

        form = QVBoxLayout(card)
        form.setContentsMargins(28, 24, 28, 24)
        form.setSpacing(10)
        form.addWidget(icon)
        form.addWidget(self.headline)
        form.addSpacing(6)
        form.addWidget(self.user_name)
        form.addWidget(self.password)
        form.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        form.addLayout(buttons)
        form.addWidget(self.hint)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.user_name.returnPressed.connect(self.password.setFocus)
        self.password.textEdited.connect(lambda _t: self.error_label.hide())

    def reset(self) -> None:
        """Fresh for a new lock: own user name, empty password, no message."""
        self.user_name.setText(self.actor.username)
        self.password.clear()
        self.error_label.hide()
        self.failures = 0
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._pending:
            return
        name = self.user_name.text().strip().lower()
        password = self.password.text()
        if not name or not password:
            self._show("Enter your password." if name else "Enter your user name.")
            return
        self._set_pending(True)
        if name == self.actor.username:
            job = partial(users.verify_password, self.db, self.actor.user_id, password,
                          self.actor.workstation)  # fmt: skip
            self.runner.submit(job, self._verified, self._failed)
        else:
            self.runner.submit(partial(sign_in, self.db, name, password), self._other, self._failed)

    def _verified(self, ok: bool) -> None:
        self._set_pending(False)
        self.password.clear()
        if ok:
            self.failures = 0
            self.error_label.hide()
            self.unlocked.emit()
            return
        self.failures += 1
        if self.failures >= UNLOCK_TRIES:
            self.gave_up.emit()
            return
        left = UNLOCK_TRIES - self.failures
        self._show(
            "That password is not right."
            + (f" {left} more tries before you are signed out." if left <= 2 else "")
        )

    def _other(self, session: SignedIn) -> None:
        self._set_pending(False)
        self.password.clear()
        self.switched.emit(session)

    def _failed(self, exc: Exception) -> None:
        self._set_pending(False)
        self.password.clear()
        self._show(error_text(exc))

    def _show(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_pending(self, pending: bool) -> None:
        self._pending = pending
        for widget in (self.user_name, self.password, self.unlock_button):
            widget.setEnabled(not pending)


def _label(text: str, parent: QWidget, kind: str) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setProperty("kind", kind)
    return label
