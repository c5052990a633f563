"""The patient page: who (header), their care plans, their open tasks in every
workflow the role works on, and the timeline of everything that happened for them,
newest first, filterable by kind and printable."""

from __future__ import annotations

import html
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from practiceboard.domain.careplan import PLAN_STATUS_LABELS
from practiceboard.domain.dates import moment_label
from practiceboard.domain.policy import Cap
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.care.table import Column, RowsTable, day, label
from practiceboard.queries import intake
from practiceboard.queries import patients as patient_queries
from practiceboard.queries.patients import PatientPage
from practiceboard.queries.timeline import TIMELINE_GROUPS
from practiceboard.reports import fhir

PLAN_COLUMNS = (
    Column("Program", lambda p: p.program_name, 0),
    Column("Status", lambda p: PLAN_STATUS_LABELS.get(p.status, p.status), 9),
    Column("Risk", lambda p: p.risk.capitalize(), 7),
    Column("Owner", lambda p: p.owner_name, 16),
    Column("Start", lambda p: day(p.start_date), 10),
    Column("Review", lambda p: day(p.review_date), 10, lambda p: p.review_overdue),
    Column("Open tasks", lambda p: str(p.open_tasks), 10),
    Column("Overdue", lambda p: str(p.overdue_tasks) if p.overdue_tasks else "", 7,
           lambda p: p.overdue_tasks > 0),
)  # fmt: skip
TASK_COLUMNS = (
    Column("Due", lambda t: day(t.due_date), 10, lambda t: t.overdue),
    Column("Task", lambda t: t.title, 0),
    Column("Status", lambda t: t.status_name, 11),
    Column("Owner", lambda t: t.owner_name, 13),
)


def _timeline_columns(zone: str):
    return (
        Column("When", lambda e: when(e.at, zone), 14),
        Column("Who", lambda e: e.actor_name, 12),
        Column("What", lambda e: e.summary, 0),
        Column("Task", lambda e: e.task_ref or "", 10),
        Column("Note", lambda e: " · ".join(x for x in (e.reason_label, e.note) if x), 20),
    )


def when(at, zone: str) -> str:
    """'Nov 27, 4:54 PM' (the weekday is dropped: the column is narrow)."""
    label_ = moment_label(at, zone)
    return label_.split(" ", 1)[1] if label_[:3].isalpha() and label_[3:4] == " " else label_


def load_page(db, actor, patient_id: int, groups):
    """The page and the practice's zone (for the timeline's times), one worker call."""
    zone = intake.practice_zone(db, actor)[0]
    return patient_queries.patient_page(db, actor, patient_id, groups=groups), zone


def choose_fhir_path(parent: QWidget, suggested: str) -> str:
    """Where the bundle goes (tests replace this)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Export FHIR", suggested, "FHIR JSON (*.json)")
    return path


class PatientPageWidget(QWidget):
    """``back()`` to the list; ``task_activated(int)`` opens a task; ``plan_activated(int)``
    and ``new_plan()``/``edit_patient()`` are the view's to handle."""

    back = Signal()
    task_activated = Signal(int)
    plan_activated = Signal(int)
    new_plan = Signal()
    edit_patient = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.page: PatientPage | None = None
        self.zone = "UTC"
        self._ticket = 0
        self.setObjectName("patientPage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.back_button = QPushButton("← All patients", self, objectName="backButton")
        self.back_button.clicked.connect(self.back)
        top.addWidget(self.back_button)
        top.addStretch(1)
        self.edit_button = QPushButton("Edit patient…", self, objectName="editPatient")
        self.edit_button.clicked.connect(self.edit_patient)
        self.edit_button.setVisible(ctx.can(Cap.PATIENT_EDIT))
        self.plan_button = QPushButton("New care plan…", self, objectName="newPlan")
        self.plan_button.setProperty("kind", "primary")
        self.plan_button.clicked.connect(self.new_plan)
        self.plan_button.setVisible(ctx.can(Cap.CAREPLAN_OPERATIONAL))
        self.fhir_button = QPushButton("Export FHIR…", self, objectName="exportFhir")
        self.fhir_button.setToolTip("This patient, their care plans, goals and tasks as a FHIR "
                                    "R4 bundle (JSON) for the EHR")  # fmt: skip
        self.fhir_button.clicked.connect(self.export_fhir)
        self.fhir_button.setVisible(ctx.can(Cap.EXPORT))
        top.addWidget(self.fhir_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.plan_button)
        layout.addLayout(top)
        self.title = label("", self, "title", "patientName")
        self.facts = label("", self, "muted", "patientFacts")
        self.facts.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        self.problem = label("", self, "error", "pageProblem")
        self.problem.hide()
        layout.addWidget(self.problem)

        layout.addWidget(label("Care plans", self, "heading"))
        self.plans = RowsTable(PLAN_COLUMNS, lambda p: p.id, self)
        self.plans.setObjectName("planTable")
        self.plans.activated_id.connect(self.plan_activated)
        rows = self.plans.verticalHeader().defaultSectionSize()
        self.plans.setMaximumHeight(rows * 4 + self.plans.horizontalHeader().sizeHint().height())
        layout.addWidget(self.plans)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.tasks_heading = label("Open tasks", left, "heading")
        left_layout.addWidget(self.tasks_heading)
        self.tasks = RowsTable(TASK_COLUMNS, lambda t: t.id, left)
        self.tasks.setObjectName("patientTasks")
        self.tasks.activated_id.connect(self.task_activated)
        left_layout.addWidget(self.tasks, 1)

        right = QWidget(split)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(label("Timeline", right, "heading"))
        bar.addStretch(1)
        self.filter = QComboBox(right, objectName="timelineFilter")
        self.filter.addItem("Everything", None)
        for key, text in TIMELINE_GROUPS.items():
            self.filter.addItem(text, key)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        bar.addWidget(self.filter)
        self.print_button = QPushButton("Print…", right, objectName="printTimeline")
        self.print_button.clicked.connect(self.print_timeline)
        bar.addWidget(self.print_button)
        right_layout.addLayout(bar)
        self.timeline = RowsTable(_timeline_columns(self.zone), lambda e: None, right)
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(False)
        right_layout.addWidget(self.timeline, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([480, 720])
        layout.addWidget(split, 1)

    # ---------------------------------------------------------------- loading

    def show_patient(self, patient_id: int) -> None:
        if patient_id != self.patient_id:
            self.page = None
            self.title.setText("Loading…")
            self.facts.clear()
            self.plans.set_rows([])
            self.tasks.set_rows([])
            self.timeline.set_rows([])
        self.patient_id = patient_id
        self.refresh()

    def groups(self) -> set[str] | None:
        key = self.filter.currentData()
        return {key} if key else None

    def refresh(self) -> None:
        if self.patient_id is None:
            return
        self._ticket += 1
        Op(self.ctx, load_page, self.patient_id, self.groups()).success(
            partial(self._arrived, self._ticket)
        ).failure(partial(self._failed, self._ticket)).fallback(SOMETHING_WRONG).run()

    def _arrived(self, ticket: int, result) -> None:
        if ticket != self._ticket:
            return
        page, zone = result
        self.page = page
        if zone != self.zone:
            self.zone = zone
            self.timeline.rows_model.columns = list(_timeline_columns(zone))
        self.problem.hide()
        p = page.patient
        self.title.setText(p.name)
        facts = [f"MRN {p.mrn}"]
        if p.date_of_birth:
            facts.append(f"born {p.date_of_birth:%m/%d/%Y}")
        if page.phone:
            facts.append(page.phone)
        facts.append(f"risk {p.risk}" if p.risk else "no open plan")
        facts.append(f"provider {p.provider_name}" if p.provider_name else "no primary provider")
        if p.programs:
            facts.append(p.programs)
        self.facts.setText(" · ".join(facts))
        self.plans.set_rows(page.plans)
        self.tasks.set_rows(page.open_tasks)
        overdue = sum(t.overdue for t in page.open_tasks)
        self.tasks_heading.setText(
            f"Open tasks ({len(page.open_tasks)}, {overdue} overdue)"
            if overdue
            else f"Open tasks ({len(page.open_tasks)})"
        )
        self.timeline.set_rows(page.timeline)

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.problem.setText(f"The patient could not be shown. {text}")
            self.problem.show()

    def current_task_id(self) -> int | None:
        return self.tasks.current_id()

    def export_fhir(self) -> None:
        """This patient as a FHIR R4 bundle (reports/fhir.py; audited as a patient view)."""
        if self.page is None:
            return
        mrn = self.page.patient.mrn
        path = choose_fhir_path(self, f"patient-{mrn}.fhir.json")
        if not path:
            return
        Op(self.ctx, fhir.export_to, Path(path), mrn=mrn).success(
            lambda source: self.ctx.signals.status_message.emit(
                f"Exported {mrn} with {len(source.plans)} care plans and {len(source.tasks)} "
                f"tasks to {Path(path).name}."
            )
        ).report_to(self, "Not exported").fallback(
            "The file could not be written ({detail}). Pick another folder and try again."
        ).run()

    # ---------------------------------------------------------------- printing

    def timeline_document(self) -> QTextDocument:
        """The timeline as a document (every text escaped: patient text is plain)."""
        doc = QTextDocument(self)
        if self.page is None:
            return doc
        p, esc = self.page.patient, html.escape
        born = f", born {p.date_of_birth:%m/%d/%Y}" if p.date_of_birth else ""
        shown = self.filter.currentText()
        rows = "".join(
            f"<tr><td>{esc(moment_label(e.at, self.zone))}</td><td>{esc(e.actor_name)}</td>"
            f"<td>{esc(e.summary)}</td><td>{esc(e.task_ref or '')}</td>"
            f"<td>{esc(' · '.join(x for x in (e.reason_label, e.note) if x))}</td></tr>"
            for e in self.page.timeline
        )
        doc.setHtml(
            f"<h2>{esc(p.name)}</h2><p>MRN {esc(p.mrn)}{esc(born)} — timeline "
            f"({esc(shown.lower())}), newest first</p>"
            "<table border='1' cellspacing='0' cellpadding='3'><tr><th>When</th><th>Who</th>"
            f"<th>What</th><th>Task</th><th>Note</th></tr>{rows}</table>"
        )
        return doc

    def print_timeline(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.timeline_document().print_(printer)
