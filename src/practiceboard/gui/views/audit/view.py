"""The audit report (security.md item 10; admin only, ``audit.view``): the audit log for a
date range, filtered by every field and sorted by any column — both in SQL
(queries.audit), a page at a time — with the selected row's old and new values below,
and *Export CSV…* (reports.audit), which is itself written to the audit log.

Dates are days on this PC's clock; times are shown in this PC's time zone (the log
keeps UTC, as the CSV does). Every value is plain text.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import AuditFilter, AuditPage, AuditRow
from practiceboard.domain.policy import Cap
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.care.table import Column, RowsTable, label
from practiceboard.gui.views.lists.table import Section
from practiceboard.queries import audit as audit_queries

PAGE = 200
DAYS_BACK = 7


def _local(at: datetime) -> str:
    return at.astimezone().strftime("%m/%d/%Y %I:%M:%S %p")


def _text(value) -> str:
    return "" if value is None else str(value)


# (title, field it sorts by, text, width in characters; 0 stretches)
COLUMNS = (
    ("#", "id", lambda r: str(r.id), 7),
    ("Time", "at", lambda r: _local(r.at), 24),
    ("User", "username", lambda r: r.username, 12),
    ("Workstation", "workstation", lambda r: r.workstation, 16),
    ("Action", "action", lambda r: r.action, 20),
    ("Entity", "entity", lambda r: r.entity, 10),
    ("Entity id", "entity_id", lambda r: _text(r.entity_id), 10),
    ("Patient id", "patient_id", lambda r: _text(r.patient_id), 11),
    ("Category", "category", lambda r: r.category, 11),
    ("Outcome", "outcome", lambda r: r.outcome, 10),
    ("Detail", "detail", lambda r: _text(r.detail), 0),
)
SORT_KEYS = [c[1] for c in COLUMNS]
OUTCOMES = ("", "success", "denied", "failure")
CATEGORIES = ("", "security", "patient", "operational", "system")


class AuditView(QWidget):
    task_activated = Signal(int)  # the contract; audit rows open no task

    EMPTY = "No audit rows match. Widen the dates or clear a filter."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditView")
        self.sort, self.descending, self.offset, self.total = "at", True, 0, 0
        self._ticket = 0
        self.rows: tuple[AuditRow, ...] = ()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(label("Audit report", self, "heading", "auditHeading"))
        outer.addLayout(self._filters())

        self.table = RowsTable(
            [Column(title, text, width) for title, _key, text, width in COLUMNS],
            lambda r: r.id, self,
        )  # fmt: skip
        self.table.setObjectName("auditTable")
        head = self.table.horizontalHeader()
        head.setSectionsClickable(True)
        head.setSortIndicatorShown(True)
        head.setSortIndicator(SORT_KEYS.index(self.sort), Qt.SortOrder.DescendingOrder)
        head.sortIndicatorChanged.connect(self._sort_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_values())
        self.section = Section(self.table, self.EMPTY, self)
        self.values = QPlainTextEdit(self, objectName="auditValues")
        self.values.setReadOnly(True)
        self.values.setPlaceholderText("Select a row to see what it changed (old and new values).")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.section)
        split.addWidget(self.values)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        outer.addWidget(split, 1)

        pager = QHBoxLayout()
        self.count_label = label("", self, "muted", "auditCount")
        self.previous_button = QPushButton("‹ Previous", self, objectName="auditPrevious")
        self.next_button = QPushButton("Next ›", self, objectName="auditNext")
        self.previous_button.clicked.connect(lambda: self._page(-PAGE))
        self.next_button.clicked.connect(lambda: self._page(PAGE))
        self.export_button = QPushButton("Export CSV…", self, objectName="auditExport")
        self.export_button.setToolTip("Every row the filters match; the export is audited.")
        self.export_button.clicked.connect(self.export_csv)
        self.key_button = QPushButton("Export audit key…", self, objectName="auditKeyExport")
        self.key_button.setToolTip(
            "Write this database's audit key to a file (e.g. a USB stick) for another PC, "
            "which imports it with “practiceboard audit key import FILE”. Audited."
        )
        self.key_button.clicked.connect(self.export_key)
        self.key_button.setVisible(ctx.can(Cap.ADMIN))
        pager.addWidget(self.count_label, 1)
        for button in (self.key_button, self.previous_button, self.next_button,
                       self.export_button):  # fmt: skip
            pager.addWidget(button)
        outer.addLayout(pager)
        self.refresh()

    def _filters(self) -> QGridLayout:
        grid = QGridLayout()
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-DAYS_BACK), self, objectName="auditFrom")
        self.end = QDateEdit(today, self, objectName="auditTo")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("MM/dd/yyyy")
            edit.dateChanged.connect(lambda _d: self.apply())
        self.fields: dict[str, QLineEdit] = {}
        hints = [("username", "user name"), ("action", "e.g. patient.view"),
                 ("entity", "task, patient, user…"), ("entity_id", "id"),
                 ("workstation", "PC name"), ("detail", "words in the detail")]  # fmt: skip
        for name, hint in hints:
            edit = QLineEdit(self, objectName=f"audit_{name}")
            edit.setPlaceholderText(hint)
            edit.setClearButtonEnabled(True)
            edit.returnPressed.connect(self.apply)
            self.fields[name] = edit
        self.patient = QLineEdit(self, objectName="audit_patient_id")
        self.patient.setPlaceholderText("patient id")
        self.patient.setValidator(QIntValidator(1, 2_000_000_000, self.patient))
        self.patient.returnPressed.connect(self.apply)
        self.outcome = QComboBox(self, objectName="audit_outcome")
        self.category = QComboBox(self, objectName="audit_category")
        for combo, values in ((self.outcome, OUTCOMES), (self.category, CATEGORIES)):
            for value in values:
                combo.addItem(value.capitalize() if value else "Any", value)
            combo.currentIndexChanged.connect(lambda _i: self.apply())
        apply_button = QPushButton("Apply", self, objectName="auditApply")
        apply_button.clicked.connect(self.apply)
        cells = [
            ("From", self.start), ("To", self.end), ("User", self.fields["username"]),
            ("Action", self.fields["action"]), ("Outcome", self.outcome),
            ("Category", self.category), ("Patient", self.patient),
            ("Entity", self.fields["entity"]), ("Entity id", self.fields["entity_id"]),
            ("Workstation", self.fields["workstation"]), ("Detail", self.fields["detail"]),
        ]  # fmt: skip
        for i, (title, widget) in enumerate(cells):
            row, col = divmod(i, 6)
            box = QVBoxLayout()
            caption = QLabel(title, self)
            caption.setTextFormat(Qt.TextFormat.PlainText)
            caption.setBuddy(widget)
            box.addWidget(caption)
            box.addWidget(widget)
            grid.addLayout(box, row, col)
        grid.addWidget(apply_button, 1, 5, Qt.AlignmentFlag.AlignBottom)
        return grid

    # ---------------------------------------------------------------- the contract

    def current_task_id(self) -> int | None:
        return None

    def filter(self) -> AuditFilter:
        """What the form asks for (the end date is included: up to the next midnight)."""
        start = datetime.combine(self.start.date().toPython(), time(0)).astimezone()
        end = datetime.combine(self.end.date().toPython() + timedelta(days=1), time(0))
        text = {name: edit.text().strip() for name, edit in self.fields.items()}
        patient = self.patient.text().strip()
        return AuditFilter(
            start=start, end=end.astimezone(), patient_id=int(patient) if patient else None,
            outcome=self.outcome.currentData(), category=self.category.currentData(), **text,
        )  # fmt: skip

    def apply(self) -> None:
        self.offset = 0
        self.refresh()

    def refresh(self) -> None:
        if self.end.date() < self.start.date():
            self.section.show_problem("The “To” day comes before the “From” day.")
            return
        self._ticket += 1
        Op(self.ctx, audit_queries.audit_report, self.filter(), sort=self.sort,
           descending=self.descending, offset=self.offset, limit=PAGE).success(
            partial(self._arrived, self._ticket)
        ).failure(partial(self._failed, self._ticket)).fallback(SOMETHING_WRONG).run()  # fmt: skip

    def _arrived(self, ticket: int, page: AuditPage) -> None:
        if ticket != self._ticket:
            return
        self.rows, self.total = page.rows, page.total
        self.table.set_rows(page.rows)
        self.section.show_rows(bool(page.rows))
        first, last = page.offset + 1, page.offset + len(page.rows)
        self.count_label.setText(
            f"Rows {first:,}–{last:,} of {page.total:,}" if page.rows else "No rows"
        )
        self.previous_button.setEnabled(page.offset > 0)
        self.next_button.setEnabled(last < page.total)
        self.export_button.setEnabled(page.total > 0)
        self._show_values()

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.section.show_problem(f"Could not load the audit report. {text}")

    def _page(self, step: int) -> None:
        self.offset = max(0, self.offset + step)
        self.refresh()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.sort = SORT_KEYS[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.apply()

    def _show_values(self) -> None:
        row = self.table.current_row()
        if row is None:
            self.values.clear()
            return
        self.values.setPlainText(
            f"Row {row.id} · {row.at:%Y-%m-%d %H:%M:%S} UTC · user id {_text(row.user_id)}\n"
            f"Detail: {row.detail or '—'}\nOld: {row.old_values or '—'}\n"
            f"New: {row.new_values or '—'}"
        )

    # ---------------------------------------------------------------- export

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the audit report", "audit-report.csv", "CSV files (*.csv)"
        )
        if path:
            self.write_csv(path)

    def write_csv(self, path: str) -> None:
        """Every row the filters match, in the shown order (audited by the export)."""
        from pathlib import Path

        from practiceboard.reports.audit import export_csv

        Op(self.ctx, export_csv, self.filter(), Path(path), sort=self.sort,
           descending=self.descending).success(
            lambda count: self.count_label.setText(f"{count:,} rows exported to {path}")
        ).report_to(self, "Not exported").run()  # fmt: skip

    def export_key(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the audit key", "practiceboard-audit.key", "Key files (*.key)"
        )
        if path:
            self.write_key(path)

    def write_key(self, path: str) -> None:
        """The admin's in-app "export key to a USB stick" (services.audit_key, audited)."""
        from pathlib import Path

        from practiceboard.services.audit_key import export_key

        Op(self.ctx, export_key, Path(path)).success(
            lambda _p: self.ctx.messages.info(
                self, "Audit key exported",
                f"The audit key was written to {path}. Keep it as safe as a password. On the "
                "other PC run “practiceboard audit key import FILE”, then delete the file.",
            )
        ).report_to(self, "Key not exported").run()  # fmt: skip
