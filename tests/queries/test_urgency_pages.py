"""Urgency pages are read a rank at a time (breached, overdue, then by priority: due
today, the rest) so
the database can stop at the end of a page; every page, at every offset, must be the
same as ranking all matching tasks at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from practiceboard.core.rows import TaskFilter
from practiceboard.db.models import Task
from practiceboard.queries import filters
from practiceboard.queries import tasks as q
from practiceboard.queries.board import ordered_page
from practiceboard.queries.cards import load_snapshot
from support import WED_10AM, make_task, set_task


@pytest.fixture
def mixed(db, staff, clock):
    """Twelve referrals of the front desk in every urgency rank, with ties in status-since."""
    fd = staff.front_desk
    today = WED_10AM.date()
    ids = []
    for n in range(12):
        tid = make_task(db, fd, "referral", f"Referral {n}")
        since = WED_10AM - timedelta(days=(0, 1, 3, 9)[n % 4], hours=n // 4)
        due = (None, today - timedelta(days=2), today, today + timedelta(days=5))[n % 3]
        priority = (1, 3)[n % 2]  # Normal and Urgent, each in several ranks
        set_task(db, tid, status_since=since, last_touched_at=since, due_date=due,
                 priority=priority)  # fmt: skip
        ids.append(tid)
    return fd, ids


def reference(db, actor, where_extra=()) -> list[int]:
    """All matching ids ranked at once, as a single ORDER BY would."""
    with db.read() as s:
        snap = load_snapshot(s, actor)
        where = [*filters.conditions(snap, TaskFilter()), Task.closed_at.is_(None), *where_extra]
        order, _ = filters.order_by(snap, "urgency")
        return list(s.scalars(select(Task.id).where(*where).order_by(*order)))


def test_every_page_matches_ranking_everything_at_once(db, mixed):
    actor, ids = mixed
    expected = reference(db, actor)
    assert sorted(expected) == sorted(ids)
    with db.read() as s:
        snap = load_snapshot(s, actor)
        ranks = dict(s.execute(select(Task.id, filters.urgency_rank(snap))).tuples().all())
        # Breach, overdue, then Urgent (due today, the rest) before Normal (the same two):
        assert set(ranks.values()) == {0, 1, 2, 3, 6, 7}  # every rank is on the pages below
        where = [*filters.conditions(snap, TaskFilter()), Task.closed_at.is_(None)]
        for limit in (1, 3, 5, 12, 20):
            for offset in range(0, 14):
                page = ordered_page(s, snap, where, sort="urgency", offset=offset, limit=limit)
                assert [c.id for c in page] == expected[offset : offset + limit], (offset, limit)


def test_search_and_needs_attention_use_the_same_order(db, mixed):
    actor, _ = mixed
    expected = reference(db, actor)
    found, total = q.search(db, actor, TaskFilter(), sort="urgency", offset=4, limit=5)
    assert [c.id for c in found] == expected[4:9] and total == len(expected)
    attention = [c.id for c in q.needs_attention(db, actor, sort="urgency")]
    assert attention == [i for i in expected if i in set(attention)]
