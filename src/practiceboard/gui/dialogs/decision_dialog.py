"""Confirming a decision from the approvals inbox: approve, reject or send back one
request or several selected ones (each its own audited decision in the service).

Reject and send back need a reason (and a send-back says what is missing); the
practice's outcome notes fill the note in one click; Ctrl+Enter confirms. The checks
mirror the service's (domain.workflow.check_move) so a refusal shows inline and
nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import ReasonRow
from practiceboard.domain import validation
from practiceboard.domain.decisions import WORDS, Decision
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.dialogs.reason_dialog import needs_note

VERB = {
    Decision.APPROVED: "Approve",
    Decision.REJECTED: "Reject",
    Decision.SENT_BACK: "Send back",
}
QUESTION = {
    Decision.REJECTED: "Why is it rejected?",
    Decision.SENT_BACK: "What is missing?",
}


class DecisionDialog(QDialog):
    """``decision`` on ``refs`` (one or several requests)."""

    def __init__(
        self,
        decision: Decision,
        refs: Sequence[str],
        titles: Sequence[str],
        reasons: Sequence[ReasonRow],
        outcome_notes: Sequence[str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.decision = Decision(decision)
        self.reasons = list(reasons) if self.decision is not Decision.APPROVED else []
        verb = VERB[self.decision]
        many = len(refs) > 1
        self.setObjectName("decisionDialog")
        self.setWindowTitle(f"{verb} {len(refs)} requests" if many else f"{verb} {refs[0]}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        head = QLabel(self, objectName="headline")
        head.setTextFormat(Qt.TextFormat.PlainText)
        font = head.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        head.setFont(font)
        head.setText(
            f"{verb} {len(refs)} requests, each as its own decision"
            if many
            else f"{verb} {refs[0]}"
        )
        layout.addWidget(head)
        what = QLabel(self, objectName="what")
        what.setTextFormat(Qt.TextFormat.PlainText)  # titles may name a patient
        what.setProperty("kind", "muted")
        what.setWordWrap(True)
        shown = [f"{r} · {t}" for r, t in zip(refs, titles, strict=False)]
        what.setText(
            "\n".join(shown[:6] + ([f"… and {len(shown) - 6} more"] if len(shown) > 6 else []))
        )
        layout.addWidget(what)

        self.picker = QComboBox(self, objectName="reasonPicker")
        if self.reasons:
            label = QLabel(QUESTION[self.decision] + " (required)", self)
            layout.addWidget(label)
            self.picker.setPlaceholderText("Pick a reason")
            for reason in self.reasons:
                self.picker.addItem(reason.label, reason.id)
            self.picker.setCurrentIndex(-1)
            self.picker.currentIndexChanged.connect(self._reason_changed)
            layout.addWidget(self.picker)
        else:
            self.picker.hide()
        self.note_label = QLabel(self._note_label(), self)
        layout.addWidget(self.note_label)
        self.note_edit = QPlainTextEdit(self, objectName="noteEdit")
        self.note_edit.setTabChangesFocus(True)
        lines = self.note_edit.fontMetrics().lineSpacing() * 4
        self.note_edit.setStyleSheet(
            f"QPlainTextEdit {{ min-height: {lines}px; max-height: {lines}px; }}"
        )
        self.note_edit.textChanged.connect(self._clear_message)
        layout.addWidget(self.note_edit)
        self.template_buttons: list[QPushButton] = []
        if outcome_notes:
            row = QHBoxLayout()
            row.addWidget(QLabel("Common notes:", self))
            for text in outcome_notes:
                button = QPushButton(text, self)
                button.setObjectName("outcomeNote")
                button.setAutoDefault(False)
                button.setToolTip("Use this note")
                button.clicked.connect(lambda _=False, t=text: self.use_note(t))
                row.addWidget(button)
                self.template_buttons.append(button)
            row.addStretch(1)
            layout.addLayout(row)
        self.message = QLabel(self, objectName="message")
        self.message.setProperty("kind", "error")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"{verb} (Ctrl+Enter)")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.picker if self.reasons else self.note_edit).setFocus()
        self.resize(max(460, self.sizeHint().width()), self.sizeHint().height())

    # ------------------------------------------------------------------ values

    def reason(self) -> ReasonRow | None:
        i = self.picker.currentIndex()
        return self.reasons[i] if self.reasons and 0 <= i < len(self.reasons) else None

    def reason_id(self) -> int | None:
        reason = self.reason()
        return reason.id if reason else None

    def note(self) -> str | None:
        return self.note_edit.toPlainText().strip() or None

    def pick(self, reason_id: int) -> None:
        self.picker.setCurrentIndex(self.picker.findData(reason_id))

    def use_note(self, text: str) -> None:
        self.note_edit.setPlainText(text)
        self.note_edit.setFocus()

    def _note_required(self) -> bool:
        if self.decision is Decision.SENT_BACK:
            return True  # what is missing, in words the requester can act on
        reason = self.reason()
        return reason is not None and needs_note(reason)

    def _note_label(self) -> str:
        if self.decision is Decision.SENT_BACK:
            return "What should the requester add? (required)"
        return "Note (required for this reason)" if self._note_required() else "Note (optional)"

    # ------------------------------------------------------------------ checks

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter confirms from any field (the note keeps plain Enter for new lines)."""
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            event.accept()
            return
        super().keyPressEvent(event)

    def problem(self) -> str | None:
        if self.reasons and self.reason() is None:
            return f"Pick a reason: {QUESTION[self.decision].lower()}"
        try:
            validation.note(self.note_edit.toPlainText(), required=self._note_required())
        except ValidationError as err:
            if not self.note():
                if self.decision is Decision.SENT_BACK:
                    return "Say what is missing, so the requester knows what to add."
                return f"Please add a short note explaining “{self.reason().label}”."
            return err.message
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.message.setText(problem)
            self.message.show()
            (self.picker if self.reasons and self.reason() is None else self.note_edit).setFocus()
            return
        super().accept()

    def _reason_changed(self) -> None:
        self.note_label.setText(self._note_label())
        self._clear_message()

    def _clear_message(self) -> None:
        if self.message.isVisible():
            self.message.hide()


def decided_text(decision: Decision, count: int) -> str:
    """ "3 requests approved." / "SGN-000012 sent back." for the status bar."""
    past = WORDS[Decision(decision)].past
    return f"{count} request{'s' if count != 1 else ''} {past}."
