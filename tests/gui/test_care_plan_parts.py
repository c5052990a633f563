"""A care plan's parts edited on screen: goals (clinical roles), interventions (what is
done: clinical; how often and by whom: coordinators and managers), and the review —
each form keeps what was typed when a save is refused."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QDialog

from practiceboard.gui.views.care import PatientsView
from practiceboard.gui.views.care.plan_parts import GoalDialog, InterventionDialog, ReviewDialog
from practiceboard.queries import careplans as plan_queries
from practiceboard.services import careplans, patients


def make_plan(staff) -> int:
    db = staff.db
    ann = patients.create_patient(db, staff.front_desk, "A-100", "Ann Able", date(1956, 4, 12))
    return careplans.create_plan_from_template(
        db, staff.care_coordinator, ann.id, "chf_weekly", staff.care_coordinator.user_id,
        date.today(),
    ).id  # fmt: skip


def plan_dialog(qtbot, ctx, staff, plan_id, wait_idle):
    view = PatientsView(ctx)
    qtbot.addWidget(view)
    view.show()
    wait_idle()
    detail = plan_queries.plan_detail(staff.db, staff.care_coordinator, plan_id)
    view.open_patient(detail.plan.patient_id)
    wait_idle()
    view.open_plan(plan_id)
    wait_idle()
    return view.plan_dialog


def test_a_provider_adds_a_goal_and_marks_it_met(qtbot, ctx_for, gui_staff, wait_idle):
    plan_id = make_plan(gui_staff)
    ctx = ctx_for(gui_staff.provider)
    dialog = plan_dialog(qtbot, ctx, gui_staff, plan_id, wait_idle)
    assert dialog.add_goal_button.isVisibleTo(dialog)
    before = len(dialog.detail.goals)

    goal = GoalDialog(ctx, plan_id, date.today())
    qtbot.addWidget(goal)
    goal.description.setText("   ")  # refused: the typing stays, the message says why
    goal.target.setText("Under 140/90")
    goal.save()
    wait_idle()
    assert goal.result() != QDialog.DialogCode.Accepted
    assert goal.target.text() == "Under 140/90"
    assert goal.errors.fields["description"][1].isVisibleTo(goal)
    goal.description.setText("Blood pressure under control")
    goal.save()
    wait_idle()
    assert goal.result() == QDialog.DialogCode.Accepted

    dialog.reload()
    wait_idle()
    assert len(dialog.detail.goals) == before + 1
    added = next(g for g in dialog.detail.goals if g.description == "Blood pressure under control")
    assert (added.target, added.status) == ("Under 140/90", "open")
    assert added.target_date == date.today() + timedelta(days=90)

    edit = GoalDialog(ctx, plan_id, date.today(), added)
    qtbot.addWidget(edit)
    assert edit.description.text() == "Blood pressure under control"
    edit.status.setCurrentIndex(edit.status.findData("met"))
    edit.target_date.setDate(edit.target_date.minimumDate())  # "No target date"
    edit.save()
    wait_idle()
    assert edit.result() == QDialog.DialogCode.Accepted
    goal_now = plan_queries.plan_detail(gui_staff.db, gui_staff.provider, plan_id).goals
    changed = next(g for g in goal_now if g.id == added.id)
    assert (changed.status, changed.target_date) == ("met", None)
    dialog.accept()


def test_a_coordinator_may_not_add_goals_but_changes_an_interventions_cadence(
    qtbot, ctx_for, gui_staff, wait_idle
):
    plan_id = make_plan(gui_staff)
    ctx = ctx_for(gui_staff.care_coordinator)
    dialog = plan_dialog(qtbot, ctx, gui_staff, plan_id, wait_idle)
    assert not dialog.add_goal_button.isVisibleTo(dialog)  # goals are clinical
    assert not dialog.add_iv_button.isVisibleTo(dialog)
    assert dialog.edit_iv_button.isVisibleTo(dialog)  # cadence and who are operational
    row = dialog.detail.interventions[0]

    edit = InterventionDialog(ctx, plan_id, dialog.choices, clinical=False, operational=True,
                              row=row)  # fmt: skip
    qtbot.addWidget(edit)
    assert edit.title.isReadOnly() and edit.cadence.isEnabled()
    assert "Read-only for your role" in edit.findChild(type(dialog.heading), "readOnlyNote").text()
    edit.cadence.setCurrentIndex(edit.cadence.findText("Every 2 weeks"))
    edit.who.setCurrentIndex(edit.who.findData(f"user:{gui_staff.care_coordinator.user_id}"))
    edit.save()
    wait_idle()
    assert edit.result() == QDialog.DialogCode.Accepted
    now = plan_queries.plan_detail(gui_staff.db, gui_staff.care_coordinator, plan_id)
    changed = next(i for i in now.interventions if i.id == row.id)
    assert changed.cadence == "FREQ=WEEKLY;INTERVAL=2"
    assert changed.owner_id == gui_staff.care_coordinator.user_id
    assert changed.title == row.title
    dialog.accept()


def test_a_provider_adds_a_one_off_intervention_then_stops_it(qtbot, ctx_for, gui_staff, wait_idle):
    plan_id = make_plan(gui_staff)
    ctx = ctx_for(gui_staff.provider)
    dialog = plan_dialog(qtbot, ctx, gui_staff, plan_id, wait_idle)
    add = InterventionDialog(ctx, plan_id, dialog.choices, clinical=True, operational=False,
                             goals=dialog.detail.goals)  # fmt: skip
    qtbot.addWidget(add)
    add.title.setText("Echo before the next visit")
    add.cadence.setCurrentIndex(add.cadence.findText("One-off"))  # a provider sets the
    add.save()  # cadence only when adding (the form's default otherwise)
    wait_idle()
    assert add.result() == QDialog.DialogCode.Accepted
    dialog.reload()
    wait_idle()
    echo = next(i for i in dialog.detail.interventions if i.title == "Echo before the next visit")
    assert echo.active and echo.cadence == "ONCE"

    dialog.interventions.select_id(echo.id)
    ctx.messages.auto_answer = True
    try:
        dialog.stop_intervention()
        wait_idle()
    finally:
        ctx.messages.auto_answer = None
    stopped = next(i for i in dialog.detail.interventions if i.id == echo.id)
    assert not stopped.active
    assert "(stopped)" in dialog.interventions.rows_model.data(
        dialog.interventions.rows_model.index(
            dialog.interventions.rows_model.rows.index(stopped), 1
        )
    )
    dialog.accept()


def test_reviewing_a_plan_sets_the_next_review_and_refuses_a_past_date(
    qtbot, ctx_for, gui_staff, wait_idle
):
    plan_id = make_plan(gui_staff)
    ctx = ctx_for(gui_staff.care_coordinator)
    dialog = plan_dialog(qtbot, ctx, gui_staff, plan_id, wait_idle)
    assert dialog.review_button.isVisibleTo(dialog)
    plan = dialog.detail.plan
    review = ReviewDialog(ctx, plan_id, plan.version, date.today(), date.today())
    qtbot.addWidget(review)
    review.note.setPlainText("Weights stable; keep weekly calls.")
    review.save()  # today is not after today: refused, the note stays
    wait_idle()
    assert review.result() != QDialog.DialogCode.Accepted
    assert review.errors.fields["review_date"][1].isVisibleTo(review)
    assert review.note.toPlainText() == "Weights stable; keep weekly calls."
    review.next_review.setDate(review.next_review.date().addDays(60))
    review.save()
    wait_idle()
    assert review.result() == QDialog.DialogCode.Accepted
    after = plan_queries.plan_detail(gui_staff.db, gui_staff.care_coordinator, plan_id).plan
    assert after.review_date == date.today() + timedelta(days=60)
    dialog.accept()
