"""How the task detail dialog shows a task: its widgets by name (ui/task_detail.ui),
the header, the editable fields' pickers and values, and the read-only facts
(patient, location, the workflow's own fields, the checklist). All text is plain."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QWidget,
)

from practiceboard.core.rows import PRIORITY_LABELS
from practiceboard.domain.aging import format_age
from practiceboard.gui.dialogs.detail_fields import FIELDS, mrn_text
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.uiload import child
from practiceboard.gui.kit.wording import reason_words, short_date


def handoff_note(detail) -> str:
    """The note of the hand-off that gave the task to its current owner, for them to
    read at the top ("Handed over by Fran Front: …"); '' when it came without one."""
    for entry in detail.timeline:  # newest first
        if entry.kind == "handoff":
            if entry.note:
                return f"Handed over by {entry.actor_name}: {entry.note}"
            return ""
    return ""


class DetailView:
    """Mixed into TaskDetailDialog (which provides form_widget, data and baseline)."""

    def _find_children(self) -> None:
        f = self.form_widget
        self.ref_label = child(f, QLabel, "refLabel")
        self.workflow_label = child(f, QLabel, "workflowLabel")
        self.status_icon = child(f, QLabel, "statusIcon")
        self.status_text = child(f, QLabel, "statusText")
        self.title_label = child(f, QLabel, "titleLabel")
        self.summary = child(f, QLabel, "summaryLabel")
        self.conflict_banner = child(f, QFrame, "conflictBanner")
        self.conflict_text = child(f, QLabel, "conflictText")
        self.reload_button = child(f, QPushButton, "reloadButton")
        self.banner = child(f, QLabel, "banner")
        self.splitter = child(f, QSplitter, "splitter")
        self.tabs = child(f, QTabWidget, "tabs")
        self.fields_form = child(f, QFormLayout, "fieldsForm")
        self.title_edit = child(f, QLineEdit, "titleEdit")
        self.details_edit = child(f, QPlainTextEdit, "detailsEdit")
        self.due = child(f, QDateEdit, "dueEdit")
        self.no_due = child(f, QCheckBox, "noDueCheck")
        self.priority = child(f, QComboBox, "priorityCombo")
        self.payer = child(f, QComboBox, "payerCombo")
        self.provider = child(f, QComboBox, "providerCombo")
        self.patient_text = child(f, QLabel, "patientText")
        self.location_text = child(f, QLabel, "locationText")
        self.checklist_text = child(f, QLabel, "checklistText")
        self.edit_note = child(f, QLabel, "editNote")
        self.save_button = child(f, QPushButton, "saveButton")
        self.timeline = child(f, QListWidget, "timelineList")
        self.notes = child(f, QListWidget, "notesList")
        self.note_edit = child(f, QPlainTextEdit, "noteEdit")
        self.note_message = child(f, QLabel, "noteMessage")
        self.add_note_button = child(f, QPushButton, "addNoteButton")
        self.status_group = child(f, QGroupBox, "statusGroup")
        self.moves_box = child(f, QWidget, "movesBox")
        self.handoff_line = child(f, QLabel, "handoffLine")
        self.decision_group = child(f, QGroupBox, "decisionGroup")
        self.decision_text = child(f, QLabel, "decisionText")
        self.approve_button = child(f, QPushButton, "approveButton")
        self.reject_button = child(f, QPushButton, "rejectButton")
        self.send_back_button = child(f, QPushButton, "sendBackButton")
        self.owner_text = child(f, QLabel, "ownerText")
        self.handoff_combo = child(f, QComboBox, "handoffCombo")
        self.handoff_button = child(f, QPushButton, "handoffButton")
        self.watchers_text = child(f, QLabel, "watchersText")
        self.watch_button = child(f, QPushButton, "watchButton")
        self.close_task_button = child(f, QPushButton, "closeTaskButton")
        self.reopen_button = child(f, QPushButton, "reopenButton")
        self.buttons = child(f, QDialogButtonBox, "buttons")

    def provider_names(self) -> dict:
        names = {p.id: p.label for p in self.data.providers} if self.data else {}
        card = self.data.detail.card if self.data else None
        if card and card.provider_id is not None:
            names.setdefault(card.provider_id, card.provider_name or "")
        return names

    def _show_header(self) -> None:
        d = self.data.detail
        card = d.card
        self.ref_label.setText(card.ref)
        self.workflow_label.setText(f"· {card.workflow_name}")
        icon, color = theme.outcome_look(card.category, self.decision_of(card.status_id))
        self.status_icon.setPixmap(theme.pixmap(icon, 16))
        reason = reason_words(card.reason_label)
        self.status_text.setText(card.status_name + (f" — {reason}" if reason else ""))
        self.status_text.setStyleSheet(f"color: {color}; font-weight: 600;")
        self.title_label.setText(card.title)
        today = self.data.today
        parts = [f"Owner: {card.owner_name}", f"Requested by {d.requester_name}"]
        if card.due_date:
            late = " (overdue)" if card.overdue else ""
            parts.append(f"Due {short_date(card.due_date, today)}{late}")
        since = self.read_at.since()  # ages tick between reads (gui.kit.ages)
        parts.append(f"In this status {format_age(card.age_in_status_seconds + since)}")
        parts.append(f"Opened {format_age(card.age_seconds + since)} ago")
        if card.priority != 1:
            parts.append(f"{PRIORITY_LABELS[card.priority]} priority")
        if d.reopen_count:
            parts.append(f"Reopened {d.reopen_count}×")
        text = " · ".join(parts)
        if handed := handoff_note(d):
            text += "\n" + handed
        self.summary.setText(text)

    def _fill_pickers(self) -> None:
        self.payer.blockSignals(True)
        text = self.payer.currentText()
        self.payer.clear()
        self.payer.addItems(list(self.data.payers))
        self.payer.setEditText(text)
        self.payer.blockSignals(False)
        self.provider.blockSignals(True)
        picked = self.provider.currentData()
        self.provider.clear()
        self.provider.addItem("No provider", None)
        for pid, name in self.provider_names().items():
            self.provider.addItem(name, pid)
        self.provider.setCurrentIndex(max(self.provider.findData(picked), 0))
        self.provider.blockSignals(False)

    def _show_fields(self, typed: dict) -> None:
        for key in FIELDS:
            self.set_value(key, typed[key] if key in typed else self.baseline[key])

    def set_value(self, key: str, value) -> None:
        widgets = {
            "title": self.title_edit, "details": self.details_edit, "due_date": self.due,
            "priority": self.priority, "payer": self.payer, "provider_id": self.provider,
        }  # fmt: skip
        widget = widgets[key]
        widget.blockSignals(True)
        if key == "title":
            self.title_edit.setText(value or "")
        elif key == "details":
            self.details_edit.setPlainText(value or "")
        elif key == "due_date":
            self.no_due.blockSignals(True)
            self.no_due.setChecked(value is None)
            self.no_due.blockSignals(False)
            self.due.setDate(QDate(value or self.data.today))
        elif key == "priority":
            self.priority.setCurrentIndex(self.priority.findData(value))
        elif key == "payer":
            self.payer.setEditText(value or "")
        else:
            self.provider.setCurrentIndex(max(self.provider.findData(value), 0))
        widget.blockSignals(False)

    def _show_read_only(self) -> None:
        d = self.data.detail
        card = d.card
        if d.patient_name:
            born = f" · born {d.patient_dob:%m/%d/%Y}" if d.patient_dob else ""
            mrn = f" · {mrn_text(card.patient_ref)}" if card.patient_ref else ""
            self.patient_text.setText(f"{d.patient_name}{born}{mrn}")
        else:
            self.patient_text.setText(mrn_text(card.patient_ref) if card.patient_ref else "")
        self.fields_form.setRowVisible(self.patient_text, bool(self.patient_text.text()))
        self.location_text.setText(card.location_name or "")
        self.fields_form.setRowVisible(self.location_text, bool(card.location_name))
        items = [i for i in d.checklist if isinstance(i, dict)]
        self.checklist_text.setText(
            "\n".join(f"{'☑' if i.get('done') else '☐'} {i.get('text', '')}" for i in items)
        )
        self.fields_form.setRowVisible(self.checklist_text, bool(items))
        for label in self._extra_rows:
            self.fields_form.removeRow(label)
        self._extra_rows = []
        at, _role = self.fields_form.getWidgetPosition(self.patient_text)
        for key, value in d.extra.items():
            text = QLabel(str(value), self.form_widget, objectName=f"extra_{key}")
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label = QLabel(d.extra_labels.get(key, key), self.form_widget)
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.fields_form.insertRow(at, label, text)
            self._extra_rows.append(text)
            at += 1
