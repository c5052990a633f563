"""Ages on screen tick: relative times repaint each minute from the rows held (no
query), and the main window reads its view again on a timer (setting refresh_seconds)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from practiceboard.gui.kit import ages
from practiceboard.gui.shell.main_window import MainWindow
from practiceboard.gui.views.board.delegate import card_lines
from practiceboard.gui.views.lists.model import CardTableModel

from .helpers import card, new_records_task


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def test_list_ages_tick_each_minute_without_a_query(qapp, monkeypatch, qtbot):
    clock = Clock()
    monkeypatch.setattr(ages, "clock", clock)
    model = CardTableModel(("ref", "in_status", "age"))
    model.set_rows([card(age_in_status_seconds=3 * 60, age_seconds=10 * 60)])
    assert [model.data(model.index(0, c)) for c in (1, 2)] == ["3m", "10m"]

    clock.now += 120
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.tick()
    assert [model.data(model.index(0, c)) for c in (1, 2)] == ["5m", "12m"]
    model.set_rows(list(model.rows))  # a new read starts from its own ages
    assert model.data(model.index(0, 1)) == "3m"


def test_board_card_ages_count_the_time_since_the_read():
    c = card(category="done", age_in_status_seconds=3 * 60)
    assert "Closed 3m ago" in card_lines(c)
    assert "Closed 16m ago" in card_lines(c, elapsed=13 * 60)


def test_the_window_rereads_on_its_timer_and_ticks_each_minute(
    qtbot, ctx_for, signed_in, gui_staff, qt_settings, wait_idle
):
    actor = gui_staff.front_desk
    ctx = ctx_for(actor)
    win = MainWindow(ctx, signed_in(actor), settings=qt_settings, live_updates=False)
    qtbot.addWidget(win)
    win.show()
    wait_idle()
    assert win.refresh_timer.interval() == 60_000  # the default refresh_seconds
    assert win.minute_timer.isActive() and win.minute_timer.interval() == 60_000
    assert win.views["queue"].owned.cards().rowCount() == 0

    new_records_task(gui_staff.db, actor, "Written by another PC, unannounced")
    win.refresh_timer.timeout.emit()  # the timer fires
    wait_idle()
    assert win.views["queue"].owned.cards().rowCount() == 1
    assert win.status.updated_label.text().startswith("Updated ")

    with qtbot.waitSignal(ctx.signals.minute, timeout=1000):
        win.minute_timer.timeout.emit()
    assert (
        win.views["queue"]
        .owned.cards()
        .data(win.views["queue"].owned.cards().index(0, 0), Qt.ItemDataRole.DisplayRole)
    )
