"""The task board: columns of cards per status, drag and drop moves, swimlanes by owner."""

from practiceboard.gui.views.board.view import BoardView

__all__ = ["BoardView"]
