"""The notification center: a bell in the tool bar with my unread count, and a side
panel with my alerts (newest first): open one's task, mark read or all read, and
snooze a task's alerts for a day with a reason (audited).

The panel is part of the window (the bell shows and hides it), not a pop-up: it
can stay open beside the board while the person works through their alerts.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.domain.alerts import AlertKind
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.queries import notifications as inbox
from practiceboard.queries.notifications import AlertRow
from practiceboard.services import notifications

ID_ROLE = Qt.ItemDataRole.UserRole


def when_text(row: AlertRow) -> str:
    """When it was raised, in this PC's time: "Mar 4, 9:05 AM"."""
    local = row.created_at.astimezone()
    return f"{local:%b %d, %I:%M %p}".replace(" 0", " ")


class BellButton(QToolButton):
    """The bell with the unread count; clicking opens the panel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertBell")
        self.setIcon(theme.icon("bell"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAccessibleName("Alerts")
        self.set_count(0)

    def set_count(self, unread: int) -> None:
        self.count = unread
        self.setText(f"{unread}" if unread else "")
        self.setToolTip(f"Alerts: {unread} unread" if unread else "Alerts: nothing unread")


class NotificationCenter(QFrame):
    """The panel the bell shows. ``open_task(int)`` when an alert's task is opened; marking
    read or snoozing announces a ``Change`` of kind ALERT (the bell recounts)."""

    open_task = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AlertRow] = []
        self.setObjectName("notificationCenter")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(340)
        self.setMaximumWidth(440)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        head = QHBoxLayout()
        title = QLabel("Alerts", self)
        title.setProperty("kind", "title")
        head.addWidget(title, 1)
        self.read_all_button = QPushButton("Mark all &read", self, objectName="markAllRead")
        self.read_all_button.clicked.connect(self.mark_all_read)
        head.addWidget(self.read_all_button)
        layout.addLayout(head)
        self.list = QListWidget(self, objectName="alertList")
        self.list.setWordWrap(True)  # at most 200 rows: wrapped titles cost nothing here
        self.list.setAccessibleName("My alerts")
        self.list.itemActivated.connect(self._activated)
        self.list.currentItemChanged.connect(lambda *_: self._sync())
        layout.addWidget(self.list, 1)
        self.empty_label = QLabel("No alerts. Aging work and hand-offs will show up here.", self)
        self.empty_label.setProperty("kind", "muted")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)
        row = QHBoxLayout()
        self.open_button = QPushButton("&Open task", self, objectName="openAlertTask")
        self.open_button.clicked.connect(lambda: self._activated(self.list.currentItem()))
        self.read_button = QPushButton("&Mark read", self, objectName="markRead")
        self.read_button.clicked.connect(self.mark_current_read)
        row.addWidget(self.open_button)
        row.addWidget(self.read_button)
        row.addStretch(1)
        layout.addLayout(row)
        snooze = QHBoxLayout()
        self.reason_edit = QLineEdit(self, objectName="snoozeReason")
        self.reason_edit.setPlaceholderText("Why can this task's alerts wait a day?")
        self.reason_edit.setMaxLength(notifications.REASON_MAX)
        self.reason_edit.textChanged.connect(lambda _t: self._sync())
        self.snooze_button = QPushButton("&Snooze 1 day", self, objectName="snoozeTask")
        self.snooze_button.clicked.connect(self.snooze_current)
        snooze.addWidget(self.reason_edit, 1)
        snooze.addWidget(self.snooze_button)
        layout.addLayout(snooze)
        self.message = QLabel("", self, objectName="alertMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._sync()

    # ---------------------------------------------------------------- data

    def refresh(self) -> None:
        Op(self.ctx, inbox.my_alerts).success(self.show_rows).failure(self._failed).run()

    def show_rows(self, rows: list[AlertRow]) -> None:
        current = self.current_row()
        self.rows = list(rows)
        self.list.clear()
        for r in self.rows:
            text = f"{r.title}\n{when_text(r)}"
            item = QListWidgetItem(text, self.list)
            item.setData(ID_ROLE, r.id)
            font = QFont(item.font())
            font.setBold(r.unread)
            item.setFont(font)
            item.setToolTip(plain_tip(r.body or r.title))  # names a task's title
            if current is not None and r.id == current.id:
                self.list.setCurrentItem(item)
        self.empty_label.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))
        self._sync()

    def current_row(self) -> AlertRow | None:
        item = self.list.currentItem()
        if item is None:
            return None
        wanted = item.data(ID_ROLE)
        return next((r for r in self.rows if r.id == wanted), None)

    def _sync(self) -> None:
        row = self.current_row()
        self.open_button.setEnabled(
            row is not None and (row.task_id is not None or row.kind == AlertKind.REPORT_READY)
        )
        self.read_button.setEnabled(row is not None and row.unread)
        self.read_all_button.setEnabled(any(r.unread for r in self.rows))
        can_snooze = row is not None and row.task_id is not None
        self.reason_edit.setEnabled(can_snooze)
        self.snooze_button.setEnabled(can_snooze and bool(self.reason_edit.text().strip()))
        self.snooze_button.setToolTip(
            "" if can_snooze else "Pick an alert about a task to snooze that task's alerts."
        )

    # ---------------------------------------------------------------- actions

    def _activated(self, item: QListWidgetItem | None) -> None:
        row = self.current_row() if item is not None else None
        if row is None:
            return
        if row.unread:
            self._write(Op(self.ctx, notifications.mark_read, [row.id]))
        if row.task_id is not None:
            self.open_task.emit(row.task_id)
        elif row.kind == AlertKind.REPORT_READY and row.body:
            QDesktopServices.openUrl(QUrl.fromLocalFile(row.body))  # the report's PDF

    def mark_current_read(self) -> None:
        row = self.current_row()
        if row is not None:
            self._write(Op(self.ctx, notifications.mark_read, [row.id]))

    def mark_all_read(self) -> None:
        self._write(Op(self.ctx, notifications.mark_read))

    def snooze_current(self) -> None:
        row = self.current_row()
        if row is None or row.task_id is None:
            return
        reason = self.reason_edit.text()
        self._write(Op(self.ctx, notifications.snooze, row.task_id, reason), self._snoozed)

    def _snoozed(self, _until) -> None:
        self.reason_edit.clear()
        self.message.setText("Snoozed for a day: that task's alerts wait until then.")

    def _write(self, op: Op, done=None) -> None:
        def finished(result) -> None:
            if done is not None:
                done(result)
            self.refresh()

        op.changes(Change.of(Kind.ALERT)).success(finished).failure(self._failed).run()

    def _failed(self, _exc: Exception, text: str) -> None:
        self.message.setText(text)  # the person's typing (the snooze reason) stays in its box


class AlertCenterButton(QObject):
    """Wires a bell to its panel (the bell shows and hides it) and keeps the count fresh."""

    def __init__(self, ctx: AppContext, bell: BellButton, center: NotificationCenter):
        super().__init__(bell)
        self.ctx, self.bell, self.center = ctx, bell, center
        bell.clicked.connect(self.toggle_panel)
        ctx.signals.data_changed.connect(self._data_changed)

    def toggle_panel(self) -> None:
        if self.center.isVisible():
            self.center.hide()
        else:
            self.open_panel()

    def open_panel(self) -> None:
        self.center.message.clear()
        self.center.refresh()
        self.center.show()
        self.center.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _data_changed(self, change: Change) -> None:
        if change.touches(Kind.ALERT):
            self.recount()

    def recount(self) -> None:
        # A failed count keeps the old one until the next alert or refresh.
        Op(self.ctx, inbox.unread_count).success(self.bell.set_count).failure(
            lambda _exc, _text: None
        ).run()
