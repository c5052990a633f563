"""Care plans: who may change which fields, optimistic locking, goals,
interventions and notes — each change audited against the patient."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from practiceboard.db.models import CarePlan, Setting
from practiceboard.domain.errors import ConflictError, PermissionDenied, ValidationError
from practiceboard.services import careplans, patients
from support import Clock, audit_rows, make_staff, program

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # a Wednesday; 9:00 AM in Chicago
START = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    Clock(monkeypatch, NOW)


def new_patient(db, staff, mrn: str = "MRN-1") -> int:
    return patients.create_patient(db, staff.front_desk, mrn, "Jane Doe").id


def new_plan(db, staff, mrn: str = "MRN-1", **kw) -> careplans.PlanSaved:
    return careplans.create_care_plan(
        db,
        staff.care_coordinator,
        new_patient(db, staff, mrn),
        program(db),
        staff.care_coordinator.user_id,
        START,
        **kw,
    )


# ---------------------------------------------------------------- creating a plan


def test_coordinator_creates_a_plan_and_it_is_audited_against_the_patient(db, staff):
    plan = new_plan(db, staff, review_date=date(2026, 6, 1))
    assert (plan.status, plan.version) == ("active", 1)
    with db.read() as s:
        row = s.get(CarePlan, plan.id)
        assert (row.risk, row.summary, row.owner_id, row.updated_by_id) == (
            "low",
            "",
            staff.care_coordinator.user_id,
            staff.care_coordinator.user_id,
        )
    [entry] = audit_rows(db, "careplan.create")
    assert (entry.patient_id, entry.category, entry.entity_id) == (
        plan.patient_id,
        "patient",
        str(plan.id),
    )
    assert '"program": "ccm"' in entry.new_values


def test_risk_or_summary_at_creation_needs_the_clinical_capability(db, staff):
    patient = new_patient(db, staff)
    with pytest.raises(PermissionDenied):
        careplans.create_care_plan(
            db,
            staff.care_coordinator,
            patient,
            program(db),
            staff.care_coordinator.user_id,
            START,
            risk="high",
        )
    [entry] = audit_rows(db, "careplan.create")
    assert (entry.outcome, entry.patient_id) == ("denied", patient)
    plan = careplans.create_care_plan(
        db,
        staff.provider,
        patient,
        program(db),
        staff.care_coordinator.user_id,
        START,
        risk="high",
        summary="Falls risk; lives alone.",
    )
    with db.read() as s:
        assert s.get(CarePlan, plan.id).risk == "high"


def test_who_may_create_plans(db, staff):
    for i, role in enumerate(["clinical", "provider", "care_coordinator", "manager"]):
        careplans.create_care_plan(
            db,
            getattr(staff, role),
            new_patient(db, staff, f"M-{i}"),
            program(db),
            staff.clinical.user_id,
            START,
        )
    patient = new_patient(db, staff, "M-X")
    for role in ["front_desk", "billing", "admin"]:
        with pytest.raises(PermissionDenied):
            careplans.create_care_plan(
                db, getattr(staff, role), patient, program(db), staff.clinical.user_id, START
            )


def test_plan_input_is_checked(db, staff):
    plan = new_plan(db, staff)
    cases = [
        (dict(program_id=program(db)), "program"),  # a second open plan in the same program
        (dict(risk="extreme"), "risk"),
        (dict(review_date=date(2026, 3, 1)), "review_date"),
        (dict(status="closed"), "status"),
        (dict(owner_id=9999), "owner"),
        (dict(program_id=9999), "program"),
        (dict(summary="x" * 2001), "summary"),
    ]
    for kw, field in cases:
        args = dict(program_id=program(db, "rpm"), owner_id=staff.care_coordinator.user_id) | kw
        with pytest.raises(ValidationError) as err:
            careplans.create_care_plan(
                db, staff.provider, plan.patient_id, start_date=START, **args
            )
        assert err.value.field == field, kw
    assert (
        careplans.create_care_plan(
            db,
            staff.provider,
            plan.patient_id,
            program(db, "rpm"),
            staff.care_coordinator.user_id,
            START,
        ).status
        == "active"
    )


# ---------------------------------------------------------------- clinical vs operational


def test_only_a_provider_edits_clinical_fields(db, staff):
    plan = new_plan(db, staff)
    for role in ["care_coordinator", "clinical", "manager", "front_desk", "admin"]:
        with pytest.raises(PermissionDenied):
            careplans.update_plan_clinical(
                db, getattr(staff, role), plan.id, expected_version=1, risk="high"
            )
    denied = audit_rows(db, "careplan.update_clinical")
    assert len(denied) == 5 and {e.patient_id for e in denied} == {plan.patient_id}
    saved = careplans.update_plan_clinical(
        db,
        staff.provider,
        plan.id,
        expected_version=1,
        risk="medium",
        summary="Needs weekly BP checks.",
    )
    assert saved.version == 2
    entry = audit_rows(db, "careplan.update_clinical")[-1]
    assert entry.outcome == "success" and '"risk": "low"' in entry.old_values
    assert '"risk": "medium"' in entry.new_values and "weekly BP" in entry.new_values


def test_care_coordinator_edits_operational_fields(db, staff):
    plan = new_plan(db, staff)
    saved = careplans.update_plan_operational(
        db,
        staff.care_coordinator,
        plan.id,
        expected_version=1,
        owner_id=staff.clinical.user_id,
        review_date=date(2026, 6, 1),
    )
    assert saved.version == 2
    with db.read() as s:
        row = s.get(CarePlan, plan.id)
        assert (row.owner_id, row.review_date) == (staff.clinical.user_id, date(2026, 6, 1))
    [entry] = audit_rows(db, "careplan.update")
    assert entry.patient_id == plan.patient_id
    assert f'"owner_id": {staff.care_coordinator.user_id}' in entry.old_values
    assert "status" not in entry.new_values
    for role in ["front_desk", "billing", "admin"]:
        with pytest.raises(PermissionDenied):
            careplans.update_plan_operational(
                db, getattr(staff, role), plan.id, expected_version=2, review_date=None
            )
    unchanged = careplans.update_plan_operational(
        db, staff.manager, plan.id, expected_version=2, review_date=date(2026, 6, 1)
    )
    assert unchanged.version == 2  # nothing changed, nothing written


def test_status_moves_close_and_reopen(db, staff):
    plan = new_plan(db, staff)
    op = lambda v, **kw: careplans.update_plan_operational(  # noqa: E731
        db, staff.care_coordinator, plan.id, expected_version=v, **kw
    )
    with pytest.raises(ValidationError) as err:
        op(1, status="on_hold")
    assert err.value.field == "status_note"
    assert op(1, status="on_hold", status_note="In hospital").status == "on_hold"
    assert op(2, status="active").status == "active"
    with pytest.raises(ValidationError) as err:
        op(3, status="closed", status_reason="bored")
    assert err.value.field == "status_reason"
    closed = op(3, status="closed", status_reason="completed")
    with db.read() as s:
        assert s.get(CarePlan, plan.id).end_date == date(2026, 3, 4)  # today, practice time
    with pytest.raises(ValidationError) as err:
        op(4, status="draft")
    assert err.value.field == "status"
    with pytest.raises(ValidationError):
        careplans.update_plan_clinical(db, staff.provider, plan.id, expected_version=4, risk="high")
    with pytest.raises(ValidationError):
        careplans.add_goal(db, staff.provider, plan.id, "Walk daily")
    assert op(closed.version, status="active").status == "active"
    with db.read() as s:
        assert s.get(CarePlan, plan.id).end_date is None
    with pytest.raises(ValidationError) as err:
        op(5, end_date=date(2026, 1, 1))
    assert err.value.field == "end_date"


def test_two_users_saving_the_same_version_conflict(db, staff):
    with db.write() as s:
        s.execute(
            update(Setting)
            .where(Setting.key == "calendar")
            .values(value={"timezone": "America/Chicago"})
        )
    plan = new_plan(db, staff)
    careplans.update_plan_operational(
        db, staff.care_coordinator, plan.id, expected_version=1, review_date=date(2026, 5, 1)
    )
    with pytest.raises(ConflictError) as err:
        careplans.update_plan_clinical(db, staff.provider, plan.id, expected_version=1, risk="high")
    assert err.value.changed_by == "Cora Coordinator"
    assert err.value.message == (
        "This care plan was changed by Cora Coordinator at 9:00 AM on Mar 4 — reload to see "
        "their change."
    )
    with db.read() as s:
        assert s.get(CarePlan, plan.id).risk == "low"  # no silent overwrite
    assert audit_rows(db, "careplan.update_clinical") == []


# ---------------------------------------------------------------- goals and interventions


def test_provider_adds_and_updates_goals(db, staff):
    plan = new_plan(db, staff)
    first = careplans.add_goal(db, staff.provider, plan.id, "  A1c under 8 ", date(2026, 9, 1))
    second = careplans.add_goal(db, staff.provider, plan.id, "Walk 30 minutes daily")
    assert (first.description, first.status, first.position, second.position) == (
        "A1c under 8",
        "open",
        1,
        2,
    )
    met = careplans.update_goal(db, staff.provider, first.id, status="met")
    assert (met.status, met.target_date) == ("met", date(2026, 9, 1))
    with pytest.raises(ValidationError):
        careplans.update_goal(db, staff.provider, first.id, status="done")
    with pytest.raises(ValidationError):
        careplans.add_goal(db, staff.provider, plan.id, "  ")
    with pytest.raises(PermissionDenied):
        careplans.add_goal(db, staff.care_coordinator, plan.id, "Lose weight")
    with pytest.raises(PermissionDenied):
        careplans.update_goal(db, staff.care_coordinator, first.id, status="dropped")
    assert [e.outcome for e in audit_rows(db, "careplan.goal.add")] == [
        "success",
        "success",
        "denied",
    ]
    [upd, denied] = audit_rows(db, "careplan.goal.update")
    assert (upd.patient_id, upd.old_values, upd.new_values) == (
        plan.patient_id,
        '{"status": "open"}',
        '{"status": "met"}',
    )
    assert (denied.outcome, denied.patient_id) == ("denied", plan.patient_id)


def test_interventions_validate_cadence_and_compute_next_due(db, staff):
    plan = new_plan(db, staff)
    goal = careplans.add_goal(db, staff.provider, plan.id, "BP under 140/90")
    iv = careplans.add_intervention(
        db,
        staff.provider,
        plan.id,
        "BP check call",
        "freq=weekly; byday=mo",
        date(2026, 3, 4),
        goal_id=goal.id,
        role_key="care_coordinator",
    )
    assert (iv.cadence, iv.cadence_text) == ("FREQ=WEEKLY;BYDAY=MO", "Weekly on Monday")
    assert iv.next_due == date(2026, 3, 9)  # first Monday on or after the start
    assert (iv.goal_id, iv.role_name, iv.active) == (goal.id, "Care coordinator", True)
    monthly = careplans.add_intervention(
        db, staff.provider, plan.id, "Med review", "FREQ=MONTHLY", date(2026, 3, 4)
    )
    assert monthly.next_due == date(2026, 3, 4)  # the start itself is the first occurrence
    [entry, _] = audit_rows(db, "careplan.intervention.add")
    assert entry.patient_id == plan.patient_id and "FREQ=WEEKLY;BYDAY=MO" in entry.new_values

    for cadence in ["", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;COUNT=3", "nonsense"]:
        with pytest.raises(ValidationError) as err:
            careplans.add_intervention(db, staff.provider, plan.id, "Call", cadence, START)
        assert err.value.field == "cadence", cadence
    other = new_plan(db, staff, "MRN-2")
    bad = [
        (dict(goal_id=goal.id), "goal"),
        (dict(role_key="nurse"), "role"),
        (dict(owner_id=9999), "owner"),
        (dict(title=" "), "title"),
    ]
    for kw, field in bad:
        args = dict(title="Call", cadence="FREQ=WEEKLY", start_date=START) | kw
        with pytest.raises(ValidationError) as err:
            careplans.add_intervention(db, staff.provider, other.id, **args)
        assert err.value.field == field
    with pytest.raises(PermissionDenied):
        careplans.add_intervention(
            db, staff.care_coordinator, plan.id, "Call", "FREQ=WEEKLY", START
        )


def test_deactivating_an_intervention(db, staff):
    plan = new_plan(db, staff)
    iv = careplans.add_intervention(db, staff.provider, plan.id, "Call", "FREQ=WEEKLY", START)
    with pytest.raises(PermissionDenied):
        careplans.deactivate_intervention(db, staff.care_coordinator, iv.id)
    assert careplans.deactivate_intervention(db, staff.provider, iv.id).active is False
    assert careplans.deactivate_intervention(db, staff.provider, iv.id).active is False
    assert [e.outcome for e in audit_rows(db, "careplan.intervention.deactivate")] == [
        "denied",
        "success",
    ]  # the second call changed nothing


# ---------------------------------------------------------------- notes


def test_plan_notes(db, staff):
    plan = new_plan(db, staff)
    note = careplans.add_plan_note(db, staff.care_coordinator, plan.id, "  Left voicemail. ")
    assert (note.body, note.author_name, note.care_plan_id, note.at) == (
        "Left voicemail.",
        "Cora Coordinator",
        plan.id,
        NOW,
    )
    with pytest.raises(ValidationError):
        careplans.add_plan_note(db, staff.care_coordinator, plan.id, "   ")
    with pytest.raises(PermissionDenied):
        careplans.add_plan_note(db, staff.billing, plan.id, "Hello")
    ok, denied = audit_rows(db, "careplan.note")
    assert (ok.patient_id, ok.entity, ok.entity_id) == (plan.patient_id, "note", str(note.id))
    assert (denied.outcome, denied.patient_id) == ("denied", plan.patient_id)


@pytest.mark.postgres
def test_two_pcs_saving_at_the_same_moment_exactly_one_wins(pg_db):
    staff = make_staff(pg_db)
    plan = new_plan(pg_db, staff)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[object] = []

    def save(fn):
        barrier.wait()
        try:
            outcomes.append(fn())
        except ConflictError as err:
            outcomes.append(err)

    calls = [
        lambda: careplans.update_plan_clinical(
            pg_db, staff.provider, plan.id, expected_version=1, risk="high"
        ),
        lambda: careplans.update_plan_operational(
            pg_db, staff.care_coordinator, plan.id, expected_version=1, review_date=date(2026, 5, 1)
        ),
    ]
    threads = [threading.Thread(target=save, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    wins = [o for o in outcomes if isinstance(o, careplans.PlanSaved)]
    lost = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(wins) == len(lost) == 1
    assert wins[0].version == 2 and "reload" in lost[0].message
    with pg_db.read() as s:
        row = s.get(CarePlan, plan.id)
        assert (row.risk == "high") != (row.review_date == date(2026, 5, 1))  # only the winner's
