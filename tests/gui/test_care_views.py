"""The care plan tracker on screen: the Patients search, the patient page and its
timeline, a plan made from a template (its check-ins appear), clinical fields
read-only for a coordinator, and a plan closed with its open generated tasks."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from practiceboard.gui.views.care import PatientsView
from practiceboard.services import care_tasks, careplans, patients
from support import program


def names(view: PatientsView) -> list[str]:
    return [r.name for r in view.table.rows_model.rows]


def make_patients(db, staff) -> int:
    ann = patients.create_patient(
        db, staff.front_desk, "A-100", "Ann <b>Able</b>", date(1956, 4, 12),
        staff.provider.user_id, program_ids=(program(db, "ccm"),),
    ).id  # fmt: skip
    patients.create_patient(db, staff.front_desk, "B-200", "Bob Baker", date(1960, 1, 1))
    return ann


def open_view(qtbot, ctx, wait_idle) -> PatientsView:
    view = PatientsView(ctx)
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    wait_idle()
    return view


def test_search_then_the_patient_page_and_its_timeline(qtbot, ctx_for, gui_staff, wait_idle):
    db = gui_staff.db
    ann = make_patients(db, gui_staff)
    careplans.create_plan_from_template(
        db, gui_staff.care_coordinator, ann, "chf_weekly", gui_staff.care_coordinator.user_id,
        date.today(),
    )  # fmt: skip
    view = open_view(qtbot, ctx_for(gui_staff.care_coordinator), wait_idle)
    assert names(view) == ["Ann <b>Able</b>", "Bob Baker"]
    view.search.setText("a-1")
    view.refresh()
    wait_idle()
    assert names(view) == ["Ann <b>Able</b>"]
    view.search.setText("1/1/1960")
    view.refresh()
    wait_idle()
    assert names(view) == ["Bob Baker"]
    view.open_patient(ann)
    wait_idle()
    page = view.page
    assert page.title.text() == "Ann <b>Able</b>"
    assert page.title.textFormat() == Qt.TextFormat.PlainText  # patient text is plain
    assert "MRN A-100" in page.facts.text()
    assert len(page.plans.rows_model.rows) == 1
    groups = {e.group for e in page.timeline.rows_model.rows}
    assert "plan" in groups
    page.filter.setCurrentIndex(page.filter.findData("plan"))
    wait_idle()
    assert {e.group for e in page.timeline.rows_model.rows} == {"plan"}
    doc = page.timeline_document().toHtml()
    assert "Ann &lt;b&gt;Able&lt;/b&gt;" in doc  # printed escaped
    page.back_button.click()
    wait_idle()
    assert view.stack.currentWidget() is view.listing


def test_a_coordinator_creates_a_plan_from_a_template_and_sees_its_check_ins(
    qtbot, ctx_for, gui_staff, wait_idle
):
    db = gui_staff.db
    ann = make_patients(db, gui_staff)
    view = open_view(qtbot, ctx_for(gui_staff.care_coordinator), wait_idle)
    view.open_patient(ann)
    wait_idle()
    view.page.plan_button.click()
    wait_idle()
    dialog = view.plan_dialog
    dialog.template.setCurrentIndex(dialog.template.findData("monthly_checkin"))
    assert "Monthly check-in call" in dialog.template_row.text()
    assert not dialog.risk.isEnabled()  # clinical: read-only for a coordinator
    dialog.save_button.click()
    wait_idle()
    assert dialog.detail is not None
    assert len(dialog.detail.open_tasks) == 3  # the next three monthly check-ins
    assert {t.owner_name for t in dialog.detail.open_tasks} == {"Cora Coordinator"}
    assert not dialog.risk.isEnabled() and dialog.summary.isReadOnly()
    assert "read-only" in dialog.clin_box.title()
    assert dialog.owner.isEnabled()  # operational: theirs
    wait_idle()
    assert len(view.page.plans.rows_model.rows) == 1  # the page refreshed
    generated = [e for e in view.page.timeline.rows_model.rows if e.group == "generated"]
    assert len(generated) == 3
    dialog.accept()


def test_closing_a_plan_then_its_open_generated_tasks(qtbot, ctx_for, gui_staff, wait_idle):
    db = gui_staff.db
    ann = make_patients(db, gui_staff)
    plan = careplans.create_plan_from_template(
        db, gui_staff.care_coordinator, ann, "chf_weekly", gui_staff.care_coordinator.user_id,
        date.today(),
    )  # fmt: skip
    view = open_view(qtbot, ctx_for(gui_staff.care_coordinator), wait_idle)
    view.open_patient(ann)
    wait_idle()
    view.open_plan(plan.id)
    wait_idle()
    dialog = view.plan_dialog
    assert len(dialog.detail.open_generated) >= 3  # generated on opening
    assert dialog.generate_button.isVisibleTo(dialog)
    dialog.close_with("patient_declined", "Prefers her own doctor")
    wait_idle()
    assert dialog.detail.plan.status == "closed"
    assert "Patient declined" in dialog.status_line.text()
    assert dialog.close_tasks_button.isVisibleTo(dialog)
    dialog.close_tasks_button.click()
    wait_idle()
    assert dialog.detail.open_generated == ()
    assert not dialog.close_tasks_button.isVisibleTo(dialog)
    dialog.accept()


def test_a_provider_edits_clinical_fields_and_billing_sees_no_care_rows(
    qtbot, ctx_for, gui_staff, wait_idle
):
    db = gui_staff.db
    ann = make_patients(db, gui_staff)
    plan = careplans.create_plan_from_template(
        db, gui_staff.care_coordinator, ann, "chf_weekly", gui_staff.care_coordinator.user_id,
        date.today(),
    )  # fmt: skip
    view = open_view(qtbot, ctx_for(gui_staff.provider), wait_idle)
    view.open_patient(ann)
    wait_idle()
    view.open_plan(plan.id)
    wait_idle()
    dialog = view.plan_dialog
    assert dialog.risk.isEnabled() and not dialog.summary.isReadOnly()
    dialog.risk.setCurrentIndex(dialog.risk.findData("high"))
    dialog.summary.setPlainText("Weight up 3 lb this week.")
    dialog.save_button.click()
    wait_idle()
    assert (dialog.detail.plan.risk, dialog.detail.summary) == ("high", "Weight up 3 lb this week.")
    dialog.accept()
    billing = open_view(qtbot, ctx_for(gui_staff.billing), wait_idle)
    assert not billing.add_button.isVisibleTo(billing)
    billing.open_patient(ann)
    wait_idle()
    assert billing.page.tasks.rows_model.rows == []
    assert not billing.page.plan_button.isVisibleTo(billing.page)


def test_a_dashboard_figure_opens_its_list_and_exports_it(
    qtbot, ctx_for, gui_staff, wait_idle, tmp_path
):
    from practiceboard.gui.views.care import CareDashboardView

    db = gui_staff.db
    ann = make_patients(db, gui_staff)
    careplans.create_plan_from_template(
        db, gui_staff.care_coordinator, ann, "chf_weekly", gui_staff.care_coordinator.user_id,
        date.today() - timedelta(weeks=3),
    )  # fmt: skip
    care_tasks.generate_due_tasks(db, gui_staff.care_coordinator)
    view = CareDashboardView(ctx_for(gui_staff.manager))
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.show()
    wait_idle()
    overdue = view.board.overdue_total
    assert overdue >= 3 and view.tiles["overdue"].text().startswith(f"{overdue}\n")
    view.program_series.clicked.emit(0)  # the first bar: the CHF plan's program
    wait_idle()
    assert len(view.table.rows_model.rows) == overdue
    assert view.list_heading.text().startswith("Overdue follow-ups — Chronic care management")
    assert {r.patient_name for r in view.table.rows_model.rows} == {"Ann <b>Able</b>"}
    target = tmp_path / "overdue.csv"
    view.write_csv(str(target))
    wait_idle()
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("ref,title,mrn") and len(lines) == overdue + 1
    view.tiles["due_week"].click()
    wait_idle()
    assert view.list_heading.text().startswith("Due this week")
