"""Add or edit a patient: MRN, name, date of birth, phone, primary provider, programs.

The save runs in a worker; a refusal (a duplicate MRN, a date in the future) comes
back under its field and everything typed stays. Someone else's save in between is
a conflict sentence in the banner, never a silent overwrite.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.patient_match import parse_birth_date
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.dialogs.field_errors import FieldErrors
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.queries.careplans import CareChoices
from practiceboard.queries.patients import PatientPage
from practiceboard.services import patients


class PatientDialog(QDialog):
    """``saved(int)`` with the patient's id after a successful save."""

    saved = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        choices: CareChoices,
        page: PatientPage | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ctx, self.page = ctx, page
        self.setWindowTitle("Edit patient" if page else "Add patient")
        self.setObjectName("patientDialog")
        layout = QVBoxLayout(self)
        self.banner = QLabel(self, objectName="banner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setProperty("kind", "error")
        layout.addWidget(self.banner)
        form = QFormLayout()
        layout.addLayout(form)
        self.mrn = QLineEdit(self, objectName="mrn")
        self.name = QLineEdit(self, objectName="name")
        self.dob = QLineEdit(self, objectName="dob", placeholderText="MM/DD/YYYY")
        self.phone = QLineEdit(self, objectName="phone", placeholderText="(555) 010-2345")
        self.provider = QComboBox(self, objectName="provider")
        self.provider.addItem("No primary provider", None)
        for opt in choices.providers:
            self.provider.addItem(opt.label, opt.id)
        self.programs = QListWidget(self, objectName="programs")
        self.programs.setMaximumHeight(self.fontMetrics().height() * 7)
        for opt in choices.programs:
            item = QListWidgetItem(opt.label, self.programs)
            item.setData(Qt.ItemDataRole.UserRole, opt.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        for text, widget in [("MRN", self.mrn), ("Name", self.name), ("Date of birth", self.dob),
                             ("Phone", self.phone), ("Primary provider", self.provider),
                             ("Programs", self.programs)]:  # fmt: skip
            form.addRow(text, widget)
        self.errors = FieldErrors(form, self.banner, self)
        fields = [("mrn", self.mrn), ("display_name", self.name), ("date_of_birth", self.dob),
                  ("phone", self.phone), ("primary_provider", self.provider),
                  ("programs", self.programs)]  # fmt: skip
        for key, widget in fields:
            self.errors.register(key, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
        if page is not None:
            p = page.patient
            self.mrn.setText(p.mrn)
            self.name.setText(p.name)
            self.dob.setText(f"{p.date_of_birth:%m/%d/%Y}" if p.date_of_birth else "")
            self.phone.setText(page.phone or "")
            self.provider.setCurrentIndex(max(0, self.provider.findData(page.primary_provider_id)))
            for i in range(self.programs.count()):
                item = self.programs.item(i)
                if item.data(Qt.ItemDataRole.UserRole) in page.program_ids:
                    item.setCheckState(Qt.CheckState.Checked)
        self.resize(460, self.sizeHint().height())

    def _birth(self) -> date | None:
        text = self.dob.text().strip()
        if not text:
            return None
        born = parse_birth_date(text)
        if born is None:
            raise ValidationError("Type the date of birth as MM/DD/YYYY.", "date_of_birth")
        return born

    def program_ids(self) -> tuple[int, ...]:
        return tuple(
            self.programs.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.programs.count())
            if self.programs.item(i).checkState() == Qt.CheckState.Checked
        )

    def save(self) -> None:
        self.errors.clear()
        try:
            born = self._birth()
        except ValidationError as err:
            self.errors.show(err.field, err.message)
            return
        values = dict(date_of_birth=born, primary_provider_id=self.provider.currentData(),
                      phone=self.phone.text(), program_ids=self.program_ids())  # fmt: skip
        if self.page is None:
            op = Op(self.ctx, patients.create_patient, self.mrn.text(), self.name.text(), **values)
        else:
            op = Op(self.ctx, patients.update_patient, self.page.patient.id,
                    expected_version=self.page.version, mrn=self.mrn.text(),
                    display_name=self.name.text(), **values)  # fmt: skip
        self.save_button.setEnabled(False)
        op.changes(lambda row: Change.of(Kind.PATIENT, row.id)).success(self._saved).failure(
            self._failed
        ).run()

    def _saved(self, row) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(row.id)
        self.accept()

    def _failed(self, exc: Exception, text: str) -> None:
        self.save_button.setEnabled(True)
        field = exc.field if isinstance(exc, ValidationError) else None
        self.errors.show(field if field in self.errors.fields else None, text)
