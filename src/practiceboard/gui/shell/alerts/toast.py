"""In-app toasts: where the desktop has no tray or notification service (offscreen,
some Linux desktops, remote sessions), alerts appear in the window's bottom-right
corner, stacked, each clickable to its task, gone after a few seconds."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from practiceboard.domain.alerts import Delivery

SHOW_MS = 8000
MAX_VISIBLE = 3
MARGIN = 16


class Toast(QFrame):
    clicked = Signal(object)  # the task id, or None for a group

    def __init__(self, delivery: Delivery, parent: QWidget):
        super().__init__(parent)
        self.delivery = delivery
        self.setObjectName("alertToast")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedWidth(340)
        self.setAccessibleName("Alert")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        self.title_label = self._label(delivery.title, "toastTitle")
        self.title_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.title_label)
        self.body_label = self._label(delivery.body, "toastBody")
        self.body_label.setVisible(bool(delivery.body))
        layout.addWidget(self.body_label)
        hint = "Click to open the task" if delivery.task_id else "Click to see your alerts"
        self.setToolTip(hint)

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self, objectName=name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.delivery.task_id)
            self.close()
        super().mouseReleaseEvent(event)


class ToastStack(QObject):
    """Shows toasts over ``window``'s bottom-right corner, newest at the bottom."""

    clicked = Signal(object)

    def __init__(self, window: QWidget, *, show_ms: int = SHOW_MS):
        super().__init__(window)
        self.window, self.show_ms = window, show_ms
        self.toasts: list[Toast] = []
        window.installEventFilter(self)

    def show(self, delivery: Delivery) -> Toast:
        toast = Toast(delivery, self.window)
        toast.clicked.connect(self.clicked)
        toast.destroyed.connect(lambda _=None, t=toast: self._gone(t))
        self.toasts.append(toast)
        while len(self.toasts) > MAX_VISIBLE:
            self.toasts.pop(0).deleteLater()
        QTimer.singleShot(self.show_ms, toast, toast.close)
        toast.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        toast.show()
        toast.raise_()
        self._place()
        return toast

    def _gone(self, toast: Toast) -> None:
        if toast in self.toasts:
            self.toasts.remove(toast)
        try:
            self._place()
        except RuntimeError:  # the window itself is going away
            pass

    def _place(self) -> None:
        bottom = self.window.height() - MARGIN
        for toast in reversed(self.toasts):
            toast.adjustSize()
            bottom -= toast.height()
            toast.move(self.window.width() - toast.width() - MARGIN, bottom)
            bottom -= 8

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self._place()
        return False
