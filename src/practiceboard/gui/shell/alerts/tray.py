"""The tray icon: the app keeps running there when its window is closed, so alerts
keep coming. Its menu: Open, Pause alerts for 1 hour, Sign out, Quit.

Only created where the desktop has a system tray; elsewhere closing the window
quits, as before, and alerts appear as in-app toasts while the window is open.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from practiceboard.domain.alerts import Delivery
from practiceboard.gui.kit import theme


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


class TrayIcon(QObject):
    open_requested = Signal()
    pause_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal(object)  # the task id of the message shown last, or None

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.icon = QSystemTrayIcon(theme.icon("app"), self)
        self.icon.setToolTip("PracticeBoard")
        self.menu = QMenu()
        self._add("&Open PracticeBoard", self.open_requested, "trayOpen")
        self.pause_action = self._add("&Pause alerts for 1 hour", self.pause_requested,
                                      "trayPause")  # fmt: skip
        self.menu.addSeparator()
        self._add("Sign &out", self.sign_out_requested, "traySignOut")
        self._add("&Quit", self.quit_requested, "trayQuit")
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(lambda: self.message_clicked.emit(self._last_task))
        self._last_task: int | None = None

    def _add(self, text: str, signal, name: str) -> QAction:
        action = self.menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: signal.emit())
        return action

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):  # fmt: skip
            self.open_requested.emit()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    @property
    def can_notify(self) -> bool:
        return self.icon.isVisible() and self.icon.supportsMessages()

    def notify(self, delivery: Delivery) -> None:
        self._last_task = delivery.task_id
        self.icon.showMessage(
            delivery.title, delivery.body, QSystemTrayIcon.MessageIcon.Information, 10_000
        )

    def set_paused(self, paused: bool) -> None:
        self.pause_action.setEnabled(not paused)
        self.icon.setToolTip("PracticeBoard — alerts paused" if paused else "PracticeBoard")
