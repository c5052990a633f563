"""What the admin panels share: a read-only table filled from rows, and the line under a
panel that says what happened (or what went wrong, in one sentence)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QWidget

from practiceboard.gui.kit import theme
from practiceboard.gui.kit.tables import set_up_rows_table


def rows_table(
    headers: Sequence[str], widths: Sequence[int | None], parent: QWidget
) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    set_up_rows_table(table, widths)
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[str]], ids: Sequence[int]) -> None:
    """Replace the table's rows, keeping the selected id selected."""
    keep = selected_id(table)
    table.setRowCount(len(rows))
    for r, (values, ident) in enumerate(zip(rows, ids, strict=True)):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setToolTip(value)
            table.setItem(r, c, item)
    for r, ident in enumerate(ids):
        if ident == keep:
            table.selectRow(r)
            break


def selected_id(table: QTableWidget) -> int | None:
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 and table.selectionModel().hasSelection() else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def select_id(table: QTableWidget, ident: int) -> None:
    for r in range(table.rowCount()):
        if table.item(r, 0).data(Qt.ItemDataRole.UserRole) == ident:
            table.selectRow(r)
            return


class Notice(QLabel):
    """One line: what just happened, or why it did not (errors in the theme's error colour)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("adminNotice")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)

    def done(self, text: str) -> None:
        self.setProperty("error", False)
        self.setStyleSheet("")
        self.setText(text)

    def failed(self, text: str) -> None:
        self.setProperty("error", True)
        self.setStyleSheet(f"color: {theme.ERROR};")
        self.setText(text)
