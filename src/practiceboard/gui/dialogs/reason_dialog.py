"""The reason asked for by a move (waiting, needs info, rejection, reopen, closing early).

Designed in ui/reason_dialog.ui; this class only fills it and checks it. The
checks mirror domain.workflow.check_move, so a refusal shows inline (the user's
note stays) instead of coming back from the service as an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import Card, MoveOption, ReasonRow
from practiceboard.domain import validation
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.workflow import REASON_KIND_LABELS, ReasonKind
from practiceboard.gui.kit.uiload import child, load_ui
from practiceboard.gui.kit.wording import owner_after


def needs_note(reason: ReasonRow) -> bool:
    """The same rule as check_move: some reasons only make sense with a note."""
    return reason.note_required or reason.key == "other"


class ReasonDialog(QDialog):
    """Pick a reason (and maybe a note) for moving ``card`` as ``option`` says."""

    def __init__(
        self,
        card: Card,
        option: MoveOption,
        reasons: Sequence[ReasonRow],
        parent: QWidget | None = None,
        *,
        actor_id: int | None = None,
    ):
        super().__init__(parent)
        self.card, self.option, self.reasons = card, option, list(reasons)
        self.setWindowTitle(f"Move {card.ref}")
        self.form = load_ui("reason_dialog", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(self.form)
        self.headline = child(self.form, QLabel, "headline")
        self.task_title = child(self.form, QLabel, "taskTitle")
        self.question = child(self.form, QLabel, "question")
        self.picker = child(self.form, QComboBox, "reasonPicker")
        self.note_label = child(self.form, QLabel, "noteLabel")
        self.note_edit = child(self.form, QPlainTextEdit, "noteEdit")
        self.message = child(self.form, QLabel, "message")
        self.owner_line = child(self.form, QLabel, "ownerLine")
        self.buttons = child(self.form, QDialogButtonBox, "buttons")

        heading = self.headline.font()
        heading.setPointSizeF(heading.pointSizeF() * 1.15)
        heading.setBold(True)
        self.headline.setFont(heading)
        self.headline.setText(f"Move {card.ref} to “{option.to_status_name}”")
        self.task_title.setText(card.title)
        self.task_title.setProperty("kind", "muted")
        kind = ReasonKind(option.reason_kind) if option.reason_kind else None
        self.question.setText(REASON_KIND_LABELS[kind] if kind else "Reason")
        self.picker.setPlaceholderText("Pick a reason")
        for reason in self.reasons:
            self.picker.addItem(reason.label, reason.id)
        self.picker.setCurrentIndex(-1)
        self.picker.currentIndexChanged.connect(self._reason_changed)
        self.note_edit.textChanged.connect(self._clear_message)
        # Four lines of note (the app style sheet's min-height would win over setMinimumHeight).
        lines = self.note_edit.fontMetrics().lineSpacing() * 4
        self.note_edit.setStyleSheet(
            f"QPlainTextEdit {{ min-height: {lines}px; max-height: {lines}px; }}"
        )
        self.message.setProperty("kind", "error")  # the app's inline error look
        # The message's room is kept while it is hidden (two lines: the longest says
        # "Please add a short note explaining …"), so the buttons never move under the
        # pointer when it appears.
        policy = self.message.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.message.setSizePolicy(policy)
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2 + 12)
        self.message.hide()
        owner = owner_after(card, option, actor_id)
        self.owner_line.setText(owner)
        self.owner_line.setVisible(bool(owner))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Move")
        ok.setDefault(True)
        for button in self.buttons.buttons():
            button.setIcon(QIcon())  # plain words, like the app's other dialogs
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.picker.setFocus()
        self.resize(max(420, self.sizeHint().width()), self.sizeHint().height())

    # ------------------------------------------------------------------ values

    def reason(self) -> ReasonRow | None:
        i = self.picker.currentIndex()
        return self.reasons[i] if 0 <= i < len(self.reasons) else None

    def reason_id(self) -> int | None:
        reason = self.reason()
        return reason.id if reason else None

    def note(self) -> str | None:
        return (self.note_edit.toPlainText().strip()) or None

    def pick(self, reason_id: int) -> None:
        """Select a reason by id (keyboard users type in the picker; tests call this)."""
        self.picker.setCurrentIndex(self.picker.findData(reason_id))

    # ------------------------------------------------------------------ checks

    def problem(self) -> str | None:
        """Why the dialog cannot be accepted yet, as a sentence; None when it can."""
        reason = self.reason()
        if reason is None:
            return "Pick a reason for this move."
        try:
            validation.note(self.note_edit.toPlainText(), required=needs_note(reason))
        except ValidationError as err:
            if needs_note(reason) and not self.note():
                return f"Please add a short note explaining “{reason.label}”."
            return err.message
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.message.setText(problem)
            self.message.show()
            target = self.picker if self.reason() is None else self.note_edit
            target.setFocus()
            return
        super().accept()

    def _reason_changed(self) -> None:
        reason = self.reason()
        required = reason is not None and needs_note(reason)
        self.note_label.setText(
            "Note (required for this reason)" if required else "Note (optional)"
        )
        self._clear_message()

    def _clear_message(self) -> None:
        if self.message.isVisible():
            self.message.hide()
