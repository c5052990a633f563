"""The task board: columns of cards per status, drag and drop moves, swimlanes by owner."""

from practiceboard.gui.board.view import BoardView

__all__ = ["BoardView"]
