"""A one-line label that gives way on a narrow window.

A QLabel asks for the whole width of its text as its minimum, so one long line (a database
path in the status bar, the inbox's figures) set the main window's minimum width: past the
screen of a small laptop at 150%. ElidedLabel asks for its whole text as its preferred
width and for a few characters at least; when squeezed it shows what fits, with "…" where
the text is cut, and the whole text as its tooltip (shown literally: plain_tip).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget

from practiceboard.gui.kit.tooltips import plain_tip

LEAST_CHARS = 12  # how narrow the label may become, in average characters
PAD = 6  # glyphs reach past their advance (")", "b"): room so the last one is not clipped


class ElidedLabel(QLabel):
    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        objectName: str = "",  # noqa: N803 - Qt's keyword, as QLabel takes it
    ) -> None:
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._mode = mode
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text or ""
        self.updateGeometry()
        self._show_what_fits()

    def text(self) -> str:
        """The whole text, not the part shown."""
        return self._full

    def shown(self) -> str:
        return super().text()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right()
        return QSize(width + 2 * self.margin() + PAD, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        least = self.fontMetrics().averageCharWidth() * LEAST_CHARS
        return QSize(min(self.sizeHint().width(), least), super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._show_what_fits()

    def _show_what_fits(self) -> None:
        room = max(0, self.contentsRect().width() - 2 * self.margin())
        shown = self.fontMetrics().elidedText(self._full, self._mode, room)
        if shown != super().text():
            super().setText(shown)
        self.setToolTip(plain_tip(self._full) if shown != self._full else "")
