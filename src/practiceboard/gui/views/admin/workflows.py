"""Workflows: rename a workflow and its statuses, switch it on or off, choose which roles
work on it, retire (or bring back) a status, delete one no task was ever in, and edit
its templates. History is never broken: a rename keeps the id, and a status with tasks
or history can only be retired."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import PRIORITY_LABELS, RoleRow, TemplateAdminRow, WorkflowAdminRow
from practiceboard.domain.policy import DEFAULT_ROLE_CAPABILITIES, Cap
from practiceboard.gui.kit.change import Change
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.error_line import ErrorLine
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.admin.common import Notice, fill, rows_table, selected_id
from practiceboard.queries import admin as q
from practiceboard.services import workflows as wf_service

CATEGORY_WORDS = {
    "new": "New", "active": "In progress", "waiting": "Waiting", "review": "Review",
    "done": "Done", "cancelled": "Cancelled",
}  # fmt: skip
# Roles that see every workflow whatever is ticked (they hold task.view_all by default).
SEES_ALL = {key for key, caps in DEFAULT_ROLE_CAPABILITIES.items() if Cap.TASK_VIEW_ALL in caps}
DEFINITIONS = Change.everything()  # every view shows workflow or status names


class WorkflowsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[WorkflowAdminRow] = []
        self.roles: list[RoleRow] = []
        self.dialog: QDialog | None = None
        self.list = QListWidget(self)
        self.list.setObjectName("workflowList")

        self.name = QLineEdit(self)
        self.name.setMaxLength(80)
        self.rename_button = QPushButton("Re&name", self)
        self.active = QCheckBox("&Switched on (new work can go into it)", self)

        self.statuses = rows_table(("Status", "Kind", "Tasks in it", "State"), (28, 14, 13, None),
                                   self)  # fmt: skip
        self.status_name = QLineEdit(self)
        self.status_name.setMaxLength(80)
        self.status_name.setPlaceholderText("New name for the selected status")
        self.rename_status_button = QPushButton("Rename s&tatus", self)
        self.retire_button = QPushButton("&Retire", self)
        self.delete_button = QPushButton("De&lete", self)

        self.role_boxes: dict[int, QCheckBox] = {}
        self.roles_group = QGroupBox("Who works on it", self)
        self.roles_grid = QGridLayout(self.roles_group)
        self.save_roles_button = QPushButton("Save &roles", self)

        self.templates = rows_table(("Template", "Task title", "Due in", "State"),
                                    (22, None, 8, 10), self)  # fmt: skip
        self.add_template_button = QPushButton("Add te&mplate…", self)
        self.edit_template_button = QPushButton("Edit temp&late…", self)
        self.notice = Notice(self)

        head = QHBoxLayout()
        head.addWidget(QLabel("&Name", self))
        head.itemAt(0).widget().setBuddy(self.name)
        head.addWidget(self.name, 1)
        head.addWidget(self.rename_button)
        head.addWidget(self.active)

        st_group = QGroupBox("Statuses", self)
        st = QVBoxLayout(st_group)
        st.addWidget(self.statuses, 1)
        st_row = QHBoxLayout()
        st_row.addWidget(self.status_name, 1)
        for b in (self.rename_status_button, self.retire_button, self.delete_button):
            st_row.addWidget(b)
        st.addLayout(st_row)
        hint = QLabel("A status that tasks have been in cannot be deleted: retire it. Its tasks "
                      "and history stay; no task moves into it any more.", self)  # fmt: skip
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        st.addWidget(hint)

        tpl_group = QGroupBox("Templates", self)
        tpl = QVBoxLayout(tpl_group)
        tpl.addWidget(self.templates, 1)
        tpl_row = QHBoxLayout()
        tpl_row.addWidget(self.add_template_button)
        tpl_row.addWidget(self.edit_template_button)
        tpl_row.addStretch(1)
        tpl.addLayout(tpl_row)

        self.roles_grid_outer = QVBoxLayout()
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(head)
        rl.addWidget(st_group, 3)
        bottom = QHBoxLayout()
        roles_box = QVBoxLayout()
        roles_box.addWidget(self.roles_group)
        roles_box.addWidget(self.save_roles_button, 0, Qt.AlignmentFlag.AlignLeft)
        roles_box.addStretch(1)
        bottom.addLayout(roles_box)
        bottom.addWidget(tpl_group, 1)
        rl.addLayout(bottom, 2)
        rl.addWidget(self.notice)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.list.currentRowChanged.connect(lambda _r: self._show_current())
        self.rename_button.clicked.connect(self.rename)
        self.active.clicked.connect(self.switch)
        self.statuses.itemSelectionChanged.connect(self._status_selected)
        self.rename_status_button.clicked.connect(self.rename_status)
        self.status_name.returnPressed.connect(self.rename_status)
        self.retire_button.clicked.connect(self.retire)
        self.delete_button.clicked.connect(self.delete_status)
        self.save_roles_button.clicked.connect(self.save_roles)
        self.add_template_button.clicked.connect(lambda: self.open_template(None))
        self.edit_template_button.clicked.connect(self._edit_selected_template)
        self.templates.doubleClicked.connect(lambda _i: self._edit_selected_template())

    # ---------------------------------------------------------------- reading

    def refresh(self) -> None:
        Op(self.ctx, lambda db, actor: (q.workflows(db, actor), q.roles(db, actor))).success(
            self._show
        ).failure(lambda _e, text: self.notice.failed(text)).run()

    def _show(self, loaded) -> None:
        self.rows, roles = loaded
        if [r.id for r in roles] != [r.id for r in self.roles]:
            self.roles = roles
            self._build_role_boxes()
        keep = self.current().id if self.current() else None
        self.list.blockSignals(True)
        self.list.clear()
        for row in self.rows:
            item = QListWidgetItem(row.name if row.active else f"{row.name} (off)")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.list.addItem(item)
        index = next((i for i, r in enumerate(self.rows) if r.id == keep), 0)
        self.list.setCurrentRow(index if self.rows else -1)
        self.list.blockSignals(False)
        self._show_current()

    def _build_role_boxes(self) -> None:
        for box in self.role_boxes.values():
            box.deleteLater()
        self.role_boxes = {}
        for i, role in enumerate(self.roles):
            box = QCheckBox(role.name, self.roles_group)
            if role.key in SEES_ALL:
                box.setText(f"{role.name} (sees every workflow)")
            self.role_boxes[role.id] = box
            self.roles_grid.addWidget(box, i % 4, i // 4)

    def current(self) -> WorkflowAdminRow | None:
        item = self.list.currentItem()
        ident = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((r for r in self.rows if r.id == ident), None)

    def select_workflow(self, key: str) -> None:
        for i, row in enumerate(self.rows):
            if row.key == key:
                self.list.setCurrentRow(i)

    def _show_current(self) -> None:
        row = self.current()
        enabled = row is not None
        for w in (self.name, self.rename_button, self.active, self.save_roles_button,
                  self.add_template_button):  # fmt: skip
            w.setEnabled(enabled)
        if row is None:
            return
        self.name.setText(row.name)
        self.active.setChecked(row.active)
        fill(self.statuses, [
            (s.name, CATEGORY_WORDS.get(s.category, s.category), str(s.open_tasks),
             "Retired" if s.retired else ("In use" if s.used else "Never used"))
            for s in row.statuses
        ], [s.id for s in row.statuses])  # fmt: skip
        fill(self.templates, [
            (t.name, t.title, f"{t.due_in_days} days" if t.due_in_days is not None else "—",
             "Offered" if t.active else "Off")
            for t in row.templates
        ], [t.id for t in row.templates])  # fmt: skip
        for rid, box in self.role_boxes.items():
            box.setChecked(rid in row.role_ids)
        self._status_selected()

    def _status(self):
        row, ident = self.current(), selected_id(self.statuses)
        return next((s for s in row.statuses if s.id == ident), None) if row else None

    def _status_selected(self) -> None:
        st = self._status()
        for b in (self.rename_status_button, self.retire_button, self.status_name):
            b.setEnabled(st is not None)
        self.delete_button.setEnabled(st is not None and not st.used)
        self.delete_button.setToolTip(
            "Tasks have been in this status: retire it instead." if st and st.used else ""
        )
        self.retire_button.setText("Bring &back" if st is not None and st.retired else "&Retire")
        if st is not None:
            self.status_name.setText(st.name)
        self.edit_template_button.setEnabled(selected_id(self.templates) is not None)

    # ---------------------------------------------------------------- changing

    def _run(self, fn, *args, done: str) -> None:
        def ok(_r) -> None:
            self.notice.done(done)
            self.refresh()

        Op(self.ctx, fn, *args).changes(DEFINITIONS).success(ok).failure(
            lambda _e, text: self.notice.failed(text)
        ).run()

    def rename(self) -> None:
        row = self.current()
        new = " ".join(self.name.text().split())
        if row is not None and new != row.name:
            done = f"The workflow is now called “{new}”."
            self._run(wf_service.rename_workflow, row.id, self.name.text(), done=done)

    def switch(self) -> None:
        row = self.current()
        if row is None:
            return
        on = self.active.isChecked()
        self._run(wf_service.set_workflow_active, row.id, on,
                  done=f"{row.name} is switched {'on' if on else 'off'}.")  # fmt: skip

    def rename_status(self) -> None:
        st = self._status()
        new = " ".join(self.status_name.text().split())
        if st is not None and new != st.name:
            done = f"“{st.name}” is now “{new}”."
            self._run(wf_service.rename_status, st.id, self.status_name.text(), done=done)

    def retire(self) -> None:
        st = self._status()
        if st is None:
            return
        done = f"“{st.name}” is {'in use again' if st.retired else 'retired'}."
        self._run(wf_service.set_status_retired, st.id, not st.retired, done=done)

    def delete_status(self) -> None:
        st = self._status()
        if st is None or not self.ctx.messages.confirm(
            self, "Delete status", f"Delete the status “{st.name}”? No task has ever been in it."
        ):
            return
        self._run(wf_service.delete_status, st.id, done=f"“{st.name}” was deleted.")

    def save_roles(self) -> None:
        row = self.current()
        if row is None:
            return
        chosen = [rid for rid, box in self.role_boxes.items() if box.isChecked()]
        self._run(wf_service.set_workflow_roles, row.id, chosen,
                  done=f"Who works on {row.name} was saved.")  # fmt: skip

    def _edit_selected_template(self) -> None:
        row, ident = self.current(), selected_id(self.templates)
        if row is not None and ident is not None:
            self.open_template(next(t for t in row.templates if t.id == ident))

    def open_template(self, template: TemplateAdminRow | None) -> None:
        row = self.current()
        if row is None:
            return
        self.dialog = TemplateDialog(row.name, template, self)
        self.dialog.saved.connect(lambda values: self._save_template(row, template, values))
        self.dialog.open()

    def _save_template(self, row, template, values: dict) -> None:
        dialog = self.dialog

        def ok(_r) -> None:
            dialog.accept()
            self.notice.done(f"The template “{' '.join(values['name'].split())}” was saved.")
            self.refresh()

        if template is None:
            values.pop("active")
            op = Op(self.ctx, wf_service.add_template, row.id, **values)
        else:
            op = Op(self.ctx, wf_service.edit_template, template.id, **values)
        op.changes(DEFINITIONS).success(ok).failure(lambda _e, t: dialog.show_error(t)).run()


class TemplateDialog(QDialog):
    """A template's name, the title and details it gives a task, its checklist (one item a
    line), priority and due date."""

    saved = Signal(dict)

    def __init__(self, workflow: str, t: TemplateAdminRow | None, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("TemplateDialog")
        self.setWindowTitle(f"{workflow}: {'new template' if t is None else t.name}")
        self.name = QLineEdit(t.name if t else "", self)
        self.name.setMaxLength(80)
        self.title = QLineEdit(t.title if t else "", self)
        self.title.setMaxLength(200)
        self.details = QPlainTextEdit(t.details if t else "", self)
        self.checklist = QPlainTextEdit("\n".join(t.checklist) if t else "", self)
        self.priority = QComboBox(self)
        self.priority.addItems(list(PRIORITY_LABELS))
        self.priority.setCurrentIndex(t.priority if t else 1)
        self.due = QSpinBox(self)
        self.due.setRange(-1, 365)
        self.due.setSpecialValueText("no due date")
        self.due.setSuffix(" days")
        self.due.setValue(t.due_in_days if t and t.due_in_days is not None else -1)
        self.active = QCheckBox("&Offered on intake", self)
        self.active.setChecked(t.active if t else True)
        self.active.setVisible(t is not None)
        self.error = ErrorLine(self)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("Task &title", self.title)
        form.addRow("&Details", self.details)
        form.addRow("&Checklist (one a line)", self.checklist)
        form.addRow("&Priority", self.priority)
        form.addRow("D&ue in", self.due)
        form.addRow("", self.active)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 480)

    def values(self) -> dict:
        return {
            "name": self.name.text(),
            "title": self.title.text(),
            "details": self.details.toPlainText(),
            "checklist": self.checklist.toPlainText().splitlines(),
            "priority": self.priority.currentIndex(),
            "due_in_days": None if self.due.value() < 0 else self.due.value(),
            "active": self.active.isChecked(),
        }

    def submit(self) -> None:
        if not self.name.text().strip():
            self.show_error("Give the template a name.")
            return
        self.saved.emit(self.values())

    def show_error(self, text: str) -> None:
        self.error.say(text)
