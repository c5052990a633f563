"""'Blocked by' on both engines: a block on both cards, a cycle refused with a sentence,
the attention rule (a blocked task is stuck only when its blocker is late), and the
release when the blocker closes, with the blocked task's owner told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from practiceboard.core.rows import TaskFilter
from practiceboard.db.models import Notification
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import tasks as q
from practiceboard.queries.documents import dependencies
from practiceboard.services.dependencies import clear_blocker, set_blocker
from support import audit_rows, make_task, move, set_task, task_row, version


def block(db, actor, task, blocker):
    return set_blocker(db, actor, task, blocker, expected_version=version(db, task))


def cards(db, actor):
    return {c.id: c for c in q.board(db, actor, None).cards}


def test_a_block_shows_on_both_cards_and_in_the_detail(db, staff, clock):
    fd = staff.front_desk
    auth = make_task(db, fd, "referral", "Auth first")
    visit = make_task(db, fd, "records", "Schedule after auth")

    block(db, fd, visit, auth)

    by_id = cards(db, fd)
    assert (by_id[visit].blocked_by_id, by_id[visit].blocked_by_ref) == (auth, f"REF-{auth:06d}")
    assert by_id[auth].blocking == 1 and by_id[auth].blocked_by_id is None
    waits_on, waiting = dependencies(db, fd, auth)
    assert waits_on is None and [w.id for w in waiting] == [visit]
    assert dependencies(db, fd, visit)[0].ref == f"REF-{auth:06d}"
    (row,) = audit_rows(db, "task.block")
    assert row.outcome == "success"


def test_a_cycle_is_refused_with_a_sentence(db, staff, clock):
    fd = staff.front_desk
    a, b, c = (make_task(db, fd, "referral", t) for t in ("A", "B", "C"))
    block(db, fd, b, a)
    block(db, fd, c, b)

    with pytest.raises(ValidationError, match="cannot wait on each other") as err:
        block(db, fd, a, c)
    assert f"REF-{c:06d} → REF-{b:06d} → REF-{a:06d}" in str(err.value)
    with pytest.raises(ValidationError, match="itself"):
        block(db, fd, a, a)
    assert task_row(db, a).blocked_by_id is None


def test_blockers_must_be_open_and_visible(db, staff, clock):
    fd = staff.front_desk
    task = make_task(db, fd, "referral", "Waits")
    billing = make_task(db, staff.billing, "billing", "Claim")
    done = make_task(db, fd, "referral", "Done already")
    move(db, fd, done, "not_needed", reason=("exception", "duplicate"))
    with pytest.raises(PermissionDenied, match="workflow"):
        block(db, fd, task, billing)
    with pytest.raises(ValidationError, match="already closed"):
        block(db, fd, task, done)


def test_a_blocked_task_needs_attention_only_when_its_blocker_is_late(db, staff, clock):
    fd = staff.front_desk
    yesterday = clock.now.date() - timedelta(days=1)
    blocker = make_task(db, fd, "referral", "Blocker")
    blocked = make_task(db, fd, "referral", "Blocked", due_date=yesterday)  # overdue itself
    assert [c.id for c in q.needs_attention(db, fd)] == [blocked]

    block(db, fd, blocked, blocker)

    assert q.needs_attention(db, fd) == []
    assert cards(db, fd)[blocked].attention == ()

    clock.advance(days=1)  # the task waited on is now late as well
    set_task(db, blocker, due_date=yesterday)
    late = q.needs_attention(db, fd)
    assert sorted(c.id for c in late) == sorted([blocker, blocked])
    card = cards(db, fd)[blocked]
    assert card.attention == ("blocker_late",) and card.blocker_late
    board = q.board(db, fd, None, TaskFilter(needs_attention=True))
    assert {c.id for c in board.cards} == {blocker, blocked}


def test_closing_the_blocker_releases_and_tells_the_owner(db, staff, clock):
    fd, cl = staff.front_desk, staff.clinical
    blocker = make_task(db, cl, "referral", "Auth")
    blocked = make_task(db, fd, "referral", "Schedule", owner_id=fd.user_id)
    block(db, fd, blocked, blocker)
    before = version(db, blocked)

    move(db, cl, blocker, "not_needed", reason=("exception", "duplicate"))

    row = task_row(db, blocked)
    assert row.blocked_by_id is None and row.version == before
    assert task_row(db, blocker).blocking_count == 0
    with db.read() as s:
        (n,) = s.execute(
            select(Notification.task_id, Notification.title, Notification.body).where(
                Notification.user_id == fd.user_id, Notification.kind == "unblocked"
            )
        ).all()
    assert n.task_id == blocked and f"REF-{blocked:06d}" in n.title
    assert "no longer blocked" in n.title and f"REF-{blocker:06d} is closed" in n.body


def test_clearing_and_replacing_a_block_keeps_the_counts(db, staff, clock):
    fd = staff.front_desk
    a, b, t = (make_task(db, fd, "referral", x) for x in ("A", "B", "T"))
    block(db, fd, t, a)
    block(db, fd, t, b)
    assert (task_row(db, a).blocking_count, task_row(db, b).blocking_count) == (0, 1)
    clear_blocker(db, fd, t, expected_version=version(db, t))
    assert task_row(db, b).blocking_count == 0 and task_row(db, t).blocked_by_id is None


def test_someone_elses_task_cannot_be_blocked_by_staff(db, staff, clock):
    a = make_task(db, staff.front_desk, "referral", "A")
    b = make_task(db, staff.clinical, "referral", "B")
    with pytest.raises(PermissionDenied):
        block(db, staff.clinical, a, b)


def test_a_blocked_task_that_closes_stops_counting_on_its_blocker(db, staff, clock):
    fd = staff.front_desk
    blocker = make_task(db, fd, "referral", "Auth")
    blocked = make_task(db, fd, "referral", "Schedule")
    block(db, fd, blocked, blocker)

    move(db, fd, blocked, "not_needed", reason=("exception", "duplicate"))

    assert task_row(db, blocked).blocked_by_id is None
    assert task_row(db, blocker).blocking_count == 0


def test_no_alert_to_the_one_who_closed_it_nor_to_an_owner_who_turned_it_off(db, staff, clock):
    from practiceboard.services import notifications

    fd, cl = staff.front_desk, staff.clinical
    notifications.set_preferences(db, cl, muted_kinds=["unblocked"], sound=True,
                                  digest_time="08:00")  # fmt: skip
    blocker = make_task(db, fd, "referral", "Auth")
    mine = make_task(db, fd, "referral", "Mine")
    theirs = make_task(db, cl, "referral", "Theirs")
    block(db, fd, mine, blocker)
    block(db, cl, theirs, blocker)

    move(db, fd, blocker, "not_needed", reason=("exception", "duplicate"))

    assert task_row(db, mine).blocked_by_id is None and task_row(db, theirs).blocked_by_id is None
    with db.read() as s:
        assert s.scalars(select(Notification).where(Notification.kind == "unblocked")).all() == []
