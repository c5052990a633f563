"""Moving cards on the board: the "Move to…" menu, judging columns while a card is
dragged, and drops. Mixed into BoardView; the rules themselves live in moves.py.

A card's allowed moves are fetched once, when it is selected or picked up, and
kept per (task id, version); every column is judged from them without asking
the database again, so hovering never waits on the network.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMenu

from practiceboard.core.rows import Board, Card, MoveOption
from practiceboard.gui.dialogs.request_dialog import RequestApprovalDialog
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.views.board import moves
from practiceboard.gui.views.board.column import ColumnPane


class CardMoves:
    """The move half of BoardView (expects its ctx, board, cards, panes and refresh)."""

    ctx: AppContext
    board: Board | None
    cards: dict[int, Card]
    panes: list[ColumnPane]
    last_flow: moves.MoveFlow | None
    menu: QMenu | None
    _moves: dict[tuple[int, int], list[MoveOption]]
    _dragging: Card | None
    _hover: ColumnPane | None = None  # the column the card was last over
    _drag_source: ColumnPane | None
    _pending: bool

    def _prefetch(self, card: Card) -> None:
        """Fetch a card's allowed moves when it is selected, so a drag can be judged at once."""
        key = (card.id, card.version)
        if key not in self._moves:
            moves.fetch_moves(self.ctx, card, partial(self._moves_arrived, key), lambda exc: None)

    def _moves_arrived(self, key: tuple[int, int], options: list[MoveOption]) -> None:
        self._moves[key] = options
        if self._dragging is not None and (self._dragging.id, self._dragging.version) == key:
            self._mark_columns()

    def _options(self, card: Card) -> list[MoveOption] | None:
        return self._moves.get((card.id, card.version))

    def move_card(self, card: Card, option: MoveOption) -> moves.MoveFlow:
        """Move a card (the drop, the menu and the tests all end here)."""
        self.last_flow = moves.perform_move(self.ctx, card, option, self)
        return self.last_flow

    def show_move_menu(self, at: QPoint | None = None) -> None:
        """ "Move to…" for the selected card (M, the context menu key or right-click)."""
        card = self.current_card()
        if card is None:
            return
        if at is None:
            pane = next((p for p in self.panes if p.model.row_of(card.id) >= 0), None)
            if pane is not None:
                rect = pane.list.visualRect(pane.list.currentIndex())
                at = pane.list.viewport().mapToGlobal(rect.bottomLeft())
        options = self._options(card)
        if options is None:
            moves.fetch_moves(
                self.ctx, card, lambda got: self._menu_ready(card, got, at), self._move_list_failed
            )
        else:
            self._menu_ready(card, options, at)

    def request_approval(self, card: Card) -> None:
        """Ask for a decision with a question (the approvals dialog), not a bare move."""
        dialog = RequestApprovalDialog(self.ctx, card.id, self)
        self.request_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _move_list_failed(self, exc: Exception) -> None:
        self.ctx.messages.warn(self, "Moves unavailable", sentence(exc, "{detail}"))

    def _menu_ready(self, card: Card, options: list[MoveOption], at: QPoint | None) -> None:
        self._moves[(card.id, card.version)] = options
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        open_action = menu.addAction(f"Open {card.ref}")
        open_action.triggered.connect(self.activate_current)
        allowed = [o for o in options if o.allowed]
        if card.category != "review" and any(o.category == "review" for o in allowed):
            ask = menu.addAction("Request approval…")
            ask.triggered.connect(partial(self.request_approval, card))
        menu.addSection("Move to")
        actor = self.ctx.actor.user_id
        for option in allowed:
            action = QAction(moves.option_label(card, option, actor), menu)
            action.setData(option.to_status_id)
            action.triggered.connect(partial(self.move_card, card, option))
            menu.addAction(action)
        if not allowed:
            blocker = next((o.blocker for o in options if o.blocker), "It cannot move from here.")
            empty = menu.addAction(blocker)
            empty.setEnabled(False)
        self.menu = menu
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(at or QCursor.pos())

    # dragging: the board is judged column by column from the card's allowed moves

    def begin_drag(self, card: Card, source: ColumnPane) -> None:
        self._dragging, self._drag_source = card, source
        self._prefetch(card)
        self._mark_columns()

    def end_drag(self) -> None:
        self._dragging = self._drag_source = None
        for pane in self.panes:
            pane.set_drop_state("")
        if self._pending:
            self.refresh()

    def _plan(self, card: Card, pane: ColumnPane) -> moves.DropPlan | None:
        options = self._options(card)
        if options is None or self.board is None:
            return None
        return moves.plan_drop(card, options, pane.column, self.board.workflow_id)

    def _mark_columns(self, hover: ColumnPane | None = None) -> None:
        card = self._dragging
        if card is None:
            return
        for pane in self.panes:
            plan = self._plan(card, pane)
            if pane is self._drag_source or (plan is not None and plan.same_column):
                pane.set_drop_state("")
            elif plan is None:
                pane.set_drop_state("", "Checking where this task can go…" if pane is hover else "")
            elif pane is hover:
                hint = moves.drop_hint(card, plan, self.ctx.actor.user_id)
                pane.set_drop_state("hover" if plan.allowed else "blocked", hint)
            else:
                pane.set_drop_state("allowed" if plan.allowed else "refused")

    def drag_over(self, pane: ColumnPane, mime) -> bool:
        """Whether ``pane`` accepts the dragged card (refused moves show their reason)."""
        card = self._card_from(mime)
        if card is None:
            return False
        plan = self._plan(card, pane)
        if self._dragging is not None and self._dragging.id == card.id:
            self._mark_columns(hover=pane)
        else:  # dragged from another window: judged once its moves are known
            self._prefetch(card)
        if plan is not None and not plan.allowed and plan.blocker and self._hover is not pane:
            self.ctx.signals.status_message.emit(plan.blocker)
        self._hover = pane
        return plan is not None and plan.allowed

    def drag_left(self, pane: ColumnPane) -> None:
        self._hover = None
        if self._dragging is not None:
            self._mark_columns()

    def _card_from(self, mime) -> Card | None:
        ids = moves.read_mime(mime)
        if ids is None:
            return None
        task_id, version = ids
        card = self.cards.get(task_id)
        if card is None:
            return None
        return card if card.version == version else card._replace(version=version)

    def handle_drop(self, mime, column_key: int | str, *, defer: bool = False) -> bool:
        """A card dropped on a column: move it (asking which status when the column
        holds several, and for a reason when needed). Returns whether it was taken.

        ``defer``: run the move after the drag has ended (a real drop), so the
        reason dialog does not open inside the drag's event loop."""
        card = self._card_from(mime)
        pane = self.pane(column_key)
        if card is None or pane is None or self.board is None:
            return False
        if moves.in_column(card, pane.column, self.board.workflow_id):
            return False
        options = self._options(card)
        if options is None:
            moves.fetch_moves(
                self.ctx,
                card,
                lambda got: self._drop_ready(card, pane, got),
                self._move_list_failed,
            )
            return True
        plan = moves.plan_drop(card, options, pane.column, self.board.workflow_id)
        if not plan.allowed:
            if plan.blocker:
                self.ctx.messages.warn(self, "Move not allowed", plan.blocker)
            return False
        if defer:
            QTimer.singleShot(0, lambda: self._drop_ready(card, pane, options))
        else:
            self._drop_ready(card, pane, options)
        return True

    def _drop_ready(self, card: Card, pane: ColumnPane, options: list[MoveOption]) -> None:
        self._moves[(card.id, card.version)] = options
        if self.board is None:
            return
        plan = moves.plan_drop(card, options, pane.column, self.board.workflow_id)
        if plan.same_column:
            return
        if not plan.allowed:
            self.ctx.messages.warn(self, "Move not allowed", plan.blocker or "It cannot go there.")
            return
        if len(plan.choices) == 1:
            self.move_card(card, plan.choices[0])
            return
        menu = QMenu(self)  # a category column holding several statuses: which one?
        menu.addSection(f"Move {card.ref} to")
        for option in plan.choices:
            action = menu.addAction(moves.option_label(card, option, self.ctx.actor.user_id))
            action.triggered.connect(partial(self.move_card, card, option))
        self.menu = menu
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(QCursor.pos())
