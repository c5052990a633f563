"""Every tooltip and chip that carries what someone typed shows it literally: Qt treats a
tooltip that looks like HTML as rich text, so a title "<b>x</b>" would turn bold, and a
stray "<" could hide the rest of the line."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from practiceboard.core.rows import TaskFilter, TimelineEntry
from practiceboard.gui.dialogs.timeline import fill_timeline
from practiceboard.gui.shell.alerts.center import NotificationCenter
from practiceboard.gui.views.board.model import card_tooltip
from practiceboard.gui.views.lists.filter_bar import FilterBar
from practiceboard.gui.views.lists.model import CardTableModel
from practiceboard.queries.notifications import AlertRow

from .helpers import card, shown_as

TYPED = "<b>Cardiology</b> & <i>sleep</i> <referral"
AT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def tooltip(model, row: int, column: str) -> str:
    return model.index(row, model.columns.index(column)).data(Qt.ItemDataRole.ToolTipRole)


def test_a_list_rows_title_and_status_tooltips_show_the_typed_text():
    model = CardTableModel(("title", "status"))
    model.set_rows([card(title=TYPED, status_name="<u>New</u>")])

    assert shown_as(tooltip(model, 0, "title")) == TYPED
    assert shown_as(tooltip(model, 0, "status")) == "Referral intake: <u>New</u>"


def test_a_filter_chip_shows_the_words_searched_for(qtbot, ctx, wait_idle):
    bar = FilterBar(ctx)
    qtbot.addWidget(bar)
    bar.show()
    wait_idle()

    bar.set_filter(TaskFilter(text=TYPED))

    (chip,) = bar.chips
    assert shown_as(chip.toolTip()) == f"Text: “{TYPED}”"
    assert chip.text().startswith("Text: “<b>Cardiology</b>")  # a button: never rich text


def test_a_timeline_entrys_tooltip_shows_the_typed_title(qtbot):
    from PySide6.QtWidgets import QListWidget

    widget = QListWidget()
    qtbot.addWidget(widget)
    entry = TimelineEntry(AT, "Fran Front", "edit", f"Renamed to “{TYPED}”")

    fill_timeline(widget, [entry], "America/New_York")

    assert shown_as(widget.item(0).toolTip()) == f"Renamed to “{TYPED}”"


def test_an_alerts_tooltip_shows_the_tasks_title(qtbot, ctx):
    center = NotificationCenter(ctx)
    qtbot.addWidget(center)

    center.show_rows([AlertRow(1, "overdue", TYPED, f"{TYPED} is overdue", 7, AT, None)])

    assert shown_as(center.list.item(0).toolTip()) == f"{TYPED} is overdue"


def test_a_board_cards_tooltip_shows_the_typed_title():
    tip = card_tooltip(card(title=TYPED, owner_name="<i>Fran</i>"))
    assert shown_as(tip).splitlines() == [
        f"REF-000001: {TYPED}", "Referral intake · New", "Owner: <i>Fran</i>",
    ]  # fmt: skip


IMG = '<img src=x onerror="alert(1)"> MRI prior auth'


def test_user_text_tooltips_are_plain_text_everywhere_an_img_tag_in_a_title(qtbot):
    """Issue 11: ``<img src=x onerror=...>`` in a title shows as those characters in every
    list view's tooltip (the care lists' rows and the board's cards too), never as an
    image placeholder."""
    from practiceboard.gui.views.care.table import Column, RowsModel

    model = CardTableModel(("title",))
    model.set_rows([card(title=IMG)])
    assert shown_as(tooltip(model, 0, "title")) == IMG
    assert f"1: {IMG}" in shown_as(card_tooltip(card(title=IMG))).replace("REF-00000", "")
    care = RowsModel([Column("Task", lambda row: row)], lambda row: 1)
    care.set_rows([IMG])
    tip = care.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert shown_as(tip) == IMG and "<img" not in tip
