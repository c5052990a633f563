"""Choose a new password: after an admin's reset, the one-time password must be replaced
before the board opens. The current password is asked again, the new one twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from practiceboard.gui.kit.error_line import ErrorLine
from practiceboard.gui.kit.errors import sentence


class ChangePasswordDialog(QDialog):
    def __init__(self, db, actor, runner, *, current: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ChangePasswordDialog")
        self.setWindowTitle("Choose your password — PracticeBoard")
        self.db, self.actor, self.runner = db, actor, runner
        self._pending = False
        intro = QLabel(
            f"{actor.display_name}, you signed in with a one-time password. Choose your own "
            "password now; nobody else will know it.",
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.current = QLineEdit(current, self)
        self.new = QLineEdit(self)
        self.again = QLineEdit(self)
        for field in (self.current, self.new, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = ErrorLine(self)
        form = QFormLayout()
        form.addRow("&One-time password", self.current)
        form.addRow("&New password", self.new)
        form.addRow("&Type it again", self.again)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        (self.new if current else self.current).setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self._pending:
            return
        if self.new.text() != self.again.text():
            self.show_error("The two new passwords do not match.")
            return
        from practiceboard.services import users

        self._pending = True
        self.runner.submit(
            lambda: users.change_own_password(
                self.db, self.actor, self.current.text(), self.new.text()
            ),
            self._done,
            self._failed,
        )

    def _done(self, _result) -> None:
        self._pending = False
        for field in (self.current, self.new, self.again):
            field.clear()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._pending = False
        self.show_error(sentence(exc, "The password could not be changed ({detail})."))

    def show_error(self, text: str) -> None:
        self.error.say(text)
