"""The intake dialog (designed in ui/intake.ui): a new task in one calm form.

The form checks what it can before saving (required fields, a patient searched
for but not picked) and shows every problem next to its field; a service's
ValidationError lands in the same place. The dialog stays open with everything
the user typed until the task is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import PRIORITY_LABELS, Option, PickerOptions, TemplateRow, WorkflowRow
from practiceboard.domain import validation
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.gui.dialogs.field_errors import FieldErrors
from practiceboard.gui.dialogs.patient_picker import PatientPicker
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.uiload import child, load_ui
from practiceboard.queries import intake, lookups
from practiceboard.queries.pickers import picker_options
from practiceboard.services.patients import PatientRow
from practiceboard.services.tasks import TaskDraft, TaskSaved, create_task

NORMAL_PRIORITY = 1


@dataclass(frozen=True)
class WorkflowChoices:
    workflow_id: int
    templates: tuple[TemplateRow, ...]
    owners: tuple[Option, ...]
    route: Option | None  # who "route automatically" gives it to


def load_choices(db, actor, workflow_id: int) -> WorkflowChoices:
    return WorkflowChoices(
        workflow_id,
        tuple(lookups.templates(db, actor, workflow_id)),
        tuple(intake.eligible_owners(db, actor, workflow_id)),
        intake.route_preview(db, actor, workflow_id),
    )


def route_text(route: Option | None, actor_id: int) -> str:
    if route is None:
        return "Route automatically"
    who = "you" if route.id == actor_id else route.label
    return f"Route automatically — goes to {who}"


class IntakeDialog(QDialog):
    """``created(TaskSaved)`` once the task is saved (the dialog then closes)."""

    created = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.options: PickerOptions | None = None
        self.choices: WorkflowChoices | None = None
        self.saving = False
        self._typed_extra: dict[str, str] = {}  # kept across workflow switches
        self._extra_inputs: dict[str, QLineEdit] = {}
        self._template: TemplateRow | None = None
        self.setWindowTitle("New task")
        self.setObjectName("IntakeDialog")
        self.form_widget = load_ui("intake", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addWidget(self.form_widget)
        self._find_children()
        self._prepare()
        self.resize(600, 700)
        Op(ctx, picker_options).success(self._options_loaded).failure(self._load_failed).run()

    # ---------------------------------------------------------------- building

    def _find_children(self) -> None:
        f = self.form_widget
        self.form: QFormLayout = child(f, QFormLayout, "form")
        self.banner = child(f, QLabel, "banner")
        self.workflow = child(f, QComboBox, "workflowCombo")
        self.template = child(f, QComboBox, "templateCombo")
        self.title_edit = child(f, QLineEdit, "titleEdit")
        self.details = child(f, QPlainTextEdit, "detailsEdit")
        self.owner = child(f, QComboBox, "ownerCombo")
        self.due = child(f, QDateEdit, "dueEdit")
        self.no_due = child(f, QCheckBox, "noDueCheck")
        self.priority = child(f, QComboBox, "priorityCombo")
        self.patient_box = child(f, QWidget, "patientBox")
        self.patient_search = child(f, QLineEdit, "patientSearch")
        self.patient_results = child(f, QListWidget, "patientResults")
        self.patient_chosen_row = child(f, QWidget, "patientChosenRow")
        self.patient_chosen = child(f, QLabel, "patientChosen")
        self.patient_clear = child(f, QPushButton, "patientClear")
        self.patient_hint = child(f, QLabel, "patientHint")
        self.payer = child(f, QComboBox, "payerCombo")
        self.provider = child(f, QComboBox, "providerCombo")
        self.location = child(f, QComboBox, "locationCombo")
        self.checklist = child(f, QLabel, "checklistText")
        self.buttons = child(f, QDialogButtonBox, "buttons")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _prepare(self) -> None:
        self.errors = FieldErrors(self.form, self.banner, self)
        self.errors.register("workflow", self.workflow)
        self.errors.register("title", self.title_edit)
        self.errors.register("details", self.details)
        self.errors.register("owner", self.owner)
        self.errors.register("due_date", self.due, self.due.parentWidget())
        self.errors.register("patient", self.patient_search, self.patient_box)
        self.errors.register("payer", self.payer)
        self.errors.register("provider", self.provider)
        self.errors.register("location", self.location)
        for i, label in enumerate(PRIORITY_LABELS):
            self.priority.addItem(label, i)
        self.priority.setCurrentIndex(NORMAL_PRIORITY)
        self.due.setEnabled(False)
        self.no_due.toggled.connect(lambda on: self.due.setEnabled(not on))
        self.no_due.toggled.connect(lambda on: None if on else self.due.setFocus())
        self.payer.lineEdit().setPlaceholderText("Pick or type the payer")
        self.payer.lineEdit().setMaxLength(80)
        # Three lines of details even when inline messages crowd the form (QSS sizes win
        # over setMinimumHeight once the style sheet polishes the widget).
        self.setStyleSheet("QPlainTextEdit#detailsEdit { min-height: 3.6em; }")
        self.form.setRowVisible(self.checklist, False)
        for button in self.buttons.buttons():  # words, not stock icons, as everywhere else
            button.setIcon(QIcon())
        self.save_button.setText("&Save task")
        wide = self.save_button.fontMetrics().horizontalAdvance("Save task")
        self.save_button.setMinimumWidth(wide + 48)  # the style sheet's padding, and some air
        self.save_button.setEnabled(False)
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.workflow.currentIndexChanged.connect(self._workflow_changed)
        self.template.activated.connect(self._template_picked)
        self.title_edit.textEdited.connect(lambda _t: self.errors.clear("title"))
        self.owner.currentIndexChanged.connect(lambda _i: self.errors.clear("owner"))
        self.workflow.setEnabled(False)
        self.template.setEnabled(False)
        self._prepare_patient()
        self.title_edit.setFocus()

    def _prepare_patient(self) -> None:
        self.form.setRowVisible(self.patient_box, self.ctx.can(Cap.PATIENT_VIEW))
        self.patients = PatientPicker(
            self.ctx, self.patient_search, self.patient_results, self.patient_chosen_row,
            self.patient_chosen, self.patient_clear, self.patient_hint, self.payer.setFocus,
        )  # fmt: skip
        self.patients.typing.connect(lambda: self.errors.clear("patient"))
        self.patients.problem.connect(lambda text: self.errors.show("patient", text, focus=False))

    # ---------------------------------------------------------------- loading

    def _options_loaded(self, options: PickerOptions) -> None:
        self.options = options
        self.due.setDate(QDate(options.today + timedelta(days=7)))
        self.due.setMinimumDate(QDate(options.today - timedelta(days=365)))
        self.payer.addItems(list(options.payers))
        self.payer.setCurrentIndex(-1)
        self.payer.setEditText("")
        self.provider.addItem("No provider", None)
        for p in options.providers:
            self.provider.addItem(p.label, p.id)
        for loc in options.locations:  # the default location comes first
            self.location.addItem(loc.label, loc.id)
        self.workflow.blockSignals(True)
        self.workflow.setPlaceholderText("Pick a workflow")
        for wf in options.workflows:
            self.workflow.addItem(wf.name, wf.id)
        self.workflow.setCurrentIndex(0 if len(options.workflows) == 1 else -1)
        self.workflow.blockSignals(False)
        self.workflow.setEnabled(bool(options.workflows))
        if not options.workflows:
            self.errors.show(None, "Your roles do not work on any workflow, so you cannot "
                             "create tasks. Ask your practice manager.")  # fmt: skip
        self.save_button.setEnabled(bool(options.workflows))
        self._workflow_changed()
        if options.workflows and not self.title_edit.text():
            self.workflow.setFocus()  # the form starts at its first field

    def _load_failed(self, _exc: Exception, text: str) -> None:
        self.errors.show(None, f"The form could not be loaded. {text}")

    def workflow_row(self) -> WorkflowRow | None:
        wid = self.workflow.currentData()
        if self.options is None or wid is None:
            return None
        return next((w for w in self.options.workflows if w.id == wid), None)

    def _workflow_changed(self, _index: int = -1) -> None:
        self.errors.clear("workflow")
        wf = self.workflow_row()
        self._build_extra_fields(wf)
        self.choices = None
        self.template.clear()
        self.template.setEnabled(False)
        self.owner.clear()
        self.owner.setEnabled(False)
        if wf is None:
            self.owner.addItem("Pick a workflow first", None)
            return
        self.owner.addItem("Finding who is free…", None)
        Op(self.ctx, load_choices, wf.id).success(self._choices_loaded).failure(
            self._load_failed
        ).run()

    def _choices_loaded(self, choices: WorkflowChoices) -> None:
        if choices.workflow_id != self.workflow.currentData():
            return  # the user picked another workflow meanwhile
        picked = self.owner_id_picked
        self.choices = choices
        self.template.clear()
        self.template.addItem("No template" if choices.templates else "No templates", None)
        for t in choices.templates:
            self.template.addItem(t.name, t.id)
        self.template.setEnabled(bool(choices.templates))
        self.owner.clear()
        self.owner.addItem(route_text(choices.route, self.ctx.actor.user_id), None)
        self.owner.setItemData(0, "The least busy member of the team that handles these tasks",
                               Qt.ItemDataRole.ToolTipRole)  # fmt: skip
        for person in choices.owners:
            me = " (you)" if person.id == self.ctx.actor.user_id else ""
            self.owner.addItem(person.label + me, person.id)
        self.owner.setCurrentIndex(max(self.owner.findData(picked), 0) if picked else 0)
        self.owner.setEnabled(True)

    @property
    def owner_id_picked(self) -> int | None:
        return self.owner.currentData() if self.choices is not None else None

    def _build_extra_fields(self, wf: WorkflowRow | None) -> None:
        """The workflow's own fields as inputs under the title, keeping what was typed."""
        for key, edit in self._extra_inputs.items():
            self._typed_extra[key] = edit.text()
            self.errors.unregister(f"extra:{key}")
            self.form.removeRow(edit)
        self._extra_inputs = {}
        if wf is None:
            return
        at, _role = self.form.getWidgetPosition(self.title_edit)
        at += 2  # below the title and its error row
        previous = self.title_edit
        for field in wf.fields:
            key = field["key"]
            edit = QLineEdit(self.form_widget, objectName=f"extra_{key}")
            edit.setMaxLength(200)
            edit.setAccessibleName(field["label"])
            edit.setText(self._typed_extra.get(key, ""))
            edit.textEdited.connect(partial(lambda k, _t: self.errors.clear(f"extra:{k}"), key))
            # Labels are practice configuration: plain text, and no buddy, so an '&' in
            # "Item & quantity" stays an ampersand instead of becoming a shortcut.
            label = QLabel(field["label"] + (" *" if field.get("required") else ""))
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            self.form.insertRow(at, label, edit)
            self.errors.register(f"extra:{key}", edit)
            at += 2
            QWidget.setTabOrder(previous, edit)
            previous = edit
            self._extra_inputs[key] = edit
        QWidget.setTabOrder(previous, self.details)

    def extra_input(self, key: str) -> QLineEdit:
        return self._extra_inputs[key]

    # ---------------------------------------------------------------- template

    def _template_picked(self, _index: int) -> None:
        tid = self.template.currentData()
        chosen = next((t for t in self.choices.templates if t.id == tid), None) if tid else None
        previous, self._template = self._template, chosen
        if chosen is None:
            self.form.setRowVisible(self.checklist, False)
            return
        # Fill the title and details unless the user wrote their own.
        if not self.title_edit.text().strip() or (
            previous and self.title_edit.text() == previous.title
        ):
            self.title_edit.setText(chosen.title)
            self.errors.clear("title")
        details = self.details.toPlainText()
        if chosen.details and (not details.strip() or (previous and details == previous.details)):
            self.details.setPlainText(chosen.details)
        self.priority.setCurrentIndex(chosen.priority)
        if chosen.due_in_days is not None and self.options is not None:
            self.due.setDate(QDate(self.options.today + timedelta(days=chosen.due_in_days)))
            self.no_due.setChecked(False)
        items = [str(i.get("text", "")) for i in chosen.checklist if isinstance(i, dict)]
        self.checklist.setText("\n".join(f"☐ {t}" for t in items))
        self.form.setRowVisible(self.checklist, bool(items))

    # ---------------------------------------------------------------- patient

    @property
    def patient(self) -> PatientRow | None:
        return self.patients.patient

    # ---------------------------------------------------------------- saving

    def problems(self) -> list[tuple[str | None, str]]:
        """What must be fixed before saving, in form order (the domain's own checks)."""
        out: list[tuple[str | None, str]] = []
        wf = self.workflow_row()
        if wf is None:
            out.append(("workflow", "Pick a workflow for the new task."))
        try:
            validation.title(self.title_edit.text())
        except ValidationError as err:
            out.append(("title", err.message))
        for field in wf.fields if wf else ():
            key = field["key"]
            value = self._extra_inputs[key].text()
            try:
                validation.short_text(value, key, 200, field["label"])
            except ValidationError as err:
                out.append((f"extra:{key}", err.message))
                continue
            if field.get("required") and not value.strip():
                out.append((f"extra:{key}", f"Fill in “{field['label']}”."))
        try:
            validation.details(self.details.toPlainText())
        except ValidationError as err:
            out.append(("details", err.message))
        if self.patients.pending_text():
            out.append((
                "patient",
                "Pick the patient from the list, or clear the search to save without one.",
            ))  # fmt: skip
        return out

    def draft(self) -> TaskDraft:
        wf = self.workflow_row()
        extra = {k: e.text().strip() for k, e in self._extra_inputs.items() if e.text().strip()}
        return TaskDraft(
            workflow_id=wf.id,
            title=self.title_edit.text(),
            details=self.details.toPlainText(),
            owner_id=self.owner_id_picked,
            due_date=None if self.no_due.isChecked() else self.due.date().toPython(),
            patient_id=self.patient.id if self.patient else None,
            payer=self.payer.currentText().strip() or None,
            provider_id=self.provider.currentData(),
            location_id=self.location.currentData(),
            priority=self.priority.currentData(),
            template_id=self._template.id if self._template else None,
            extra=extra,
            checklist=[dict(i) for i in self._template.checklist] if self._template else [],
        )

    def save(self) -> None:
        if self.saving or self.options is None:
            return
        problems = self.problems()
        if problems:
            self.errors.show_all(problems)
            return
        self.errors.clear()
        self.saving = True
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")
        Op(self.ctx, create_task, self.draft()).changes(
            lambda saved: Change.of(Kind.TASK, saved.id) | Change.of(Kind.PATIENT)
        ).success(self._saved).failure(self._save_failed).run()

    def _saved(self, saved: TaskSaved) -> None:
        self.saving = False
        self.created.emit(saved)
        self.ctx.signals.task_saved.emit(saved.id)  # the Op then announces the change
        self.ctx.signals.status_message.emit(f"Created {saved.ref}.")
        self.done(QDialog.DialogCode.Accepted)

    def _save_failed(self, exc: Exception, text: str) -> None:
        """Everything typed stays in the fields: the user corrects it and saves again."""
        self.saving = False
        self.save_button.setEnabled(True)
        self.save_button.setText("&Save task")
        if isinstance(exc, ValidationError):
            key = exc.field
            if key in self._extra_inputs:
                key = f"extra:{key}"
            self.errors.show_all([(key, text)])
        else:
            self.errors.show_all([(None, text)])

    # ---------------------------------------------------------------- closing

    def has_typing(self) -> bool:
        return bool(
            self.title_edit.text().strip()
            or self.details.toPlainText().strip()
            or any(e.text().strip() for e in self._extra_inputs.values())
            or self.patient is not None
            or self.patients.pending_text()
            or self.payer.currentText().strip()
        )

    def reject(self) -> None:
        """Esc and Cancel: ask before throwing typing away; never while saving."""
        if self.saving:
            return
        if self.has_typing() and not self.ctx.messages.confirm(
            self, "Discard new task", "Close without saving? What you typed will be lost."
        ):
            return
        super().reject()
