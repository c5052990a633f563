"""The reading pane: one request in full beside the list, so a decision needs no
second window — what is asked (or what came back), the task's fields, checklist and
details, every round of the request and the task's history. Plain text throughout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QScrollArea, QVBoxLayout, QWidget

from practiceboard.core.rows import ApprovalItem, ApprovalRound
from practiceboard.domain.dates import moment_label
from practiceboard.domain.decisions import words
from practiceboard.gui.dialogs.timeline import fill_timeline
from practiceboard.gui.kit.wording import reason_words
from practiceboard.gui.views.approvals.model import hours_label
from practiceboard.queries.approvals import Reading


def _label(parent: QWidget, name: str, kind: str | None = None) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # patient text is plain text everywhere
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if kind:
        label.setProperty("kind", kind)
    return label


def round_text(r: ApprovalRound, zone: str) -> str:
    lines = [f"Round {r.number} · {moment_label(r.asked_at, zone)} · {r.asked_by_name} asked"]
    if r.question:
        lines.append(f"   “{r.question}”")
    if r.decision:
        said = words(r.decision)
        what = said.label if said else r.decision
        line = f"   {what} by {r.decided_by_name} · {moment_label(r.decided_at, zone)}"
        if r.reason_label:
            line += f" · {reason_words(r.reason_label)}"
        lines.append(line)
        if r.note:
            lines.append(f"   Note: {r.note}")
    else:
        lines.append("   Waiting for a decision" if r.number else "")
    return "\n".join(lines)


class ReadingPane(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("readingPane")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 8, 12, 8)
        self.title = _label(body, "paneTitle", "title")
        self.meta = _label(body, "paneMeta", "muted")
        self.patient = _label(body, "panePatient")
        self.asked = _label(body, "paneAsked", "highlight")
        self.fields = _label(body, "paneFields")
        self.checklist = _label(body, "paneChecklist")
        self.details = _label(body, "paneDetails")
        self.rounds_heading = _label(body, "roundsHeading", "heading")
        self.rounds_heading.setText("Rounds")
        self.rounds = _label(body, "paneRounds")
        self.history_heading = _label(body, "historyHeading", "heading")
        self.history_heading.setText("History")
        self.history = QListWidget(body)
        self.history.setObjectName("paneHistory")
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(140)
        self.empty = _label(body, "paneEmpty", "muted")
        for w in (self.empty, self.title, self.meta, self.patient, self.asked, self.fields,
                  self.checklist, self.details, self.rounds_heading, self.rounds,
                  self.history_heading, self.history):  # fmt: skip
            layout.addWidget(w)
        layout.addStretch(1)
        self.setWidget(body)
        self.task_id: int | None = None
        self.show_empty("Pick a request to read it here.")

    def _parts(self):
        return (self.title, self.meta, self.patient, self.asked, self.fields, self.checklist,
                self.details, self.rounds_heading, self.rounds, self.history_heading,
                self.history)  # fmt: skip

    def show_empty(self, text: str) -> None:
        self.task_id = None
        for w in self._parts():
            w.hide()
        self.empty.setText(text)
        self.empty.show()

    def show_reading(self, reading: Reading, item: ApprovalItem | None, zone: str) -> None:
        d = reading.detail
        card = d.card
        self.task_id = card.id
        self.empty.hide()
        self.title.setText(card.title)
        meta = [card.ref, card.workflow_name, card.status_name, f"with {card.owner_name}"]
        if item is not None and card.category == "review":
            meta.append(f"waiting {hours_label(item.waiting_hours)} (business hours)")
        self.meta.setText(" · ".join(meta))
        if d.patient_name:
            dob = f", born {d.patient_dob:%b %d, %Y}" if d.patient_dob else ""
            self.patient.setText(f"Patient: {d.patient_name}{dob} ({card.patient_ref})")
        elif card.patient_ref:
            self.patient.setText(f"Patient: {card.patient_ref}")
        else:
            self.patient.setText("")
        self.asked.setText(self._asked(reading, item))
        fields = [f"{d.extra_labels.get(k, k)}: {v}" for k, v in d.extra.items() if v]
        self.fields.setText("\n".join(fields))
        items = [f"{'☑' if c.get('done') else '☐'} {c.get('text', '')}" for c in d.checklist]
        self.checklist.setText("Checklist\n" + "\n".join(items) if items else "")
        self.details.setText(d.details)
        self.rounds.setText("\n".join(round_text(r, zone) for r in reading.rounds))
        fill_timeline(self.history, d.timeline, zone)
        for w in self._parts():
            w.setVisible(w is self.history or w is self.history_heading or bool(
                w.text() if isinstance(w, QLabel) else True))  # fmt: skip
        self.rounds_heading.setVisible(bool(reading.rounds))
        self.verticalScrollBar().setValue(0)

    @staticmethod
    def _asked(reading: Reading, item: ApprovalItem | None) -> str:
        if item is not None and item.back_by_name:
            why = " — ".join(x for x in (item.back_reason, item.back_note) if x)
            return f"{item.back_by_name} sent this back: {why or 'more information needed'}"
        current = reading.rounds[-1] if reading.rounds else None
        if current is not None and current.decision is None and current.question:
            return f"{current.asked_by_name} asks: {current.question}"
        return ""
