"""A table of approval requests (ApprovalItem rows): the inbox, what came back, what
waits on others. Rows arrive sorted from the query; the model only formats them."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from practiceboard.core.rows import ApprovalItem
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.tables import PATIENT_ROLE

TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole

# key -> header
COLUMNS = {
    "ref": "Ref",
    "asked": "What is asked",
    "asked_by": "Asked by",
    "holder": "Waiting on",
    "patient": "Patient",
    "waiting": "Waiting",
    "sla": "SLA",
    "rounds": "Rounds",
    "back": "Came back because",
    "back_by": "Sent back by",
}
INBOX_COLUMNS = ("ref", "asked", "asked_by", "patient", "waiting", "sla", "rounds")
BACK_COLUMNS = ("ref", "back", "back_by", "patient", "rounds")
OTHERS_COLUMNS = ("ref", "asked", "holder", "patient", "waiting", "sla")
SLA_WORDS = {"breach": "Past breach", "warn": "Near limit", "ok": "", "paused": "Paused"}
SLA_COLORS = {"breach": QColor("#b42318"), "warn": QColor("#b54708")}


def hours_label(hours: float) -> str:
    """Business time waiting, as a person says it: "45 min", "3.5 h", "2.1 days" (business
    days of 9 hours, the default calendar's; the column and tooltips say business time)."""
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 18:
        return f"{hours:.1f} h"
    return f"{hours / 9:.1f} days"


def plain_tip(text: str) -> str:
    """A tooltip that shows patient text as typed: Qt guesses rich text, so escape it."""
    return "<qt>" + html.escape(text) + "</qt>"


def asked_text(item: ApprovalItem) -> str:
    question = (item.question or "").replace("\n", " ")
    return f"{item.card.title} — {question}" if question else item.card.title


class ApprovalTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[str], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.items: tuple[ApprovalItem, ...] = ()

    def set_items(self, items: Sequence[ApprovalItem]) -> None:
        self.beginResetModel()
        self.items = tuple(items)
        self.endResetModel()

    def remove_ids(self, task_ids: set[int]) -> None:
        """Take decided requests out at once (the refresh that follows confirms it)."""
        for row in reversed(range(len(self.items))):
            if self.items[row].card.id in task_ids:
                self.beginRemoveRows(QModelIndex(), row, row)
                self.items = self.items[:row] + self.items[row + 1 :]
                self.endRemoveRows()

    def row_of(self, task_id: int | None) -> int:
        return next((i for i, it in enumerate(self.items) if it.card.id == task_id), -1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _DISPLAY:
            return COLUMNS[self.columns[section]]
        if role == PATIENT_ROLE:
            return self.columns[section] == "patient"
        if role == _TOOLTIP and self.columns[section] == "waiting":
            return "Business time on the SLA clock (paused while a request waits on its requester)"
        return None

    def data(self, index: QModelIndex, role=_DISPLAY):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        col = self.columns[index.column()]
        if role == TASK_ID_ROLE:
            return item.card.id
        if role == _DISPLAY:
            return self._text(item, col)
        if role == _TOOLTIP and col in ("asked", "back"):
            return plain_tip(self._text(item, col))
        if role == _DECORATION and col == "sla" and item.card.sla in ("breach", "warn"):
            return theme.icon(item.card.sla)
        if role == _FOREGROUND and col == "sla" and item.card.sla in SLA_COLORS:
            return QBrush(SLA_COLORS[item.card.sla])
        return None

    @staticmethod
    def _text(item: ApprovalItem, col: str) -> str:
        card = item.card
        if col == "ref":
            return card.ref
        if col == "asked":
            return asked_text(item)
        if col == "asked_by":
            return item.asked_by_name
        if col == "holder":
            return card.owner_name
        if col == "patient":
            return card.patient_ref or ""
        if col == "waiting":
            return hours_label(item.waiting_hours)
        if col == "sla":
            return SLA_WORDS.get(card.sla, "")
        if col == "rounds":
            return f"sent back {item.rounds}×" if item.rounds else ""
        if col == "back":
            parts = [p for p in (item.back_reason, item.back_note) if p]
            return " — ".join(parts).replace("\n", " ")
        if col == "back_by":
            return item.back_by_name or ""
        return ""
