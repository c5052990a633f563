"""The Patients view: find a patient by MRN, name or date of birth, see their program,
risk, provider, active plan, next action and overdue follow-ups, and open the
patient page (header, plans, open tasks, timeline) in place.

Searches run in a worker after a short pause in typing (each one is audited as a
search of patient data); older answers are dropped. Names are plain text.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practiceboard.domain.policy import Cap
from practiceboard.gui.kit.change import Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.stale import RefreshWhenShown
from practiceboard.gui.views.care.page import PatientPageWidget
from practiceboard.gui.views.care.table import Column, RowsTable, day, label
from practiceboard.gui.views.lists.table import Section
from practiceboard.queries import careplans as plan_queries
from practiceboard.queries import patients as patient_queries

SEARCH_PAUSE_MS = 300
SHOWN = (Kind.PATIENT, Kind.CARE_PLAN, Kind.TASK, Kind.USER)

COLUMNS = (
    Column("MRN", lambda r: r.mrn, 10, patient=True),
    Column("Name", lambda r: r.name, 20, patient=True),
    Column("Born", lambda r: day(r.date_of_birth), 10, patient=True),
    Column("Programs", lambda r: r.programs, 20),
    Column("Risk", lambda r: (r.risk or "").capitalize(), 7),
    Column("Provider", lambda r: r.provider_name or "", 15),
    Column("Active plan", lambda r: r.active_plan or "", 18),
    Column("Next action", lambda r: r.next_action or "", 0),
    Column("Due", lambda r: day(r.next_due), 10),
    Column("Overdue", lambda r: str(r.overdue) if r.overdue else "", 7, lambda r: r.overdue > 0),
)


class PatientsView(RefreshWhenShown, QWidget):
    shown_kinds = SHOWN
    task_activated = Signal(int)

    EMPTY = "No patients match. Search by MRN, part of a name, or a date of birth (4/12/1956)."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("patientsView")
        self._ticket = 0
        self._stale = False
        self.choices = None
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(self.stack)

        listing = QWidget(self.stack)
        layout = QVBoxLayout(listing)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit(listing, objectName="patientSearch")
        self.search.setPlaceholderText("Search by MRN, name or date of birth (MM/DD/YYYY)")
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.refresh)
        self.overdue_only = QCheckBox("Only with overdue follow-ups", listing,
                                      objectName="overdueOnly")  # fmt: skip
        self.overdue_only.toggled.connect(lambda _on: self.refresh())
        self.add_button = QPushButton("Add patient…", listing, objectName="addPatient")
        self.add_button.clicked.connect(self.add_patient)
        self.add_button.setVisible(ctx.can(Cap.PATIENT_EDIT))
        bar.addWidget(self.search, 1)
        bar.addWidget(self.overdue_only)
        bar.addWidget(self.add_button)
        layout.addLayout(bar)
        self.heading = label("Patients", listing, "heading", "patientsHeading")
        layout.addWidget(self.heading)
        self.table = RowsTable(COLUMNS, lambda r: r.id, listing)
        self.table.setObjectName("patientTable")
        self.table.activated_id.connect(self.open_patient)
        self.section = Section(self.table, self.EMPTY, listing)
        layout.addWidget(self.section, 1)
        self.stack.addWidget(listing)
        self.listing = listing

        self.page = PatientPageWidget(ctx, self.stack)
        self.page.back.connect(self.show_list)
        self.page.task_activated.connect(self.task_activated)
        self.page.plan_activated.connect(self.open_plan)
        self.page.new_plan.connect(self.new_plan)
        self.page.edit_patient.connect(self.edit_patient)
        self.stack.addWidget(self.page)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._timer.timeout.connect(self.refresh)
        ctx.signals.data_changed.connect(self._data_changed)
        self.refresh()

    # ---------------------------------------------------------------- the contract

    def refresh(self) -> None:
        self._stale = False
        if self.stack.currentWidget() is self.page:
            self.page.refresh()  # the list (an audited search) reloads on the way back
            return
        self._ticket += 1
        Op(self.ctx, patient_queries.list_patients, self.search.text(),
           overdue_only=self.overdue_only.isChecked()).success(
            partial(self._arrived, self._ticket)
        ).failure(partial(self._failed, self._ticket)).fallback(SOMETHING_WRONG).run()  # fmt: skip

    def current_task_id(self) -> int | None:
        return self.page.current_task_id() if self.stack.currentWidget() is self.page else None

    # ---------------------------------------------------------------- the list

    def _arrived(self, ticket: int, rows) -> None:
        if ticket != self._ticket:
            return
        self.table.set_rows(rows)
        shown = len(rows)
        more = " (the first 100 by name: search to narrow)" if shown >= 100 else ""
        self.heading.setText(f"Patients ({shown}){more}" if shown else "Patients")
        self.section.show_rows(bool(rows))

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.section.show_problem(f"Could not load the patients. {text}")

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.listing)
        self.refresh()

    def open_patient(self, patient_id: int) -> None:
        self.stack.setCurrentWidget(self.page)
        self.page.show_patient(patient_id)

    # ---------------------------------------------------------------- dialogs

    def _with_choices(self, then) -> None:
        """Run ``then(choices)`` once the form's choices are loaded (once per view)."""
        if self.choices is not None:
            then(self.choices)
            return

        def keep(choices) -> None:
            self.choices = choices
            then(choices)

        Op(self.ctx, plan_queries.care_choices).success(keep).report_to(
            self, "Could not open the form"
        ).run()

    def add_patient(self) -> None:
        self._with_choices(partial(self._patient_dialog, None))

    def edit_patient(self) -> None:
        if self.page.page is not None:
            self._with_choices(partial(self._patient_dialog, self.page.page))

    def _patient_dialog(self, page, choices) -> None:
        from practiceboard.gui.views.care.patient_dialog import PatientDialog

        self.patient_dialog = PatientDialog(self.ctx, choices, page, self)
        self.patient_dialog.saved.connect(self.open_patient)
        self.patient_dialog.open()

    def new_plan(self) -> None:
        self._with_choices(partial(self._plan_dialog, None))

    def open_plan(self, plan_id: int) -> None:
        self._with_choices(partial(self._plan_dialog, plan_id))

    def _plan_dialog(self, plan_id, choices) -> None:
        from practiceboard.gui.views.care.plan_dialog import PlanDialog

        page = self.page.page
        if page is None:
            return
        self.plan_dialog = PlanDialog(self.ctx, choices, page.patient.id, page.patient.name,
                                      plan_id, self)  # fmt: skip
        self.plan_dialog.open()
