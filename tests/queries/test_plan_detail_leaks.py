"""Leaks between roles (security.md item 2): ``plan_detail`` shows billing and front desk —
who may see the plan — none of the care-task rows (reference, title, owner) of a workflow
they do not work on, nor counts of them, while the care coordinator sees them all. Both
engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import careplans as q
from practiceboard.queries.tasks import task_detail
from practiceboard.services import care_tasks, careplans, patients
from support import Clock, program

NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
START = date(2026, 3, 2)


def test_plan_detail_hides_care_task_rows_from_billing_and_front_desk(db, staff, monkeypatch):
    Clock(monkeypatch, NOW)
    patient = patients.create_patient(db, staff.front_desk, "L-1", "Lena Leak").id
    plan = careplans.create_care_plan(db, staff.provider, patient, program(db, "ccm"),
                                      staff.care_coordinator.user_id, START)  # fmt: skip
    careplans.add_intervention(db, staff.provider, plan.id, "Secret-titled BP call",
                               "FREQ=WEEKLY;BYDAY=MO", START)  # fmt: skip
    care_tasks.generate_due_tasks(db, staff.care_coordinator, date(2026, 3, 20))
    seen = q.plan_detail(db, staff.care_coordinator, plan.id)
    assert seen.open_tasks and seen.plan.open_tasks == len(seen.open_tasks)
    hidden_task = seen.open_tasks[0]
    for who in (staff.billing, staff.front_desk):
        try:
            detail = q.plan_detail(db, who, plan.id)
        except PermissionDenied:
            continue  # a role that may not see the plan at all sees no rows either
        assert detail.open_tasks == ()
        assert (detail.plan.open_tasks, detail.plan.overdue_tasks) == (0, 0)
        text = repr(detail)
        assert hidden_task.ref not in text and "Secret-titled" not in repr(detail.open_tasks)
        with pytest.raises(PermissionDenied):  # and opening the task is refused, as before
            task_detail(db, who, hidden_task.id)
