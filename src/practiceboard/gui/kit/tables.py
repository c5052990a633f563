"""The look of every read-only list of rows (My queue, search, approvals, patients, the
dashboards' lists): whole-row selection, no editing, no grid, single-line elided cells,
fixed row height, left-aligned headers, and column widths in average characters."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

# Export to CSV (kit/export.py): a model may answer EXPORT_ROLE with a cell's real value
# (a date rather than "Mar 4") or with the row's whole Card; headerData(PATIENT_ROLE)
# is true for a column of patient identifiers.
EXPORT_ROLE = int(Qt.ItemDataRole.UserRole) + 90
PATIENT_ROLE = int(Qt.ItemDataRole.UserRole) + 91


def set_up_rows_table(view: QTableView, widths: Sequence[int | None], *, multi: bool = False):
    """``widths``: per column, its width in characters, or None for the one that stretches.
    ``multi``: several rows may be selected (Ctrl/Shift-click)."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table, as in every other form
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = view.verticalHeader()
    rows.setVisible(False)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 12)
    head = view.horizontalHeader()
    head.setHighlightSections(False)
    head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    char = view.fontMetrics().averageCharWidth()
    for i, width in enumerate(widths):
        if width is None:
            head.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        else:
            head.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            head.resizeSection(i, width * char + 16)
