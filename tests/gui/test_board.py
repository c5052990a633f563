"""The board over a real SQLite database: columns and counts per workflow and for all
my workflows, what a card shows, swimlanes, keyboard, selection kept across refreshes,
refresh held while dragging, and 5,000 cards in memory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from practiceboard.core.rows import Board, BoardColumn, Card, TaskFilter
from practiceboard.gui.kit.change import Change
from practiceboard.gui.views.board import BoardView, delegate
from practiceboard.gui.views.board.delegate import (
    DUE,
    IN_STATUS,
    OWNER,
    REASON,
    REF,
    TITLE,
    card_badges,
    card_lines,
    initials,
)
from practiceboard.gui.views.board.model import CARD_ROLE, Lane, card_tooltip
from practiceboard.services.tasks import move_task
from support import new_task, status_id, wf_id

from .helpers import card, open_board

TODAY = date(2026, 3, 4)


def counts(view: BoardView) -> dict[str, int]:
    return {p.column.name: p.model.card_count() for p in view.panes}


# ---------------------------------------------------------------- columns and counts


def test_a_workflow_board_has_a_column_per_status_with_counts(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    a = new_task(db, me, "referral", "Cardiology referral")
    new_task(db, me, "referral", "Sleep study referral")
    b = new_task(db, me, "referral", "Orthopedics referral")
    move_task(db, me, b.id, status_id(db, "referral", "ready"), expected_version=b.version)
    del a

    view = open_board(qtbot, ctx, wait_idle, "referral")

    assert [p.column.name for p in view.panes] == [
        "New", "Waiting on records", "Waiting on patient", "Ready to schedule", "Scheduled",
        "Closed – not needed",
    ]  # fmt: skip
    assert counts(view)["New"] == 2 and counts(view)["Ready to schedule"] == 1
    new = view.pane(status_id(db, "referral", "new"))
    assert new.count.text() == "2 tasks"
    assert "Referral logged with patient and reason" in new.header.toolTip()
    assert not view.delegate.show_status  # one workflow: the column is the status


def test_all_my_workflows_groups_columns_by_category(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    new_task(db, me, "referral", "Cardiology referral")
    rec = new_task(db, me, "records", "Hospital records")
    move_task(db, me, rec.id, status_id(db, "records", "requested"), expected_version=rec.version)

    view = open_board(qtbot, ctx, wait_idle)

    assert view.workflow_id() is None
    assert view.picker.currentText() == "All my workflows"
    assert [p.key for p in view.panes] == ["new", "active", "waiting", "done"]
    assert counts(view) == {"New": 1, "In progress": 1, "Waiting": 0, "Done": 0}
    assert view.delegate.show_status  # a column holds several statuses: cards name theirs
    assert "Waiting on records (Referral intake)" in view.pane("waiting").header.toolTip()
    # Only the workflows a front desk works on are offered.
    offered = [view.picker.itemText(i) for i in range(view.picker.count())]
    assert offered == ["All my workflows", "Referral intake", "Records request",
                       "Lab results follow-up"]  # fmt: skip


def test_attention_count_shows_in_the_column_header(qtbot, clock, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    late = clock.now.date() - timedelta(days=3)  # the held clock's today, not the PC's
    new_task(db, me, "referral", "Late referral", due_date=late)
    new_task(db, me, "referral", "Fine referral")

    view = open_board(qtbot, ctx, wait_idle, "referral")

    new = view.pane(status_id(db, "referral", "new"))
    assert new.column.attention_count == 1
    assert new.attention.text() == "· 1 needs attention" and not new.attention.isHidden()
    late = next(c for c in new.model.rows if c.title == "Late referral")
    assert late.overdue and "overdue" in card_badges(late)


def test_a_filter_narrows_the_board(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    new_task(db, me, "referral", "Cardiology referral")
    new_task(db, me, "referral", "Sleep study referral")
    view = open_board(qtbot, ctx, wait_idle, "referral")

    view.set_filter(TaskFilter(text="sleep"))
    wait_idle()

    assert [c.title for c in view.board.cards] == ["Sleep study referral"]


# ---------------------------------------------------------------- what a card shows


def test_card_lines_show_every_field_in_plain_words():
    c = card(
        patient_ref="10442", due_date=date(2026, 3, 2), overdue=True, reason_label="Payer pending",
        sla="breach", age_in_status_seconds=5 * 86400, age_seconds=12 * 86400,
    )  # fmt: skip
    lines = card_lines(c, TODAY)
    assert lines[REF] == "REF-000001 · MRN 10442"
    assert lines[TITLE] == "Cardiology referral"
    assert lines[OWNER] == "Fran Front"
    assert lines[DUE] == "Overdue · Mar 2"
    assert lines[IN_STATUS] == "5d in status"
    assert lines[REASON] == "Payer pending"
    assert "12d old" in lines
    assert card_lines(card(due_date=TODAY), TODAY)[DUE] == "Due today"
    assert card_lines(card(due_date=date(2027, 1, 5)), TODAY)[DUE] == "Due Jan 5, 2027"
    assert card_lines(c, TODAY, show_status=True)[IN_STATUS] == "5d in New"
    closed = card(category="done", status_name="Scheduled", due_date=TODAY, overdue=False)
    assert card_lines(closed, TODAY)[IN_STATUS] == "Closed 2d ago"
    assert card_lines(closed, TODAY)[DUE] == ""


def test_no_patient_reference_when_the_role_may_not_see_it():
    assert card_lines(card(patient_ref=None), TODAY)[REF] == "REF-000001"


def test_badges_overdue_sla_attention_and_watched():
    c = card(overdue=True, sla="warn", attention=("overdue",), watched=True)
    assert card_badges(c) == ["overdue", "warn", "attention", "watched"]
    assert card_badges(card(sla="breach")) == ["breach"]
    assert card_badges(card(sla="paused")) == []
    tip = card_tooltip(card(reason_label="Other", attention=("unexplained",), sla="breach"))
    assert "Reason: Other" in tip and "waiting for “Other” with no note" in tip
    assert "Past its time limit" in tip


@pytest.fixture
def painted(monkeypatch) -> list[str]:
    """Every line of text the card delegate draws, in order (it draws all of them
    through delegate._text, as plain text)."""
    drawn: list[str] = []
    draw = delegate._text

    def spy(p, fm, rect, text, **kw):
        drawn.append(text)
        return draw(p, fm, rect, text, **kw)

    monkeypatch.setattr(delegate, "_text", spy)
    return drawn


def test_html_in_a_title_is_painted_literally(qtbot, ctx, painted):
    c = card(title="<b>x</b>", owner_name="<i>Fran</i>", patient_ref="<u>1</u>")
    lines = card_lines(c, TODAY)
    assert lines[TITLE] == "<b>x</b>"
    assert "<i>Fran</i>" in lines[OWNER] and "<u>1</u>" in lines[REF]
    # The tooltip is rich text: every value in it is escaped.
    assert "&lt;b&gt;x&lt;/b&gt;" in card_tooltip(c) and "<b>x" not in card_tooltip(c)
    view = BoardView(ctx, autoload=False)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show_board(Board(1, (BoardColumn(1, "new", "New", "new", 0, 1, 0),), (c,), 1, False))
    view.grab()  # paints the card
    assert "<b>x</b>" in painted and "<i>Fran</i>" in painted
    assert any("<u>1</u>" in line for line in painted)


def test_initials_skip_titles():
    assert initials("Dr. Pat Provider") == "PP"
    assert initials("Fran Front") == "FF"
    assert initials("Cher") == "C"


# ---------------------------------------------------------------- swimlanes, selection, keys


def test_swimlanes_by_owner_line_up_across_columns(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    other = gui_staff.add("kevin", ["front_desk"], "Kevin Tran")
    for i in range(3):
        new_task(db, me, "referral", f"Mine {i}", owner_id=me.user_id)
    theirs = new_task(db, me, "referral", "Theirs", owner_id=other.user_id)
    move_task(db, other, theirs.id, status_id(db, "referral", "ready"), expected_version=1)
    view = open_board(qtbot, ctx, wait_idle, "referral")

    view.set_swimlanes(True)

    sizes = {p.model.rowCount() for p in view.panes}
    assert len(sizes) == 1  # every column padded to the same lanes
    new = view.pane(status_id(db, "referral", "new")).model.rows
    ready = view.pane(status_id(db, "referral", "ready")).model.rows
    assert [r.owner_name for r in new if isinstance(r, Lane)] == ["Fran Front", "Kevin Tran"]
    assert new[0] == Lane(me.user_id, "Fran Front", 3, 3)
    assert ready[0] == Lane(me.user_id, "Fran Front", 0, 3) and ready[1:4] == (None,) * 3
    assert ready[4].owner_name == "Kevin Tran" and ready[5].title == "Theirs"
    # Lanes and blanks cannot be selected; the columns scroll together.
    assert not view.panes[0].model.flags(view.panes[0].model.index(0)) & Qt.ItemFlag.ItemIsEnabled
    view.set_swimlanes(False)
    assert view.pane(status_id(db, "referral", "ready")).model.rows[0].title == "Theirs"


def test_refresh_keeps_the_selection(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    new_task(db, me, "referral", "First")
    second = new_task(db, me, "referral", "Second")
    view = open_board(qtbot, ctx, wait_idle, "referral")
    assert view.select_task(second.id)

    new_task(db, me, "referral", "Third")
    ctx.signals.data_changed.emit(Change.everything())
    wait_idle()

    assert view.board.total == 3
    assert view.current_task_id() == second.id
    pane = view.pane(status_id(db, "referral", "new"))
    assert pane.current_card().id == second.id


def test_refresh_waits_while_a_card_is_dragged(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    first = new_task(db, me, "referral", "First")
    view = open_board(qtbot, ctx, wait_idle, "referral")
    pane = view.panes[0]
    view.begin_drag(view.cards[first.id], pane)

    new_task(db, me, "referral", "Second")
    view.refresh()
    wait_idle()
    assert view.board.total == 1  # not yanked from under the mouse

    view.end_drag()
    wait_idle()
    assert view.board.total == 2


def test_keyboard_enter_opens_and_ctrl_arrows_change_column(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    a = new_task(db, me, "referral", "In new")
    b = new_task(db, me, "referral", "Ready one")
    move_task(db, me, b.id, status_id(db, "referral", "ready"), expected_version=b.version)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    new = view.pane(status_id(db, "referral", "new"))
    new.list.setFocus()
    view.select_task(a.id)

    with qtbot.waitSignal(view.task_activated) as activated:
        qtbot.keyClick(new.list, Qt.Key.Key_Return)
    assert activated.args == [a.id]
    with qtbot.waitSignal(view.task_activated) as activated:
        rect = new.list.visualRect(new.list.currentIndex())
        qtbot.mouseDClick(new.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated.args == [a.id]

    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)  # focus is only real in the active window
    qtbot.keyClick(new.list, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert view.current_task_id() == b.id  # skipped the empty waiting columns
    ready = view.pane(status_id(db, "referral", "ready"))
    assert ready.list.hasFocus()
    assert not new.list.selectionModel().hasSelection()


def test_letters_do_not_jump_around(qtbot, ctx, gui_staff, wait_idle):
    """Type-ahead is off: M is the move key, not a search for 'M…'."""
    db, me = ctx.db, gui_staff.front_desk
    new_task(db, me, "referral", "Alpha")
    new_task(db, me, "referral", "Mike")
    view = open_board(qtbot, ctx, wait_idle, "referral")
    lst = view.panes[0].list
    first = view.panes[0].model.card_at(0).id
    view.select_task(first)
    lst.keyPressEvent(
        QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x")
    )
    assert view.current_task_id() == first


# ---------------------------------------------------------------- 5,000 cards


@pytest.mark.parametrize("lanes", [False, True])
def test_five_thousand_cards_fill_the_board(qtbot, ctx, lanes, painted):
    columns = tuple(
        BoardColumn(i + 1, k, k.title(), k, i, 0, 0)
        for i, k in enumerate(["new", "active", "waiting", "review", "done"])
    )
    cards = tuple(
        card(id=n, ref=f"REF-{n:06d}", status_id=n % 5 + 1, category=columns[n % 5].category,
             owner_id=n % 12, owner_name=f"Owner {n % 12}", title=f"Task {n}")
        for n in range(1, 5001)
    )  # fmt: skip
    board = Board(1, columns, cards, 5000, False)
    view = BoardView(ctx, autoload=False)
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.set_swimlanes(lanes)

    view.show_board(board)
    view.show()
    view.grab()
    first = view.panes[0]
    rows = [first.model.index(i).data(CARD_ROLE) for i in range(first.model.rowCount())]
    cards_there = [r for r in rows if isinstance(r, Card)]  # swimlanes add owner headings
    top, bottom = cards_there[0], cards_there[-1]
    assert top.title in painted
    assert len(painted) < 7 * 5 * 30  # a screenful per column, not 5,000 cards' lines

    assert sum(p.model.card_count() for p in view.panes) == 5000
    assert first.list.uniformItemSizes()
    bar = first.list.verticalScrollBar()
    bar.setValue(bar.maximum())  # scrolling to the end paints only what is visible
    painted.clear()
    view.grab()
    assert bottom.title in painted and top.title not in painted
    assert len(painted) < 7 * 5 * 30


def test_a_workflow_chosen_before_the_picker_fills_is_kept(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    new_task(db, me, "records", "Hospital records")
    view = BoardView(ctx, autoload=False)
    qtbot.addWidget(view)
    view.show()
    changed = []
    view.workflow_changed.connect(changed.append)

    view.set_workflow(wf_id(db, "records"))  # what the shell does right after sign-in
    view.reload_workflows()
    wait_idle()

    assert view.workflow_id() == wf_id(db, "records")
    assert view.picker.currentText() == "Records request"
    assert view.board.workflow_id == wf_id(db, "records") and view.board.total == 1
    view.set_workflow(wf_id(db, "signoff"))  # not a front-desk workflow: all of mine instead
    wait_idle()
    assert view.workflow_id() is None and changed[-1] is None


def test_the_drag_image_is_the_card(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral")
    view = open_board(qtbot, ctx, wait_idle, "referral")
    view.select_task(t.id)
    lst = view.panes[0].list

    pixmap = lst.card_pixmap(lst.currentIndex())

    assert not pixmap.isNull()
    assert pixmap.deviceIndependentSize().toSize() == lst.visualRect(lst.currentIndex()).size()


def test_a_truncated_board_says_so(qtbot, ctx):
    column = BoardColumn(1, "new", "New", "new", 0, 7200, 0)
    cards = tuple(card(id=n, ref=f"REF-{n:06d}") for n in range(1, 6))
    view = BoardView(ctx, autoload=False)
    qtbot.addWidget(view)

    view.show_board(Board(1, (column,), cards, 7200, True))

    assert view.notice.text() == (
        "Showing the 5 most urgent of 7,200 tasks. Narrow the filter to see the rest."
    )
    assert view.panes[0].count.text() == "7,200 tasks"


def test_the_six_column_sign_off_board_fits_a_1366_pixel_window(
    qtbot, ctx_for, gui_staff, wait_idle
):
    """1366 less the navigation (about 200 px): the columns narrow before a scroll bar."""
    view = open_board(qtbot, ctx_for(gui_staff.manager), wait_idle, "signoff")
    assert len(view.panes) >= 6
    view.resize(1366 - 200, 700)
    qtbot.wait(20)
    assert view.scroll.horizontalScrollBar().maximum() == 0
