"""What a care plan holds, edited one piece at a time: a goal, an intervention, a review.

Each is a small form that saves through its service and stays open with the message
under the field when the save is refused, so nothing typed is lost. Who may change
what is the services' rule (goals and what an intervention is: clinical roles; when
and by whom it is done: coordinators and managers); the forms show the fields the
role may not change read-only and say so.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from practiceboard.core.rows import GoalRow, InterventionRow
from practiceboard.domain.careplan import CADENCE_PRESETS, GOAL_STATUS_LABELS, parse_cadence
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.unchanged import UNCHANGED
from practiceboard.gui.dialogs.field_errors import FieldErrors
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.care.table import label, pydate, qdate
from practiceboard.queries.careplans import CareChoices
from practiceboard.services import careplans

NO_DATE = "No target date"


class _PartDialog(QDialog):
    """A form, its banner for messages without a field, and Save / Cancel."""

    def __init__(self, ctx: AppContext, plan_id: int, title: str, parent: QWidget | None):
        super().__init__(parent)
        self.ctx, self.plan_id = ctx, plan_id
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.form = QFormLayout(self)
        self.banner = label("", self, "error", "partBanner")
        self.banner.setWordWrap(True)
        self.form.addRow(self.banner)
        self.errors = FieldErrors(self.form, self.banner, self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("savePart")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.buttons)

    def register(self, key: str, widget: QWidget) -> None:
        self.errors.register(key, widget)

    def run(self, fn, *args, **kwargs) -> None:
        """Save through ``fn``; close when it worked, else show why and keep the typing."""
        self.errors.clear()
        self.save_button.setEnabled(False)
        Op(self.ctx, fn, *args, **kwargs).changes(Change.of(Kind.CARE_PLAN, self.plan_id)).success(
            lambda _r: self.accept()
        ).failure(self._failed).run()

    def _failed(self, exc: Exception, text: str) -> None:
        self.save_button.setEnabled(True)
        field = exc.field if isinstance(exc, ValidationError) else None
        self.errors.show(field if field in self.errors.fields else None, text)


class GoalDialog(_PartDialog):
    """Add a goal to the plan (``goal`` None) or change one: what, target, by when, status."""

    def __init__(
        self,
        ctx: AppContext,
        plan_id: int,
        today: date,
        goal: GoalRow | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(ctx, plan_id, "Edit goal" if goal else "Add a goal", parent)
        self.setObjectName("goalDialog")
        self.goal = goal
        self.description = QLineEdit(self, objectName="goalDescription")
        self.description.setPlaceholderText("e.g. Blood pressure under control")
        self.target = QLineEdit(self, objectName="goalTarget", placeholderText="e.g. < 140/90")
        self.target_date = QDateEdit(self, objectName="goalTargetDate")
        self.target_date.setCalendarPopup(True)
        self.target_date.setDisplayFormat("MM/dd/yyyy")
        # The lowest date stands for "none" and shows as words.
        self.target_date.setMinimumDate(qdate(today - timedelta(days=3650)))
        self.target_date.setSpecialValueText(NO_DATE)
        self.status = QComboBox(self, objectName="goalStatus")
        for key, text in GOAL_STATUS_LABELS.items():
            self.status.addItem(text, key)
        self.form.addRow("Goal", self.description)
        self.form.addRow("Target", self.target)
        self.form.addRow("By", self.target_date)
        self.form.addRow("Status", self.status)
        fields = {"description": self.description, "target": self.target,
                  "target_date": self.target_date, "status": self.status}  # fmt: skip
        for key, widget in fields.items():
            self.register(key, widget)
        if goal is None:
            self.target_date.setDate(qdate(today + timedelta(days=90)))
            self.status.setEnabled(False)
            self.status.setToolTip("A new goal starts in progress.")
        else:
            self.description.setText(goal.description)
            self.target.setText(goal.target or "")
            if goal.target_date is None:
                self.target_date.setDate(self.target_date.minimumDate())
            else:
                self.target_date.setDate(qdate(goal.target_date))
            self.status.setCurrentIndex(max(0, self.status.findData(goal.status)))
        self.finish()
        self.description.setFocus()

    def chosen_date(self) -> date | None:
        if self.target_date.date() == self.target_date.minimumDate():
            return None
        return pydate(self.target_date.date())

    def save(self) -> None:
        text, target = self.description.text(), self.target.text().strip() or None
        when = self.chosen_date()
        if self.goal is None:
            self.run(careplans.add_goal, self.plan_id, text, when, target)
            return
        g = self.goal
        status = self.status.currentData()
        self.run(
            careplans.update_goal,
            g.id,
            description=text if text.strip() != g.description else UNCHANGED,
            target=target if target != g.target else UNCHANGED,
            target_date=when if when != g.target_date else UNCHANGED,
            status=status if status != g.status else UNCHANGED,
        )


PLAN_OWNER = ""  # the "who" choice that leaves the task with the plan owner


def _who(choice: str) -> tuple[str | None, int | None]:
    """A "who" choice ("", "role:KEY" or "user:ID") as (role key, owner id)."""
    kind, _, value = choice.partition(":")
    if kind == "role":
        return value, None
    if kind == "user":
        return None, int(value)
    return None, None


class InterventionDialog(_PartDialog):
    """Add an intervention (``row`` None) or change one: what is done (clinical), how
    often, by whom and in which workflow (operational)."""

    def __init__(
        self,
        ctx: AppContext,
        plan_id: int,
        choices: CareChoices,
        *,
        clinical: bool,
        operational: bool,
        row: InterventionRow | None = None,
        goals: tuple[GoalRow, ...] = (),
        parent: QWidget | None = None,
    ):
        title = "Edit intervention" if row else "Add an intervention"
        super().__init__(ctx, plan_id, title, parent)
        self.setObjectName("interventionDialog")
        self.row, self.choices = row, choices
        self.title = QLineEdit(self, objectName="interventionTitle")
        self.title.setPlaceholderText("e.g. Monthly check-in call")
        self.cadence = QComboBox(self, objectName="cadence")
        for text, rule in CADENCE_PRESETS.items():
            self.cadence.addItem(text, parse_cadence(rule).text)
        self.goal = QComboBox(self, objectName="interventionGoal")
        self.goal.addItem("No particular goal", None)
        for g in goals:
            self.goal.addItem(g.description, g.id)
        self.start = QDateEdit(qdate(choices.today), self, objectName="interventionStart")
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("MM/dd/yyyy")
        self.who = QComboBox(self, objectName="who")
        self.who.addItem("The plan owner", PLAN_OWNER)
        for key, name in choices.roles:
            self.who.addItem(f"Anyone in {name} (least busy)", f"role:{key}")
        for opt in choices.owners:
            self.who.addItem(opt.label, f"user:{opt.id}")
        self.workflow = QComboBox(self, objectName="workflow")
        for key, name in choices.workflows:
            self.workflow.addItem(name, key)
        self.form.addRow("Intervention", self.title)
        self.form.addRow("Repeats", self.cadence)
        self.form.addRow("Who does it", self.who)
        self.form.addRow("Workflow", self.workflow)
        if row is None:
            self.form.addRow("For goal", self.goal)
            self.form.addRow("First due from", self.start)
        else:  # an existing intervention keeps its goal and its start
            self.goal.hide()
            self.start.hide()
        for key, widget in (("title", self.title), ("cadence", self.cadence),
                            ("owner", self.who), ("role", self.who), ("workflow", self.workflow),
                            ("goal", self.goal)):  # fmt: skip
            if key not in self.errors.fields and (row is None or key != "goal"):
                self.register(key, widget)
        if row is not None:
            self._show(row)
        # What an intervention is belongs to clinical roles; when and by whom to
        # coordinators and managers. A new intervention needs the clinical right.
        note = []
        if not clinical:
            self.title.setReadOnly(True)
            note.append("what is done is set by a provider")
        if not operational:
            for w in (self.cadence, self.who, self.workflow):
                w.setEnabled(False)
            note.append("how often and by whom is set by a coordinator or manager")
        if note:
            self.form.insertRow(1, label("Read-only for your role: " + "; ".join(note) + ".",
                                         self, "muted", "readOnlyNote"))  # fmt: skip
        self.finish()
        (self.title if clinical else self.cadence).setFocus()

    def _show(self, row: InterventionRow) -> None:
        self.title.setText(row.title)
        i = self.cadence.findData(row.cadence)
        if i < 0:
            self.cadence.addItem(row.cadence_text, row.cadence)
            i = self.cadence.count() - 1
        self.cadence.setCurrentIndex(i)
        key = next((k for k, name in self.choices.roles if name == row.role_name), "")
        who = f"user:{row.owner_id}" if row.owner_id else (f"role:{key}" if key else PLAN_OWNER)
        i = self.who.findData(who)
        if i < 0 and row.owner_id:
            self.who.addItem(row.owner_name or "(someone)", who)
            i = self.who.count() - 1
        self.who.setCurrentIndex(max(0, i))
        wf = next((k for k, name in self.choices.workflows if name == row.workflow_name),
                  "care_task")  # fmt: skip
        self.workflow.setCurrentIndex(max(0, self.workflow.findData(wf)))

    def save(self) -> None:
        role_key, owner_id = _who(self.who.currentData())
        workflow = self.workflow.currentData()
        cadence = self.cadence.currentData()
        if self.row is None:
            self.run(careplans.add_intervention, self.plan_id, self.title.text(), cadence,
                     pydate(self.start.date()), goal_id=self.goal.currentData(),
                     role_key=role_key, owner_id=owner_id,
                     workflow_key=workflow)  # fmt: skip
            return
        r = self.row
        old_role = next((k for k, name in self.choices.roles if name == r.role_name), None)
        old_wf = next((k for k, name in self.choices.workflows if name == r.workflow_name),
                      "care_task")  # fmt: skip
        changes: dict = {}
        if self.title.text().strip() != r.title:
            changes["title"] = self.title.text()
        if cadence != r.cadence:
            changes["cadence"] = cadence
        if (role_key, owner_id) != (None if r.owner_id else old_role, r.owner_id):
            changes["role_key"], changes["owner_id"] = role_key, owner_id
        if workflow != old_wf:
            changes["workflow_key"] = workflow
        if not changes:
            self.accept()
            return
        self.run(careplans.update_intervention, r.id, **changes)


class ReviewDialog(_PartDialog):
    """Record today's review of the plan and when it is reviewed next."""

    def __init__(
        self,
        ctx: AppContext,
        plan_id: int,
        version: int,
        today: date,
        next_review: date,
        parent: QWidget | None = None,
    ):
        super().__init__(ctx, plan_id, "Review the care plan", parent)
        self.setObjectName("reviewDialog")
        self.version = version
        self.save_button.setText("Reviewed")
        self.next_review = QDateEdit(qdate(next_review), self, objectName="nextReview")
        self.next_review.setCalendarPopup(True)
        self.next_review.setDisplayFormat("MM/dd/yyyy")
        self.note = QPlainTextEdit(self, objectName="reviewNote")
        self.note.setPlaceholderText("Optional: what was decided (kept as a plan note)")
        self.note.setMaximumHeight(self.fontMetrics().height() * 5)
        self.form.addRow(label(f"Reviewed today, {today:%m/%d/%Y}.", self, "muted"))
        self.form.addRow("Next review", self.next_review)
        self.form.addRow("Note", self.note)
        self.register("review_date", self.next_review)
        self.register("note", self.note)
        self.finish()

    def save(self) -> None:
        self.run(careplans.review_plan, self.plan_id, expected_version=self.version,
                 next_review=pydate(self.next_review.date()),
                 note=self.note.toPlainText())  # fmt: skip
