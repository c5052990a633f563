"""My queue, needs attention (stuck work) and needs approval; the SQL filter and the
flags on each card agree with domain.aging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from practiceboard.core import clock as core_clock
from practiceboard.core import definitions
from practiceboard.core.rows import TaskFilter
from practiceboard.db.models import ReasonCode, Status, Task
from practiceboard.domain import aging
from practiceboard.domain.errors import ValidationError
from practiceboard.queries import tasks as q
from practiceboard.services import task_actions
from support import make_task, move, reason_id, set_task, wf_id

WAIT = ("waiting", "records_pending")
FRI_10AM = datetime(2025, 3, 14, 14, 0, tzinfo=UTC)
TUE_10AM = datetime(2025, 3, 18, 14, 0, tzinfo=UTC)


def reasons_by_task(db, actor, **kw) -> dict[int, tuple[str, ...]]:
    return {c.id: c.attention for c in q.needs_attention(db, actor, **kw)}


def assert_flags_agree(db, actor) -> None:
    """Cards flagged by Python == tasks the SQL filter finds, and every card's flags
    are what domain.aging says for it."""
    cards = q.board(db, actor, None).cards
    flagged = {c.id for c in cards if c.attention}
    assert {c.id for c in q.needs_attention(db, actor)} == flagged
    found, total = q.search(db, actor, TaskFilter(needs_attention=True), limit=1000)
    assert {c.id for c in found} == flagged and total == len(flagged)
    breached = {c.id for c in q.search(db, actor, TaskFilter(), limit=1000)[0] if c.sla == "breach"}
    urgent_first = [c.id for c in q.search(db, actor, TaskFilter(), sort="urgency", limit=1000)[0]]
    assert set(urgent_first[: len(breached)]) == breached
    now = core_clock.now()
    with db.read() as s:
        cal = definitions.practice_calendar(s)
        for c in cards:
            if c.category in ("done", "cancelled"):
                assert c.attention == () and c.sla == "ok"
                continue
            st = s.get(Status, c.status_id)
            t = s.get(Task, c.id)
            hours = cal.business_hours(c.status_since, now)
            sla = aging.sla_state(hours, st.warn_hours, st.breach_hours, st.pauses_sla)
            assert c.sla == sla.value, (c.ref, hours)
            key = s.get(ReasonCode, t.reason_code_id).key if t.reason_code_id else None
            expected = aging.attention_reasons(
                aging.AttentionInput(
                    due_date=c.due_date,
                    today=cal.local_date(now),
                    sla=sla,
                    last_touched_at=c.last_touched_at,
                    now=now,
                    reason_key=key,
                    reason_note=t.reason_note,
                    last_note_at=t.last_note_at,
                    status_since=c.status_since,
                ),  # fmt: skip
                cal,
            )
            assert c.attention == tuple(r.value for r in expected), c.ref


# ---------------------------------------------------------------- my queue


def test_my_queue_orders_breached_overdue_due_today_then_oldest(db, staff, clock):
    fd = staff.front_desk
    breached = make_task(db, fd, "referral", "Sits in New")  # Wed 10:00
    clock.set(FRI_10AM - timedelta(days=1))  # Thursday
    older = make_task(db, fd, "records", "Older, waiting")
    move(db, fd, older, "waiting_sender", reason=WAIT)
    clock.set(FRI_10AM)
    today = date(2025, 3, 14)
    overdue = make_task(db, fd, "records", "Overdue", due_date=today)
    due_today = make_task(db, fd, "records", "Due today", due_date=today)
    newer = make_task(db, fd, "records", "Newer, waiting")
    for t in (overdue, due_today, newer):
        move(db, fd, t, "waiting_sender", reason=WAIT)
    clock.set(FRI_10AM + timedelta(days=3))  # Monday: 'Overdue' is now overdue
    set_task(db, due_today, due_date=date(2025, 3, 17))
    others = make_task(db, staff.clinical, "referral", "Someone else's")
    task_actions.watch(db, fd, others)
    task_actions.watch(db, fd, newer)  # watching my own task does not list it twice
    closed = make_task(db, staff.clinical, "records", "Closed")
    move(db, staff.clinical, closed, "cancelled", reason=("exception", "duplicate"))
    task_actions.watch(db, fd, closed)

    owned, watched = q.my_queue(db, fd)

    assert [c.id for c in owned] == [breached, overdue, due_today, older, newer]
    assert [c.id for c in watched] == [others]
    assert watched[0].watched and watched[0].owner_name == "Cleo Clinical"
    assert owned[0].sla == "breach" and owned[1].overdue


def test_queue_pages_are_bounded_and_keep_the_most_urgent(db, staff, clock):
    fd, cl, mgr = staff.front_desk, staff.clinical, staff.manager
    for day in (10, 11, 12, 13, 14):  # overdue, overdue, due today, the rest
        make_task(db, fd, "records", f"Due March {day}", due_date=date(2025, 3, day))
        task_actions.watch(db, fd, make_task(db, cl, "records", f"Theirs, March {day}"))
    owned, watched = q.my_queue(db, fd)
    page_owned, page_watched = q.my_queue(db, fd, limit=2)
    assert [c.id for c in page_owned] == [c.id for c in owned[:2]]
    assert [c.id for c in page_watched] == [c.id for c in watched[:2]]
    assert len(owned) == len(watched) == 5
    with pytest.raises(ValidationError):
        q.my_queue(db, fd, limit=0)

    for title in ("Gloves", "Masks", "Gowns"):
        move(db, cl, make_task(db, cl, "supply", title), "ready")
    decide = q.needs_approval(db, mgr)
    assert [c.id for c in q.needs_approval(db, mgr, limit=2)] == [c.id for c in decide[:2]]
    assert len(decide) == 3


# ---------------------------------------------------------------- needs attention


def test_overdue_alone(db, staff, clock):
    fd = staff.front_desk
    t = make_task(db, fd, "records", "Due Thursday", due_date=date(2025, 3, 13))
    move(db, fd, t, "waiting_sender", reason=WAIT)  # waiting: the SLA clock is paused
    assert reasons_by_task(db, fd) == {}

    clock.set(FRI_10AM)

    assert reasons_by_task(db, fd) == {t: ("overdue",)}
    assert_flags_agree(db, fd)


def test_past_breach_alone(db, staff, clock):
    fd = staff.front_desk
    t = make_task(db, fd, "referral", "In New since Wednesday")
    clock.set(FRI_10AM)  # 7 + 9 + 2 = 18 business hours in New (breach at 16)

    assert reasons_by_task(db, fd) == {t: ("breached",)}
    assert_flags_agree(db, fd)


def test_breach_starts_exactly_at_the_threshold(db, staff, clock):
    fd = staff.front_desk
    t = make_task(db, fd, "referral", "In New")  # Wed 10:00
    thu_5pm = datetime(2025, 3, 13, 21, 0, tzinfo=UTC)  # 7 + 9 = 16 business hours
    clock.set(thu_5pm - timedelta(minutes=1))
    assert reasons_by_task(db, fd) == {}
    assert q.board(db, fd, None).cards[0].sla == "warn"
    assert_flags_agree(db, fd)

    clock.set(thu_5pm)
    assert reasons_by_task(db, fd) == {t: ("breached",)}
    assert_flags_agree(db, fd)

    clock.set(datetime(2025, 3, 14, 11, 30, tzinfo=UTC))  # Friday 7:30, before opening
    assert reasons_by_task(db, fd) == {t: ("breached",)}
    assert_flags_agree(db, fd)


def test_untouched_for_three_business_days_alone(db, staff, clock):
    fd = staff.front_desk
    t = make_task(db, fd, "records", "Waiting on the hospital")
    move(db, fd, t, "waiting_sender", reason=WAIT)
    clock.set(datetime(2025, 3, 17, 14, 0, tzinfo=UTC))  # Monday: exactly 3 business days
    assert reasons_by_task(db, fd) == {}

    clock.set(TUE_10AM)  # 4 business days later

    assert reasons_by_task(db, fd) == {t: ("untouched",)}
    assert_flags_agree(db, fd)


def test_reason_other_without_a_note(db, staff, clock):
    fd = staff.front_desk
    t = make_task(db, fd, "records", "Waiting for some reason")
    move(db, fd, t, "waiting_sender", reason=("waiting", "other"), note="Fax machine broken")
    assert reasons_by_task(db, fd) == {}
    set_task(db, t, reason_note="  ")  # e.g. imported data: 'other' with no explanation

    assert reasons_by_task(db, fd) == {t: ("unexplained",)}
    assert_flags_agree(db, fd)

    # a note written after the move explains it
    clock.advance(minutes=5)
    task_actions.add_note(db, staff.manager, t, "Hospital fax is down until Monday")
    assert reasons_by_task(db, fd) == {}
    assert_flags_agree(db, fd)


def test_all_reasons_at_once_and_in_their_order(db, staff, clock):
    fd = staff.front_desk
    t = make_task(db, fd, "referral", "Everything wrong", due_date=date(2025, 3, 13))
    set_task(db, t, reason_code_id=reason_id(db, "waiting", "other"))
    clock.set(TUE_10AM)

    assert reasons_by_task(db, fd) == {t: ("overdue", "breached", "untouched", "unexplained")}
    assert_flags_agree(db, fd)


def test_needs_attention_filters_by_owner_and_workflow_and_skips_closed(db, staff, clock):
    fd, cl = staff.front_desk, staff.clinical
    mine = make_task(db, fd, "referral", "Front desk referral")
    theirs = make_task(db, cl, "referral", "Clinical referral")
    lab = make_task(db, cl, "prior_auth", "Clinical prior auth")
    done = make_task(db, fd, "records", "Closed before it aged")
    move(db, fd, done, "cancelled", reason=("exception", "duplicate"))
    clock.set(TUE_10AM)
    mgr = staff.manager

    assert set(reasons_by_task(db, mgr)) == {mine, theirs, lab}
    assert set(reasons_by_task(db, mgr, filt=TaskFilter(owner_ids=(cl.user_id,)))) == {theirs, lab}
    only_ref = TaskFilter(workflow_ids=(wf_id(db, "referral"),))
    assert set(reasons_by_task(db, mgr, filt=only_ref)) == {mine, theirs}
    assert set(reasons_by_task(db, fd)) == {mine, theirs}  # front desk: no prior auths
    by_role = TaskFilter(role_keys=("clinical",))
    assert set(reasons_by_task(db, mgr, filt=by_role)) == {theirs, lab}
    assert len(q.needs_attention(db, mgr, limit=1)) == 1
    assert_flags_agree(db, mgr)


def test_needs_attention_sorts_by_any_allowed_key(db, staff, clock):
    fd = staff.front_desk
    a = make_task(db, fd, "referral", "Bravo")
    clock.advance(hours=1)
    b = make_task(db, fd, "referral", "alpha")
    clock.set(TUE_10AM)

    assert [c.id for c in q.needs_attention(db, fd, sort="title")] == [b, a]
    assert [c.id for c in q.needs_attention(db, fd, sort="created")] == [a, b]
    assert [c.id for c in q.needs_attention(db, fd, sort="urgency")] == [a, b]


# ---------------------------------------------------------------- needs approval


def test_needs_approval_lists_what_each_person_may_decide(db, staff, clock):
    cl, mgr, prov = staff.clinical, staff.manager, staff.provider
    supply = make_task(db, cl, "supply", "Gloves")
    move(db, cl, supply, "ready")  # review: handed to the manager (approver role)
    drafting = make_task(db, cl, "supply", "Still a draft")
    signoff = make_task(db, mgr, "signoff", "Standing order", provider_id=prov.user_id)
    move(db, mgr, signoff, "ready")  # handed to the provider named on it
    kept = make_task(db, mgr, "signoff", "Kept by the manager", provider_id=prov.user_id)
    move(db, mgr, kept, "ready", owner=mgr.user_id)

    assert {c.id for c in q.needs_approval(db, prov)} == {signoff, kept}
    assert {c.id for c in q.needs_approval(db, mgr)} == {supply, signoff, kept}
    assert q.needs_approval(db, cl) == []  # may not decide approvals
    assert drafting not in {c.id for c in q.needs_approval(db, mgr)}

    move(db, prov, signoff, "approved")
    assert {c.id for c in q.needs_approval(db, prov)} == {kept}


def test_priority_comes_right_after_breach_and_overdue_in_my_queue(db, staff, clock):
    from practiceboard.queries.board import my_queue

    fd = staff.front_desk
    old = make_task(db, fd, "referral", "Old normal task")
    high = make_task(db, fd, "referral", "High priority, created just now")
    late = make_task(db, fd, "referral", "Overdue, normal priority")
    now = core_clock.now()
    set_task(db, old, status_since=now - timedelta(hours=5), last_touched_at=now)
    set_task(db, high, priority=2)
    set_task(db, late, due_date=now.date() - timedelta(days=3))

    owned, _ = my_queue(db, fd)
    assert [c.id for c in owned] == [late, high, old]
