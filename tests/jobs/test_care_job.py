"""The scheduled care-task generation: practice-wide under its lease, run as the
signed-in user of the PC holding it; a PC whose user may not generate lets go."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from practiceboard.db.models import Task
from practiceboard.jobs import care, lease
from practiceboard.jobs.scheduler import Scheduler
from practiceboard.services import careplans, patients
from support import Clock

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_the_job_generates_under_its_lease_and_a_billing_pc_lets_go(db, staff, monkeypatch):
    clock = Clock(monkeypatch, NOW)
    pid = patients.create_patient(db, staff.front_desk, "M-1", "Pat Doe").id
    careplans.create_plan_from_template(
        db, staff.care_coordinator, pid, "chf_weekly", staff.care_coordinator.user_id,
        date(2026, 3, 2),
    )  # fmt: skip
    results = []
    billing_pc = Scheduler(db, "billing-pc", lambda n, v: results.append(("billing", v)))
    billing_pc.practice_wide(
        care.JOB, lambda: care.generate(db, staff.billing, "billing-pc"), care.EVERY_SECONDS
    )
    billing_pc.run_now(care.JOB)
    assert results == [("billing", None)]
    assert lease.holder_of(db, care.JOB) is None  # given back at once
    clock.advance(seconds=1)
    nurse_pc = Scheduler(db, "nurse-pc", lambda n, v: results.append(("nurse", v)))
    nurse_pc.practice_wide(
        care.JOB, lambda: care.generate(db, staff.care_coordinator, "nurse-pc"),
        care.EVERY_SECONDS,
    )  # fmt: skip
    nurse_pc.run_now(care.JOB)
    assert results[-1][0] == "nurse" and results[-1][1].created == 3
    assert lease.holder_of(db, care.JOB) == "nurse-pc"
    billing_pc.run_now(care.JOB)  # the lease is the nurse PC's: skipped
    assert len(results) == 2
    clock.advance(days=7)
    nurse_pc.run_now(care.JOB)
    assert results[-1][1].created == 1
    with db.read() as s:
        assert s.scalar(select(func.count(Task.id))) == 4
    assert timedelta(seconds=care.EVERY_SECONDS) == timedelta(hours=1)
