"""The weekly report's counts over a known fortnight (tests/support/weekly.py): waiting
pauses, a reopened task and the July 4 holiday week."""

from __future__ import annotations

import pytest

from practiceboard.core.rows import TaskFilter
from practiceboard.domain.aging import AGING_BUCKETS
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.weeks import parse_week
from practiceboard.queries import dashboard, metrics, weekly
from support import HISTORY_FACTS, NY, weekly_history
from support.weekly import LAST, MRN, THIS


@pytest.fixture
def history(db, staff, clock):
    return weekly_history(db, staff, clock)


@pytest.mark.parametrize("week", [LAST, THIS])
def test_period_counts(db, staff, history, week):
    c = weekly.period_counts(db, staff.manager, *week.bounds(NY))
    assert (c.open_at_end, c.created, c.closed, c.breached) == HISTORY_FACTS[week.label]


def test_breaches_skip_the_holiday_and_the_paused_clock(db, staff, history):
    last = weekly.sla_exceptions(db, staff.manager, *LAST.bounds(NY))
    assert [(r.ref, r.status) for r in last] == [(ref(db, history["B"]), "New")]
    this = weekly.sla_exceptions(db, staff.manager, *THIS.bounds(NY))
    # A: 7 h on Thursday, the holiday Friday, 9 h on Monday: 16 h at Monday 17:00.
    assert [(r.task_id, r.status, r.breach_hours) for r in this] == [
        (history["A"], "New", 16.0),
        (history["F"], "New", 16.0),
    ]
    assert all(r.business_hours >= 16 for r in this)


def test_exception_reasons_come_from_the_move_into_the_status(db, staff, history, clock):
    from support import move

    clock.set(clock.now.replace(day=14, hour=9))  # Monday Jul 14, still before the end
    move(db, staff.front_desk, history["F"], "requested")
    rows = weekly.sla_exceptions(db, staff.manager, *THIS.bounds(NY))
    assert {r.task_id for r in rows} == {history["A"], history["F"]}  # left after breaching
    assert all(r.reason == "" for r in rows)


def test_oldest_open_items_and_patient_scoping(db, staff, history):
    rows = weekly.oldest_open(db, staff.manager, 25)
    assert [r.task_id for r in rows] == [history[k] for k in "DAFC"]
    d, a, f, c = rows
    assert (d.status, d.days_in_status, d.reason) == ("Waiting on sender", 11, "Records pending")
    assert (a.days_in_status, a.mrn) == (10, MRN)
    assert (f.days_in_status, c.days_in_status, c.status) == (5, 4, "Requested")
    assert all(r.mrn is None for r in weekly.oldest_open(db, staff.admin, 25))
    assert len(weekly.oldest_open(db, staff.manager, 2)) == 2


def test_aging_buckets_by_status(db, staff, history):
    d = dashboard.dashboard(db, staff.manager)
    aging = dict(d.aging)
    assert len(AGING_BUCKETS) == 5
    assert aging["Records request · New"] == (0, 1, 1, 0, 0)  # F 5 days, A 10 days
    assert aging["Records request · Requested"] == (0, 1, 0, 0, 0)  # C reopened 4 days ago
    assert aging["Records request · Waiting on sender"] == (0, 0, 1, 0, 0)
    assert d.open_total == 4


def test_volume_per_week(db, staff, history):
    edges = [*LAST.bounds(NY), THIS.bounds(NY)[1]]
    # Closed by each task's closing moment: C, closed in W27 and reopened, counts nowhere.
    assert weekly.volume(db, staff.manager, edges) == [(4, 0), (3, 3)]


def test_a_narrower_scope_counts_through_the_tasks(db, staff, history):
    """The whole practice is counted from the events alone; a picked workflow, or a
    person who sees fewer workflows, through the tasks: the supply order S (created,
    approved and so closed in W28) drops out of both, and nothing else does."""
    from support import wf_id

    records = TaskFilter(workflow_ids=(wf_id(db, "records"),))
    edges = [*LAST.bounds(NY), THIS.bounds(NY)[1]]
    for week, narrowed in ((LAST, (3, 4, 1, 1)), (THIS, (4, 2, 2, 2))):
        bounds = week.bounds(NY)
        for actor, filt in ((staff.manager, records), (staff.front_desk, None)):
            c = weekly.period_counts(db, actor, *bounds, filt=filt)
            assert (c.open_at_end, c.created, c.closed, c.breached) == narrowed
            assert weekly.volume(db, actor, edges, filt=filt) == [(4, 0), (2, 2)]
    closed = set(weekly.task_ids(db, staff.manager, "closed", *THIS.bounds(NY), filt=records))
    assert closed == {history["B"], history["E"]}


def test_approvals_in_the_week(db, staff, history):
    turn = {r.key: r for r in metrics.approval_turnaround(db, staff.manager, *THIS.bounds(NY))}
    assert turn["supply"].count == 2  # sent back after 1 h, approved 24 h after coming back
    assert turn["supply"].median_seconds == pytest.approx(12.5 * 3600)
    rework = {r.key: r for r in metrics.rework_rate(db, staff.manager, *THIS.bounds(NY))}
    assert (rework["supply"].numerator, rework["supply"].denominator) == (1, 1)
    reopen = {r.key: r for r in metrics.reopen_rate(db, staff.manager, *THIS.bounds(NY))}
    assert (reopen["records"].numerator, reopen["records"].denominator) == (1, 2)


def test_the_report_is_for_report_readers(db, staff, history):
    weekly.report_scope(db, staff.manager)
    with pytest.raises(PermissionDenied):
        weekly.report_scope(db, staff.front_desk)


def test_week_labels():
    assert parse_week("2025-W28") == THIS and THIS.label == "2025-W28"
    assert THIS.previous() == LAST and LAST.title() == "Jun 30 – Jul 6, 2025"
    with pytest.raises(ValidationError):
        parse_week("2025-W54")
    with pytest.raises(ValidationError):
        parse_week("last week")


def ref(db, task_id: int) -> str:
    from support import task_row

    return task_row(db, task_id).ref


def test_the_tasks_behind_each_number(db, staff, history):
    def ids(what, week):
        return set(weekly.task_ids(db, staff.manager, what, *week.bounds(NY)))

    assert ids("created", LAST) == {history[k] for k in "ABCD"}
    assert ids("closed", THIS) == {history[k] for k in "BES"}
    assert ids("breached", THIS) == {history["A"], history["F"]}
    with pytest.raises(ValueError):
        weekly.task_ids(db, staff.manager, "lost", *THIS.bounds(NY))


def test_filters_by_days_in_status_and_by_ids(db, staff, history):
    from practiceboard.core.rows import TaskFilter
    from practiceboard.queries import tasks

    def found(**kw):
        cards, _total = tasks.search(db, staff.manager, TaskFilter(**kw), limit=50)
        return {c.id for c in cards}

    # the 8–14 days bucket: A (10 days) and D (11 days)
    assert found(min_days_in_status=8, max_days_in_status=14) == {history["A"], history["D"]}
    assert found(min_days_in_status=11) == {history["D"]}
    assert found(task_ids=(history["B"], history["E"]), include_closed=True) == {
        history["B"], history["E"]
    }  # fmt: skip
