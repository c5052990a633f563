"""A care plan: made from a program template, then reviewed, edited, put on hold,
closed — with its goals, interventions and the open tasks they generated.

Fields the role may not edit are shown read-only, and say so (clinical fields —
risk, summary, goals — are the providers'; owner and dates the coordinators' and
managers'); the services enforce the same split. Opening and saving an active plan
generates its due tasks (for roles that may), so the next check-ins appear at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.patient_match import parse_birth_date
from practiceboard.domain.careplan import (
    CLOSE_REASONS,
    GOAL_STATUS_LABELS,
    PLAN_STATUS_LABELS,
    RISKS,
    TEMPLATES,
    TEMPLATES_BY_KEY,
    parse_cadence,
)
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.gui.dialogs.field_errors import FieldErrors
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.care.plan_parts import GoalDialog, InterventionDialog, ReviewDialog
from practiceboard.gui.views.care.table import Column, RowsTable, day, label, pydate, qdate
from practiceboard.queries import careplans as plan_queries
from practiceboard.queries.careplans import CareChoices, PlanDetail
from practiceboard.services import care_tasks, careplans

GOAL_COLUMNS = (
    Column("Goal", lambda g: g.description, 0),
    Column("Target", lambda g: g.target or "", 22),
    Column("By", lambda g: day(g.target_date), 10),
    Column("Status", lambda g: GOAL_STATUS_LABELS.get(g.status, g.status), 11),
)
INTERVENTION_COLUMNS = (
    Column("Intervention", lambda i: i.title, 0),
    Column("Cadence", lambda i: i.cadence_text if i.active else f"{i.cadence_text} (stopped)", 16),
    Column("Who", lambda i: i.owner_name or i.role_name or "Plan owner", 16),
    Column("Next due", lambda i: day(i.next_due), 10),
    Column("Workflow", lambda i: i.workflow_name or "Care plan task", 14),
)
TASK_COLUMNS = (
    Column("Due", lambda t: day(t.due_date), 10, lambda t: t.overdue),
    Column("Task", lambda t: t.title, 0),
    Column("Owner", lambda t: t.owner_name, 16),
    Column("Status", lambda t: t.status_name, 12),
    Column("Ref", lambda t: t.ref, 11),
)


# ---------------------------------------------------------------- worker calls


def _generate(db, actor, plan_id: int) -> int:
    if not care_tasks.may_generate(db, actor):
        return 0
    return care_tasks.generate_for_plan(db, actor, plan_id).created


def open_plan(db, actor, plan_id: int) -> PlanDetail:
    """Generate what is due (roles that may), then the plan as it stands."""
    _generate(db, actor, plan_id)
    return plan_queries.plan_detail(db, actor, plan_id)


def create_from_template(db, actor, patient_id, template_key, owner_id, start, risk):
    saved = careplans.create_plan_from_template(
        db, actor, patient_id, template_key, owner_id, start, risk=risk
    )
    _generate(db, actor, saved.id)
    return saved


def save_plan(db, actor, plan_id: int, version: int, operational: dict, clinical: dict):
    """Operational then clinical changes (each its own audited save), then generation."""
    saved = None
    if operational:
        saved = careplans.update_plan_operational(
            db, actor, plan_id, expected_version=version, **operational
        )
        version = saved.version
    if clinical:
        saved = careplans.update_plan_clinical(
            db, actor, plan_id, expected_version=version, **clinical
        )
    _generate(db, actor, plan_id)
    return saved


def generate_now(db, actor, plan_id: int):
    return care_tasks.generate_for_plan(db, actor, plan_id)


@dataclass(frozen=True)
class _Dates:
    start: date
    review: date | None
    end: date | None


class ClosePlanDialog(QDialog):
    """Why the plan closes (one of CLOSE_REASONS) and a few words."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Close care plan")
        form = QFormLayout(self)
        self.reason = QComboBox(self, objectName="closeReason")
        for key, (text, _task_reason) in CLOSE_REASONS.items():
            self.reason.addItem(text, key)
        self.note = QLineEdit(self, objectName="closeNote", placeholderText="Optional")
        form.addRow("Reason", self.reason)
        form.addRow("Note", self.note)
        form.addRow(label("Generation stops. Open generated tasks are listed to close next.",
                          self, "muted"))  # fmt: skip
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class PlanDialog(QDialog):
    """A new plan for ``patient_id`` from a template (``plan_id`` None), or one plan."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        choices: CareChoices,
        patient_id: int,
        patient_name: str,
        plan_id: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ctx, self.choices, self.patient_id = ctx, choices, patient_id
        self.plan_id = plan_id
        self.detail: PlanDetail | None = None
        self.clinical = ctx.can(Cap.CAREPLAN_CLINICAL)
        self.operational = ctx.can(Cap.CAREPLAN_OPERATIONAL)
        self.setObjectName("planDialog")
        self.setWindowTitle(f"Care plan — {patient_name}")
        self.resize(900, 720)
        layout = QVBoxLayout(self)
        self.heading = label(f"New care plan for {patient_name}", self, "title", "planHeading")
        layout.addWidget(self.heading)
        self.status_line = label("", self, "muted", "planStatus")
        self.status_line.setWordWrap(True)
        layout.addWidget(self.status_line)
        self.banner = label("", self, "error", "planBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)

        # -- operational
        self.ops_box = QGroupBox("Plan — owner and dates", self)
        ops = QFormLayout(self.ops_box)
        self.template = QComboBox(self.ops_box, objectName="template")
        for t in TEMPLATES:
            self.template.addItem(t.name, t.key)
        self.template.currentIndexChanged.connect(lambda _i: self._show_template())
        self.owner = QComboBox(self.ops_box, objectName="owner")
        for opt in choices.owners:
            self.owner.addItem(opt.label, opt.id)
        me = self.owner.findData(ctx.actor.user_id)
        if me >= 0:
            self.owner.setCurrentIndex(me)
        self.start = QDateEdit(qdate(choices.today), self.ops_box, objectName="startDate")
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("MM/dd/yyyy")
        self.review = QLineEdit(self.ops_box, objectName="reviewDate", placeholderText="MM/DD/YYYY")
        self.end = QLineEdit(self.ops_box, objectName="endDate", placeholderText="MM/DD/YYYY")
        self.template_row = label("", self.ops_box, "muted", "templatePreview")
        self.template_row.setWordWrap(True)
        ops.addRow("Template", self.template)
        ops.addRow("", self.template_row)
        ops.addRow("Owner", self.owner)
        ops.addRow("Start", self.start)
        ops.addRow("Review", self.review)
        ops.addRow("End", self.end)
        layout.addWidget(self.ops_box)

        # -- clinical
        self.clin_box = QGroupBox("Clinical — risk and summary", self)
        clin = QFormLayout(self.clin_box)
        self.risk = QComboBox(self.clin_box, objectName="risk")
        for r in RISKS:
            self.risk.addItem(r.capitalize(), r)
        self.summary = QPlainTextEdit(self.clin_box, objectName="summary")
        self.summary.setMaximumHeight(self.fontMetrics().height() * 4)
        clin.addRow("Risk", self.risk)
        clin.addRow("Summary", self.summary)
        if not self.clinical:
            self.clin_box.setTitle("Clinical — risk and summary (read-only: providers edit these)")
            self.risk.setEnabled(False)
            self.summary.setReadOnly(True)
        layout.addWidget(self.clin_box)
        self.errors = FieldErrors(ops, self.banner, self)
        for key, widget in [("template", self.template), ("owner", self.owner),
                            ("start_date", self.start), ("review_date", self.review),
                            ("end_date", self.end), ("program", self.template)]:  # fmt: skip
            if key not in self.errors.fields:
                self.errors.register(key, widget)

        # -- what the plan holds (an existing plan only)
        self.goals = RowsTable(GOAL_COLUMNS, lambda g: g.id, self)
        self.goals.setObjectName("goals")
        self.interventions = RowsTable(INTERVENTION_COLUMNS, lambda i: i.id, self)
        self.interventions.setObjectName("interventions")
        self.tasks = RowsTable(TASK_COLUMNS, lambda t: t.id, self)
        self.tasks.setObjectName("planTasks")
        self.tasks_heading = label("Open tasks", self, "heading")
        self.lists = QWidget(self)
        lists = QVBoxLayout(self.lists)
        lists.setContentsMargins(0, 0, 0, 0)
        self.add_goal_button = QPushButton("Add goal…", self.lists, objectName="addGoal")
        self.add_goal_button.clicked.connect(self.add_goal)
        self.edit_goal_button = QPushButton("Edit goal…", self.lists, objectName="editGoal")
        self.edit_goal_button.clicked.connect(self.edit_goal)
        self.goals.activated_id.connect(lambda _id: self.edit_goal())
        lists.addLayout(_heading_row(label("Goals", self.lists, "heading"),
                                     self.add_goal_button, self.edit_goal_button))  # fmt: skip
        lists.addWidget(self.goals, 2)
        self.add_iv_button = QPushButton("Add intervention…", self.lists,
                                         objectName="addIntervention")  # fmt: skip
        self.add_iv_button.clicked.connect(self.add_intervention)
        self.edit_iv_button = QPushButton("Edit…", self.lists, objectName="editIntervention")
        self.edit_iv_button.clicked.connect(self.edit_intervention)
        self.stop_iv_button = QPushButton("Stop", self.lists, objectName="stopIntervention")
        self.stop_iv_button.setToolTip("Stop generating tasks for it (tasks already made stay).")
        self.stop_iv_button.clicked.connect(self.stop_intervention)
        self.interventions.activated_id.connect(lambda _id: self.edit_intervention())
        lists.addLayout(_heading_row(label("Interventions", self.lists, "heading"),
                                     self.add_iv_button, self.edit_iv_button,
                                     self.stop_iv_button))  # fmt: skip
        lists.addWidget(self.interventions, 2)
        lists.addWidget(self.tasks_heading)
        lists.addWidget(self.tasks, 3)
        layout.addWidget(self.lists, 1)

        # -- actions
        row = QHBoxLayout()
        self.generate_button = QPushButton("Generate now", self, objectName="generateNow")
        self.generate_button.clicked.connect(self.generate)
        self.review_button = QPushButton("Review…", self, objectName="reviewPlan")
        self.review_button.setToolTip("Record today's review and set the next review date.")
        self.review_button.clicked.connect(self.ask_review)
        self.hold_button = QPushButton("Put on hold…", self, objectName="holdPlan")
        self.hold_button.clicked.connect(self.ask_hold)
        self.resume_button = QPushButton("Resume", self, objectName="resumePlan")
        self.resume_button.clicked.connect(self.resume)
        self.close_plan_button = QPushButton("Close plan…", self, objectName="closePlan")
        self.close_plan_button.clicked.connect(self.ask_close)
        self.close_tasks_button = QPushButton("", self, objectName="closeTasks")
        self.close_tasks_button.clicked.connect(self.close_tasks)
        for b in (self.generate_button, self.review_button, self.hold_button,
                  self.resume_button, self.close_plan_button, self.close_tasks_button):  # fmt: skip
            row.addWidget(b)
        row.addStretch(1)
        self.save_button = QPushButton("Create plan" if plan_id is None else "Save", self,
                                       objectName="savePlan")  # fmt: skip
        self.save_button.setProperty("kind", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        done = QPushButton("Close", self, objectName="closeDialog")
        done.clicked.connect(self.accept)
        row.addWidget(self.save_button)
        row.addWidget(done)
        layout.addLayout(row)
        if plan_id is None:
            self._new_mode()
        else:
            self._busy(True)
            self.reload()

    # ---------------------------------------------------------------- modes

    def _new_mode(self) -> None:
        self.lists.hide()
        for b in (self.generate_button, self.review_button, self.hold_button,
                  self.resume_button, self.close_plan_button, self.close_tasks_button):  # fmt: skip
            b.hide()
        self.review.setEnabled(False)
        self.end.setEnabled(False)
        self.review.setPlaceholderText("From the template")
        self.end.setPlaceholderText("From the template")
        self.summary.setEnabled(False)
        self.summary.setPlaceholderText("Write the summary after the plan is created.")
        self.status_line.setText("Pick a program template; its goals and interventions come "
                                 "with it, and the first tasks are generated at once.")  # fmt: skip
        self._show_template()

    def _show_template(self) -> None:
        t = TEMPLATES_BY_KEY.get(self.template.currentData())
        if t is None:
            return
        parts = [f"Goals: {'; '.join(g.description for g in t.goals)}."]
        parts.append("Interventions: " + "; ".join(
            f"{i.title} ({parse_cadence(i.cadence).describe().lower()})" for i in t.interventions
        ) + ".")  # fmt: skip
        if t.length_days:
            parts.append(f"Ends after {t.length_days} days.")
        self.template_row.setText(" ".join(parts))

    def _busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

    # ---------------------------------------------------------------- an existing plan

    def reload(self) -> None:
        Op(self.ctx, open_plan, self.plan_id).success(self._show).failure(self._failed).fallback(
            SOMETHING_WRONG
        ).run()

    def _show(self, detail: PlanDetail) -> None:
        self._busy(False)
        self.detail = detail
        p = detail.plan
        self.heading.setText(f"{p.program_name} plan — {p.patient_name or 'patient'}")
        words = PLAN_STATUS_LABELS.get(p.status, p.status)
        if p.status == "closed" and detail.status_reason:
            words += f": {CLOSE_REASONS.get(detail.status_reason, (detail.status_reason,))[0]}"
        if detail.status_note:
            words += f" — {detail.status_note}"
        if detail.template_key in TEMPLATES_BY_KEY:
            words += f" · from “{TEMPLATES_BY_KEY[detail.template_key].name}”"
        self.status_line.setText(words)
        self.template.hide()
        self.template_row.hide()
        form: QFormLayout = self.ops_box.layout()
        form.setRowVisible(self.template, False)
        form.setRowVisible(self.template_row, False)
        i = self.owner.findData(p.owner_id)
        if i < 0:
            self.owner.addItem(p.owner_name, p.owner_id)
            i = self.owner.count() - 1
        self.owner.setCurrentIndex(i)
        self.start.setDate(qdate(p.start_date))
        self.review.setText(day(p.review_date))
        self.end.setText(day(p.end_date))
        self.risk.setCurrentIndex(max(0, self.risk.findData(p.risk)))
        self.summary.setPlainText(detail.summary)
        closed = p.status == "closed"
        for w in (self.owner, self.start, self.review, self.end):
            w.setEnabled(self.operational and not closed)
        if not self.operational:
            self.ops_box.setTitle("Plan — owner and dates (read-only for your role)")
        self.risk.setEnabled(self.clinical and not closed)
        self.summary.setReadOnly(not self.clinical or closed)
        self.goals.set_rows(detail.goals)
        self.interventions.set_rows(detail.interventions)
        self.tasks.set_rows(detail.open_tasks)
        overdue = sum(t.overdue for t in detail.open_tasks)
        self.tasks_heading.setText(f"Open tasks ({len(detail.open_tasks)}"
                                   + (f", {overdue} overdue)" if overdue else ")"))  # fmt: skip
        may_generate = self.operational and self.ctx.can(Cap.TASK_CREATE)
        self.generate_button.setVisible(may_generate and p.status == "active")
        self.review_button.setVisible(self.operational and not closed)
        self.hold_button.setVisible(self.operational and p.status == "active")
        self.resume_button.setVisible(self.operational and p.status in ("on_hold", "closed"))
        self.resume_button.setText("Reopen" if closed else "Resume")
        self.close_plan_button.setVisible(self.operational and not closed)
        n = len(detail.open_generated)
        self.close_tasks_button.setVisible(self.operational and closed and n > 0)
        self.close_tasks_button.setText(f"Close {n} open generated task{'s' if n != 1 else ''}")
        self.save_button.setVisible(not closed and (self.operational or self.clinical))
        # Goals and what an intervention is: clinical; its cadence and who: operational.
        self.add_goal_button.setVisible(self.clinical and not closed)
        self.edit_goal_button.setVisible(self.clinical and not closed)
        self.add_iv_button.setVisible(self.clinical and not closed)
        self.edit_iv_button.setVisible((self.clinical or self.operational) and not closed)
        self.stop_iv_button.setVisible(self.clinical and not closed)

    def _failed(self, exc: Exception, text: str) -> None:
        self._busy(False)
        field = exc.field if isinstance(exc, ValidationError) else None
        self.errors.show(field if field in self.errors.fields else None, text)

    def _date(self, widget: QLineEdit, field: str) -> date | None:
        text = widget.text().strip()
        if not text:
            return None
        found = parse_birth_date(text)
        if found is None:
            raise ValidationError("Type the date as MM/DD/YYYY.", field)
        return found

    # ---------------------------------------------------------------- saving

    def save(self) -> None:
        self.errors.clear()
        if self.plan_id is None:
            self._busy(True)
            Op(
                self.ctx,
                create_from_template,
                self.patient_id,
                self.template.currentData(),
                self.owner.currentData(),
                pydate(self.start.date()),
                self.risk.currentData(),
            ).changes(  # fmt: skip
                lambda saved: Change.of(Kind.CARE_PLAN, saved.id) | Change.of(Kind.TASK)
            ).success(self._created).failure(self._failed).run()
            return
        if self.detail is None:
            return
        try:
            dates = _Dates(pydate(self.start.date()), self._date(self.review, "review_date"),
                           self._date(self.end, "end_date"))  # fmt: skip
        except ValidationError as err:
            self.errors.show(err.field, err.message)
            return
        p = self.detail.plan
        operational: dict = {}
        if self.operational:
            if self.owner.currentData() != p.owner_id:
                operational["owner_id"] = self.owner.currentData()
            if dates.start != p.start_date:
                operational["start_date"] = dates.start
            if dates.review != p.review_date:
                operational["review_date"] = dates.review
            if dates.end != p.end_date:
                operational["end_date"] = dates.end
        clinical: dict = {}
        if self.clinical:
            if self.risk.currentData() != p.risk:
                clinical["risk"] = self.risk.currentData()
            if self.summary.toPlainText().strip() != self.detail.summary:
                clinical["summary"] = self.summary.toPlainText()
        self._busy(True)
        Op(self.ctx, save_plan, self.plan_id, p.version, operational, clinical).changes(
            Change.of(Kind.CARE_PLAN, self.plan_id) | Change.of(Kind.TASK)
        ).success(lambda _r: self._after_change()).failure(self._failed).run()

    def _created(self, saved) -> None:
        self.plan_id = saved.id
        self.save_button.setText("Save")
        self.lists.show()
        self.review.setEnabled(True)
        self.end.setEnabled(True)
        self.summary.setEnabled(True)
        self.summary.setPlaceholderText("")
        self.changed.emit()
        self.reload()

    def _after_change(self) -> None:
        self.changed.emit()
        self.reload()

    def _act(self, fn, *args, **kwargs) -> None:
        """``fn(db, actor, plan_id, ...)`` on this plan, then reload it."""
        self._act_on(fn, self.plan_id, *args, **kwargs)

    def _act_on(self, fn, *args, **kwargs) -> None:
        self.errors.clear()
        Op(self.ctx, fn, *args, **kwargs).changes(
            Change.of(Kind.CARE_PLAN, self.plan_id) | Change.of(Kind.TASK)
        ).success(lambda _r: self._after_change()).failure(self._failed).run()

    def generate(self) -> None:
        self._act(generate_now)

    def ask_hold(self) -> None:
        question = "Why is the plan on hold? (generation pauses)"
        reason, ok = QInputDialog.getText(self, "Put the plan on hold", question)
        if ok:
            self.hold(reason)

    def hold(self, reason: str) -> None:
        self._act(careplans.hold_plan, expected_version=self.detail.plan.version, reason=reason)

    def resume(self) -> None:
        self._act(careplans.resume_plan, expected_version=self.detail.plan.version)

    def ask_close(self) -> None:
        dialog = ClosePlanDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.close_with(dialog.reason.currentData(), dialog.note.text())

    def close_with(self, reason: str, note: str = "") -> None:
        self._act(careplans.close_plan, expected_version=self.detail.plan.version,
                  reason=reason, note=note)  # fmt: skip

    def close_tasks(self) -> None:
        self._act(careplans.close_generated_tasks)

    # ---------------------------------------------------------------- goals, interventions, review

    def _part(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._after_change()

    def _pick(self, table: RowsTable, what: str):
        row = table.current_row()
        if row is None:
            self.errors.show(None, f"Select {what} first.")
        return row

    def add_goal(self) -> None:
        self._part(GoalDialog(self.ctx, self.plan_id, self.choices.today, parent=self))

    def edit_goal(self) -> None:
        if not self.edit_goal_button.isVisible():
            return
        goal = self._pick(self.goals, "a goal")
        if goal is not None:
            self._part(GoalDialog(self.ctx, self.plan_id, self.choices.today, goal, self))

    def _intervention_dialog(self, row=None) -> InterventionDialog:
        return InterventionDialog(
            self.ctx, self.plan_id, self.choices, clinical=self.clinical,
            operational=self.operational, row=row,
            goals=self.detail.goals if self.detail else (), parent=self,
        )  # fmt: skip

    def add_intervention(self) -> None:
        self._part(self._intervention_dialog())

    def edit_intervention(self) -> None:
        if not self.edit_iv_button.isVisible():
            return
        row = self._pick(self.interventions, "an intervention")
        if row is not None:
            self._part(self._intervention_dialog(row))

    def stop_intervention(self) -> None:
        row = self._pick(self.interventions, "an intervention")
        if row is None:
            return
        if not row.active:
            self.errors.show(None, f"“{row.title}” is already stopped.")
            return
        question = (f"Stop generating tasks for “{row.title}”? Tasks already made stay "
                    "as they are.")  # fmt: skip
        if self.ctx.messages.confirm(self, "Stop intervention", question):
            self._act_on(careplans.deactivate_intervention, row.id)

    def ask_review(self) -> None:
        p = self.detail.plan
        today = self.choices.today
        proposed = p.review_date if p.review_date and p.review_date > today else None
        self._part(ReviewDialog(self.ctx, self.plan_id, p.version, today,
                                proposed or today + timedelta(days=90), self))  # fmt: skip


def _heading_row(heading: QWidget, *buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(heading)
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    return row
