"""What the list views share: a read-only task table with fixed row heights, the
sentence that stands in for an empty table, and the loading machinery (a worker
per refresh, stale answers dropped, refresh on data_changed when visible)."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMenu,
    QStackedWidget,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from practiceboard.core.rows import Card, MoveOption, TaskFilter
from practiceboard.gui.dialogs.request_dialog import RequestApprovalDialog
from practiceboard.gui.kit.change import Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG, sentence
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.stale import RefreshWhenShown
from practiceboard.gui.kit.tables import set_up_rows_table
from practiceboard.gui.views.board import moves
from practiceboard.gui.views.lists.model import TASK_ID_ROLE, CardTableModel

SHOWN = (Kind.TASK, Kind.PATIENT, Kind.USER)  # rows show tasks, patients and owners
# Initial widths in average characters; the title (or the reason) takes the rest.
WIDTHS = {"ref": 12, "status": 20, "owner": 18, "due": 11, "in_status": 9, "age": 7,
          "patient": 12, "badges": 30, "why": 50}  # fmt: skip


# Longest a fitted column grows, in average characters (the title takes the rest).
MAX_FIT = {"ref": 16, "status": 26, "owner": 24, "due": 12, "in_status": 10, "age": 8,
           "patient": 16, "badges": 34, "why": 40}  # fmt: skip
MIDDLE = ("ref", "patient")  # references elide in the middle: both ends tell them apart
FIT_ROWS = 300  # columns fit the first rows (a page); the rest elide with a tooltip
TITLE_MIN = 20  # the title keeps at least this many average characters
# How far a fitted column gives way on a narrow window, in average characters: a
# reference stays readable ("REF-000384"), words elide with the whole in the tooltip.
FLOOR = {"ref": 11, "status": 12, "owner": 10, "due": 7, "in_status": 5, "age": 4,
         "patient": 10, "badges": 8, "why": 24}  # fmt: skip


class _MiddleElide(QStyledItemDelegate):
    def initStyleOption(self, option, index) -> None:  # noqa: N802 (Qt's name)
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class TaskTable(QTableView):
    """A read-only task table: whole rows, one at a time, fixed row height."""

    task_activated = Signal(int)
    menu_requested = Signal(QPoint)  # M, the menu key or a right-click: the row's actions

    def __init__(self, model: CardTableModel, parent: QWidget | None = None, *, sortable=True):
        super().__init__(parent)
        self.setModel(model)
        set_up_rows_table(
            self, [None if col == "title" else WIDTHS.get(col, 24) for col in model.columns]
        )
        head = self.horizontalHeader()
        head.setSectionsClickable(sortable)
        if sortable:
            head.sectionClicked.connect(self._header_clicked)
        self.doubleClicked.connect(self._open)
        self._middle = _MiddleElide(self)
        for i, col in enumerate(model.columns):
            if col in MIDDLE:
                self.setItemDelegateForColumn(i, self._middle)

    def fit_columns(self) -> None:
        """Columns as wide as their header and contents (up to MAX_FIT), so nothing is
        cut while a column elsewhere sits wide and empty; an empty column shrinks to
        its header. The stretching column (the title) takes what is left — at least
        TITLE_MIN characters: on a narrow window the widest columns give way first."""
        model, head = self.cards(), self.horizontalHeader()
        fm, char = self.fontMetrics(), self.fontMetrics().averageCharWidth()
        rows = model.rows[:FIT_ROWS]
        icon = self.iconSize().width() if self.iconSize().width() > 0 else 16
        self._fits: dict[int, tuple[int, int]] = {}  # column -> (header width, wanted)
        for i, col in enumerate(model.columns):
            if head.sectionResizeMode(i) == QHeaderView.ResizeMode.Stretch:
                continue
            title = model.headerData(i, Qt.Orientation.Horizontal)
            header = head.fontMetrics().horizontalAdvance(title) + 24
            least = width = header
            texts = [model._text(card, col) for card in rows]
            if any(texts):
                widest = max(fm.horizontalAdvance(t) for t in texts)
                decorated = col in ("status", "badges") or (col == "title")
                widest += (icon + 6) if decorated else 0
                width = max(width, min(widest + 16, MAX_FIT.get(col, 30) * char))
                least = min(width, max(header, FLOOR.get(col, 8) * char + 16))
            self._fits[i] = (least, width)
        self._apply_fits()

    def _apply_fits(self) -> None:
        fits = getattr(self, "_fits", {})
        if not fits:
            return
        widths = {i: wanted for i, (_least, wanted) in fits.items()}
        room = self.viewport().width() - TITLE_MIN * self.fontMetrics().averageCharWidth()
        while sum(widths.values()) > room:
            # Take from the widest column that can still give.
            give = [i for i in widths if widths[i] > fits[i][0]]
            if not give:
                break
            widest = max(give, key=lambda i: widths[i])
            excess = sum(widths.values()) - room
            widths[widest] = max(fits[widest][0], widths[widest] - max(8, excess // len(give)))
        head = self.horizontalHeader()
        for i, width in widths.items():
            head.resizeSection(i, width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._apply_fits()

    def cards(self) -> CardTableModel:
        return self.model()

    def _header_clicked(self, column: int) -> None:
        if not self.cards().request_sort(column):
            self.show_sort()

    def show_sort(self) -> None:
        model, head = self.cards(), self.horizontalHeader()
        column = model.sorted_column()
        head.setSortIndicatorShown(column >= 0)
        if column >= 0:
            order = (
                Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder
            )
            head.setSortIndicator(column, order)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_task_id():
            self.task_activated.emit(self.current_task_id())
            event.accept()
            return
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if event.key() == Qt.Key.Key_M and plain and self.current_task_id():
            self.menu_requested.emit(self._row_corner())  # M moves, as on the board
            event.accept()
            return
        super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        """Letters are shortcuts here (M: move), not type-ahead."""

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() != QContextMenuEvent.Reason.Keyboard:
            index = self.indexAt(event.pos())
            if not index.isValid():
                return
            self.selectRow(index.row())
            self.menu_requested.emit(event.globalPos())
        elif self.current_task_id():
            self.menu_requested.emit(self._row_corner())

    def _row_corner(self) -> QPoint:
        rows = self.selectionModel().selectedRows()
        rect = self.visualRect(rows[0]) if rows else self.viewport().rect()
        return self.viewport().mapToGlobal(rect.bottomLeft())

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.task_activated.emit(index.data(TASK_ID_ROLE))

    def current_task_id(self) -> int | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return rows[0].data(TASK_ID_ROLE) if rows else None

    def set_cards(self, cards: list[Card], today: date) -> None:
        """New rows, keeping the selected task selected (and in view) when it is still there."""
        keep = self.current_task_id()
        self.cards().set_rows(cards, today)
        self.fit_columns()
        self.show_sort()
        row = self.cards().row_of(keep) if keep is not None else -1
        if row >= 0:
            self.selectRow(row)
            self.scrollTo(self.cards().index(row, 0))

    def select_task(self, task_id: int) -> bool:
        row = self.cards().row_of(task_id)
        if row >= 0:
            self.selectRow(row)
        return row >= 0


class Section(QStackedWidget):
    """A table, or the sentence that stands in for it when it has no rows."""

    def __init__(
        self, table: TaskTable, empty_text: str, parent: QWidget | None = None, *, compact=False
    ):
        super().__init__(parent)
        self.table = table
        self.compact = compact  # when empty, shrink to one line (a secondary section)
        self.empty = QLabel(empty_text, self, objectName="emptyState")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setProperty("kind", "muted")
        font = self.empty.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.empty.setFont(font)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if compact:
            self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.empty.setFont(self.table.font())
        self.empty.setWordWrap(True)
        self.empty_text = empty_text
        self.addWidget(table)
        self.addWidget(self.empty)

    def show_rows(self, has_rows: bool, empty_text: str | None = None) -> None:
        self.empty.setText(empty_text or self.empty_text)
        self.setCurrentWidget(self.table if has_rows else self.empty)
        if self.compact:
            limit = self.empty.sizeHint().height() + 8
            self.setMaximumHeight(16777215 if has_rows else limit)

    def show_problem(self, text: str) -> None:
        self.empty.setText(text)
        self.setCurrentWidget(self.empty)


def heading(text: str, parent: QWidget, name: str, kind: str = "heading") -> QLabel:
    label = QLabel(text, parent, objectName=name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setProperty("kind", kind)  # the look comes from resources/style.qss
    return label


LOAD_PROBLEM = "Could not load the tasks."


class TaskListView(RefreshWhenShown, QWidget):
    """What the three views share: loading in a worker, ignoring stale answers,
        refreshing on data_changed when the change touches tasks, patients or people (at
    once when shown, else the next time it is shown)."""

    shown_kinds = SHOWN

    task_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._filter = TaskFilter()
        self._ticket = 0
        self._stale = True
        self.loaded_once = False
        ctx.signals.data_changed.connect(self._data_changed)

    def set_filter(self, filt: TaskFilter) -> None:
        self._filter = filt
        self.refresh()

    def filter(self) -> TaskFilter:
        return self._filter

    def refresh(self) -> None:
        self._stale = False
        self._ticket += 1
        ticket = self._ticket
        self._loader().success(partial(self._arrived, ticket)).failure(
            partial(self._failed, ticket)
        ).fallback(SOMETHING_WRONG).run()

    def _arrived(self, ticket: int, result) -> None:
        if ticket == self._ticket:  # an older answer than the one on its way: drop it
            self.loaded_once = True
            self.show_result(result)

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.show_problem(f"{LOAD_PROBLEM} {text}")

    # ---------------------------------------------------------------- the row's actions

    def show_row_menu(self, table: TaskTable, at: QPoint) -> None:
        """Open, Request approval and Move to… for the selected row (M, the menu key,
        right-click): the board's menu, from the task's allowed moves."""
        task_id = table.current_task_id()
        card = table.cards().card(table.cards().row_of(task_id)) if task_id else None
        if card is None:
            return
        moves.fetch_moves(
            self.ctx, card, partial(self._menu_ready, card, at),
            lambda exc: self.ctx.signals.status_message.emit(sentence(exc, "{detail}")),
        )  # fmt: skip

    def _menu_ready(self, card: Card, at: QPoint, options: list[MoveOption]) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addAction(f"Open {card.ref}").triggered.connect(
            lambda: self.task_activated.emit(card.id)
        )
        allowed = [o for o in options if o.allowed]
        if card.category != "review" and any(o.category == "review" for o in allowed):
            menu.addAction("Request approval…").triggered.connect(
                partial(self._request_approval, card)
            )
        menu.addSection("Move to")
        actor = self.ctx.actor.user_id
        for option in allowed:
            action = menu.addAction(moves.option_label(card, option, actor))
            action.setData(option.to_status_id)
            action.triggered.connect(partial(self.move_card, card, option))
        if not allowed:
            blocker = next((o.blocker for o in options if o.blocker), "It cannot move from here.")
            menu.addAction(blocker).setEnabled(False)
        self.menu = menu
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(at)

    def move_card(self, card: Card, option: MoveOption):
        self.last_flow = moves.perform_move(self.ctx, card, option, self)
        return self.last_flow

    def _request_approval(self, card: Card) -> None:
        dialog = RequestApprovalDialog(self.ctx, card.id, self)
        self.request_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _loader(self) -> Op:
        """The read this view shows (an Op with no changes)."""
        raise NotImplementedError

    def show_result(self, result) -> None:
        raise NotImplementedError

    def show_problem(self, text: str) -> None:
        raise NotImplementedError

    def _table(self, columns, *, sortable: bool) -> TaskTable:
        table = TaskTable(CardTableModel(columns, self), self, sortable=sortable)
        table.task_activated.connect(self.task_activated)
        table.menu_requested.connect(partial(self.show_row_menu, table))
        self.ctx.signals.minute.connect(table.cards().tick)
        return table
