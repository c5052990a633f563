"""Board figures through the real Qt model and view (performance.md, issue 3):
query + model + first paint for 5,000 open tasks, and scrolling a full column.

Needs a QApplication (offscreen is fine: painting happens into the window's backing
store either way). Imported by bench.py when PySide6 is installed.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.runner import Runner
from practiceboard.gui.views.board import BoardView
from practiceboard.queries import tasks as task_q
from practiceboard.queries.lookups import policy_for


def board_paint_rows(db, manager, label, median_ms, Row, target_ms: float | None = None) -> list:
    """The open board's rows; the target is the issue's for the data set's open tasks
    (≤ 100 ms up to 5,000 open, ≤ 150 ms at 20,000) unless ``target_ms`` says."""
    if target_ms is None:
        with db.read() as s:
            n_open = s.execute(text("SELECT count(*) FROM tasks WHERE closed_at IS NULL")).scalar()
        target_ms = 100 if n_open <= 5_000 else 150
    app = QApplication.instance() or QApplication([])
    ctx = AppContext(db=db, actor=manager, policy=policy_for(db, manager), runner=Runner())
    view = BoardView(ctx, autoload=False)
    view.resize(1400, 860)
    view.show()
    app.processEvents()

    def open_board() -> None:
        board = task_q.board(db, manager, None)
        view.show_board(board)
        view.repaint()  # synchronous first paint of every visible column
        app.processEvents()

    opened = median_ms(open_board, runs=9)
    model_only = median_ms(lambda: (view.show_board(task_q.board(db, manager, None)),
                                    app.processEvents()), runs=9)  # fmt: skip
    columns = view.column_views()
    tallest = max(columns, key=lambda c: c.model().rowCount())
    bar = tallest.verticalScrollBar()
    steps = 50

    def scroll() -> None:
        for i in range(steps):
            bar.setValue(bar.maximum() * (i + 1) // steps)
            tallest.viewport().repaint()
        bar.setValue(0)

    per_page = median_ms(scroll, runs=5) / steps
    rows = [
        Row(f"[{label}] open board: query + model + first paint", opened, None,
            f"≤ {target_ms:.0f} ms", opened <= target_ms),
        Row(f"[{label}]   of which query + model (no paint)", model_only, None,
            "reference", True),
        Row(f"[{label}] scroll a {tallest.model().rowCount():,}-card column, per step",
            per_page, None, "≤ 16 ms (60 fps)", per_page <= 16),
    ]  # fmt: skip
    view.close()
    time.sleep(0)
    return rows
