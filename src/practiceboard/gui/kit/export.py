"""Export to CSV… (Ctrl+E): the list the current view shows, as a CSV Excel opens.

The window asks the current view for its table through the view contract
(``export_table()``, optional); a view without the hook is read from the list in it
that has the keyboard focus (a board column, a tab's table), else its first visible
table. A model may answer ``EXPORT_ROLE`` with the cell's real value (a date, not
"Mar 4"), or with a whole ``Card``, which becomes one row of CARD_COLUMNS with ISO dates;
a header whose ``PATIENT_ROLE`` is true marks a patient column, left out for a role that
may not see patients. The file is UTF-8 with a BOM, formula-looking cells neutralised
(reports/csvfile.py), and the export is audited with its row count (services/exports.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QTableView, QWidget

from practiceboard.core.rows import Card
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.tables import EXPORT_ROLE, PATIENT_ROLE
from practiceboard.reports.csvfile import write_csv
from practiceboard.services import exports

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)

CARD_COLUMNS = (
    "Ref", "Title", "Workflow", "Status", "Owner", "Due", "Priority", "Patient MRN", "Payer",
    "Provider", "Location", "Reason", "Created", "In status since",
)  # fmt: skip
CARD_PATIENT_COLUMNS = (7,)


@dataclass(frozen=True)
class ExportTable:
    """What a view shows, as plain values: the header, the rows, the patient columns."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    patient_columns: tuple[int, ...] = ()


def card_row(card: Card) -> tuple:
    return (
        card.ref, card.title, card.workflow_name, card.status_name, card.owner_name,
        card.due_date, card.priority, card.patient_ref, card.payer, card.provider_name,
        card.location_name, card.reason_label, card.created_at, card.status_since,
    )  # fmt: skip


def plain(value):
    """Dates and times in ISO form (times to the minute, in UTC as stored)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_of(view: QAbstractItemView, title: str) -> ExportTable:
    """Read a list or table as it is shown: its visible columns, its rows in view order."""
    model = view.model()
    if model is None:
        return ExportTable(title, (), ())
    firsts = [model.data(model.index(r, 0), EXPORT_ROLE) for r in range(model.rowCount())]
    if any(isinstance(v, Card) for v in firsts):
        # Cards (a board column, a task list): one full row each; swimlane headings and
        # blank slots between them are left out.
        cards = tuple(tuple(plain(v) for v in card_row(c)) for c in firsts if isinstance(c, Card))
        return ExportTable(title, CARD_COLUMNS, cards, CARD_PATIENT_COLUMNS)
    columns = [
        c for c in range(model.columnCount())
        if not (isinstance(view, QTableView) and view.isColumnHidden(c))
    ]  # fmt: skip
    rows: list[tuple] = []
    for r in range(model.rowCount()):
        cells = []
        for c in columns:
            index = model.index(r, c)
            value = model.data(index, EXPORT_ROLE)
            if value is None:
                value = model.data(index, _DISPLAY)
            cells.append(plain(value))
        if any(v not in (None, "") for v in cells):
            rows.append(tuple(cells))
    horizontal = Qt.Orientation.Horizontal
    header = tuple(str(model.headerData(c, horizontal, _DISPLAY) or "") for c in columns)
    patient = tuple(
        i for i, c in enumerate(columns) if model.headerData(c, horizontal, PATIENT_ROLE)
    )
    if len(columns) == 1 and not header[0]:
        header = (title,)
    return ExportTable(title, header, tuple(rows), patient)


def table_in(widget: QWidget, title: str) -> ExportTable | None:
    """The list in ``widget`` with the keyboard focus, else its first visible table."""
    hook = getattr(widget, "export_table", None)
    if callable(hook):
        return hook()
    focus = QApplication.focusWidget()
    if focus is None or not widget.isAncestorOf(focus):
        focus = widget.focusWidget()
    while focus is not None and focus is not widget:
        if isinstance(focus, QAbstractItemView):
            name = focus.accessibleName()
            return table_of(focus, f"{title} – {name}" if name else title)
        focus = focus.parentWidget()
    tables = widget.findChildren(QTableView)
    for view in tables:
        if view.isVisible():
            return table_of(view, title)
    # Lists that stand hidden behind their "nothing here" sentence: nothing to export.
    return ExportTable(title, (), ()) if tables else None


def safe_name(title: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in title)
    return "-".join(keep.lower().split()) or "list"


def choose_path(parent: QWidget, suggested: str) -> str:
    """Where to save (tests replace this)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Export to CSV", suggested, "CSV files (*.csv)")
    return path


def export_view(
    ctx: AppContext, widget: QWidget, title: str, parent: QWidget,
    done: Callable[[str], None] | None = None,
) -> bool:  # fmt: skip
    """Ask where, then write and audit the export off the GUI thread. False when there
    was nothing to export or the person cancelled."""
    table = table_in(widget, title)
    if table is not None and not table.header:
        ctx.messages.info(
            parent, "Export to CSV", "This list is empty: there is nothing to export."
        )
        return False
    if table is None:
        ctx.messages.info(
            parent, "Export to CSV", "Click in the list to export (a board column, a table), "
            "then choose Export to CSV… again.",
        )  # fmt: skip
        return False
    path = choose_path(parent, f"{safe_name(table.title)}.csv")
    if not path:
        return False
    if not path.lower().endswith(".csv"):
        path += ".csv"
    target = Path(path)

    def write(header: list[str], rows: list[list]) -> None:
        write_csv(target, header, rows)

    said = done or (lambda text: ctx.signals.status_message.emit(text))
    Op(ctx, exports.export_rows, table.title, table.header, table.rows, table.patient_columns,
       write).report_to(parent, "Not exported").fallback(
        "The file could not be written ({detail}). Pick another folder and try again."
    ).success(partial(_exported, said, target)).run()  # fmt: skip
    return True


def _exported(said: Callable[[str], None], target: Path, count: int) -> None:
    said(f"Exported {count} row{'s' if count != 1 else ''} to {target.name}.")
