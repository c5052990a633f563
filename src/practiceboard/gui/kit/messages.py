"""Every message box goes through here, so tests can switch them off.

Tests set ``Messages.auto_answer`` (and read ``Messages.log``) instead of
patching QMessageBox; a modal exec() never blocks a test.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


class Messages:
    auto_answer: bool | None = None  # None: really ask; True/False: tests
    log: list[tuple[str, str]] = []

    @classmethod
    def _box(cls, parent: QWidget | None, icon, title: str, text: str, buttons) -> int:
        cls.log.append((title, text))
        if cls.auto_answer is not None:
            return (
                QMessageBox.StandardButton.Yes if cls.auto_answer else QMessageBox.StandardButton.No
            )
        box = QMessageBox(icon, title, text, buttons, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)  # user and patient text is never HTML
        return box.exec()

    @classmethod
    def info(cls, parent: QWidget | None, title: str, text: str) -> None:
        cls._box(parent, QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok)

    @classmethod
    def warn(cls, parent: QWidget | None, title: str, text: str) -> None:
        cls._box(parent, QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok)

    @classmethod
    def error(cls, parent: QWidget | None, title: str, text: str) -> None:
        cls._box(parent, QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok)

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, text: str) -> bool:
        answer = cls._box(
            parent, QMessageBox.Icon.Question, title, text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    @classmethod
    def retry(cls, parent: QWidget | None, title: str, text: str) -> bool:
        """Retry or Quit (a database that cannot be reached); True means try again."""
        cls.log.append((title, text))
        if cls.auto_answer is not None:
            return cls.auto_answer
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        again = box.addButton("&Retry", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Quit", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(again)
        box.exec()
        return box.clickedButton() is again
