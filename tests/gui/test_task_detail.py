"""The task detail dialog over a real database: what it shows, the moves it offers
and makes (with reasons through the board's reason dialog), close and reopen,
hand-off, watching, notes, approvals, and the conflict flow that never loses the
user's typing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from practiceboard.db.models import Status, Task, TaskWatcher
from practiceboard.gui.dialogs import TaskDetailDialog, open_task_detail
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Change
from practiceboard.gui.views.lists.model import badge_text
from practiceboard.queries.board import my_queue
from practiceboard.services import approvals, patients, task_actions
from practiceboard.services.tasks import TaskDraft, create_task
from support import reason_id, status_id, wf_id


def row(db, task_id: int):
    with db.read() as s:
        t = s.get(Task, task_id)
        status = s.get(Status, t.status_id)
        return (t.title, t.details, t.due_date, t.owner_id, status.key, t.closed_at is not None,
                t.reason_code_id, t.version, t.decision)  # fmt: skip


@pytest.fixture
def referral(ctx, gui_staff):
    """A referral owned by the front desk, about a patient whose name looks like markup."""
    fd = gui_staff.front_desk
    patient = patients.create_patient(ctx.db, fd, "A-100", "<b>x</b>", date(1950, 2, 3))
    draft = TaskDraft(
        wf_id(ctx.db, "referral"), "Cardiology referral", details="Chest pain",
        owner_id=fd.user_id, patient_id=patient.id, extra={"referred_to": "Heart Center"},
        due_date=date(2030, 1, 15), payer="Aetna",
    )  # fmt: skip
    return create_task(ctx.db, fd, draft)


def opened(qtbot, ctx, task_id, wait_idle) -> TaskDetailDialog:
    dlg = TaskDetailDialog(ctx, task_id)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_idle()
    assert dlg.data is not None, dlg.banner.text()
    return dlg


def texts(list_widget) -> list[str]:
    return [list_widget.item(i).text() for i in range(list_widget.count())]


def test_the_dialog_shows_fields_timeline_and_allowed_moves(qtbot, ctx, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)

    assert dlg.ref_label.text() == referral.ref
    assert dlg.title_label.text() == "Cardiology referral" and dlg.status_text.text() == "New"
    assert dlg.title_edit.text() == "Cardiology referral"
    assert dlg.details_edit.toPlainText() == "Chest pain"
    assert dlg.due.date().toPython() == date(2030, 1, 15) and not dlg.no_due.isChecked()
    assert dlg.payer.currentText() == "Aetna"
    assert dlg.findChild(type(dlg.patient_text), "extra_referred_to").text() == "Heart Center"
    # The patient's name is markup-looking text and must stay text.
    assert dlg.patient_text.text() == "<b>x</b> · born 02/03/1950 · MRN A-100"
    assert dlg.patient_text.textFormat() == Qt.TextFormat.PlainText
    assert "Created in New, owned by Fran Front" in texts(dlg.timeline)[0]
    names = {b.text(): b.isEnabled() for b in dlg.move_buttons.values()}
    assert names["Waiting on records…"] and names["Ready to schedule"]
    assert "New" not in names  # the current status is not a move
    assert dlg.close_task_button.isVisible() and not dlg.reopen_button.isVisible()
    assert not dlg.decision_group.isVisible()


def test_moves_the_user_may_not_make_are_disabled_with_the_reason(
    qtbot, ctx_for, gui_staff, referral, wait_idle
):
    dlg = opened(qtbot, ctx_for(gui_staff.clinical), referral.id, wait_idle)  # not the owner

    button = next(iter(dlg.move_buttons.values()))
    assert not button.isEnabled()
    assert "belongs to someone else" in button.toolTip()
    assert not dlg.title_edit.isEnabled() and not dlg.save_button.isVisible()
    assert dlg.edit_note.text() == "Only its owner or a manager can change this task."


def test_a_move_that_needs_a_reason_asks_for_it(qtbot, ctx, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    button = next(b for b in dlg.move_buttons.values() if b.text() == "Waiting on records…")

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert dlg.reason_dialog is not None and dlg.reason_dialog.isVisible()
    dlg.reason_dialog.reject()  # changed their mind: nothing moves
    wait_idle()
    assert row(ctx.db, referral.id)[4] == "new"

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle()
    dlg.reason_dialog.pick(reason_id(ctx.db, "waiting", "records_pending"))
    dlg.reason_dialog.note_edit.setPlainText("Asked Dr. Lee's office")
    dlg.reason_dialog.accept()
    wait_idle()

    _, _, _, _, status, _, picked, _, _ = row(ctx.db, referral.id)
    assert status == "waiting_records"
    assert picked == reason_id(ctx.db, "waiting", "records_pending")
    assert dlg.status_text.text() == "Waiting on records — Records pending"
    assert texts(dlg.timeline)[0].splitlines()[1:] == [
        "Moved from New to Waiting on records", "Reason: Records pending",
        "Note: Asked Dr. Lee's office",
    ]  # fmt: skip


def test_a_plain_move_says_where_it_went(qtbot, ctx, referral, wait_idle):
    messages = []
    ctx.signals.status_message.connect(messages.append)
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    button = next(b for b in dlg.move_buttons.values() if b.text() == "Ready to schedule")

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert row(ctx.db, referral.id)[4] == "ready"
    assert messages == [f"{referral.ref} moved to “Ready to schedule”."]


def test_a_manager_closes_and_reopens_with_a_reason(qtbot, ctx_for, gui_staff, referral, wait_idle):
    manager = ctx_for(gui_staff.manager)
    dlg = opened(qtbot, manager, referral.id, wait_idle)
    assert dlg.close_task_button.isEnabled()

    qtbot.mouseClick(dlg.close_task_button, Qt.MouseButton.LeftButton)
    wait_idle()
    dlg.closing_dialog.pick(status_id(manager.db, "referral", "scheduled"))
    dlg.closing_dialog.accept()
    wait_idle()
    assert row(manager.db, referral.id)[4:6] == ("scheduled", True)
    assert dlg.reopen_button.isVisible() and dlg.reopen_button.isEnabled()
    assert not dlg.close_task_button.isVisible()
    assert not dlg.title_edit.isEnabled()
    assert dlg.edit_note.text() == "This task is closed. Reopen it to change it."

    qtbot.mouseClick(dlg.reopen_button, Qt.MouseButton.LeftButton)
    wait_idle()
    dlg.reason_dialog.pick(reason_id(manager.db, "reopen", "new_information"))
    dlg.reason_dialog.accept()
    wait_idle()

    title, _, _, owner, status, closed, *_ = row(manager.db, referral.id)
    assert (status, closed) == ("ready", False)
    assert owner == gui_staff.front_desk.user_id  # a reopen keeps the owner
    assert texts(dlg.timeline)[0].splitlines()[1:3] == ["Reopened", "Reason: New information"]


def test_the_owner_hands_the_task_off(qtbot, ctx, gui_staff, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    assert dlg.owner_text.text() == "Fran Front (you)"
    offered = {dlg.handoff_combo.itemData(i) for i in range(dlg.handoff_combo.count())}
    assert gui_staff.clinical.user_id in offered and gui_staff.front_desk.user_id not in offered

    dlg.handoff_combo.setCurrentIndex(dlg.handoff_combo.findData(gui_staff.clinical.user_id))
    qtbot.mouseClick(dlg.handoff_button, Qt.MouseButton.LeftButton)
    wait_idle()
    dlg.handoff_dialog.accept()
    wait_idle()

    assert row(ctx.db, referral.id)[3] == gui_staff.clinical.user_id
    assert dlg.owner_text.text() == "Cleo Clinical"
    assert "Handed from Fran Front to Cleo Clinical" in texts(dlg.timeline)[0]


def test_watch_and_stop_watching(qtbot, ctx_for, gui_staff, referral, wait_idle):
    dlg = opened(qtbot, ctx_for(gui_staff.manager), referral.id, wait_idle)
    assert dlg.watchers_text.text() == "Nobody is watching this task."

    qtbot.mouseClick(dlg.watch_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert dlg.watchers_text.text() == "Max Manager" and dlg.watch_button.isChecked()

    qtbot.mouseClick(dlg.watch_button, Qt.MouseButton.LeftButton)
    wait_idle()
    with dlg.ctx.db.read() as s:
        assert s.scalars(select(TaskWatcher.user_id)).all() == []
    assert not dlg.watch_button.isChecked()


def test_add_a_note(qtbot, ctx, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)

    qtbot.mouseClick(dlg.add_note_button, Qt.MouseButton.LeftButton)
    assert dlg.note_message.text() == "Write the note before saving it."

    qtbot.keyClicks(dlg.note_edit, "Called the office, <i>fax</i> on the way")
    qtbot.mouseClick(dlg.add_note_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert dlg.note_edit.toPlainText() == ""
    assert texts(dlg.notes)[0].endswith("\nCalled the office, <i>fax</i> on the way")
    assert dlg.tabs.tabText(2) == "N&otes (1)"
    assert texts(dlg.timeline)[0].splitlines()[1] == "Called the office, <i>fax</i> on the way"


def test_save_sends_only_what_changed(qtbot, ctx, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    assert not dlg.save_button.isEnabled()

    dlg.title_edit.clear()
    dlg.title_edit.setText("Cardiology referral – urgent")
    dlg.no_due.setChecked(True)
    assert dlg.edit_note.text() == "Unsaved changes: Title, Due date"
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    title, details, due, *_ = row(ctx.db, referral.id)
    assert (title, details, due) == ("Cardiology referral – urgent", "Chest pain", None)
    assert dlg.edited() == [] and "Edited due date, title" in texts(dlg.timeline)[0]


def test_an_inline_message_when_the_service_refuses_a_field(qtbot, ctx, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    dlg.title_edit.setText("   ")
    dlg._edited()

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert "short title" in dlg.errors.message("title")
    assert dlg.title_edit.text() == "   " and dlg.isVisible()


def test_the_conflict_flow_keeps_the_users_typing(
    qtbot, ctx, gui_staff, referral, wait_idle, messages
):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    dlg.title_edit.clear()
    qtbot.keyClicks(dlg.title_edit, "My better title")
    # Meanwhile, on another PC, the manager changes the details, the due date and the title.
    task_actions.edit_task(
        ctx.db, gui_staff.manager, referral.id, expected_version=referral.version,
        details="Chest pain, worse at night", due_date=date(2030, 2, 1), title="Their title",
    )  # fmt: skip

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert dlg.conflict_banner.isVisible()
    assert dlg.conflict_text.text().startswith(f"{referral.ref} was changed by Max Manager at ")
    assert not dlg.save_button.isEnabled()
    assert row(ctx.db, referral.id)[0] == "Their title"  # nothing of ours was written

    qtbot.mouseClick(dlg.reload_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert not dlg.conflict_banner.isVisible()
    assert dlg.title_edit.text() == "My better title"  # kept
    assert dlg.details_edit.toPlainText() == "Chest pain, worse at night"  # theirs
    assert dlg.due.date().toPython() == date(2030, 2, 1)
    assert (
        dlg.differs.message("title") == "Now on file: “Their title”. Save to replace it with yours."
    )
    assert dlg.edit_note.text() == "Reloaded. Your changes are kept in: Title."

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    title, details, due, *_ = row(ctx.db, referral.id)
    assert (title, details, due) == ("My better title", "Chest pain, worse at night",
                                     date(2030, 2, 1))  # fmt: skip
    assert messages.log == []


def test_a_change_elsewhere_refreshes_an_untouched_dialog(
    qtbot, ctx, gui_staff, referral, wait_idle
):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    task_actions.edit_task(ctx.db, gui_staff.manager, referral.id,
                           expected_version=referral.version, payer="Cigna")  # fmt: skip

    # what the change watcher does when another PC writes
    ctx.signals.data_changed.emit(Change.everything())
    wait_idle()

    assert dlg.payer.currentText() == "Cigna" and not dlg.conflict_banner.isVisible()


def test_a_change_elsewhere_never_yanks_the_users_typing(
    qtbot, ctx, gui_staff, referral, wait_idle
):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    dlg.details_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(dlg.details_edit, " (typing)")
    task_actions.edit_task(ctx.db, gui_staff.manager, referral.id,
                           expected_version=referral.version, payer="Cigna")  # fmt: skip

    ctx.signals.data_changed.emit(Change.everything())
    wait_idle()

    assert dlg.details_edit.toPlainText() == "Chest pain (typing)"
    assert dlg.payer.currentText() == "Aetna"  # not swapped under the user's hands
    assert dlg.conflict_banner.isVisible() and "changed elsewhere" in dlg.conflict_text.text()


def test_esc_asks_before_discarding_edits(qtbot, ctx, referral, wait_idle, messages):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    qtbot.keyClicks(dlg.title_edit, "!")
    messages.auto_answer = False

    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert dlg.isVisible()
    assert messages.log[-1] == (
        "Discard changes",
        f"Discard your unsaved changes to {referral.ref} (Title)?",
    )
    messages.auto_answer = True
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible()


def test_esc_closes_at_once_without_edits(qtbot, ctx, referral, wait_idle, messages):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible() and messages.log == []


@pytest.fixture
def supply_in_review(ctx_for, gui_staff):
    clinical = gui_staff.clinical
    db = ctx_for(clinical).db
    saved = create_task(db, clinical, TaskDraft(
        wf_id(db, "supply"), "Reorder: gloves", owner_id=clinical.user_id,
        extra={"item": "Nitrile gloves x10"},
    ))  # fmt: skip
    return approvals.request_approval(db, clinical, saved.id, expected_version=saved.version)


def test_an_approver_approves_from_the_detail(
    qtbot, ctx_for, gui_staff, supply_in_review, wait_idle
):
    dlg = opened(qtbot, ctx_for(gui_staff.manager), supply_in_review.id, wait_idle)
    assert dlg.decision_group.isVisible()
    assert dlg.decision_text.text() == "Waiting for a decision."
    assert all(b.isVisible() for b in (dlg.approve_button, dlg.reject_button,
                                       dlg.send_back_button))  # fmt: skip

    qtbot.mouseClick(dlg.approve_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert row(dlg.ctx.db, supply_in_review.id)[8] == "approved"
    assert dlg.decision_text.text().startswith("Approved by Max Manager on ")
    assert not dlg.approve_button.isVisible()
    # Closed: Reopen only, no move buttons beside "closed, reopen to change it".
    assert dlg.move_buttons == {}
    assert dlg.reopen_button.isVisible() and not dlg.close_task_button.isVisible()
    assert (
        dlg.handoff_line.text() == f"{supply_in_review.ref} is closed. Reopen it to move it again."
    )
    assert row(dlg.ctx.db, supply_in_review.id)[3] == gui_staff.clinical.user_id


def test_a_rejection_asks_for_a_reason(qtbot, ctx_for, gui_staff, supply_in_review, wait_idle):
    manager = ctx_for(gui_staff.manager)
    dlg = opened(qtbot, manager, supply_in_review.id, wait_idle)

    qtbot.mouseClick(dlg.reject_button, Qt.MouseButton.LeftButton)
    wait_idle()
    dlg.reason_dialog.pick(reason_id(manager.db, "rejection", "over_budget"))
    dlg.reason_dialog.accept()
    wait_idle()

    _, _, _, owner, status, _, _, _, decision = row(manager.db, supply_in_review.id)
    assert (status, decision) == ("rejected", "rejected")
    assert owner == gui_staff.clinical.user_id  # back to the requester


def test_the_requester_sees_no_decision_buttons(qtbot, ctx_for, gui_staff, supply_in_review,
                                                 wait_idle):  # fmt: skip
    dlg = opened(qtbot, ctx_for(gui_staff.clinical), supply_in_review.id, wait_idle)

    assert dlg.decision_group.isVisible() and not dlg.approve_button.isVisible()


def test_handoff_lines_say_who_gets_the_task(qtbot, ctx_for, gui_staff, wait_idle):
    clinical = gui_staff.clinical
    db = ctx_for(clinical).db
    saved = create_task(db, clinical, TaskDraft(
        wf_id(db, "supply"), "Reorder: masks", owner_id=clinical.user_id,
        extra={"item": "Masks"},
    ))  # fmt: skip
    dlg = opened(qtbot, ctx_for(clinical), saved.id, wait_idle)

    assert dlg.handoff_line.text() == "“Ready for review” will go to Max Manager."


def test_open_task_detail_brings_back_the_same_window(qtbot, ctx, referral, wait_idle):
    first = open_task_detail(ctx, referral.id)
    wait_idle()
    again = open_task_detail(ctx, referral.id)
    assert again is first and not first.isModal()

    gone = []
    first.destroyed.connect(lambda *_: gone.append(True))
    first.reject()
    qtbot.waitUntil(lambda: gone == [True], timeout=5000)  # deleted on close
    wait_idle()


def test_a_missing_task_says_so(qtbot, ctx, wait_idle):
    dlg = TaskDetailDialog(ctx, 999_999)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_idle()

    assert dlg.banner.text() == "That task no longer exists. Refresh and try again."
    assert dlg.data is None


def test_due_dates_far_away_and_none(qtbot, ctx, referral, wait_idle):
    dlg = opened(qtbot, ctx, referral.id, wait_idle)
    dlg.due.setDate(dlg.due.date().addDays(3))
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert row(ctx.db, referral.id)[2] == date(2030, 1, 15) + timedelta(days=3)


def test_close_asks_how_it_ends_and_esc_changes_nothing(
    qtbot, ctx_for, gui_staff, referral, wait_idle
):
    manager = ctx_for(gui_staff.manager)
    dlg = opened(qtbot, manager, referral.id, wait_idle)
    qtbot.mouseClick(dlg.close_task_button, Qt.MouseButton.LeftButton)
    wait_idle()
    closing = dlg.closing_dialog
    assert closing.isVisible()
    offered = [r.text() for r in closing.radios.values()]
    assert offered == ["Scheduled", "Closed – not needed…"]  # done and cancelled, nothing picked
    assert closing.choice() is None
    closing.accept()  # nothing picked: it says so and stays
    assert closing.isVisible() and "Pick how" in closing.message.text()

    qtbot.keyClick(closing, Qt.Key.Key_Escape)
    wait_idle()
    assert row(manager.db, referral.id)[4:6] == ("new", False)

    qtbot.mouseClick(dlg.close_task_button, Qt.MouseButton.LeftButton)
    wait_idle()
    dlg.closing_dialog.pick(status_id(manager.db, "referral", "not_needed"))
    dlg.closing_dialog.accept()
    wait_idle()
    assert dlg.reason_dialog.isVisible()  # a cancelling close asks why
    dlg.reason_dialog.pick(reason_id(manager.db, "exception", "duplicate"))
    dlg.reason_dialog.accept()
    wait_idle()
    _, _, _, _, status, closed, picked, _, _ = row(manager.db, referral.id)
    assert (status, closed) == ("not_needed", True)
    assert picked == reason_id(manager.db, "exception", "duplicate")


def test_a_rejection_header_is_not_a_green_success(
    qtbot, ctx_for, gui_staff, supply_in_review, wait_idle
):
    manager = ctx_for(gui_staff.manager)
    approvals.reject(manager.db, gui_staff.manager, supply_in_review.id,
                     expected_version=supply_in_review.version,
                     reason_id=reason_id(manager.db, "rejection", "other"),
                     note="Use the other vendor")  # fmt: skip
    dlg = opened(qtbot, manager, supply_in_review.id, wait_idle)

    assert dlg.status_text.text() == "Rejected — Other"  # no "(note required)"
    assert theme.REJECTED_COLOR in dlg.status_text.styleSheet()
    assert theme.CATEGORY_COLORS["done"] not in dlg.status_text.styleSheet()
    assert dlg.status_icon.pixmap().toImage() == theme.pixmap("rejected", 16).toImage()


def test_every_disabled_action_says_why_on_tooltip_and_status_line(
    qtbot, ctx_for, gui_staff, referral, wait_idle
):
    clinical = ctx_for(gui_staff.clinical)  # not the owner
    said = []
    clinical.signals.status_message.connect(said.append)
    dlg = opened(qtbot, clinical, referral.id, wait_idle)
    disabled = [b for b in dlg.move_buttons.values() if not b.isEnabled()]
    disabled += [b for b in (dlg.handoff_button, dlg.close_task_button) if not b.isEnabled()]
    assert len(disabled) > 2
    for button in disabled:
        assert button.toolTip(), button.text()
        QApplication.sendEvent(button, QEvent(QEvent.Type.Enter))
        assert said[-1] == button.toolTip()
    assert "Only its owner or a manager" in dlg.handoff_button.toolTip()


def test_a_hand_off_asks_for_a_note_and_is_new_to_the_new_owner(
    qtbot, ctx_for, gui_staff, referral, wait_idle
):
    front = ctx_for(gui_staff.front_desk)
    dlg = opened(qtbot, front, referral.id, wait_idle)
    dlg.handoff_combo.setCurrentIndex(dlg.handoff_combo.findData(gui_staff.clinical.user_id))
    qtbot.mouseClick(dlg.handoff_button, Qt.MouseButton.LeftButton)
    wait_idle()
    asked = dlg.handoff_dialog
    assert asked.isVisible() and asked.windowTitle() == f"Hand off {referral.ref}"
    qtbot.keyClick(asked, Qt.Key.Key_Escape)  # changed their mind: nothing happens
    wait_idle()
    assert row(front.db, referral.id)[3] == gui_staff.front_desk.user_id

    qtbot.mouseClick(dlg.handoff_button, Qt.MouseButton.LeftButton)
    wait_idle()
    qtbot.keyClicks(dlg.handoff_dialog.note_edit, "Patient prefers mornings")
    dlg.handoff_dialog.accept()
    wait_idle()
    assert row(front.db, referral.id)[3] == gui_staff.clinical.user_id
    assert "Patient prefers mornings" in texts(dlg.timeline)[0]
    dlg.close()

    owned, _ = my_queue(front.db, gui_staff.clinical)
    assert [c.new_to_you for c in owned if c.id == referral.id] == [True]
    assert "New to you" in badge_text(owned[0])

    theirs = opened(qtbot, ctx_for(gui_staff.clinical), referral.id, wait_idle)
    wait_idle()
    assert "Handed over by Fran Front: Patient prefers mornings" in theirs.summary.text()
    owned, _ = my_queue(front.db, gui_staff.clinical)
    assert [c.new_to_you for c in owned if c.id == referral.id] == [False]
