"""Show each delivery: the system's notifications through the tray icon where the
desktop offers them, else an in-app toast; a beep when the person wants sound."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from practiceboard.domain.alerts import Delivery
from practiceboard.gui.shell.alerts.toast import ToastStack
from practiceboard.gui.shell.alerts.tray import TrayIcon


class Notifier(QObject):
    """``clicked(task_id | None)`` when a shown alert is clicked (None: a group)."""

    clicked = Signal(object)

    def __init__(self, window: QWidget, tray: TrayIcon | None = None):
        super().__init__(window)
        self.tray = tray
        self.toasts = ToastStack(window)
        self.toasts.clicked.connect(self.clicked)
        if tray is not None:
            tray.message_clicked.connect(self.clicked)
        self.sound = True
        self.shown: list[Delivery] = []  # what this session showed, for the status line

    def show(self, deliveries: Iterable[Delivery]) -> None:
        items = list(deliveries)
        for delivery in items:
            if self.tray is not None and self.tray.can_notify:
                self.tray.notify(delivery)
            else:
                self.toasts.show(delivery)
            self.shown.append(delivery)
        if items and self.sound:
            QApplication.beep()
