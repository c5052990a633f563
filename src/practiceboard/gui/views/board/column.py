"""One board column: a header (status, count, how many need attention) over a card list.

The list is a plain QListView over a ColumnModel with uniform item sizes; it
hands keys, drags and drops to its BoardView (the ``board`` it is given), which
owns the rules.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QPoint, QRect, Qt
from PySide6.QtGui import QContextMenuEvent, QDrag, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QSizePolicy,
    QStyle,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import BoardColumn, Card
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.gui.kit import theme
from practiceboard.gui.shell import live
from practiceboard.gui.views.board import file_drop
from practiceboard.gui.views.board.delegate import CardDelegate
from practiceboard.gui.views.board.model import ColumnModel, column_id
from practiceboard.gui.views.board.moves import card_mime

if TYPE_CHECKING:
    from practiceboard.gui.views.board.view import BoardView


class CardList(QListView):
    """The cards of one column; keys, drag and drop go to the board."""

    def __init__(self, pane: ColumnPane, board: BoardView):
        super().__init__(pane)
        self.pane, self.board = pane, board
        self.setObjectName("cardList")
        self.setUniformItemSizes(True)  # one sizeHint for all rows: 5,000 cards lay out at once
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(f"{pane.column.name} tasks")

    # keyboard: arrows move within the column (QListView), the rest is the board's

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.board.activate_current()
        elif ctrl and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.board.focus_neighbour(self.pane, -1 if key == Qt.Key.Key_Left else 1)
        elif key == Qt.Key.Key_M and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
            self.board.show_move_menu()
        else:
            super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        """Letters are shortcuts here (M: move), not type-ahead."""

    def mouseDoubleClickEvent(self, event) -> None:
        if self.indexAt(event.position().toPoint()).isValid():
            self.board.activate_current()
        else:
            super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:
        index = self.currentIndex()
        if event.reason() != QContextMenuEvent.Reason.Keyboard:
            clicked = self.indexAt(event.pos())
            if not clicked.isValid() or self.model().card_at(clicked.row()) is None:
                return
            self.setCurrentIndex(clicked)
            index = clicked
        if index.isValid():
            rect = self.visualRect(index)
            self.board.show_move_menu(self.viewport().mapToGlobal(rect.bottomLeft()))

    # drag and drop

    def startDrag(self, supported_actions) -> None:
        card = self.model().card_at(self.currentIndex().row())
        if card is None:
            return
        drag = QDrag(self)
        drag.setMimeData(card_mime(card))
        pixmap = self.card_pixmap(self.currentIndex())
        drag.setPixmap(pixmap)
        drag.setHotSpot(QPoint(pixmap.width() // 3, pixmap.height() // 2))
        self.board.begin_drag(card, self.pane)
        try:
            with live.hold(self.board.ctx):  # other PCs' changes wait until the drop
                drag.exec(Qt.DropAction.MoveAction)
        finally:
            self.board.end_drag()

    def card_pixmap(self, index) -> QPixmap:
        """The card as it looks now, for the cursor while dragging."""
        rect = self.visualRect(index)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(rect.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = QRect(QPoint(0, 0), rect.size())
        option.state |= QStyle.StateFlag.State_Selected
        painter = QPainter(pixmap)
        painter.setOpacity(0.9)
        self.itemDelegate().paint(painter, option, index)
        painter.end()
        return pixmap

    def dragEnterEvent(self, event) -> None:
        if file_drop.accepts(self, event):
            return
        self._judge(event)

    def dragMoveEvent(self, event) -> None:
        if file_drop.accepts(self, event):
            return
        self._judge(event)

    def _judge(self, event) -> None:
        if self.board.drag_over(self.pane, event.mimeData()):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self.board.drag_left(self.pane)
        event.accept()

    def dropEvent(self, event) -> None:
        if file_drop.dropped(self, event):
            return
        self.board.drag_left(self.pane)
        if self.board.handle_drop(event.mimeData(), self.pane.key, defer=True):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(theme.badge_color("paused"))
            area = self.viewport().rect().adjusted(8, 16, -8, 0)
            painter.drawText(
                area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "No tasks"
            )
            painter.end()


class ColumnPane(QFrame):
    """Header + hint + card list for one BoardColumn."""

    def __init__(self, column: BoardColumn, board: BoardView, delegate: CardDelegate):
        super().__init__(board)
        self.setObjectName("boardColumn")
        self.setProperty("drop", "")
        self.column = column
        self.key = column_id(column)
        self.model = ColumnModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 4)
        layout.setSpacing(4)

        self.header = QWidget(self)
        self.header.setObjectName("columnHeader")
        head = QVBoxLayout(self.header)
        head.setContentsMargins(6, 0, 6, 2)
        head.setSpacing(1)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.icon = QLabel(self.header)
        self.name = QLabel(self.header)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setObjectName("columnName")
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(self.icon)
        top.addWidget(self.name, 1)
        bottom = QHBoxLayout()
        bottom.setSpacing(4)
        self.count = QLabel(self.header)
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setStyleSheet(f"color: {theme.MUTED};")
        self.attention = QLabel(self.header)
        self.attention.setTextFormat(Qt.TextFormat.PlainText)
        self.attention.setStyleSheet(f"color: {theme.BADGE_COLORS['attention']};")
        bottom.addWidget(self.count)
        bottom.addWidget(self.attention)
        bottom.addStretch(1)
        head.addLayout(top)
        head.addLayout(bottom)
        layout.addWidget(self.header)

        self.hint = QLabel(self)
        self.hint.setObjectName("dropHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self.hint.hide()
        layout.addWidget(self.hint)

        self.list = CardList(self, board)
        self.list.setItemDelegate(delegate)
        self.list.setModel(self.model)
        layout.addWidget(self.list, 1)
        self.set_column(column)

    def set_column(self, column: BoardColumn, tooltip: str | None = None) -> None:
        self.column = column
        self.name.setText(column.name)
        size = self.name.fontMetrics().height()
        self.icon.setPixmap(theme.category_icon(column.category).pixmap(size, size))
        self.count.setText(f"{column.count:,} task{'' if column.count == 1 else 's'}")
        n = column.attention_count
        self.attention.setText(f"· {n:,} need{'s' if n == 1 else ''} attention")
        self.attention.setVisible(column.attention_count > 0)
        text = tooltip if tooltip is not None else done_tooltip(column)
        self.header.setToolTip(
            "<qt>" + "<br>".join(html.escape(t) for t in text.splitlines()) + "</qt>"
        )
        self.list.setAccessibleName(f"{column.name}: {column.count} tasks")

    def set_drop_state(self, state: str, hint: str = "") -> None:
        """'' | allowed | refused | hover | blocked: the look while a card is dragged."""
        if self.property("drop") != state:
            self.setProperty("drop", state)
            self.style().unpolish(self)
            self.style().polish(self)
        self.hint.setProperty("refused", state == "blocked")
        self.hint.style().unpolish(self.hint)
        self.hint.style().polish(self.hint)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    def select_card(self, task_id: int) -> bool:
        row = self.model.row_of(task_id)
        if row < 0:
            return False
        index = self.model.index(row)
        flag = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.list.selectionModel().setCurrentIndex(index, flag)
        return True

    def current_card(self) -> Card | None:
        index = self.list.currentIndex()
        return self.model.card_at(index.row()) if index.isValid() else None


def done_tooltip(column: BoardColumn) -> str:
    lines = [column.name]
    if column.definition_of_done:
        lines.append(f"Done when: {column.definition_of_done}")
    if column.category in CLOSED_CATEGORIES:
        lines.append("Shows tasks closed in the last 14 days.")
    return "\n".join(lines)
