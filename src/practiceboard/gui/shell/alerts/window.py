"""Alerts in the main window, wired in one place: the bell and its panel, the notifier
(tray or toasts), the tray icon, the scheduler bridge and the Alert settings action.

The window makes one ``WindowAlerts(window)`` and asks it two things: whether closing
the window should leave the app in the tray, and to stop when the session ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QWidget

from practiceboard.domain.alerts import Delivery
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.shell.alerts.center import (
    AlertCenterButton,
    BellButton,
    NotificationCenter,
)
from practiceboard.gui.shell.alerts.notifier import Notifier
from practiceboard.gui.shell.alerts.tray import TrayIcon, tray_available
from practiceboard.queries import notifications as inbox

if TYPE_CHECKING:
    from practiceboard.gui.shell.alerts.bridge import AlertBridge

LOCKED_BODY = ""  # behind the lock screen a notification says what happened, nothing more


class WindowAlerts(QObject):
    def __init__(self, window, *, run: bool = True, tray: bool | None = None):
        super().__init__(window)
        self.window, self.ctx = window, window.ctx
        self.bell = BellButton(window.tool_bar)
        window.tool_bar.insertWidget(window.sign_out_action, self.bell)
        self.center = NotificationCenter(self.ctx, window.work_area)
        self.center.hide()
        window.work_area.layout().addWidget(self.center)
        self.center.open_task.connect(window.open_task)
        self.button = AlertCenterButton(self.ctx, self.bell, self.center)
        self.settings_action = QAction(theme.icon("bell"), "&Alert settings…", window)
        self.settings_action.setObjectName("alertSettingsAction")
        self.settings_action.triggered.connect(lambda _checked=False: self.open_settings())
        self.stopped = False
        self.tray: TrayIcon | None = None
        if tray if tray is not None else tray_available():
            self.tray = TrayIcon(self)
            self.tray.open_requested.connect(self.show_window)
            self.tray.pause_requested.connect(self.pause)
            self.tray.sign_out_requested.connect(window.sign_out)
            self.tray.quit_requested.connect(window.quit)
            self.tray.show()
        self.notifier = Notifier(window, self.tray)
        self.notifier.clicked.connect(self._clicked)
        self.bridge: AlertBridge | None = None
        if run:  # after the window's first paint: the scheduler is no reason to wait for it
            QTimer.singleShot(0, self, self._start_scheduler)
        Op(self.ctx, inbox.alert_choices).success(self._choices).failure(
            lambda _exc, _text: None  # defaults stand: sound on
        ).run()
        self.button.recount()

    def _start_scheduler(self) -> None:
        from practiceboard.gui.shell.alerts.bridge import AlertBridge

        if self.stopped:
            return
        self.bridge = AlertBridge(self.ctx.db, self.ctx.actor, self)
        self.bridge.delivered.connect(self.show)
        self.bridge.paused_changed.connect(self._paused)
        self.bridge.start()

    # ---------------------------------------------------------------- showing

    def show(self, deliveries: list[Delivery]) -> None:
        if self.window.locked:  # nothing but what happened behind the lock screen
            deliveries = [
                Delivery(d.title, LOCKED_BODY, d.task_id, d.notification_ids) for d in deliveries
            ]
        self.notifier.show(deliveries)
        self.ctx.signals.data_changed.emit(Change.of(Kind.ALERT))

    def _clicked(self, task_id: int | None) -> None:
        self.show_window()
        if task_id is not None:
            self.window.open_task(task_id)
        else:
            self.button.open_panel()

    def show_window(self) -> None:
        if self.window.isHidden() or self.window.isMinimized():
            self.window.showNormal()
        if QGuiApplication.platformName() != "offscreen":  # headless runs cannot raise
            self.window.raise_()
        self.window.activateWindow()

    def pause(self) -> None:
        if self.bridge is not None:
            self.bridge.pause()

    def _paused(self, paused: bool) -> None:
        if self.tray is not None:
            self.tray.set_paused(paused)
        self.ctx.signals.status_message.emit(
            "Alerts paused for an hour." if paused else "Alerts are on again."
        )

    def _choices(self, choices) -> None:
        self.notifier.sound = choices.sound

    # ---------------------------------------------------------------- settings

    def open_settings(self) -> QWidget:
        from practiceboard.gui.dialogs.alert_settings import AlertSettingsDialog

        dialog = AlertSettingsDialog(self.ctx, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.saved.connect(self._choices)
        dialog.show()
        return dialog

    # ---------------------------------------------------------------- life

    @property
    def keeps_running_in_tray(self) -> bool:
        return self.tray is not None

    def stop(self) -> None:
        self.stopped = True
        if self.bridge is not None:
            self.bridge.stop()
            self.bridge = None
        if self.tray is not None:
            self.tray.hide()
