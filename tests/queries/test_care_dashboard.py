"""The care dashboard's numbers on a known history, and the list behind each figure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from practiceboard.domain.errors import ValidationError
from practiceboard.queries import care_dashboard as q
from practiceboard.services import care_tasks, careplans, patients
from support import audit_rows, move

# The clock fixture: Wednesday 12 March 2025, 10:00 in New York.
TODAY = date(2025, 3, 12)


@pytest.fixture
def history(db, staff, clock):
    """Two weekly CHF plans (Cora owns) started four weeks ago, one medium-risk; a
    monthly hypertension plan (Cleo owns) started today. Nothing is worked except one
    weigh-in call done on time."""
    made = {}
    for mrn, start in [("A-1", TODAY - timedelta(weeks=4, days=2)),
                       ("B-2", TODAY - timedelta(weeks=4, days=2))]:  # fmt: skip
        pid = patients.create_patient(db, staff.front_desk, mrn, f"Pat {mrn}").id
        made[mrn] = careplans.create_plan_from_template(
            db, staff.care_coordinator, pid, "chf_weekly", staff.care_coordinator.user_id, start
        )
    careplans.update_plan_clinical(db, staff.provider, made["B-2"].id, expected_version=1,
                                   risk="medium")  # fmt: skip
    pid = patients.create_patient(db, staff.front_desk, "C-3", "Pat C-3").id
    made["C-3"] = careplans.create_plan_from_template(
        db, staff.care_coordinator, pid, "hypertension_monthly", staff.clinical.user_id, TODAY
    )
    care_tasks.generate_due_tasks(db, staff.care_coordinator, TODAY + timedelta(days=14),
                                  upcoming=0)  # fmt: skip
    first = min(t.id for t in q.figure_tasks(db, staff.manager, "overdue"))
    move(db, staff.care_coordinator, first, "in_progress")
    move(db, staff.care_coordinator, first, "completed")
    return made


def test_dashboard_numbers_on_a_known_history(db, staff, history):
    board = q.care_dashboard(db, staff.manager)
    # Weekly from Mon Feb 10: Feb 10, 17, 24, Mar 3, 10 are past — 5 each, one done: 9.
    assert board.overdue_total == 9
    assert [(r.label, r.count) for r in board.overdue_by_program] == [
        ("Chronic care management", 9)
    ]
    assert [(r.label, r.count) for r in board.overdue_by_owner] == [("Cora Coordinator", 9)]
    # Today: the hypertension BP call (Cleo's role: clinical) starts today.
    assert (board.due_today, board.due_this_week) == (1, 1)
    assert [(r.key, r.count) for r in board.risk_with_overdue] == [
        ("high", 0), ("medium", 1), ("low", 1),
    ]  # fmt: skip
    [rate] = board.completion
    assert (rate.key, rate.done, rate.due) == ("Weekly weigh-in call", 1, 10)  # since Feb 10
    weeks = dict(board.backlog)
    assert len(board.backlog) == 12 and board.backlog[-1][0] == TODAY
    assert weeks[TODAY] == 10  # nine overdue and today's call
    assert weeks[TODAY - timedelta(weeks=1)] == 0  # generated only today: no backlog before


def test_each_figure_opens_its_list_and_the_list_is_audited(db, staff, history):
    board = q.care_dashboard(db, staff.manager)
    program_id = board.overdue_by_program[0].key
    rows = q.figure_tasks(db, staff.manager, "overdue_program", program_id)
    assert len(rows) == 9 and {r.program_name for r in rows} == {"Chronic care management"}
    assert rows[0].patient_name is not None
    assert audit_rows(db, "careplan.dashboard_list")[-1].detail == f"overdue_program {program_id}"
    assert len(q.figure_tasks(db, staff.manager, "risk", "medium")) == 5  # all of B-2's
    assert [r.title for r in q.figure_tasks(db, staff.manager, "due_today")] == [
        "Monthly BP check call"
    ]
    done = q.figure_tasks(db, staff.manager, "completion", "Weekly weigh-in call")
    assert sum(r.closed for r in done) == 1 and len(done) == 10
    assert len(q.figure_tasks(db, staff.manager, "backlog")) == 10
    with pytest.raises(ValidationError):
        q.figure_tasks(db, staff.manager, "everything")
    # Billing works on no care plan tasks: nothing to count, nothing listed.
    assert q.care_dashboard(db, staff.billing).overdue_total == 0
    assert q.figure_tasks(db, staff.billing, "overdue") == []
