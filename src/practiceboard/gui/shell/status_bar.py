"""The main window's status bar: who is signed in, which database, when the view
last refreshed, a busy bar while workers run, and the offline notice.

"Updated HH:MM:SS" is stamped when the workers fall idle after something asked
the views to reload (a refresh, a change from another PC, a view switch), so it
says when the data on screen was read, not when a button was pressed.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from practiceboard.gui.kit import theme
from practiceboard.gui.kit.elided import ElidedLabel
from practiceboard.gui.kit.runner import Runner

BUSY_DELAY_MS = 300  # quick reads do not flash the busy bar


class ShellStatusBar(QStatusBar):
    def __init__(
        self, who: str, database: str, runner: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(True)
        self.runner = runner
        self.updated_at: datetime | None = None
        self._awaiting_update = False

        # The two long ones give way on a narrow window (a database path can be very long).
        self.user_label = ElidedLabel(f"Signed in: {who}", self, objectName="statusUser")
        self.database_label = ElidedLabel(
            database, self, mode=Qt.TextElideMode.ElideMiddle, objectName="statusDatabase"
        )
        self.updated_label = self._label("statusUpdated", "")
        self.offline_label = self._label("statusOffline", "")
        self.offline_label.setStyleSheet(f"color: {theme.ERROR}; font-weight: 600;")
        self.offline_label.hide()
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busyIndicator")
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(lambda: self.busy.setVisible(self.runner.busy))
        self.addWidget(self.user_label)
        self.addWidget(self.offline_label)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.updated_label)
        self.addPermanentWidget(self.database_label)
        runner.busy_changed.connect(self._busy_changed)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self, objectName=name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # names are people's text, never HTML
        return label

    def expect_update(self) -> None:
        """A view may be reloading: stamp "Updated" when the workers next fall idle."""
        self._awaiting_update = True

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
            return
        self._busy_timer.stop()
        self.busy.hide()
        if self._awaiting_update:
            self._awaiting_update = False
            self.updated_at = datetime.now()
            self.tick()

    def tick(self) -> None:
        """Say when the data was read, and (a minute on) how long ago."""
        if self.updated_at is None:
            return
        minutes = int((datetime.now() - self.updated_at).total_seconds() // 60)
        ago = "" if minutes < 1 else f" · {minutes} min ago"
        self.updated_label.setText(f"Updated {self.updated_at:%H:%M:%S}{ago}")

    def show_offline(self, offline: bool, text: str) -> None:
        self.offline_label.setText(text)
        self.offline_label.setVisible(offline)
