"""Practice settings (admins): the practice's name, time zone, hours and holidays, the
idle lock, each open status's warn and breach thresholds, the reports folder and the
nightly backup's folder and time.

Read by ``queries.practice.practice_settings`` and saved, in one audited transaction
of only what changed, by ``services.practice.save_settings``. A refused save keeps
every field as typed and says what to fix; a refresh (F5, another PC's change) never
throws away unsaved edits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import PracticeSettings
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.dialogs.calendar_form import CalendarForm
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.queries.practice import practice_settings
from practiceboard.services import practice

_STATUS_ID = Qt.ItemDataRole.UserRole


class PracticeSettingsView(QWidget):
    task_activated = Signal(int)  # the view contract; this view opens no task

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, autoload: bool = True):
        super().__init__(parent)
        self.setObjectName("settingsView")
        self.ctx = ctx
        self.loaded: PracticeSettings | None = None
        self._filling = False
        self.dirty = False

        self.name = QLineEdit(self, objectName="practiceNameEdit", maxLength=120)
        self.calendar = CalendarForm(self)
        self.idle = QSpinBox(self, objectName="idleSpin", minimum=0, maximum=practice.IDLE_MAX)
        self.idle.setSuffix(" minutes")
        self.idle.setSpecialValueText("Never")
        self.thresholds = QTableWidget(0, 4, self, objectName="thresholdTable")
        self.thresholds.setHorizontalHeaderLabels(
            ["Workflow", "Status", "Warn after (business hours)", "Breach after"]
        )
        self.thresholds.verticalHeader().hide()
        self.thresholds.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.thresholds.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.reports = QLineEdit(self, objectName="reportsFolderEdit")
        self.backups = QLineEdit(self, objectName="backupFolderEdit")
        for edit in (self.reports, self.backups):
            edit.setPlaceholderText("The default folder in PracticeBoard's data folder")
        self.nightly = QCheckBox("Make a backup every night from", self, objectName="nightlyCheck")
        self.backup_time = QTimeEdit(self, objectName="backupTimeEdit", displayFormat="h:mm AP")
        self.nightly.toggled.connect(self.backup_time.setEnabled)

        self.error = QLabel(self, objectName="errorLabel")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ERROR};")
        self.saved_label = QLabel(self, objectName="savedLabel")
        self.saved_label.setProperty("kind", "muted")
        self.save_button = QPushButton("&Save settings", self, objectName="saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Undo changes", self, objectName="revertButton")
        self.revert_button.clicked.connect(self.revert)

        self._lay_out()
        for signal in (self.name.textChanged, self.idle.valueChanged, self.reports.textChanged,
                       self.backups.textChanged, self.nightly.toggled,
                       self.backup_time.timeChanged, self.thresholds.itemChanged):  # fmt: skip
            signal.connect(self._edited)
        self.calendar.changed.connect(self._edited)
        self._set_dirty(False)
        # Another PC's change (an admin elsewhere): shown unless this one is mid-edit.
        ctx.signals.data_changed.connect(
            lambda change: self.refresh() if change.everything_changed else None
        )
        if autoload:
            self.refresh()

    def _lay_out(self) -> None:
        def section(title: str, name: str) -> tuple[QGroupBox, QFormLayout]:
            box = QGroupBox(title, self, objectName=name)
            return box, QFormLayout(box)

        practice_box, form = section("The practice", "practiceBox")
        form.addRow("Practice &name:", self.name)
        hours_box = QGroupBox("Time zone, business hours and holidays", self,
                              objectName="hoursBox")  # fmt: skip
        QVBoxLayout(hours_box).addWidget(self.calendar)
        lock_box, form = section("Screen lock", "lockBox")
        form.addRow("Lock the screen after:", self.idle)
        aging_box = QGroupBox("Aging: when a task in a status warns and breaches", self,
                              objectName="agingBox")  # fmt: skip
        aging = QVBoxLayout(aging_box)
        hint = QLabel("Business hours in the status; leave a cell empty for no threshold.")
        hint.setProperty("kind", "muted")
        aging.addWidget(hint)
        aging.addWidget(self.thresholds)
        folders_box, form = section("Reports and backups", "foldersBox")
        form.addRow("Weekly reports go to:", self._with_chooser(self.reports, "reportsChoose"))
        form.addRow("Backups go to:", self._with_chooser(self.backups, "backupsChoose"))
        nightly = QHBoxLayout()
        nightly.addWidget(self.nightly)
        nightly.addWidget(self.backup_time)
        nightly.addStretch(1)
        form.addRow("", nightly)
        note = QLabel("A USB drive or a shared folder on another PC keeps a copy away from "
                      "this one.", self)  # fmt: skip
        note.setProperty("kind", "muted")
        form.addRow("", note)

        content = QWidget(self)
        column = QVBoxLayout(content)
        title = QLabel("Practice settings", content)
        title.setProperty("kind", "title")
        column.addWidget(title)
        for box in (practice_box, hours_box, lock_box, aging_box, folders_box):
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea(self, objectName="settingsScroll", widgetResizable=True)
        scroll.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.saved_label)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def _with_chooser(self, edit: QLineEdit, name: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        button = QPushButton("Choose…", self, objectName=name)
        button.clicked.connect(lambda: self._choose(edit))
        row.addWidget(button)
        return row

    def _choose(self, edit: QLineEdit) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder", edit.text())
        if path:
            edit.setText(path)

    # ---------------------------------------------------------------- the view contract

    def refresh(self) -> None:
        if self.dirty:
            return  # never throw away what the admin is typing
        Op(self.ctx, practice_settings).success(self.fill).failure(self._failed).run()

    def current_task_id(self) -> int | None:
        return None

    # ---------------------------------------------------------------- filling and reading

    def fill(self, shown: PracticeSettings) -> None:
        self._filling = True
        try:
            self.loaded = shown
            self.name.setText(shown.practice_name)
            self.calendar.set_value(shown.calendar)
            self.idle.setValue(shown.idle_lock_minutes)
            self.reports.setText(shown.reports_folder)
            self.backups.setText(shown.backup_folder)
            self.nightly.setChecked(bool(shown.backup_time))
            self.backup_time.setEnabled(bool(shown.backup_time))
            self.backup_time.setTime(QTime.fromString(shown.backup_time or "22:00", "HH:mm"))
            self.thresholds.setRowCount(len(shown.thresholds))
            for r, row in enumerate(shown.thresholds):
                for c, value in enumerate((row.workflow, row.status)):
                    item = QTableWidgetItem(value)
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.thresholds.setItem(r, c, item)
                for c, hours in ((2, row.warn_hours), (3, row.breach_hours)):
                    item = QTableWidgetItem("" if hours is None else f"{hours:g}")
                    item.setData(_STATUS_ID, row.status_id)
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                    self.thresholds.setItem(r, c, item)
        finally:
            self._filling = False
        self._fit_table()
        self._set_dirty(False)

    def _fit_table(self) -> None:
        """Every status in view: the page scrolls, not a table inside it."""
        table = self.thresholds
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth())
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def values(self) -> dict:
        return {
            "practice_name": self.name.text(),
            "calendar": self.calendar.value(),
            "idle_lock_minutes": self.idle.value(),
            "reports_folder": self.reports.text(),
            "backup_folder": self.backups.text(),
            "backup_time": self.backup_time.time().toString("HH:mm") if self.nightly.isChecked()
            else "",
        }  # fmt: skip

    def threshold_values(self) -> dict[int, tuple[float | None, float | None]]:
        out = {}
        for r in range(self.thresholds.rowCount()):
            pair = []
            for c in (2, 3):
                item = self.thresholds.item(r, c)
                text = item.text().strip().replace(",", ".")
                try:
                    pair.append(float(text) if text else None)
                except ValueError:
                    self.thresholds.setCurrentCell(r, c)
                    status = self.thresholds.item(r, 1).text()
                    raise ValidationError(
                        f"“{item.text()}” for {status} is not a number of hours.", "warn_hours"
                    ) from None
            out[item.data(_STATUS_ID)] = (pair[0], pair[1])
        return out

    # ---------------------------------------------------------------- saving

    def _edited(self, *_args) -> None:
        if not self._filling and self.loaded is not None:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if dirty:
            self.saved_label.clear()

    def save(self) -> None:
        self.error.clear()
        try:
            limits = self.threshold_values()
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.save_button.setEnabled(False)
        Op(self.ctx, practice.save_settings, self.values(), limits).success(self._saved).failure(
            self._failed
        ).run()

    def _saved(self, changed: list[str]) -> None:
        self._set_dirty(False)
        self.saved_label.setText("Saved." if changed else "Nothing had changed.")
        self.ctx.signals.status_message.emit("Practice settings saved.")
        self.refresh()

    def _failed(self, exc: Exception, text: str) -> None:
        self.save_button.setEnabled(self.dirty)  # every field stays as typed
        self.error.setText(text)
        field = getattr(exc, "field", None)
        control = {"practice_name": self.name, "idle_lock_minutes": self.idle,
                   "reports_folder": self.reports, "backup_folder": self.backups,
                   "backup_time": self.backup_time}.get(field or "")  # fmt: skip
        control = control or self.calendar.control_for(field)
        if control is not None:
            control.setFocus()

    def revert(self) -> None:
        if self.loaded is not None:
            self.fill(self.loaded)
        self.error.clear()
