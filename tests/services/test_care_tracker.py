"""The care plan tracker's services: plans from templates, the clinical/operational
split, hold and close (with the plan's open generated tasks), and generation that
keeps three upcoming, skips closed days, starts aging at the lead window and runs
once from two PCs."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from practiceboard.db.engine import Database
from practiceboard.db.models import CareGoal, CareIntervention, CarePlan, Task
from practiceboard.domain.aging import untouched_cutoff
from practiceboard.domain.calendar import PracticeCalendar
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import careplans as plan_queries
from practiceboard.services import care_tasks, careplans, patients
from support import (
    NY,
    TZ,
    Clock,
    audit_rows,
    events,
    make_staff,
    set_calendar,
    status_key,
    use_new_york,
    values,
)

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday 9:00 in New York
MONDAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    return Clock(monkeypatch, NOW)


@pytest.fixture(autouse=True)
def new_york(request):
    if "db" in request.fixturenames:
        use_new_york(request.getfixturevalue("db"))


def patient(db, staff, mrn="MRN-1") -> int:
    return patients.create_patient(db, staff.front_desk, mrn, f"Patient {mrn}").id


def from_template(db, staff, key, mrn="MRN-1", actor=None):
    return careplans.create_plan_from_template(
        db, actor or staff.care_coordinator, patient(db, staff, mrn), key,
        staff.care_coordinator.user_id, MONDAY,
    )  # fmt: skip


def tasks_of(db, plan_id) -> list:
    """The plan's tasks as plain values, by due date."""
    with db.read() as s:
        rows = s.scalars(select(Task).where(Task.care_plan_id == plan_id).order_by(Task.due_date))
        return [values(t) for t in rows]


def test_a_coordinator_makes_a_monthly_plan_from_a_template_and_sees_three_check_ins(db, staff):
    plan = from_template(db, staff, "monthly_checkin")
    with db.read() as s:
        row = s.get(CarePlan, plan.id)
        assert (row.template_key, row.status, row.risk) == ("monthly_checkin", "active", "low")
        assert row.review_date == date(2026, 6, 2)
        assert s.scalar(select(func.count(CareGoal.id)).where(CareGoal.care_plan_id == plan.id))
        [iv] = s.scalars(select(CareIntervention).where(CareIntervention.care_plan_id == plan.id))
        assert (iv.cadence, iv.next_due) == ("FREQ=MONTHLY", MONDAY)
        iv, row = values(iv), values(row)
    result = care_tasks.generate_for_plan(db, staff.care_coordinator, plan.id)
    assert result.created == 3
    made = tasks_of(db, plan.id)
    # May 2 is a Saturday: due the next open day.
    assert [t.due_date for t in made] == [MONDAY, date(2026, 4, 2), date(2026, 5, 4)]
    assert {(t.owner_id, t.intervention_id, t.patient_id) for t in made} == {
        (staff.care_coordinator.user_id, iv.id, row.patient_id)
    }
    assert care_tasks.generate_for_plan(db, staff.care_coordinator, plan.id).created == 0
    assert care_tasks.generate_due_tasks(db, staff.care_coordinator).created == 0
    actions = [a.action for a in audit_rows(db) if a.patient_id == row.patient_id]
    assert actions[:4] == ["patient.create", "careplan.create", "careplan.goal.add",
                           "careplan.intervention.add"]  # fmt: skip


def test_templates_are_checked_and_need_the_operational_capability(db, staff):
    with pytest.raises(ValidationError) as err:
        from_template(db, staff, "no_such_template")
    assert err.value.field == "template"
    with pytest.raises(PermissionDenied):
        from_template(db, staff, "chf_weekly", "MRN-2", actor=staff.billing)
    assert audit_rows(db, "careplan.create")[-1].outcome == "denied"
    tcm = from_template(db, staff, "transitional_30", "MRN-3")
    with db.read() as s:
        assert s.get(CarePlan, tcm.id).end_date == MONDAY + timedelta(days=30)
        cadences = sorted(
            s.scalars(
                select(CareIntervention.cadence).where(CareIntervention.care_plan_id == tcm.id)
            )
        )
    assert cadences == ["FREQ=WEEKLY", "ONCE", "ONCE", "ONCE"]


def test_clinical_fields_for_clinical_roles_operational_for_coordinators(db, staff):
    plan = from_template(db, staff, "chf_weekly")
    with db.read() as s:
        iv_id = s.scalars(
            select(CareIntervention.id).where(CareIntervention.care_plan_id == plan.id)
        ).one()
        goal_id = s.scalars(select(CareGoal.id).where(CareGoal.care_plan_id == plan.id)).first()
    coordinator, provider, manager = staff.care_coordinator, staff.provider, staff.manager
    refused = [
        lambda: careplans.update_plan_clinical(
            db, coordinator, plan.id, expected_version=1, risk="high"
        ),
        lambda: careplans.add_goal(db, coordinator, plan.id, "Walk daily"),
        lambda: careplans.update_goal(db, coordinator, goal_id, status="met"),
        lambda: careplans.update_intervention(db, coordinator, iv_id, title="Daily call"),
        lambda: careplans.update_intervention(db, manager, iv_id, title="Daily call"),
    ]
    for attempt in refused:
        with pytest.raises(PermissionDenied):
            attempt()
    moved = careplans.update_intervention(
        db, coordinator, iv_id, cadence="FREQ=WEEKLY;BYDAY=TH", owner_id=coordinator.user_id
    )
    assert (moved.cadence, moved.owner_id, moved.next_due) == (
        "FREQ=WEEKLY;BYDAY=TH", coordinator.user_id, date(2026, 3, 5),
    )  # fmt: skip
    assert careplans.update_intervention(db, provider, iv_id, title="Weigh-in call").title == (
        "Weigh-in call"
    )
    assert careplans.update_goal(db, provider, goal_id, status="not_met", target="2 lb").status == (
        "not_met"
    )
    last = audit_rows(db, "careplan.intervention.update")
    assert [a.outcome for a in last] == ["denied", "denied", "success", "success"]
    assert '"cadence": "FREQ=WEEKLY"' in last[2].old_values
    assert '"cadence": "FREQ=WEEKLY;BYDAY=TH"' in last[2].new_values


def test_hold_pauses_generation_and_close_stops_it_and_closes_its_tasks(db, staff, fixed_clock):
    plan = from_template(db, staff, "chf_weekly")
    coordinator = staff.care_coordinator
    assert care_tasks.generate_for_plan(db, coordinator, plan.id).created == 3  # 3 Mondays
    with pytest.raises(ValidationError):
        careplans.hold_plan(db, coordinator, plan.id, expected_version=1, reason=" ")
    held = careplans.hold_plan(db, coordinator, plan.id, expected_version=1, reason="In hospital")
    fixed_clock.advance(days=14)
    assert care_tasks.generate_due_tasks(db, coordinator).created == 0
    assert care_tasks.generate_for_plan(db, coordinator, plan.id).created == 0
    resumed = careplans.resume_plan(db, coordinator, plan.id, expected_version=held.version)
    assert care_tasks.generate_due_tasks(db, coordinator).created == 2  # Mar 23, Mar 30
    with pytest.raises(ValidationError) as err:
        careplans.close_generated_tasks(db, coordinator, plan.id)
    assert err.value.field == "status"
    with pytest.raises(ValidationError):
        careplans.close_plan(db, coordinator, plan.id, expected_version=resumed.version,
                             reason="bored")  # fmt: skip
    closed = careplans.close_plan(
        db, coordinator, plan.id, expected_version=resumed.version, reason="transferred",
        note="Moved to Ohio",
    )  # fmt: skip
    fixed_clock.advance(days=14)
    assert care_tasks.generate_due_tasks(db, coordinator).created == 0
    detail = plan_queries.plan_detail(db, coordinator, plan.id)
    assert (detail.status_reason, detail.status_note) == ("transferred", "Moved to Ohio")
    assert len(detail.open_generated) == 5
    done = careplans.close_generated_tasks(db, coordinator, plan.id)
    assert (len(done.closed), done.left) == (5, 0)
    made = tasks_of(db, plan.id)
    assert all(t.closed_at is not None for t in made)
    assert {status_key(db, t.status_id) for t in made} == {"cancelled"}
    assert made[0].reason_note == "Care plan closed: Transferred — Moved to Ohio"
    [*_, last] = events(db, made[0].id)
    assert (last.kind, last.note) == ("status", "Care plan closed: Transferred — Moved to Ohio")
    assert careplans.close_generated_tasks(db, coordinator, plan.id).closed == ()
    assert plan_queries.plan_detail(db, coordinator, plan.id).open_generated == ()
    assert closed.status == "closed"


def test_closed_days_move_a_task_to_the_next_open_day_never_twice(db, staff):
    set_calendar(db, extra_holidays=["2026-03-09"])  # a Monday the practice is closed
    plan = from_template(db, staff, "chf_weekly")
    care_tasks.generate_due_tasks(db, staff.care_coordinator, MONDAY + timedelta(weeks=3))
    assert [t.due_date for t in tasks_of(db, plan.id)] == [
        MONDAY, date(2026, 3, 10), date(2026, 3, 16), date(2026, 3, 23),
    ]  # fmt: skip
    daily = careplans.add_intervention(
        db, staff.provider, plan.id, "Daily weight", "FREQ=DAILY", MONDAY
    )
    care_tasks.generate_due_tasks(db, staff.care_coordinator, MONDAY + timedelta(days=8))
    with db.read() as s:
        dues = list(s.scalars(select(Task.due_date).where(Task.intervention_id == daily.id)))
    # No weekend, no holiday, and Saturday's and Sunday's are not piled onto Monday.
    assert sorted(dues) == [MONDAY + timedelta(days=d) for d in (0, 1, 2, 3, 4, 8)]


def test_a_task_generated_early_starts_aging_at_its_lead_window(db, staff, fixed_clock):
    plan = from_template(db, staff, "monthly_checkin")
    care_tasks.generate_for_plan(db, staff.care_coordinator, plan.id)
    now_task, april, may = tasks_of(db, plan.id)
    assert now_task.last_touched_at == NOW  # due today: its clock runs from now
    lead = datetime(2026, 4, 20, tzinfo=NY)  # May 4 less 14 days, midnight in New York
    assert (may.status_since, may.last_touched_at) == (lead, lead)
    assert april.last_touched_at == datetime(2026, 3, 19, tzinfo=NY)
    calendar = PracticeCalendar(TZ)
    tomorrow = fixed_clock.advance(days=1)
    assert may.last_touched_at > untouched_cutoff(tomorrow, calendar)  # not "untouched"
    with db.read() as s:
        assert s.get(Task, may.id).created_at == NOW


def test_two_pcs_on_one_sqlite_file_generate_each_task_once(sqlite_db):
    staff = make_staff(sqlite_db)
    use_new_york(sqlite_db)
    plans = [from_template(sqlite_db, staff, "chf_weekly", f"MRN-{i}") for i in range(4)]
    other_pc = Database(sqlite_db.url, workstation="front-pc")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run(database, actor):
        try:
            barrier.wait()
            results.append(care_tasks.generate_due_tasks(database, actor))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(sqlite_db, staff.care_coordinator)),
        threading.Thread(target=run, args=(other_pc, staff.provider)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other_pc.engine.dispose()
    other_pc.read_engine.dispose()
    assert errors == []
    assert sum(r.created for r in results) == 3 * len(plans)
    with sqlite_db.read() as s:
        assert s.scalar(select(func.count(Task.id))) == 3 * len(plans)
