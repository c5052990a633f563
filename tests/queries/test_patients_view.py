"""The Patients view and the patient page: search by MRN, name or date of birth, the
row's plan, risk, next action and overdue count (only workflows the role works on),
the page's timeline with its filter, and the read audits."""

from __future__ import annotations

from datetime import date

import pytest

from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import patients as q
from practiceboard.services import care_tasks, careplans, patients
from support import audit_rows, move, new_task, program

PLAN_START = date(2025, 3, 3)  # a Monday before the clock's Wednesday 12 March 2025


@pytest.fixture
def practice(db, staff, clock):
    """Ann on a weekly CHF plan (two check-ins overdue) with a referral; Bob; Annie."""
    ann = patients.create_patient(
        db, staff.front_desk, "A-100", "Ann Able", date(1956, 4, 12), staff.provider.user_id,
        phone="(555) 010-2345", program_ids=(program(db, "ccm"), program(db, "diabetes")),
    ).id  # fmt: skip
    patients.create_patient(db, staff.front_desk, "B-200", "Bob Baker", date(1960, 1, 1))
    patients.create_patient(db, staff.front_desk, "C-300", "Annie Cole")
    plan = careplans.create_plan_from_template(
        db, staff.care_coordinator, ann, "chf_weekly", staff.care_coordinator.user_id, PLAN_START
    )
    care_tasks.generate_for_plan(db, staff.care_coordinator, plan.id)
    new_task(db, staff.front_desk, "referral", "Cardiology referral", patient_id=ann,
             due_date=date(2025, 3, 20))  # fmt: skip
    careplans.add_plan_note(db, staff.care_coordinator, plan.id, "Prefers mornings.")
    return ann, plan


def names(rows) -> list[str]:
    return [r.name for r in rows]


def test_search_by_mrn_name_or_date_of_birth(db, staff, practice):
    who = staff.care_coordinator
    assert names(q.list_patients(db, who, "a-1")) == ["Ann Able"]
    assert names(q.list_patients(db, who, "ann")) == ["Ann Able", "Annie Cole"]
    assert names(q.list_patients(db, who, "4/12/1956")) == ["Ann Able"]
    assert names(q.list_patients(db, who, "1956-04-12")) == ["Ann Able"]
    assert names(q.list_patients(db, who, "")) == ["Ann Able", "Annie Cole", "Bob Baker"]
    assert names(q.list_patients(db, who, "", overdue_only=True)) == ["Ann Able"]
    assert names(q.list_patients(db, who, "", program_id=program(db, "diabetes"))) == ["Ann Able"]
    assert q.list_patients(db, who, "nobody") == []
    with pytest.raises(ValidationError):
        q.list_patients(db, who, "x" * 121)
    searches = audit_rows(db, "patient.search")
    assert [s.detail for s in searches][-3:] == ["(all patients)", "(all patients)", "nobody"]
    with pytest.raises(PermissionDenied):
        q.list_patients(db, staff.admin, "ann")  # an admin sees no patient names
    assert audit_rows(db, "patient.search")[-1].outcome == "denied"


def test_a_row_shows_plan_risk_provider_next_action_and_overdue(db, staff, practice):
    [ann] = q.list_patients(db, staff.care_coordinator, "A-100")
    assert (ann.programs, ann.risk, ann.provider_name, ann.active_plan) == (
        "Chronic care management, Diabetes self-management", "low", "Dr. Pat Provider",
        "Chronic care management",
    )  # fmt: skip
    assert (ann.next_action, ann.next_due, ann.overdue) == (
        "Weekly weigh-in call", date(2025, 3, 3), 2,
    )  # fmt: skip
    # Billing works on neither care tasks nor referrals: no next action, nothing overdue.
    [seen] = q.list_patients(db, staff.billing, "A-100")
    assert (seen.next_action, seen.overdue, seen.active_plan) == (
        None,
        0,
        "Chronic care management",
    )
    [bob] = q.list_patients(db, staff.care_coordinator, "B-200")
    assert (bob.programs, bob.risk, bob.active_plan, bob.next_action, bob.overdue) == (
        "", None, None, None, 0,
    )  # fmt: skip


def test_the_patient_page_and_its_timeline(db, staff, practice):
    ann, plan = practice
    page = q.patient_page(db, staff.care_coordinator, ann)
    assert (page.patient.name, page.phone, page.patient.date_of_birth) == (
        "Ann Able", "(555) 010-2345", date(1956, 4, 12),
    )  # fmt: skip
    assert [p.id for p in page.plans] == [plan.id]
    # Weekly from Mar 3: everything to Mar 26 (14 days ahead), and three upcoming (Mar 31).
    assert [t.due_date.day for t in page.open_tasks] == [3, 10, 17, 20, 24, 31]
    assert [t.overdue for t in page.open_tasks][:2] == [True, True]
    groups = [e.group for e in page.timeline]
    assert groups.count("generated") == 5
    assert "Check-in generated for Cora Coordinator, due Mar 3" in [
        e.summary for e in page.timeline
    ]
    plan_lines = [e.summary for e in page.timeline if e.group == "plan"]
    assert plan_lines[-1] == "Chronic care management plan started"
    assert {"Goal added", "Intervention added"} <= set(plan_lines)
    [note] = [e for e in page.timeline if e.group == "note"]
    assert (note.summary, note.note) == ("Chronic care management plan note", "Prefers mornings.")
    assert [e.at for e in page.timeline] == sorted((e.at for e in page.timeline), reverse=True)
    assert audit_rows(db, "patient.view")[-1].detail == "Patient page"
    # Billing sees the patient but none of the care task rows or their history.
    billing = q.patient_page(db, staff.billing, ann)
    assert billing.open_tasks == ()
    assert {e.group for e in billing.timeline} == {"plan", "note"}
    with pytest.raises(PermissionDenied):
        q.patient_page(db, staff.admin, ann)
    assert audit_rows(db, "patient.view")[-1].outcome == "denied"


def test_the_timeline_filter_and_a_closed_plan(db, staff, practice):
    ann, plan = practice
    first = q.patient_page(db, staff.care_coordinator, ann).open_tasks[0]
    move(db, staff.care_coordinator, first.id, "in_progress")
    careplans.close_plan(db, staff.care_coordinator, plan.id, expected_version=plan.version,
                         reason="completed")  # fmt: skip
    only_plan = q.patient_page(db, staff.care_coordinator, ann, groups={"plan"}).timeline
    assert {e.group for e in only_plan} == {"plan"}
    assert only_plan[0].summary == "Chronic care management plan: Closed: Completed"
    tasks = q.patient_page(db, staff.care_coordinator, ann, groups={"task"}).timeline
    assert tasks[0].summary == "Moved from New to In progress"
    assert {e.group for e in tasks} == {"task"}
