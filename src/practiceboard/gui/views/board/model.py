"""The board's Qt models: one small list model per column, holding a tuple of rows.

A row is a Card, a Lane (an owner's swimlane heading) or None (a blank slot that
keeps swimlanes level across columns). ``data()`` is on the hot path of painting
5,000 cards: it hands the row itself to the delegate under CARD_ROLE and answers
only a few other roles, comparing them as ints (roles arrive as ints).
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from practiceboard.core.rows import Board, BoardColumn, Card
from practiceboard.queries.board import column_key

CARD_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_CARD_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags  # lanes and blanks: the cursor skips them

ATTENTION_WORDS = {
    "overdue": "past its due date",
    "breached": "past its time limit in this status",
    "untouched": "untouched for 3 business days",
    "unexplained": "waiting for “Other” with no note",
    "blocker_late": "the task it waits on is late",
}
SLA_WORDS = {"warn": "Nearing its time limit in this status", "breach": "Past its time limit"}


@dataclass(frozen=True, slots=True)
class Lane:
    """The heading row of one owner's swimlane in one column."""

    owner_id: int
    owner_name: str
    count: int  # this owner's cards in this column
    total: int  # this owner's cards on the whole board


Row = Card | Lane | None


class ColumnModel(QAbstractListModel):
    """The rows of one board column."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: tuple[Row, ...] = ()

    def set_rows(self, rows: tuple[Row, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        if role == CARD_ROLE:
            return self.rows[index.row()]
        if role == _DISPLAY or role == _ACCESSIBLE:
            row = self.rows[index.row()]
            if isinstance(row, Card):
                return f"{row.ref} {row.title}"
            if isinstance(row, Lane):
                return row.owner_name
            return None
        if role == _TOOLTIP:
            row = self.rows[index.row()]
            return card_tooltip(row) if isinstance(row, Card) else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if index.isValid() and isinstance(self.rows[index.row()], Card):
            return _CARD_FLAGS
        return _NO_FLAGS

    def row_of(self, task_id: int) -> int:
        for i, row in enumerate(self.rows):
            if isinstance(row, Card) and row.id == task_id:
                return i
        return -1

    def card_at(self, row: int) -> Card | None:
        item = self.rows[row] if 0 <= row < len(self.rows) else None
        return item if isinstance(item, Card) else None

    def card_count(self) -> int:
        return sum(1 for r in self.rows if isinstance(r, Card))


def column_id(column: BoardColumn) -> int | str:
    """A column's key: its status id, or its category on the all-workflows board."""
    return column.status_id or column.key


def group_cards(board: Board) -> dict[int | str, list[Card]]:
    """Cards per column key (status id, or category on the all-workflows board),
    in the board's order (most urgent first)."""
    out: dict[int | str, list[Card]] = {column_id(c): [] for c in board.columns}
    wf = board.workflow_id
    for card in board.cards:
        bucket = out.get(column_key(card, wf))
        if bucket is not None:
            bucket.append(card)
    return out


def column_rows(board: Board, lanes: bool) -> dict[int | str, tuple[Row, ...]]:
    """Rows per column: the cards as they come, or grouped into owner swimlanes
    padded with blanks so each lane starts at the same height in every column."""
    grouped = group_cards(board)
    if not lanes:
        return {key: tuple(cards) for key, cards in grouped.items()}
    per_owner: dict[int | str, dict[int, list[Card]]] = {}
    names: dict[int, str] = {}
    totals: dict[int, int] = defaultdict(int)
    for key, cards in grouped.items():
        by_owner: dict[int, list[Card]] = defaultdict(list)
        for card in cards:
            by_owner[card.owner_id].append(card)
            names[card.owner_id] = card.owner_name
            totals[card.owner_id] += 1
        per_owner[key] = by_owner
    order = sorted(names, key=lambda uid: (names[uid].casefold(), uid))
    out: dict[int | str, list[Row]] = {key: [] for key in grouped}
    for uid in order:
        height = max(len(per_owner[key].get(uid, ())) for key in grouped)
        for key in grouped:
            cards = per_owner[key].get(uid, [])
            rows = out[key]
            rows.append(Lane(uid, names[uid], len(cards), totals[uid]))
            rows.extend(cards)
            rows.extend([None] * (height - len(cards)))
    return {key: tuple(rows) for key, rows in out.items()}


def card_tooltip(card: Card) -> str:
    """The card in words (rich text with every value escaped: titles are user text)."""
    lines = [f"{card.ref}: {card.title}", f"{card.workflow_name} · {card.status_name}"]
    lines.append(f"Owner: {card.owner_name}")
    if card.overdue and card.due_date is not None:
        lines.append(f"Overdue: was due {card.due_date:%b %d, %Y}")
    if card.sla in SLA_WORDS:
        lines.append(SLA_WORDS[card.sla])
    if card.reason_label:
        lines.append(f"Reason: {card.reason_label}")
    if card.attention:
        lines.append("Needs attention: " + ", ".join(_attention_words(card.attention)))
    if card.watched:
        lines.append("You watch this task")
    lines.extend(dependency_lines(card))
    return "<qt>" + "<br>".join(html.escape(line) for line in lines) + "</qt>"


def dependency_lines(card: Card) -> list[str]:
    """Documents and blocks in words (the tooltip; the card shows them as badges)."""
    out = []
    if card.documents:
        out.append(f"{card.documents} document{'' if card.documents == 1 else 's'} attached")
    if card.blocked_by_ref:
        late = " (late)" if card.blocker_late else ""
        out.append(f"Blocked by {card.blocked_by_ref}{late}")
    if card.blocking:
        out.append(f"Blocks {card.blocking} other task{'' if card.blocking == 1 else 's'}")
    return out


def _attention_words(reasons: Iterable[str]) -> list[str]:
    return [ATTENTION_WORDS.get(r, r) for r in reasons]
