"""The dashboard: open work per status, owner, role and workflow, attention, aging."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from practiceboard.domain import aging
from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import tasks as q
from practiceboard.queries.dashboard import dashboard
from support import make_task, move, wf_id

TUE_APR_1 = datetime(2025, 4, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York
FRI_APR_4 = datetime(2025, 4, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def practice(db, staff, clock):
    fd, bil = staff.front_desk, staff.billing
    t = {"r1": make_task(db, fd, "referral", "Old referral")}  # Wed 12 March
    clock.set(TUE_APR_1)
    t["r2"] = make_task(db, fd, "referral", "Due Tuesday", due_date=date(2025, 4, 1))
    t["b1"] = make_task(db, bil, "billing", "Denied claim")
    t["rec1"] = make_task(db, fd, "records", "Waiting on the hospital")
    move(db, fd, t["rec1"], "waiting_sender", reason=("waiting", "records_pending"))
    t["rec2"] = make_task(db, fd, "records", "Duplicate")
    move(db, fd, t["rec2"], "cancelled", reason=("exception", "duplicate"))
    clock.set(FRI_APR_4)
    return t


def rows_by_label(rows) -> dict[str, tuple[int, int]]:
    return {r.label: (r.count, r.attention) for r in rows}


def test_manager_dashboard_counts_everything_open(db, staff, practice):
    d = dashboard(db, staff.manager)

    assert d.open_total == 4 and d.attention_total == 3
    wf = rows_by_label(d.by_workflow)
    assert wf["Referral intake"] == (2, 2)  # both past breach
    assert wf["Records request"] == (1, 0)  # waiting pauses the SLA; touched 3 days ago
    assert wf["Billing follow-up"] == (1, 1)
    assert wf["Clinical sign-off"] == (0, 0)
    assert len(d.by_workflow) == 8
    assert rows_by_label(d.by_owner) == {"Fran Front": (3, 2), "Bill Billing": (1, 1)}
    assert [r.label for r in d.by_owner] == ["Fran Front", "Bill Billing"]  # busiest first
    assert rows_by_label(d.by_role) == {"Front desk": (3, 2), "Billing": (1, 1)}
    by_status = rows_by_label(d.by_status)
    assert by_status["Referral intake · New"] == (2, 2)
    assert by_status["Records request · Waiting on sender"] == (1, 0)
    assert "Records request · Cancelled" not in by_status  # closed statuses are not open work
    assert sum(r.count for r in d.by_status) == d.open_total
    aging_rows = dict(d.aging)
    # r1: 23 days in New, r2: exactly 3 days
    assert aging_rows["Referral intake · New"] == (0, 1, 0, 1, 0)
    assert aging_rows["Records request · Waiting on sender"] == (0, 1, 0, 0, 0)
    assert all(len(counts) == len(aging.AGING_BUCKETS) for _, counts in d.aging)


def test_dashboard_agrees_with_the_cards(db, staff, practice):
    d = dashboard(db, staff.manager)
    cards = [
        c for c in q.board(db, staff.manager, None).cards if c.category not in ("done", "cancelled")
    ]
    assert d.open_total == len(cards)
    assert d.attention_total == sum(1 for c in cards if c.attention)
    buckets = [0] * len(aging.AGING_BUCKETS)
    for c in cards:
        buckets[aging.aging_bucket(aging.whole_days(c.status_since, FRI_APR_4))] += 1
    totals = [sum(counts[i] for _, counts in d.aging) for i in range(len(buckets))]
    assert totals == buckets


def test_others_see_only_their_workflows(db, staff, practice):
    d = dashboard(db, staff.front_desk)
    assert d.open_total == 3 and d.attention_total == 2
    assert "Billing follow-up" not in rows_by_label(d.by_workflow)
    with pytest.raises(PermissionDenied):
        dashboard(db, staff.front_desk, workflow_id=wf_id(db, "billing"))


def test_one_workflow(db, staff, practice):
    d = dashboard(db, staff.manager, workflow_id=wf_id(db, "referral"))
    assert d.open_total == 2 and d.attention_total == 2
    assert [r.label for r in d.by_status] == [
        "New", "Waiting on records", "Waiting on patient", "Ready to schedule"]  # fmt: skip
    assert rows_by_label(d.by_workflow) == {"Referral intake": (2, 2)}
    assert rows_by_label(d.by_owner) == {"Fran Front": (2, 2)}


def test_empty_practice(db, staff, clock):
    d = dashboard(db, staff.manager)
    assert d.open_total == 0 and d.attention_total == 0 and d.by_owner == ()
    assert all(r.count == 0 for r in d.by_status)
