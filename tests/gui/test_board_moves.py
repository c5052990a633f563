"""Moving cards on the board by the same code path a drop takes: allowed moves, refused
moves (refused before the drop, with the reason), moves that need a reason, handoffs,
conflicts with another person's change, and the keyboard "Move to…" menu."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox

from practiceboard.core.rows import BoardColumn
from practiceboard.gui.views.board import BoardView, moves
from practiceboard.gui.views.board.moves import (
    DropPlan,
    card_mime,
    drop_hint,
    handoff_line,
    plan_drop,
    plan_move,
    read_mime,
)
from practiceboard.queries import tasks as task_queries
from practiceboard.services import task_actions
from practiceboard.services.tasks import move_task
from support import make_staff, new_task, reason_id, status_id

from .helpers import card, open_board


def detail(ctx, task_id):
    return task_queries.task_detail(ctx.db, ctx.actor, task_id).card


def drop(qtbot, view: BoardView, task_id: int, column_key) -> None:
    """A real QDropEvent delivered to the target column's list (what a mouse drop does)."""
    target = view.pane(column_key).list
    mime = card_mime(view.cards[task_id])  # kept alive: the event does not own it
    event = QDropEvent(
        QPointF(20, 20), Qt.DropAction.MoveAction, mime,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    target.dropEvent(event)
    assert event.isAccepted()  # taken: the move (or its conflict) follows


def flow_done(qtbot, view: BoardView, wait_idle):
    qtbot.waitUntil(lambda: view.last_flow is not None and view.last_flow.done, timeout=10_000)
    wait_idle()
    return view.last_flow


def test_a_drop_carries_the_version_the_user_saw(qtbot, ctx, gui_staff, wait_idle, messages):
    """A real drop of a card whose task another PC changed since the board was read: the
    version on the card is sent, the service refuses it, nothing of the move is saved."""
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    assert view.cards[t.id].version == t.version

    # Meanwhile, on another PC, the manager gives it a due date (the board is not told).
    task_actions.edit_task(db, gui_staff.manager, t.id, expected_version=t.version,
                           due_date=date(2026, 3, 20))  # fmt: skip
    drop(qtbot, view, t.id, status_id(db, "referral", "ready"))
    flow = flow_done(qtbot, view, wait_idle)

    assert flow.state == "conflict"
    assert flow.card.version == t.version  # what the user saw, not what is there now
    assert messages.log[-1][0] == "Someone else changed this task"
    after = detail(ctx, t.id)
    assert (after.status_name, after.version) == ("New", t.version + 1)  # only their edit


def test_mime_carries_task_id_and_version():
    mime = card_mime(card(id=42, version=7))
    assert read_mime(mime) == (42, 7)
    assert mime.hasFormat(moves.MIME_TYPE)


def test_a_drop_moves_the_card(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    ready = status_id(db, "referral", "ready")

    view.select_task(t.id)  # the card picked up was the selected one

    drop(qtbot, view, t.id, ready)
    flow = flow_done(qtbot, view, wait_idle)

    assert flow.state == "moved"
    assert detail(ctx, t.id).status_name == "Ready to schedule"
    assert view.cards[t.id].status_id == ready  # the board reloaded by itself
    assert view.pane(ready).model.row_of(t.id) == 0
    assert view.current_task_id() == t.id  # the selection went with the card
    assert view.pane(ready).list.currentIndex().row() == 0
    assert not view.pane(status_id(db, "referral", "new")).list.selectionModel().hasSelection()


def test_a_drop_on_an_all_workflows_category_column(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle)

    drop(qtbot, view, t.id, "active")  # the referral workflow has one active status
    flow_done(qtbot, view, wait_idle)

    assert detail(ctx, t.id).status_name == "Ready to schedule"
    assert view.pane("active").model.row_of(t.id) == 0


def test_someone_elses_task_is_refused_before_the_drop(qtbot, ctx, gui_staff, wait_idle, messages):
    db, me = ctx.db, gui_staff.front_desk
    kevin = gui_staff.add("kevin", ["front_desk"], "Kevin Tran")
    t = new_task(db, me, "referral", "Kevin's referral", owner_id=kevin.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    new, ready = (
        view.pane(status_id(db, "referral", "new")),
        view.pane(status_id(db, "referral", "ready")),
    )
    card = view.cards[t.id]

    # Picking the card up fetches where it may go; hovering a column judges it.
    view.begin_drag(card, new)
    wait_idle()
    assert view.drag_over(ready, card_mime(card)) is False
    assert ready.property("drop") == "blocked"
    assert ready.hint.text() == (
        f"Can't move here: {t.ref} belongs to someone else. "
        "Only its owner or a manager can move it."
    )
    view.drag_left(ready)
    assert ready.property("drop") == "refused" and ready.hint.isHidden()
    view.end_drag()
    assert ready.property("drop") == ""

    # The same refusal when the drop handler is called anyway; nothing changes.
    assert view.handle_drop(card_mime(card), ready.key) is False
    assert messages.log[-1][1].startswith(f"{t.ref} belongs to someone else")
    assert detail(ctx, t.id).status_name == "New" and detail(ctx, t.id).version == t.version
    assert plan_move(ctx, card, ready.key).allowed is False


def test_moving_into_its_own_column_does_nothing(qtbot, ctx, gui_staff, wait_idle, messages):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    new = status_id(db, "referral", "new")

    assert view.handle_drop(card_mime(view.cards[t.id]), new) is False
    wait_idle()
    assert view.last_flow is None and not messages.log
    option = plan_move(ctx, view.cards[t.id], new)
    assert not option.allowed and option.blocker == "The task is already in that status."


def test_a_closed_task_only_goes_back_by_reopening(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    move_task(db, me, t.id, status_id(db, "referral", "scheduled"), expected_version=t.version)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    card = view.cards[t.id]
    options = task_actions.allowed_moves(db, me, t.id)
    new = view.pane(status_id(db, "referral", "new")).column
    ready = view.pane(status_id(db, "referral", "ready")).column

    refused = plan_drop(card, options, new, view.board.workflow_id)
    assert not refused.allowed and "Reopen the task first" in refused.blocker
    reopen = plan_drop(card, options, ready, view.board.workflow_id)
    assert reopen.allowed and reopen.choices[0].reason_kind == "reopen"
    assert "a reason will be asked" in drop_hint(card, reopen)


def test_a_move_needing_a_reason_asks_and_cancel_leaves_it(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    waiting = status_id(db, "referral", "waiting_records")

    drop(qtbot, view, t.id, waiting)
    qtbot.waitUntil(lambda: view.last_flow is not None and view.last_flow.dialog is not None)
    dialog = view.last_flow.dialog
    assert dialog.isVisible() and dialog.question.text() == "Why is it waiting?"
    assert dialog.headline.text() == f"Move {t.ref} to “Waiting on records”"
    assert dialog.owner_line.isHidden()  # the owner stays

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    flow = flow_done(qtbot, view, wait_idle)

    assert flow.state == "cancelled"
    assert detail(ctx, t.id).status_name == "New" and detail(ctx, t.id).version == t.version
    assert view.pane(status_id(db, "referral", "new")).model.row_of(t.id) == 0


def test_choosing_a_reason_moves_it_and_records_the_reason(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")

    drop(qtbot, view, t.id, status_id(db, "referral", "waiting_records"))
    qtbot.waitUntil(lambda: view.last_flow is not None and view.last_flow.dialog is not None)
    dialog = view.last_flow.dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

    where = ok.mapTo(dialog, ok.rect().topLeft())
    ok.click()  # no reason picked yet: says so, stays open
    assert dialog.isVisible() and dialog.message.text() == "Pick a reason for this move."
    assert ok.mapTo(dialog, ok.rect().topLeft()) == where  # its room was kept: nothing moves

    dialog.pick(reason_id(ctx.db, "waiting", "other"))
    assert dialog.note_label.text() == "Note (required for this reason)"
    ok.click()  # "Other" needs a note
    assert dialog.isVisible()
    assert dialog.message.text() == "Please add a short note explaining “Other (note required)”."
    qtbot.keyClicks(dialog.note_edit, "Fax line down")
    assert dialog.message.isHidden() and dialog.note_edit.toPlainText() == "Fax line down"

    dialog.pick(reason_id(ctx.db, "waiting", "records_pending"))
    ok.click()
    flow = flow_done(qtbot, view, wait_idle)

    assert flow.state == "moved"
    moved = detail(ctx, t.id)
    assert moved.status_name == "Waiting on records" and moved.reason_label == "Records pending"
    timeline = task_queries.task_detail(db, me, t.id).timeline
    assert any(e.reason_label == "Records pending" and e.note == "Fax line down" for e in timeline)


def test_a_handoff_names_who_will_own_the_task(qtbot, ctx_for, gui_staff, wait_idle, runner):
    db = gui_staff.db
    requester = gui_staff.add("drsecond", ["provider"], "Dr. Sam Second")
    t = new_task(db, requester, "signoff", "Standing order",
                 provider_id=gui_staff.provider.user_id, owner_id=requester.user_id)  # fmt: skip
    ctx = ctx_for(requester)
    view = open_board(qtbot, ctx, wait_idle, "signoff")
    card = view.cards[t.id]
    ready = view.pane(status_id(db, "signoff", "ready"))

    option = plan_move(ctx, card, ready.key)
    assert option.allowed and option.owner_after_name == "Dr. Pat Provider"
    assert handoff_line(card, option, requester.user_id) == "Will be handed to Dr. Pat Provider"
    view.begin_drag(card, view.pane(status_id(db, "signoff", "new")))
    wait_idle()
    assert view.drag_over(ready, card_mime(card)) is True
    assert ready.hint.text() == (
        "Drop to move to “Ready for review” · Will be handed to Dr. Pat Provider"
    )
    view.end_drag()

    messages = []
    ctx.signals.status_message.connect(messages.append)
    view.handle_drop(card_mime(card), ready.key)
    flow_done(qtbot, view, wait_idle)

    assert detail(ctx, t.id).owner_name == "Dr. Pat Provider"
    assert messages[-1] == f"{t.ref} moved to “Ready for review”. Dr. Pat Provider now owns it."


def test_the_reason_dialog_names_the_new_owner(qtbot, ctx_for, gui_staff, wait_idle):
    """Sending back for more information hands the task to its requester."""
    db = gui_staff.db
    requester = gui_staff.add("drsecond", ["provider"], "Dr. Sam Second")
    t = new_task(db, requester, "signoff", "Standing order",
                 provider_id=gui_staff.provider.user_id, owner_id=requester.user_id)  # fmt: skip
    move_task(db, requester, t.id, status_id(db, "signoff", "ready"), expected_version=t.version)
    ctx = ctx_for(gui_staff.provider)
    view = open_board(qtbot, ctx, wait_idle, "signoff")

    view.handle_drop(card_mime(view.cards[t.id]), status_id(db, "signoff", "needs_info"))
    qtbot.waitUntil(lambda: view.last_flow is not None and view.last_flow.dialog is not None)

    dialog = view.last_flow.dialog
    assert dialog.question.text() == "What information is needed?"
    assert dialog.owner_line.text() == "After this move, Dr. Sam Second will own the task."
    assert not dialog.owner_line.isHidden()
    dialog.reject()
    flow_done(qtbot, view, wait_idle)


def test_a_conflicting_change_is_named_and_the_board_refreshes(
    qtbot, ctx, gui_staff, wait_idle, messages
):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    seen = view.cards[t.id]

    # Meanwhile, on another PC, the manager renames it.
    task_actions.edit_task(
        db,
        gui_staff.manager,
        t.id,
        expected_version=t.version,
        title="Cardiology referral (urgent)",
    )
    view.handle_drop(card_mime(seen), status_id(db, "referral", "ready"))
    flow = flow_done(qtbot, view, wait_idle)

    assert flow.state == "conflict"
    assert flow.card.version == seen.version  # the version the user saw was sent
    title, text = messages.log[-1]
    assert title == "Someone else changed this task"
    assert "was changed by Max Manager" in text and "“Ready to schedule” was not saved" in text
    assert detail(ctx, t.id).status_name == "New"
    assert view.cards[t.id].title == "Cardiology referral (urgent)"  # refreshed with their change
    assert view.cards[t.id].version == seen.version + 1


# A popup menu raises itself and grabs the keyboard: the offscreen platform says it cannot.
OFFSCREEN_POPUP = ("This plugin does not support raise", "This plugin does not support grabbing")


@pytest.mark.qt_log_ignore(*OFFSCREEN_POPUP)
def test_move_menu_from_the_keyboard(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    t = new_task(db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    new = view.pane(status_id(db, "referral", "new"))
    new.list.setFocus()
    view.select_task(t.id)
    wait_idle()

    qtbot.keyClick(new.list, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: view.menu is not None and view.menu.isVisible())

    labels = [a.text() for a in view.menu.actions() if a.data() is not None]
    assert labels == ["Waiting on records…", "Waiting on patient…", "Ready to schedule",
                      "Scheduled", "Closed – not needed…"]  # fmt: skip
    ready = next(a for a in view.menu.actions() if a.text() == "Ready to schedule")
    ready.trigger()
    view.menu.hide()
    flow_done(qtbot, view, wait_idle)
    assert detail(ctx, t.id).status_name == "Ready to schedule"


@pytest.mark.qt_log_ignore(*OFFSCREEN_POPUP)
def test_move_menu_explains_when_nothing_is_allowed(qtbot, ctx, gui_staff, wait_idle):
    db, me = ctx.db, gui_staff.front_desk
    kevin = gui_staff.add("kevin", ["front_desk"], "Kevin Tran")
    t = new_task(db, me, "referral", "Kevin's referral", owner_id=kevin.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")
    view.select_task(t.id)

    view.show_move_menu()
    qtbot.waitUntil(lambda: view.menu is not None and view.menu.isVisible())

    disabled = [a for a in view.menu.actions() if not a.isEnabled() and a.text()]
    assert any("belongs to someone else" in a.text() for a in disabled)
    view.menu.hide()


def test_drop_plan_without_that_step():
    review = BoardColumn(0, "review", "Review", "review", 3, 0, 0)
    plan = plan_drop(card(), [], review, None)
    assert plan == DropPlan((), "Referral intake tasks have no “Review” step.")


@pytest.mark.postgres
def test_a_drop_on_postgresql(qtbot, pg_db, ctx_for, wait_idle):
    """The worker path on the server database: the board loads and a drop moves a card."""
    staff = make_staff(pg_db)
    me = staff.front_desk
    ctx = ctx_for(me, pg_db)
    t = new_task(pg_db, me, "referral", "Cardiology referral", owner_id=me.user_id)
    view = open_board(qtbot, ctx, wait_idle, "referral")

    drop(qtbot, view, t.id, status_id(pg_db, "referral", "ready"))
    flow = flow_done(qtbot, view, wait_idle)

    assert flow.state == "moved"
    assert view.cards[t.id].status_name == "Ready to schedule"
