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


def _heading(dialog: QDialog, layout: QVBoxLayout, headline: str, title: str,
             scale: float = 1.0) -> None:  # fmt: skip
    """The dialog's question in bold and the task's title under it (plain text)."""
    label = QLabel(headline, dialog)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    layout.addWidget(label)
    muted = QLabel(title, dialog)
    muted.setTextFormat(Qt.TextFormat.PlainText)
    muted.setProperty("kind", "muted")
    muted.setWordWrap(True)
    layout.addWidget(muted)


def _message_and_buttons(
    dialog: QDialog, layout: QVBoxLayout, name: str, ok_text: str
) -> tuple[QLabel, QDialogButtonBox]:
    """The message line — always there, empty until needed, so the buttons never move —
    and OK (named ``ok_text``, the default) / Cancel wired to accept / reject."""
    message = QLabel(" ", dialog)
    message.setObjectName(name)
    message.setProperty("kind", "error")
    message.setWordWrap(True)
    layout.addWidget(message)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setDefault(True)
    for button in buttons.buttons():
        button.setIcon(QIcon())
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return message, buttons


class ClosingDialog(QDialog):
    """Pick the closing status of ``card`` among ``options`` (done and cancelled moves)."""

    def __init__(self, card: Card, options: Sequence[MoveOption], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ClosingDialog")
        self.card, self.options = card, list(options)
        self.setWindowTitle(f"Close {card.ref}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        _heading(self, layout, f"How does {card.ref} end?", card.title, scale=1.15)
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
        self.message, self.buttons = _message_and_buttons(self, layout, "closingMessage",
                                                          "Close task")  # fmt: skip
        self.group.idClicked.connect(lambda _id: self.message.setText(" "))
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
        _heading(self, layout, f"Hand {card.ref} to {to_name}?", card.title)
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
        self.message, self.buttons = _message_and_buttons(self, layout, "handoffMessage",
                                                          "Hand off")  # fmt: skip
        self.note_edit.textChanged.connect(lambda: self.message.setText(" "))
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
