"""What the care views share: a read-only table over plain rows (columns as functions
of a row), the sentence that stands in for an empty table, and date words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QLabel, QTableView, QWidget

from practiceboard.gui.kit import theme
from practiceboard.gui.kit.tables import EXPORT_ROLE, PATIENT_ROLE, set_up_rows_table
from practiceboard.gui.kit.tooltips import plain_tip

Index = QModelIndex | QPersistentModelIndex


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def day(d: date | None) -> str:
    return f"{d:%m/%d/%Y}" if d else ""


def iso_day(text: str) -> str:
    """A cell written by ``day`` in ISO form (for an export); any other text as it is."""
    if len(text) == 10 and text[2] == text[5] == "/" and text.replace("/", "").isdigit():
        return f"{text[6:]}-{text[:2]}-{text[3:5]}"
    return text


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    width: int = 14  # in average characters; 0: stretches
    warn: Callable[[Any], bool] | None = None  # shown in the overdue colour when true
    patient: bool = False  # patient identifiers: left out of an export for roles without them


class RowsModel(QAbstractTableModel):
    """Read-only rows; ``row_id`` names the row (a task, patient or plan id)."""

    def __init__(self, columns: Sequence[Column], row_id: Callable[[Any], int | None], parent=None):
        super().__init__(parent)
        self.columns, self.row_id = list(columns), row_id
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if orientation == Qt.Orientation.Horizontal and role == PATIENT_ROLE:
            return self.columns[section].patient
        return None

    def data(self, index: Index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == EXPORT_ROLE:
            return iso_day(col.text(row))
        if role == Qt.ItemDataRole.ToolTipRole:  # titles and names are typed by people
            return plain_tip(col.text(row)) or None
        if role == Qt.ItemDataRole.ForegroundRole and col.warn is not None and col.warn(row):
            return QBrush(QColor(theme.BADGE_COLORS["overdue"]))
        return None


class RowsTable(QTableView):
    """Whole rows, one at a time; ``activated_id(int)`` on double-click or Enter."""

    activated_id = Signal(int)

    def __init__(self, columns: Sequence[Column], row_id, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows_model = RowsModel(columns, row_id, self)
        self.setModel(self.rows_model)
        set_up_rows_table(self, [None if col.width == 0 else col.width for col in columns])
        self.doubleClicked.connect(self._open)

    def set_rows(self, rows: Sequence[Any]) -> None:
        keep = self.current_id()
        self.rows_model.set_rows(rows)
        if keep is not None:
            self.select_id(keep)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        ident = self.rows_model.row_id(self.rows_model.rows[index.row()])
        if ident is not None:
            self.activated_id.emit(ident)

    def current_row(self) -> Any | None:
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isRowSelected(index.row()):
            return None
        return self.rows_model.rows[index.row()]

    def current_id(self) -> int | None:
        row = self.current_row()
        return None if row is None else self.rows_model.row_id(row)

    def select_id(self, ident: int) -> bool:
        for i, row in enumerate(self.rows_model.rows):
            if self.rows_model.row_id(row) == ident:
                self.selectRow(i)
                return True
        return False


def label(text: str, parent: QWidget, kind: str | None = None, name: str = "") -> QLabel:
    """A plain-text label (patient text is never rich text)."""
    widget = QLabel(text, parent, objectName=name)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if kind:
        widget.setProperty("kind", kind)
    return widget
