"""The care plan tracker's read side: the list (names only for roles that may see
them), one plan's detail (audited), overdue follow-ups by program and owner."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from practiceboard.db.models import AuditEntry
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import careplans as q
from practiceboard.services import care_tasks, careplans, patients
from support import Clock, program

NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    Clock(monkeypatch, NOW)


def plan_for(db, staff, mrn, name, key="ccm", owner=None, review=None, risk="low"):
    patient = patients.create_patient(db, staff.front_desk, mrn, name).id
    return careplans.create_care_plan(
        db,
        staff.provider,
        patient,
        program(db, key),
        (owner or staff.care_coordinator).user_id,
        START,
        risk=risk,
        review_date=review,
    )


@pytest.fixture
def three_plans(db, staff):
    a = plan_for(db, staff, "A-1", "Ann 50% Able", review=date(2026, 4, 1), risk="high")
    b = plan_for(
        db, staff, "B-2", "Bob_Baker", key="rpm", owner=staff.clinical, review=date(2026, 3, 10)
    )
    c = plan_for(db, staff, "C-3", "<b>Cy</b>")
    return a, b, c


def test_list_is_sorted_by_review_date_and_hides_names_from_admin(db, staff, three_plans):
    a, b, c = three_plans
    rows = q.list_plans(db, staff.care_coordinator)
    assert [r.id for r in rows] == [b.id, a.id, c.id]  # undated review last
    assert [r.patient_name for r in rows] == ["Bob_Baker", "Ann 50% Able", "<b>Cy</b>"]
    assert [r.review_overdue for r in rows] == [True, False, False]
    assert (rows[0].program_name, rows[0].owner_name, rows[0].patient_ref) == (
        "Remote patient monitoring",
        "Cleo Clinical",
        "B-2",
    )
    hidden = q.list_plans(db, staff.admin)
    assert [r.id for r in hidden] == [b.id, a.id, c.id]
    assert {(r.patient_name, r.patient_ref) for r in hidden} == {(None, None)}
    assert q.list_plans(db, staff.admin, text="ann") == []  # no searching by hidden names


def test_list_filters(db, staff, three_plans):
    a, b, c = three_plans
    ids = lambda **kw: [r.id for r in q.list_plans(db, staff.provider, **kw)]  # noqa: E731
    assert ids(risk="high") == [a.id]
    assert ids(owner_id=staff.clinical.user_id) == [b.id]
    assert ids(program_id=program(db, "rpm")) == [b.id]
    assert ids(text="%") == [a.id]  # literal, not a wildcard
    assert ids(text="_") == [b.id]
    assert ids(text="c-") == [c.id]  # MRN prefix
    assert ids(text="<b>") == [c.id]
    assert ids(text="remote") == [b.id]  # program name
    assert ids(text="' or 1=1 --") == []
    careplans.update_plan_operational(
        db,
        staff.care_coordinator,
        c.id,
        expected_version=1,
        status="closed",
        status_reason="completed",
    )
    assert ids() == [b.id, a.id]
    assert ids(status="closed") == [c.id]
    assert len(ids(status=None)) == 3
    with pytest.raises(ValidationError):
        q.list_plans(db, staff.provider, status="deleted")


def test_plan_detail_shows_everything_and_is_audited(db, staff):
    plan = plan_for(db, staff, "A-1", "Ann Able")
    goal = careplans.add_goal(db, staff.provider, plan.id, "BP under 140/90")
    iv = careplans.add_intervention(
        db,
        staff.provider,
        plan.id,
        "BP call",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        START,
        goal_id=goal.id,
    )
    careplans.add_plan_note(db, staff.care_coordinator, plan.id, "Prefers mornings.")
    care_tasks.generate_due_tasks(db, staff.care_coordinator, date(2026, 3, 20))
    detail = q.plan_detail(db, staff.care_coordinator, plan.id)
    assert detail.plan.patient_name == "Ann Able"
    assert [g.description for g in detail.goals] == ["BP under 140/90"]
    [shown] = detail.interventions
    assert (shown.id, shown.cadence_text, shown.next_due) == (
        iv.id,
        "Every 2 weeks on Monday and Thursday",
        date(2026, 3, 30),
    )
    assert [t.due_date for t in detail.open_tasks] == [
        date(2026, 3, 2),
        date(2026, 3, 5),
        date(2026, 3, 16),
        date(2026, 3, 19),
    ]
    assert [t.overdue for t in detail.open_tasks] == [True, True, False, False]
    assert (detail.plan.open_tasks, detail.plan.overdue_tasks) == (4, 2)
    assert [n.body for n in detail.notes] == ["Prefers mornings."]
    # Billing sees the plan but not the care task rows it could never open.
    leak = q.plan_detail(db, staff.billing, plan.id)
    assert (leak.open_tasks, leak.plan.open_tasks, leak.plan.overdue_tasks) == ((), 0, 0)
    assert [p.open_tasks for p in q.list_plans(db, staff.billing)] == [0]
    assert detail.updated_by_name == "Dr. Pat Provider"
    with pytest.raises(PermissionDenied):
        q.plan_detail(db, staff.admin, plan.id)
    with db.read() as s:
        views = s.execute(
            select(AuditEntry.user_id, AuditEntry.patient_id, AuditEntry.outcome)
            .where(AuditEntry.action == "careplan.view")
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(v) for v in views] == [
        (staff.care_coordinator.user_id, plan.patient_id, "success"),
        (staff.billing.user_id, plan.patient_id, "success"),
        (staff.admin.user_id, plan.patient_id, "denied"),
    ]


def test_overdue_followups_by_program_and_owner(db, staff):
    a = plan_for(db, staff, "A-1", "Ann Able")
    b = plan_for(db, staff, "B-2", "Bob Baker", key="rpm")
    careplans.add_intervention(
        db, staff.provider, a.id, "Call", "FREQ=WEEKLY", START, owner_id=staff.clinical.user_id
    )
    careplans.add_intervention(db, staff.provider, b.id, "Call", "FREQ=WEEKLY", START)
    care_tasks.generate_due_tasks(db, staff.care_coordinator, date(2026, 3, 23))
    # Due Mar 2 and 9 are overdue on Mar 16; Mar 16 and 23 are not.
    result = q.overdue_followups(db, staff.manager)
    assert result.total == 4
    assert {(r.label, r.count) for r in result.by_program} == {
        ("Chronic care management", 2),
        ("Remote patient monitoring", 2),
    }
    assert {(r.label, r.count) for r in result.by_owner} == {
        ("Cleo Clinical", 2),
        ("Cora Coordinator", 2),
    }
    assert q.overdue_followups(db, staff.admin).total == 4  # counts only, no patient data
