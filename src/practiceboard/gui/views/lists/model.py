"""A table of tasks over plain Card rows (queues, stuck work, search results).

The model holds a tuple of Cards and formats them on demand; it never filters or
sorts itself. A click on a sortable header asks the view (``sort_requested``) to
fetch the rows again in that order from SQL, by a ``rows.SORTS`` key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from practiceboard.core.rows import Card
from practiceboard.domain.aging import format_age
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.gui.kit.wording import short_date

TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1

# key -> (header, SORTS key a header click asks for, or None: not sortable)
COLUMNS: dict[str, tuple[str, str | None]] = {
    "ref": ("Ref", "ref"),
    "title": ("Title", "title"),
    "why": ("Needs attention because", "urgency"),
    "status": ("Status", None),
    "owner": ("Owner", "owner"),
    "due": ("Due", "due"),
    "in_status": ("In status", "age_in_status"),
    "age": ("Age", "created"),
    "patient": ("Patient", None),
    "badges": ("Badges", "urgency"),
}
DEFAULT_COLUMNS = (
    "ref",
    "title",
    "status",
    "owner",
    "due",
    "in_status",
    "age",
    "patient",
    "badges",
)

# Most severe first: the row shows the icon of the first badge it has.
BADGE_WORDS = (
    ("breach", "Past breach"),
    ("overdue", "Overdue"),
    ("attention", "Needs attention"),
    ("warn", "Near limit"),
    ("reason", "Waiting"),
    ("watched", "Watched"),
)
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def badges(card: Card) -> list[str]:
    """The badge names a card earns, most severe first."""
    have = {
        "breach": card.sla == "breach",
        "overdue": card.overdue,
        "attention": card.needs_attention,
        "warn": card.sla == "warn",
        "reason": card.reason_label is not None,
        "watched": card.watched,
    }
    return [name for name, _ in BADGE_WORDS if have[name]]


def badge_text(card: Card) -> str:
    words = dict(BADGE_WORDS)
    out = []
    for name in badges(card):
        out.append(f"Waiting: {card.reason_label}" if name == "reason" else words[name])
    return " · ".join(out)


def attention_reasons(card: Card, today: date) -> list[tuple[str, str]]:
    """(short phrase for the row, full sentence for the tooltip) per attention reason."""
    out = []
    for reason in card.attention:
        if reason == "overdue" and card.due_date is not None:
            days = (today - card.due_date).days
            late = "1 day" if days == 1 else f"{days} days"
            out.append(
                (
                    f"Overdue by {late}",
                    f"Overdue by {late}: it was due {short_date(card.due_date, today)}.",
                )
            )
        elif reason == "breached" and card.category == "review":
            age = format_age(card.age_in_status_seconds)  # the SLA clock's start (approvals)
            out.append(
                (
                    f"Waiting on {card.owner_name} for {age}",
                    f"A decision has waited on {card.owner_name} for {age}, past the time "
                    "limit; the backup approver and the managers were alerted.",
                )
            )  # fmt: skip
        elif reason == "breached":
            age = format_age(card.age_in_status_seconds)
            out.append(
                (
                    "Past its time limit",
                    f"In “{card.status_name}” for {age}, past the time limit for that step.",
                )
            )
        elif reason == "untouched":
            now = card.created_at + timedelta(seconds=card.age_seconds)
            idle = format_age((now - card.last_touched_at).total_seconds())
            out.append(
                (f"Untouched for {idle}", f"Nobody has moved it or added a note for {idle}.")
            )
        elif reason == "unexplained":
            label = card.reason_label or "Other"
            out.append(
                (
                    "Waiting, no note why",
                    f"Waiting for “{label}” with no note saying what it is waiting for.",
                )
            )
        elif reason == "blocker_late":
            ref = card.blocked_by_ref or "another task"
            out.append(
                (
                    f"Waits on {ref}, which is late",
                    f"It waits on {ref}, which is overdue or past its time limit.",
                )
            )
    return out  # fmt: skip


def attention_why(card: Card, today: date) -> str:
    """Why a card needs attention, in short phrases ("Overdue by 3 days · Untouched for 5d")."""
    return " · ".join(short for short, _ in attention_reasons(card, today))


class CardTableModel(QAbstractTableModel):
    """Rows of Cards; ``columns`` picks and orders the columns (keys of COLUMNS)."""

    sort_requested = Signal(str, bool)  # SORTS key, descending

    def __init__(
        self,
        columns: Sequence[str] = DEFAULT_COLUMNS,
        parent: QObject | None = None,
        *,
        today: date | None = None,
    ):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: tuple[Card, ...] = ()
        self.today = today or date.today()
        self.sort_key: str | None = None
        self.descending = False

    # ---------------------------------------------------------------- rows

    def set_rows(self, cards: Sequence[Card], today: date | None = None) -> None:
        self.beginResetModel()
        self.rows = tuple(cards)
        if today is not None:
            self.today = today
        self.endResetModel()

    def card(self, row: int) -> Card | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, task_id: int) -> int:
        for i, card in enumerate(self.rows):
            if card.id == task_id:
                return i
        return -1

    # ---------------------------------------------------------------- Qt model

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == _DISPLAY:
            return COLUMNS[self.columns[section]][0]
        if role == _TOOLTIP and COLUMNS[self.columns[section]][1] is not None:
            return "Click to sort"
        if role == _ALIGN and self.columns[section] in ("in_status", "age"):
            return _RIGHT
        return None

    def data(self, index: QModelIndex, role=_DISPLAY):
        card = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == _DISPLAY:
            return self._text(card, col)
        if role == TASK_ID_ROLE:
            return card.id
        if role == _DECORATION:
            if col == "status":
                return theme.category_icon(card.category)
            if col == "badges" and (found := badges(card)):
                return theme.icon(found[0])
            return None
        if role == _FOREGROUND:
            if col == "due" and card.overdue:
                return QBrush(QColor(theme.BADGE_COLORS["overdue"]))
            if col == "why":
                return QBrush(QColor(theme.BADGE_COLORS["attention"]))
            return None
        if role == _TOOLTIP:
            return self._tooltip(card, col)
        if role == _ALIGN and col in ("in_status", "age"):
            return _RIGHT
        return None

    def _text(self, card: Card, col: str) -> str:
        if col == "ref":
            return card.ref
        if col == "title":
            return card.title
        if col == "why":
            return attention_why(card, self.today)
        if col == "status":
            return card.status_name
        if col == "owner":
            return card.owner_name
        if col == "due":
            return short_date(card.due_date, self.today) if card.due_date else ""
        if col == "in_status":
            return format_age(card.age_in_status_seconds)
        if col == "age":
            return format_age(card.age_seconds)
        if col == "patient":
            return card.patient_ref or ""
        return badge_text(card)

    def _tooltip(self, card: Card, col: str) -> str | None:
        """Shown literally (plain_tip): titles and names are typed by people."""
        return plain_tip(self._tip_text(card, col)) or None

    def _tip_text(self, card: Card, col: str) -> str | None:
        if col == "title":
            return card.title
        if col == "status":
            return f"{card.workflow_name}: {card.status_name}"
        if col == "why":
            return "\n".join(full for _, full in attention_reasons(card, self.today)) or None
        if col == "badges":
            return badge_text(card) or None
        if col == "due" and card.due_date:
            return f"Due {card.due_date:%A, %B} {card.due_date.day}, {card.due_date.year}"
        return None

    # ---------------------------------------------------------------- sorting

    def sort_key_of(self, column: int) -> str | None:
        if not 0 <= column < len(self.columns):
            return None
        return COLUMNS[self.columns[column]][1]

    def request_sort(self, column: int) -> bool:
        """A header click: the same column again flips the order. False when the
        column cannot be sorted."""
        key = self.sort_key_of(column)
        if key is None:
            return False
        self.descending = not self.descending if key == self.sort_key else False
        self.sort_key = key
        self.sort_requested.emit(key, self.descending)
        return True

    def sorted_column(self) -> int:
        """The column showing the current sort (the first one with its key), or -1."""
        for i, col in enumerate(self.columns):
            if self.sort_key is not None and COLUMNS[col][1] == self.sort_key:
                return i
        return -1
