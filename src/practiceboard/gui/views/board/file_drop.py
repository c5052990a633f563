"""Files dragged from the desktop onto a card: attached to that task (a card that is
closed, or a gap between cards, does not take them). After the drop the app offers
to move a task that waited on records (gui/dialogs/task_documents.attach_files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from practiceboard.core.rows import Card
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.gui.dialogs.task_documents import attach_files, local_files

if TYPE_CHECKING:
    from practiceboard.gui.views.board.column import CardList


def card_under(view: CardList, event) -> Card | None:
    index = view.indexAt(event.position().toPoint())
    card = view.model().card_at(index.row()) if index.isValid() else None
    if card is None or card.category in CLOSED_CATEGORIES:
        return None
    return card


def accepts(view: CardList, event) -> bool:
    """A drag of files: True (handled) whether or not the card under it takes them."""
    if not local_files(event.mimeData()):
        return False
    card = card_under(view, event)
    if card is not None:
        view.setCurrentIndex(view.indexAt(event.position().toPoint()))
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
    else:
        event.ignore()
    return True


def dropped(view: CardList, event) -> bool:
    files = local_files(event.mimeData())
    if not files:
        return False
    card = card_under(view, event)
    if card is None:
        event.ignore()
        return True
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()
    board = view.board
    attach_files(board.ctx, board, card.id, files, lambda: board.cards.get(card.id, card).version,
                 board.refresh)  # fmt: skip
    return True
