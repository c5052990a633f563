"""The sentence under a form that says why it was not saved: the theme's error text, as
plain text (it may quote what was typed), wrapped, and hidden until there is one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class ErrorLine(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setProperty("kind", "error")  # the theme's error text
        self.hide()

    def say(self, text: str) -> None:
        """Show ``text``; an empty one hides the line."""
        self.setText(text)
        self.setVisible(bool(text))
