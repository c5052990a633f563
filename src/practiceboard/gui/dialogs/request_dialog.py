"""Request approval (or answer and resubmit what came back): choose the approver or
route automatically (the workflow's approver role, least loaded, with its backup
named), a short question, an optional template that fills question and checklist.

Required fields are checked here before saving, and again by the service; a failed
save shows its sentence inline and keeps everything typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.queries import approvals as approval_queries
from practiceboard.queries.approvals import RequestChoices
from practiceboard.services import approvals
from practiceboard.services.approvals import QUESTION_MAX

AUTO = -1


def _plain(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class RequestApprovalDialog(QDialog):
    """Loads what it offers for ``task_id`` first, then asks."""

    requested = Signal(object)  # the TaskSaved

    def __init__(self, ctx: AppContext, task_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.task_id = ctx, task_id
        self.choices: RequestChoices | None = None
        self.setObjectName("requestApprovalDialog")
        self.setWindowTitle("Request approval")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.headline = _plain("Loading…", self, "headline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.headline.setFont(font)
        layout.addWidget(self.headline)
        self.asked = _plain("", self, "askedBox")
        self.asked.setProperty("kind", "highlight")
        self.asked.hide()
        layout.addWidget(self.asked)
        form = QFormLayout()
        self.approver = QComboBox(self, objectName="approverPicker")
        self.template = QComboBox(self, objectName="templatePicker")
        self.question = QPlainTextEdit(self, objectName="questionEdit")
        self.question.setTabChangesFocus(True)
        lines = self.question.fontMetrics().lineSpacing() * 4
        self.question.setStyleSheet(
            f"QPlainTextEdit {{ min-height: {lines}px; max-height: {lines}px; }}"
        )
        self.question_label = QLabel("Question (required)", self)
        form.addRow("Approver", self.approver)
        form.addRow("Template", self.template)
        form.addRow(self.question_label, self.question)
        layout.addLayout(form)
        self.checklist = _plain("", self, "checklistPreview")
        self.checklist.setProperty("kind", "muted")
        layout.addWidget(self.checklist)
        self.message = _plain("", self, "message")
        self.message.setProperty("kind", "error")
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Request")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.template.currentIndexChanged.connect(self._template_changed)
        self.question.textChanged.connect(self.message.hide)
        self.resize(520, self.sizeHint().height())
        Op(ctx, approval_queries.request_choices, task_id).success(self.show_choices).failure(
            lambda _e, text: self.show_message(text)
        ).run()

    def show_choices(self, choices: RequestChoices) -> None:
        self.choices = choices
        verb = "Resubmit" if choices.resubmit else "Request approval for"
        self.headline.setText(f"{verb} {choices.ref}: {choices.title}")
        self.setWindowTitle(f"{verb} {choices.ref}")
        if choices.resubmit:
            asked = " — ".join(x for x in (choices.asked_reason, choices.asked_note) if x)
            self.asked.setText(f"The approver asked: {asked or 'more information'}")
            self.asked.show()
            self.question_label.setText("Your answer (required)")
            self.ok.setText("Resubmit")
        self.approver.clear()
        auto = "Route automatically"
        if choices.auto_name:
            auto += f" — {choices.auto_name}"
            if choices.backup_name:
                auto += f" (backup: {choices.backup_name})"
        self.approver.addItem(auto, AUTO)
        for person in choices.approvers:
            self.approver.addItem(person.label, person.id)
        self.template.clear()
        self.template.addItem("No template", None)
        for tpl in choices.templates:
            self.template.addItem(tpl.name, tpl.name)
        self.template.setEnabled(bool(choices.templates))
        self.ok.setEnabled(True)
        self.question.setFocus()

    def _template_changed(self) -> None:
        tpl = self._template()
        if tpl is None:
            self.checklist.clear()
            return
        if not self.question.toPlainText().strip():
            self.question.setPlainText(tpl.question)
        self.checklist.setText(
            "Adds to the checklist: " + ", ".join(tpl.checklist) if tpl.checklist else ""
        )

    def _template(self):
        name = self.template.currentData()
        if not name or self.choices is None:
            return None
        return next((t for t in self.choices.templates if t.name == name), None)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter confirms from any field (the note keeps plain Enter for new lines)."""
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            event.accept()
            return
        super().keyPressEvent(event)

    def problem(self) -> str | None:
        text = self.question.toPlainText().strip()
        if not text:
            if self.choices and self.choices.resubmit:
                return "Answer what the approver asked before resubmitting."
            return "Say what you are asking: what should the approver answer?"
        if len(text) > QUESTION_MAX:
            return f"Keep the question under {QUESTION_MAX} characters (it has {len(text)})."
        return None

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def submit(self) -> None:
        if self.choices is None or not self.ok.isEnabled():
            return
        problem = self.problem()
        if problem:
            self.show_message(problem)
            self.question.setFocus()
            return
        picked = self.approver.currentData()
        tpl = self._template()
        self.ok.setEnabled(False)
        Op(
            self.ctx, approvals.request_approval, self.task_id,
            expected_version=self.choices.version,
            provider_id=None if picked in (None, AUTO) else picked,
            question=self.question.toPlainText(), template=tpl.name if tpl else None,
        ).changes(lambda saved: Change.of(Kind.TASK, saved.id)).success(self._done).failure(
            self._failed
        ).run()  # fmt: skip

    def _done(self, saved) -> None:
        self.requested.emit(saved)
        verb = "resubmitted" if self.choices and self.choices.resubmit else "sent for approval"
        self.ctx.signals.status_message.emit(f"{saved.ref} {verb}.")
        self.accept()

    def _failed(self, _exc: Exception, text: str) -> None:
        self.ok.setEnabled(True)
        self.show_message(text)  # everything typed stays
