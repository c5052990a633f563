"""The board: a workflow picker, optional owner swimlanes, one column per status.

``refresh()`` reads queries.tasks.board through the runner and keeps the
selection; ``show_board(board)`` fills the columns synchronously (tests and the
benchmark call it directly). While a card is dragged, refreshes wait until the
drop is over, so the card is not yanked away.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import Board, BoardColumn, Card, MoveOption, TaskFilter, WorkflowRow
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.board import moves
from practiceboard.gui.views.board.column import CardList, ColumnPane, done_tooltip
from practiceboard.gui.views.board.delegate import CardDelegate
from practiceboard.gui.views.board.dragging import CardMoves
from practiceboard.gui.views.board.model import column_id, column_rows
from practiceboard.gui.views.registry import ViewHost
from practiceboard.queries import lookups
from practiceboard.queries import tasks as task_queries
from practiceboard.queries.board import COLUMN_OF_CATEGORY

ALL_WORKFLOWS = 0  # picker data for "All my workflows"
SHOWN = (Kind.TASK, Kind.PATIENT, Kind.USER)  # cards show tasks, patients and owners

STYLE = f"""
QWidget#boardColumns {{ background: {theme.WINDOW}; }}
QFrame#boardColumn {{ background: #eaeef2; border: 1px solid transparent; border-radius: 8px; }}
QFrame#boardColumn[drop="allowed"] {{ border: 1px dashed {theme.ACCENT}; }}
QFrame#boardColumn[drop="hover"] {{
    background: {theme.ACCENT_SOFT}; border: 2px solid {theme.ACCENT};
}}
QFrame#boardColumn[drop="refused"] {{ background: #f1f3f5; }}
QFrame#boardColumn[drop="blocked"] {{ background: #f6eeee; border: 1px solid #e3c4c4; }}
QListView#cardList {{ background: transparent; border: none; }}
QLabel#dropHint {{ color: {theme.ACCENT}; padding: 2px 6px; }}
QLabel#dropHint[refused="true"] {{ color: {theme.ERROR}; }}
QLabel#boardNotice {{ color: {theme.MUTED}; }}
"""


class BoardView(QWidget, CardMoves):
    """The task board. ``task_activated(task_id)`` fires on double-click or Enter."""

    task_activated = Signal(int)
    workflow_changed = Signal(object)  # workflow id, or None for "All my workflows"
    board_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, autoload: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.autoload = autoload
        self.setObjectName("boardView")
        self.setStyleSheet(STYLE)
        self.workflows: list[WorkflowRow] = []
        self.board: Board | None = None
        self.filter = TaskFilter()
        self.cards: dict[int, Card] = {}
        self.panes: list[ColumnPane] = []
        self.last_flow: moves.MoveFlow | None = None
        self.menu: QMenu | None = None
        self._current_id: int | None = None
        self._workflow_id: int | None = None
        self._moves: dict[tuple[int, int], list[MoveOption]] = {}
        self._dragging: Card | None = None
        self._drag_source: ColumnPane | None = None
        self._seq = 0
        self._loading = False
        self._pending = False  # a refresh asked for while loading, dragging or hidden
        self._started = False
        self._workflows_known = False
        self._syncing = False
        self._wanted_workflow: int | None = None  # restored at start-up, applied once loaded
        self.delegate = CardDelegate(self)
        ctx.signals.minute.connect(self._tick)
        self._build()
        self.board_loaded.connect(self._apply_wanted_workflow)
        ctx.signals.data_changed.connect(self._data_changed)

    # ------------------------------------------------------------------ the view contract

    def attach(self, host: ViewHost) -> None:
        """The workflow picked is remembered per person on this PC."""
        self.workflow_changed.connect(host.state.set_board_workflow)

    def restore(self, host: ViewHost) -> None:
        """Opening on the board: the workflow used last here, else one named after a role
        (billing lands on Billing follow-up), else all my workflows."""
        self._wanted_workflow = host.state.board_workflow(host.session.role_workflow_id)

    def _apply_wanted_workflow(self) -> None:
        wanted, self._wanted_workflow = self._wanted_workflow, None
        if wanted in {wf.id for wf in self.workflows} and self.workflow_id() != wanted:
            self.set_workflow(wanted)

    def _data_changed(self, change: Change) -> None:
        if change.touches(*SHOWN):
            self.refresh()

    def _tick(self) -> None:
        """A minute passed: ages repaint from the cards on screen (no query)."""
        for pane in self.panes:
            pane.list.viewport().update()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 0)
        label = QLabel("&Workflow", self)
        self.picker = QComboBox(self)
        self.picker.setObjectName("workflowPicker")
        self.picker.setAccessibleName("Workflow")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(self.picker)
        self.picker.addItem("All my workflows", ALL_WORKFLOWS)
        self.picker.currentIndexChanged.connect(self._picked)
        self.lanes = QCheckBox("Swimlanes by &owner", self)
        self.lanes.setObjectName("swimlanes")
        self.lanes.toggled.connect(self._lanes_toggled)
        self.notice = QLabel(self)
        self.notice.setObjectName("boardNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(label)
        bar.addWidget(self.picker)
        bar.addSpacing(12)
        bar.addWidget(self.lanes)
        bar.addSpacing(12)
        bar.addWidget(self.notice, 1)
        layout.addLayout(bar)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.columns_widget = QWidget()
        self.columns_widget.setObjectName("boardColumns")
        self.columns_layout = QHBoxLayout(self.columns_widget)
        self.columns_layout.setContentsMargins(8, 4, 8, 8)
        self.columns_layout.setSpacing(8)
        self.scroll.setWidget(self.columns_widget)
        layout.addWidget(self.scroll, 1)
        self.setFocusProxy(self.picker)

    # ------------------------------------------------------------------ public API

    def workflow_id(self) -> int | None:
        return self._workflow_id

    def set_workflow(self, workflow_id: int | None) -> None:
        """Show one workflow's board (None: all my workflows) and reload. Before the
        picker is filled, the choice is remembered and applied when it is."""
        self._workflow_id = workflow_id or None
        i = self.picker.findData(workflow_id or ALL_WORKFLOWS)
        if i < 0 and self._workflows_known:
            self._workflow_id, i = None, 0  # not one of this user's workflows
        if i >= 0 and i != self.picker.currentIndex():
            self.picker.setCurrentIndex(i)  # -> _picked -> refresh
        else:
            self.refresh()

    def set_filter(self, filt: TaskFilter) -> None:
        self.filter = filt
        self.refresh()

    def set_swimlanes(self, on: bool) -> None:
        self.lanes.setChecked(on)

    def current_task_id(self) -> int | None:
        return self._current_id if self._current_id in self.cards else None

    def current_card(self) -> Card | None:
        return self.cards.get(self._current_id) if self._current_id is not None else None

    def select_task(self, task_id: int) -> bool:
        for pane in self.panes:
            if pane.select_card(task_id):
                self._current_id = task_id
                pane.list.scrollTo(pane.list.currentIndex())
                return True
        return False

    def column_views(self) -> list[CardList]:
        """The card lists, left to right (the benchmark scrolls them)."""
        return [pane.list for pane in self.panes]

    def pane(self, key: int | str) -> ColumnPane | None:
        return next((p for p in self.panes if p.key == key), None)

    @property
    def dragging(self) -> bool:
        return self._dragging is not None

    # ------------------------------------------------------------------ loading

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.autoload and not self._started:
            self._started = True
            self.reload_workflows()
        elif self._pending and not self._loading:
            self.refresh()

    def reload_workflows(self) -> None:
        """Load the workflows this user works on into the picker, then the board."""
        self._started = True
        Op(self.ctx, lookups.workflows).success(self._workflows_loaded).failure(
            lambda exc, _text: self._load_failed(exc)
        ).run()

    def _workflows_loaded(self, workflows: list[WorkflowRow]) -> None:
        self.workflows = workflows
        self._workflows_known = True
        keep = self._workflow_id
        self.picker.blockSignals(True)
        while self.picker.count() > 1:
            self.picker.removeItem(1)
        for wf in workflows:
            self.picker.addItem(wf.name, wf.id)
        i = self.picker.findData(keep) if keep else 0
        self.picker.setCurrentIndex(max(i, 0))
        self.picker.blockSignals(False)
        self._workflow_id = keep if i > 0 else None
        self.refresh()

    def refresh(self) -> None:
        """Reload the board in the background (kept selection; deferred while dragging)."""
        if self._dragging is not None or self._loading or not self._started:
            self._pending = True
            return
        if not self.isVisible() and self.board is not None:
            self._pending = True  # hidden: reload when shown again
            return
        self._pending = False
        self._loading = True
        self._seq += 1
        seq = self._seq
        Op(self.ctx, task_queries.board, self._workflow_id, self.filter).success(
            partial(self._loaded, seq)
        ).failure(lambda exc, _text: self._load_failed(exc, seq=seq)).run()
        if self.board is None:
            self.notice.setText("Loading the board…")

    def _loaded(self, seq: int, board: Board) -> None:
        self._loading = False
        if seq == self._seq and board.workflow_id == self._workflow_id:
            if self._dragging is None:
                self.show_board(board)
            else:
                self._pending = True
        if self._pending:
            self.refresh()

    def _load_failed(self, exc: Exception, seq: int | None = None) -> None:
        if seq is not None:
            self._loading = False
        text = sentence(exc, "The board could not be loaded: {detail}")
        self.notice.setText(text)
        self.ctx.signals.status_message.emit(text)

    # ------------------------------------------------------------------ showing

    def show_board(self, board: Board) -> None:
        """Fill the columns from a board already read (synchronous)."""
        self.board = board
        self.cards = {c.id: c for c in board.cards}
        self._moves = {k: v for k, v in self._moves.items() if self._is_current(*k)}
        self.delegate.show_status = board.workflow_id is None
        self.delegate.read_at.mark()
        focused = next((p for p in self.panes if p.list.hasFocus()), None)
        if [column_id(c) for c in board.columns] != [p.key for p in self.panes]:
            self._rebuild_panes(board.columns)
        lanes = self.lanes.isChecked()
        rows = column_rows(board, lanes)
        for i, pane in enumerate(self.panes):
            # Swimlanes scroll together: one scroll bar (the last column's) is enough.
            hide = lanes and i < len(self.panes) - 1
            policy = Qt.ScrollBarPolicy
            pane.list.setVerticalScrollBarPolicy(
                policy.ScrollBarAlwaysOff if hide else policy.ScrollBarAsNeeded
            )
        for pane, column in zip(self.panes, board.columns, strict=True):
            pane.set_column(column, self._tooltip(column))
            bar = pane.list.verticalScrollBar()
            top = bar.value()
            pane.model.set_rows(rows.get(pane.key, ()))
            bar.setValue(top)
        if self._current_id is not None and self._current_id in self.cards:
            for pane in self.panes:
                if pane.select_card(self._current_id):
                    if focused is not None:
                        pane.list.setFocus()
                    break
        self._show_notice(board)
        self.board_loaded.emit()

    def _is_current(self, task_id: int, version: int) -> bool:
        card = self.cards.get(task_id)
        return card is not None and card.version == version

    def _rebuild_panes(self, columns: tuple[BoardColumn, ...]) -> None:
        for pane in self.panes:
            self.columns_layout.removeWidget(pane)
            pane.deleteLater()
        self.panes = []
        em = self.fontMetrics().averageCharWidth()
        for column in columns:
            pane = ColumnPane(column, self, self.delegate)
            # Narrow enough for six columns in a 1366-pixel window before a scroll
            # bar appears; the cards switch to their narrow layout (delegate.py).
            pane.setMinimumWidth(max(150, em * 21))
            pane.setMaximumWidth(max(360, em * 56))
            pane.list.selectionModel().currentChanged.connect(partial(self._current_changed, pane))
            pane.list.verticalScrollBar().valueChanged.connect(partial(self._scrolled, pane))
            self.columns_layout.addWidget(pane, 1)
            self.panes.append(pane)
        # Opening the board puts the keyboard in its first column (arrows, Enter, M).
        self.setFocusProxy(self.panes[0].list if self.panes else self.picker)

    def _tooltip(self, column: BoardColumn) -> str:
        if column.status_id or not self.workflows:
            return done_tooltip(column)
        names = [
            f"{s.name} ({wf.name})"
            for wf in self.workflows
            for s in wf.statuses
            if COLUMN_OF_CATEGORY.get(s.category, s.category) == column.key
        ]
        return "\n".join([column.name, "Holds: " + ", ".join(names)] if names else [column.name])

    def _show_notice(self, board: Board) -> None:
        if board.truncated:
            self.notice.setText(
                f"Showing the {len(board.cards):,} most urgent of {board.total:,} tasks. "
                "Narrow the filter to see the rest."
            )
        elif not board.cards:
            self.notice.setText("No tasks match." if not self.filter.is_empty() else "")
        else:
            self.notice.setText("")

    def _picked(self, index: int) -> None:
        data = self.picker.itemData(index)
        self._workflow_id = data or None
        self.workflow_changed.emit(self._workflow_id)
        self.refresh()

    def _lanes_toggled(self, on: bool) -> None:
        if self.board is not None:
            self.show_board(self.board)

    def _scrolled(self, source: ColumnPane, value: int) -> None:
        """Swimlanes line up across columns, so the columns scroll together."""
        if not self.lanes.isChecked() or self._syncing:
            return
        self._syncing = True
        try:
            for pane in self.panes:
                if pane is not source:
                    pane.list.verticalScrollBar().setValue(value)
        finally:
            self._syncing = False

    # ------------------------------------------------------------------ selection and keys

    def _current_changed(self, pane: ColumnPane, current, previous) -> None:
        card = pane.model.card_at(current.row()) if current.isValid() else None
        if card is None:
            return
        self._current_id = card.id
        for other in self.panes:
            if other is not pane and other.list.selectionModel().hasSelection():
                other.list.selectionModel().clear()
        self._prefetch(card)

    def activate_current(self) -> None:
        """Enter or double-click: ask for the task's detail. Only ``task_activated`` (the
        main window connects it, as for the lists); also emitting ctx.signals.open_task
        would open the detail twice over."""
        task_id = self.current_task_id()
        if task_id is not None:
            self.task_activated.emit(task_id)

    def focus_neighbour(self, pane: ColumnPane, step: int) -> None:
        """Ctrl+Left/Right: the nearest card at the same height in the next column with cards."""
        i = self.panes.index(pane)
        here = pane.list.visualRect(pane.list.currentIndex()).center()
        j = i + step
        while 0 <= j < len(self.panes):
            target = self.panes[j]
            if target.model.card_count():
                index = target.list.indexAt(QPoint(10, max(here.y(), 0)))
                row = index.row() if index.isValid() else -1
                if target.model.card_at(row) is None:
                    row = next(r for r in range(target.model.rowCount()) if target.model.card_at(r))
                target.select_card(target.model.card_at(row).id)
                target.list.setFocus()
                return
            j += step
