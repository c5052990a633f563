"""Close task: which way it ends; and Hand off: to whom, with what note.

A task closes into one of its workflow's done or cancelled statuses ("Scheduled",
"Closed – not needed"); the dialog lists them and the user picks one — nothing is
chosen for them. A status that needs a reason asks for it next, through the app's
one reason dialog. Esc (or Cancel) closes the dialog and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import Card, MoveOption
from practiceboard.domain import validation
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.kit import theme
from practiceboard.gui.views.lists.filter_bar import amp


class ClosingDialog(QDialog):
    """Pick the closing status of ``card`` among ``options`` (done and cancelled moves)."""

    def __init__(self, card: Card, options: Sequence[MoveOption], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ClosingDialog")
        self.card, self.options = card, list(options)
        self.setWindowTitle(f"Close {card.ref}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        headline = QLabel(f"How does {card.ref} end?", self)
        font = headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        headline.setFont(font)
        layout.addWidget(headline)
        title = QLabel(card.title, self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setProperty("kind", "muted")
        title.setWordWrap(True)
        layout.addWidget(title)
        self.group = QButtonGroup(self)
        self.radios: dict[int, QRadioButton] = {}
        for option in self.options:
            text = amp(option.to_status_name) + ("…" if option.reason_kind else "")
            radio = QRadioButton(text, self)
            radio.setObjectName(f"close_{option.to_status_id}")
            radio.setIcon(theme.category_icon(option.category))
            radio.setEnabled(option.allowed)
            if option.allowed:
                radio.setToolTip("Asks for a reason next" if option.reason_kind else "")
            else:
                radio.setToolTip(option.blocker or "This way of closing is not allowed.")
            self.group.addButton(radio, option.to_status_id)
            self.radios[option.to_status_id] = radio
            layout.addWidget(radio)
        # The message's line is always there (empty until needed): the buttons never move.
        self.message = QLabel(" ", self)
        self.message.setObjectName("closingMessage")
        self.message.setProperty("kind", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.group.idClicked.connect(lambda _id: self.message.setText(" "))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Close task")
        ok.setDefault(True)
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        first = next((r for r in self.radios.values() if r.isEnabled()), None)
        if first is not None:
            first.setFocus()
        self.resize(max(380, self.sizeHint().width()), self.sizeHint().height())

    def pick(self, status_id: int) -> None:
        """Choose a closing status by id (tests; keyboard users use the arrows)."""
        radio = self.radios.get(status_id)
        if radio is not None and radio.isEnabled():
            radio.setChecked(True)

    def choice(self) -> MoveOption | None:
        picked = self.group.checkedId()
        return next((o for o in self.options if o.to_status_id == picked), None)

    def accept(self) -> None:
        if self.choice() is None:
            self.message.setText(f"Pick how {self.card.ref} ends, then press Close task.")
            return
        super().accept()


class HandoffDialog(QDialog):
    """Confirm a hand-off, with an optional note the new owner sees on the task."""

    def __init__(self, card: Card, to_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("HandoffDialog")
        self.setWindowTitle(f"Hand off {card.ref}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        headline = QLabel(f"Hand {card.ref} to {to_name}?", self)
        headline.setTextFormat(Qt.TextFormat.PlainText)
        font = headline.font()
        font.setBold(True)
        headline.setFont(font)
        layout.addWidget(headline)
        title = QLabel(card.title, self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setProperty("kind", "muted")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(QLabel(f"Note for {to_name} (optional)", self))
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("handoffNote")
        self.note_edit.setPlaceholderText("What should they know? Shown on the task.")
        self.note_edit.setTabChangesFocus(True)
        lines = self.note_edit.fontMetrics().lineSpacing() * 3
        self.note_edit.setStyleSheet(
            f"QPlainTextEdit {{ min-height: {lines}px; max-height: {lines}px; }}"
        )
        layout.addWidget(self.note_edit)
        self.message = QLabel(" ", self)
        self.message.setObjectName("handoffMessage")
        self.message.setProperty("kind", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.note_edit.textChanged.connect(lambda: self.message.setText(" "))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Hand off")
        ok.setDefault(True)
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.note_edit.setFocus()
        self.resize(max(420, self.sizeHint().width()), self.sizeHint().height())

    def note(self) -> str | None:
        return self.note_edit.toPlainText().strip() or None

    def accept(self) -> None:
        try:
            validation.note(self.note_edit.toPlainText(), required=False)
        except ValidationError as err:
            self.message.setText(err.message)
            self.note_edit.setFocus()
            return
        super().accept()
