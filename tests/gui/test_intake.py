"""The intake dialog, driven like a front-desk clerk: pick a workflow, fill the form,
save; checks before saving keep every keystroke; auto-routing says who; templates
fill the form; patients are found by MRN or name and shown as plain text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from practiceboard.db.models import Task
from practiceboard.gui.dialogs import IntakeDialog, open_intake
from practiceboard.queries import intake as intake_queries
from practiceboard.services import patients, users
from practiceboard.services.tasks import TaskDraft, create_task
from support import wf_id

REFERRAL = "Referral intake"


@pytest.fixture
def dialog(qtbot, ctx, wait_idle) -> IntakeDialog:
    dlg = IntakeDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_idle()
    return dlg


def pick_workflow(dlg: IntakeDialog, name: str, wait_idle) -> None:
    dlg.workflow.setCurrentIndex(dlg.workflow.findText(name))
    wait_idle()


def tasks_in(db) -> list:
    with db.read() as s:
        return s.execute(
            select(Task.id, Task.ref, Task.title, Task.owner_id, Task.extra, Task.due_date,
                   Task.payer, Task.provider_id, Task.patient_id, Task.checklist,
                   Task.location_id, Task.priority)
        ).all()  # fmt: skip


def test_a_task_is_created_with_what_the_form_says(qtbot, clock, dialog, ctx, gui_staff, wait_idle):
    saved_ids, statuses = [], []
    ctx.signals.task_saved.connect(saved_ids.append)
    ctx.signals.status_message.connect(statuses.append)
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "Cardiology referral for Mr. K")
    qtbot.keyClicks(dialog.extra_input("referred_to"), "Heart Center")
    dialog.owner.setCurrentIndex(dialog.owner.findData(gui_staff.clinical.user_id))
    dialog.no_due.setChecked(False)
    assert dialog.options.today == clock.now.date()  # the practice's today, held
    due = dialog.options.today + timedelta(days=3)
    dialog.due.setDate(QDate(due))
    dialog.payer.setEditText("Aetna")
    dialog.provider.setCurrentIndex(dialog.provider.findData(gui_staff.provider.user_id))

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    (task,) = tasks_in(ctx.db)
    assert task.title == "Cardiology referral for Mr. K"
    assert task.owner_id == gui_staff.clinical.user_id
    assert task.extra == {"referred_to": "Heart Center"}
    assert (task.due_date, task.payer) == (due, "Aetna")
    assert task.provider_id == gui_staff.provider.user_id and task.location_id == 1
    assert saved_ids == [task.id] and statuses == [f"Created {task.ref}."]
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()


def test_a_missing_required_field_keeps_the_dialog_open_with_the_typing(
    qtbot, dialog, ctx, wait_idle
):
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "Dermatology referral")
    qtbot.keyClicks(dialog.details, "Rash on both arms, see chart.")

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert tasks_in(ctx.db) == []
    assert dialog.isVisible()
    assert (
        dialog.errors.message("extra:referred_to") == "Fill in “Referred to (specialty or clinic)”."
    )
    assert dialog.extra_input("referred_to").property("invalid") is True
    assert dialog.focusWidget() is dialog.extra_input("referred_to")
    assert dialog.title_edit.text() == "Dermatology referral"
    assert dialog.details.toPlainText() == "Rash on both arms, see chart."
    # Typing in the field clears its message; then saving works.
    qtbot.keyClicks(dialog.extra_input("referred_to"), "Skin clinic")
    assert dialog.errors.message("extra:referred_to") is None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert [t.title for t in tasks_in(ctx.db)] == ["Dermatology referral"]


def test_every_problem_is_shown_at_once_and_the_cursor_goes_to_the_first(qtbot, dialog, wait_idle):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.errors.message("workflow") == "Pick a workflow for the new task."
    assert "short title" in dialog.errors.message("title")
    assert dialog.focusWidget() is dialog.workflow


def test_route_automatically_says_who_will_get_it(qtbot, ctx, gui_staff, wait_idle):
    frank = gui_staff.add("frank", ["front_desk"], "Frank Desk")
    wf = wf_id(ctx.db, "referral")
    create_task(ctx.db, ctx.actor, TaskDraft(wf, "Busy", owner_id=gui_staff.front_desk.user_id,
                                             extra={"referred_to": "x"}))  # fmt: skip
    dlg = IntakeDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_idle()
    pick_workflow(dlg, REFERRAL, wait_idle)

    assert dlg.owner.itemText(0) == "Route automatically — goes to Frank Desk"
    assert dlg.owner.currentIndex() == 0
    qtbot.keyClicks(dlg.title_edit, "Routed")
    qtbot.keyClicks(dlg.extra_input("referred_to"), "Ortho")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    routed = next(t for t in tasks_in(ctx.db) if t.title == "Routed")
    assert routed.owner_id == frank.user_id


def test_the_owner_list_offers_only_people_who_work_on_the_workflow(dialog, gui_staff, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)

    offered = {dialog.owner.itemData(i) for i in range(1, dialog.owner.count())}
    assert gui_staff.clinical.user_id in offered and gui_staff.manager.user_id in offered
    assert gui_staff.billing.user_id not in offered  # billing does not work on referrals
    assert gui_staff.admin.user_id not in offered  # admins do not own tasks


def test_a_template_fills_the_form_without_overwriting_typing(qtbot, dialog, ctx, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)
    dialog.template.setCurrentIndex(dialog.template.findText("Cardiology referral"))
    dialog.template.activated.emit(dialog.template.currentIndex())

    assert dialog.title_edit.text() == "Cardiology referral"
    assert dialog.checklist.text() == "☐ Referral letter\n☐ Recent ECG"
    assert not dialog.no_due.isChecked()
    assert dialog.due.date().toPython() == dialog.options.today + timedelta(days=7)

    qtbot.keyClicks(dialog.extra_input("referred_to"), "Heart Center")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    (task,) = tasks_in(ctx.db)
    assert task.checklist == [
        {"text": "Referral letter", "done": False},
        {"text": "Recent ECG", "done": False},
    ]


def test_a_template_leaves_a_title_the_user_wrote(qtbot, dialog, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "My own words")
    dialog.template.setCurrentIndex(dialog.template.findText("Cardiology referral"))
    dialog.template.activated.emit(dialog.template.currentIndex())

    assert dialog.title_edit.text() == "My own words"


def test_switching_workflows_keeps_typed_field_values(qtbot, dialog, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.extra_input("referred_to"), "Heart Center")
    pick_workflow(dialog, "Records request", wait_idle)
    assert "referred_to" not in dialog._extra_inputs
    pick_workflow(dialog, REFERRAL, wait_idle)

    assert dialog.extra_input("referred_to").text() == "Heart Center"


def test_a_patient_is_found_by_mrn_and_shown_as_plain_text(qtbot, dialog, ctx, wait_idle):
    patient = patients.create_patient(ctx.db, ctx.actor, "A-4410", "<b>x</b>", date(1970, 5, 1))
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "With patient")
    qtbot.keyClicks(dialog.extra_input("referred_to"), "Ortho")
    qtbot.keyClicks(dialog.patient_search, "a-44")
    qtbot.waitUntil(lambda: dialog.patient_results.count() == 1, timeout=5000)

    assert dialog.patient_results.item(0).text() == "MRN A-4410 · <b>x</b> · born 05/01/1970"
    qtbot.keyClick(dialog.patient_search, Qt.Key.Key_Return)
    assert dialog.patient.id == patient.id
    assert dialog.patient_chosen.text() == "MRN A-4410 · <b>x</b> · born 05/01/1970"
    assert dialog.patient_chosen.textFormat() == Qt.TextFormat.PlainText

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert tasks_in(ctx.db)[0].patient_id == patient.id


def test_a_patient_searched_for_but_not_picked_is_not_dropped(qtbot, dialog, ctx, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "Who?")
    qtbot.keyClicks(dialog.extra_input("referred_to"), "Ortho")
    qtbot.keyClicks(dialog.patient_search, "Nobody by this name")
    wait_idle()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert tasks_in(ctx.db) == []
    assert dialog.errors.message("patient").startswith("Pick the patient from the list")
    assert dialog.patient_search.text() == "Nobody by this name"


def test_a_service_refusal_lands_next_to_its_field(qtbot, dialog, ctx, gui_staff, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "For Cleo")
    qtbot.keyClicks(dialog.extra_input("referred_to"), "Ortho")
    dialog.owner.setCurrentIndex(dialog.owner.findData(gui_staff.clinical.user_id))
    users.set_active(ctx.db, gui_staff.admin, gui_staff.clinical.user_id, False)  # meanwhile

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert tasks_in(ctx.db) == [] and dialog.isVisible()
    assert "account is disabled" in dialog.errors.message("owner")
    assert dialog.title_edit.text() == "For Cleo" and dialog.save_button.isEnabled()


def test_cancel_asks_before_throwing_typing_away(qtbot, dialog, messages):
    qtbot.keyClicks(dialog.title_edit, "Half-typed")
    messages.auto_answer = False

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and messages.log[-1][0] == "Discard new task"

    messages.auto_answer = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_an_empty_form_closes_without_asking(qtbot, dialog, messages):
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and messages.log == []


def test_markup_in_a_title_is_saved_and_shown_as_typed(qtbot, dialog, ctx, wait_idle):
    pick_workflow(dialog, REFERRAL, wait_idle)
    qtbot.keyClicks(dialog.title_edit, "<b>x</b>")
    qtbot.keyClicks(dialog.extra_input("referred_to"), "<i>y</i>")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle()

    (task,) = tasks_in(ctx.db)
    assert task.title == "<b>x</b>" and task.extra == {"referred_to": "<i>y</i>"}


def test_route_preview_query_matches_the_routing_rule(ctx, gui_staff):
    wf = wf_id(ctx.db, "referral")
    preview = intake_queries.route_preview(ctx.db, ctx.actor, wf)
    saved = create_task(ctx.db, ctx.actor, TaskDraft(wf, "Auto", extra={"referred_to": "x"}))

    assert preview.id == saved.owner_id
    assert intake_queries.route_preview(ctx.db, gui_staff.billing, wf) is None


def test_open_intake_shows_a_non_modal_dialog_that_goes_away_when_closed(qtbot, ctx, wait_idle):
    dlg = open_intake(ctx)
    wait_idle()
    assert dlg.isVisible() and not dlg.isModal()

    gone = []
    dlg.destroyed.connect(lambda *_: gone.append(True))
    dlg.reject()
    qtbot.waitUntil(lambda: gone == [True], timeout=5000)  # deleted on close


def test_the_form_opens_at_its_first_field_the_workflow(qtbot, dialog):
    assert dialog.workflow.isEnabled()
    assert dialog.focusWidget() is dialog.workflow
