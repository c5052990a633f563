"""Metrics over a small history whose answers are known (workflows.md "Metrics")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import metrics
from support import make_task, move, version

H = 3600.0
DAY0 = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)  # Wednesday 10:00 in New York
PERIOD = (datetime(2025, 3, 12, tzinfo=UTC), datetime(2025, 3, 14, tzinfo=UTC))


@pytest.fixture
def history(db, staff, clock):
    """Records: four tasks closed after 1, 2, 3 and 10 hours (the last one reopened
    once, one handed over by hand). Supply: two approvals, one sent back first."""
    from practiceboard.services import task_actions

    fd, cl, mgr = staff.front_desk, staff.clinical, staff.manager

    def at(hours: float):
        clock.set(DAY0 + timedelta(hours=hours))

    at(0)
    t1, t2, t3, t4 = (make_task(db, fd, "records", f"Records {i}") for i in range(1, 5))
    s1 = make_task(db, cl, "supply", "Gloves")
    s2 = make_task(db, cl, "supply", "Masks")
    s3 = make_task(db, cl, "supply", "Gold-plated stethoscope")
    for s in (s1, s2, s3):
        move(db, cl, s, "ready")  # into review, handed to the manager by rule
    at(0.5)
    task_actions.hand_off(db, fd, t2, cl.user_id, expected_version=version(db, t2))
    at(1)
    move(db, fd, t1, "received")
    move(db, mgr, s2, "needs_info", reason=("needs_info", "missing_document"))
    at(1.5)
    move(db, mgr, s3, "rejected", reason=("rejection", "over_budget"))
    at(2)
    move(db, cl, t2, "received")
    move(db, mgr, s1, "approved")
    at(3)
    move(db, fd, t3, "cancelled", reason=("exception", "duplicate"))
    move(db, cl, s2, "ready")
    at(4)
    move(db, fd, t4, "received")
    move(db, mgr, s2, "approved")
    at(5)
    move(db, fd, t4, "requested", reason=("reopen", "new_information"))
    at(10)
    move(db, fd, t4, "received")
    return {"t4": t4}


def by_key(rows):
    return {r.key: r for r in rows}


def test_cycle_time_median_and_p90(db, staff, history):
    rows = by_key(metrics.cycle_time(db, staff.manager, *PERIOD))
    rec = rows["records"]
    assert rec.count == 4
    assert rec.median_seconds == pytest.approx(2.5 * H)
    assert rec.p90_seconds == pytest.approx(7.9 * H)  # 3h + 0.7 × (10h − 3h)
    assert rec.total_seconds == pytest.approx(16 * H)
    sup = rows["supply"]
    assert sup.count == 3 and sup.median_seconds == pytest.approx(2 * H)  # 1.5h, 2h, 4h
    assert rows["billing"].count == 0 and rows["billing"].median_seconds is None
    later = metrics.cycle_time(db, staff.manager, PERIOD[1], PERIOD[1] + timedelta(days=1))
    assert all(r.count == 0 for r in later)


def test_reopen_rate(db, staff, history):
    rec = by_key(metrics.reopen_rate(db, staff.manager, *PERIOD))["records"]
    assert (rec.numerator, rec.denominator, rec.rate) == (1, 4, 0.25)
    assert by_key(metrics.reopen_rate(db, staff.manager, *PERIOD))["billing"].rate is None


def test_reassignment_rate_counts_only_handoffs_people_chose(db, staff, history):
    rows = by_key(metrics.reassignment_rate(db, staff.manager, *PERIOD))
    assert (rows["records"].numerator, rows["records"].denominator) == (1, 4)
    assert (rows["supply"].numerator, rows["supply"].denominator) == (0, 3)  # rule handoffs


def test_rework_rate_and_approval_turnaround(db, staff, history):
    rework = by_key(metrics.rework_rate(db, staff.manager, *PERIOD))["supply"]
    assert (rework.numerator, rework.denominator) == (1, 3)
    turn = by_key(metrics.approval_turnaround(db, staff.manager, *PERIOD))["supply"]
    # decisions: sent back after 1h, rejected after 1.5h, approved after 2h, approved 1h
    # after being sent for review again
    assert turn.count == 4
    assert turn.median_seconds == pytest.approx(1.25 * H)
    assert turn.p90_seconds == pytest.approx(1.5 * H + 0.7 * 0.5 * H)


def test_time_in_status_from_the_events(db, staff, history):
    rows = {r.label: r for r in metrics.time_in_status(db, staff.manager, *PERIOD)}
    new = rows["Records request · New"]
    assert new.count == 4 and new.total_seconds == pytest.approx(10 * H)  # 1 + 2 + 3 + 4
    assert new.median_seconds == pytest.approx(2.5 * H)
    assert rows["Records request · Requested"].total_seconds == pytest.approx(5 * H)
    assert rows["Records request · Received"].total_seconds == pytest.approx(1 * H)  # till reopen
    assert rows["Supply reorder · Ready for review"].count == 4


def test_top_reasons(db, staff, history):
    top = metrics.top_reasons(db, staff.manager, *PERIOD)
    assert {(r.key, r.label, r.count) for r in top} == {
        ("exception:duplicate", "Duplicate", 1),
        ("rejection:over_budget", "Over budget", 1),
    }
    reopen = metrics.top_reasons(db, staff.manager, *PERIOD, kinds=("reopen",))
    assert [(r.key, r.count) for r in reopen] == [("reopen:new_information", 1)]


def test_metrics_are_reports(db, staff, history):
    with pytest.raises(PermissionDenied):
        metrics.cycle_time(db, staff.front_desk, *PERIOD)
    assert metrics.cycle_time(db, staff.admin, *PERIOD)  # admins see reports


def test_percentile():
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([4.0], 0.9) == 4.0
    assert metrics.percentile([1, 2, 3, 10], 0.5) == 2.5
    assert metrics.percentile([10, 1, 3, 2], 0.9) == pytest.approx(7.9)


def test_metrics_narrowed_to_a_role_and_a_location(db, staff, history):
    """The dashboard's location and role pickers narrow its metric tables too."""
    front_desk = metrics.Narrow(role_keys=("front_desk",))
    rec = by_key(metrics.cycle_time(db, staff.manager, *PERIOD, front_desk))["records"]
    assert rec.count == 3  # Records 2 was handed to the clinical team
    reassigned = by_key(metrics.reassignment_rate(db, staff.manager, *PERIOD, front_desk))
    assert (reassigned["records"].numerator, reassigned["records"].denominator) == (0, 3)
    clinical = metrics.Narrow(role_keys=("clinical",))
    clin = by_key(metrics.reopen_rate(db, staff.manager, *PERIOD, clinical))["records"]
    assert (clin.numerator, clin.denominator) == (0, 1)  # Records 2, closed once
    nowhere = metrics.Narrow(location_ids=(10**6,))
    assert all(r.count == 0 for r in metrics.cycle_time(db, staff.manager, *PERIOD, nowhere))
    assert all(r.count == 0 for r in metrics.time_in_status(db, staff.manager, *PERIOD, nowhere))
    assert all(
        r.count == 0 for r in metrics.approval_turnaround(db, staff.manager, *PERIOD, nowhere)
    )
    assert all(r.denominator == 0 for r in metrics.rework_rate(db, staff.manager, *PERIOD, nowhere))
    assert metrics.top_reasons(db, staff.manager, *PERIOD, narrow=nowhere) == []
    everywhere = by_key(metrics.cycle_time(db, staff.manager, *PERIOD, metrics.Narrow()))
    assert everywhere["records"].count == 4
