"""Recurring care tasks: one task per due occurrence, never twice (not on a second
run, not from two PCs at once), catch-up capped, owners routed."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from practiceboard.db import audit
from practiceboard.db.models import CareIntervention, Task, Workflow
from practiceboard.domain.errors import PermissionDenied
from practiceboard.services import care_tasks, careplans, patients, tasks, users
from support import Clock, make_staff, program, set_calendar

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    Clock(monkeypatch, NOW)


def new_plan(db, staff, mrn: str = "MRN-1", owner=None) -> careplans.PlanSaved:
    patient = patients.create_patient(db, staff.front_desk, mrn, f"Patient {mrn}").id
    ccm = program(db)
    owner_id = (owner or staff.care_coordinator).user_id
    return careplans.create_care_plan(db, staff.provider, patient, ccm, owner_id, MONDAY)


def weekly(db, staff, plan_id: int, start: date = MONDAY, **kw):
    return careplans.add_intervention(
        db, staff.provider, plan_id, "Weekly BP call", "FREQ=WEEKLY", start, **kw
    )


def generated(db, intervention_id: int | None = None) -> list[tuple]:
    with db.read() as s:
        q = select(
            Task.due_date,
            Task.owner_id,
            Task.title,
            Task.patient_id,
            Task.care_plan_id,
            Task.intervention_id,
            Workflow.key,
        ).join(Workflow, Workflow.id == Task.workflow_id)
        if intervention_id is not None:
            q = q.where(Task.intervention_id == intervention_id)
        return [tuple(r) for r in s.execute(q.order_by(Task.due_date, Task.id))]


def test_weekly_cadence_over_five_weeks_creates_five_tasks_once(db, staff):
    plan = new_plan(db, staff)
    iv = weekly(db, staff, plan.id)
    through = MONDAY + timedelta(weeks=4, days=3)  # five Mondays, the last one 4 weeks on
    result = care_tasks.generate_due_tasks(db, staff.care_coordinator, through)
    assert (result.created, result.plans, result.skipped, result.duplicates) == (5, 1, 0, 0)
    rows = generated(db)
    assert [r[0] for r in rows] == [MONDAY + timedelta(weeks=i) for i in range(5)]
    assert {r[2:] for r in rows} == {
        ("Weekly BP call", plan.patient_id, plan.id, iv.id, "care_task")
    }
    with db.read() as s:
        stored = s.get(CareIntervention, iv.id)
        assert (stored.last_generated_due, stored.next_due) == (
            MONDAY + timedelta(weeks=4),
            MONDAY + timedelta(weeks=5),
        )
    again = care_tasks.generate_due_tasks(db, staff.care_coordinator, through)
    assert (again.created, again.plans) == (0, 0)
    later = care_tasks.generate_due_tasks(db, staff.care_coordinator, through + timedelta(weeks=1))
    assert later.created == 1
    assert len(generated(db)) == 6


def test_catch_up_after_a_long_outage_is_capped(db, staff):
    set_calendar(db, workdays=list(range(7)), observe_us_federal_holidays=False)
    plan = new_plan(db, staff)
    iv = careplans.add_intervention(
        db, staff.provider, plan.id, "Daily weight", "FREQ=DAILY", MONDAY
    )
    through = MONDAY + timedelta(days=29)  # 30 daily occurrences were missed
    result = care_tasks.generate_due_tasks(db, staff.care_coordinator, through)
    assert (result.created, result.skipped) == (
        care_tasks.CATCH_UP_CAP,
        30 - care_tasks.CATCH_UP_CAP,
    )
    dues = [r[0] for r in generated(db, iv.id)]
    assert dues == [through - timedelta(days=11 - i) for i in range(12)]  # the most recent ones
    assert care_tasks.generate_due_tasks(db, staff.care_coordinator, through).created == 0


def test_owner_routing(db, staff):
    second = staff.add("coord2", ["care_coordinator"], "Cody Coordinator")
    plan = new_plan(db, staff, owner=staff.clinical)
    mine = weekly(db, staff, plan.id, owner_id=staff.provider.user_id)
    by_role = careplans.add_intervention(
        db, staff.provider, plan.id, "Outreach", "FREQ=WEEKLY", MONDAY, role_key="care_coordinator"
    )
    nobody = careplans.add_intervention(
        db, staff.provider, plan.id, "Supplies", "FREQ=WEEKLY", MONDAY
    )
    care_tasks.generate_due_tasks(db, staff.care_coordinator, MONDAY + timedelta(weeks=3))
    assert {r[1] for r in generated(db, mine.id)} == {staff.provider.user_id}
    # least-loaded member of the role: the two coordinators take turns
    owners = [r[1] for r in generated(db, by_role.id)]
    assert sorted(owners) == sorted([staff.care_coordinator.user_id, second.user_id] * 2)
    assert {r[1] for r in generated(db, nobody.id)} == {staff.clinical.user_id}  # the plan owner


def test_inactive_intervention_owner_falls_back_to_the_role_then_the_plan_owner(db, staff):
    gone = staff.add("leaver", ["clinical"])
    plan = new_plan(db, staff)
    iv = weekly(db, staff, plan.id, owner_id=gone.user_id)
    users.set_active(db, staff.admin, gone.user_id, False)
    care_tasks.generate_due_tasks(db, staff.care_coordinator, MONDAY)
    assert [r[1] for r in generated(db, iv.id)] == [staff.care_coordinator.user_id]


def test_only_active_plans_and_interventions_generate(db, staff):
    on_hold = new_plan(db, staff, "MRN-1")
    weekly(db, staff, on_hold.id)
    careplans.update_plan_operational(
        db,
        staff.care_coordinator,
        on_hold.id,
        expected_version=1,
        status="on_hold",
        status_note="Travelling",
    )
    live = new_plan(db, staff, "MRN-2")
    stopped = weekly(db, staff, live.id)
    careplans.deactivate_intervention(db, staff.provider, stopped.id)
    ending = new_plan(db, staff, "MRN-3")
    weekly(db, staff, ending.id)
    careplans.update_plan_operational(
        db,
        staff.care_coordinator,
        ending.id,
        expected_version=1,
        end_date=MONDAY + timedelta(weeks=1),
    )
    result = care_tasks.generate_due_tasks(db, staff.care_coordinator, MONDAY + timedelta(weeks=4))
    assert (result.created, result.plans) == (2, 1)  # the ending plan, up to its end date
    assert {r[4] for r in generated(db)} == {ending.id}


def test_a_task_already_there_for_that_date_is_skipped_not_fatal(db, staff):
    plan = new_plan(db, staff)
    iv = weekly(db, staff, plan.id)
    with db.read() as s:
        wf = s.scalars(select(Workflow.id).where(Workflow.key == "care_task")).one()
    # As if another PC had inserted it without advancing the intervention yet.
    tasks.create_task(
        db,
        staff.care_coordinator,
        tasks.TaskDraft(
            workflow_id=wf,
            title="Weekly BP call",
            due_date=MONDAY + timedelta(weeks=1),
            patient_id=plan.patient_id,
            care_plan_id=plan.id,
            intervention_id=iv.id,
        ),
    )
    result = care_tasks.generate_due_tasks(db, staff.care_coordinator, MONDAY + timedelta(weeks=2))
    assert (result.created, result.duplicates) == (2, 1)
    assert [r[0] for r in generated(db)] == [MONDAY + timedelta(weeks=i) for i in range(3)]


def test_generating_needs_a_role_that_creates_care_tasks(db, staff):
    plan = new_plan(db, staff)
    weekly(db, staff, plan.id)
    for actor in (staff.billing, staff.front_desk, staff.admin):
        with pytest.raises(PermissionDenied):
            care_tasks.generate_due_tasks(db, actor, MONDAY)
    assert generated(db) == []
    assert care_tasks.generate_due_tasks(db, staff.provider, MONDAY).created == 1


@pytest.mark.postgres
def test_two_pcs_generating_at_once_create_no_duplicates(pg_db):
    staff = make_staff(pg_db)
    set_calendar(pg_db, workdays=list(range(7)), observe_us_federal_holidays=False)
    plans = [new_plan(pg_db, staff, f"MRN-{i}") for i in range(3)]
    for plan in plans:
        weekly(pg_db, staff, plan.id)
        careplans.add_intervention(
            pg_db,
            staff.provider,
            plan.id,
            "Daily check",
            "FREQ=DAILY",
            MONDAY,
            role_key="care_coordinator",
        )
    through = MONDAY + timedelta(weeks=4)
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def run(actor):
        try:
            barrier.wait()
            results.append(care_tasks.generate_due_tasks(pg_db, actor, through))
        except Exception as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(a,)) for a in (staff.care_coordinator, staff.provider)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    per_plan = 5 + care_tasks.CATCH_UP_CAP  # 5 Mondays; 29 days capped to 12
    assert sum(r.created for r in results) == 3 * per_plan
    with pg_db.read() as s:
        assert s.scalar(select(func.count(Task.id))) == 3 * per_plan
        assert audit.verify(s).ok  # both writers kept the audit chain intact
