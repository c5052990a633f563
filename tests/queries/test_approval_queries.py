"""The approvals inbox's reads on both engines: what waits on an approver (and what
does not), the header's figures, what came back to a requester and what waits on
others, a request's rounds, and the manager's view with turnaround and rework on a
known history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import approvals as q
from practiceboard.services import approvals
from support import audit_rows, let_see, new_task, ny, reason_id, task_row

BACK = ("needs_info", "missing_document")


@pytest.fixture
def world(db, staff, clock):
    """Cleo (clinical) asks Dr. Pat for sign-offs; Max (manager) decides supplies."""
    let_see(db, "clinical", "signoff")
    return staff


def ask(db, staff, title, *, question="Please sign", provider=None):
    cleo = staff.clinical
    pat = provider or staff.provider
    t = new_task(db, cleo, "signoff", title, owner_id=cleo.user_id, provider_id=pat.user_id)
    return approvals.request_approval(db, cleo, t.id, expected_version=1, question=question)


def test_the_inbox_lists_what_waits_on_the_approver_most_urgent_first(db, world, clock):
    staff = world
    old = ask(db, staff, "Old letter", question="Sign the old one")
    clock.advance(days=2)  # Friday 10:00
    fresh = ask(db, staff, "Fresh letter")
    supply = new_task(db, staff.clinical, "supply", "Gloves")
    approvals.request_approval(db, staff.clinical, supply.id, expected_version=1)

    box = q.inbox(db, staff.provider)
    assert [i.card.id for i in box.items] == [old.id, fresh.id]  # not the supply request
    first = box.items[0]
    assert (first.question, first.asked_by_name, first.rounds) == (
        "Sign the old one",
        "Cleo Clinical",
        0,
    )
    assert first.waiting_hours == pytest.approx(18.0)  # Wed 10:00 -> Fri 10:00
    assert first.card.sla == "warn"  # review: warn 8 h, breach 24 h
    assert (box.waiting, box.decided_today) == (2, 0)
    assert box.oldest_hours == pytest.approx(18.0)

    approvals.approve(db, staff.provider, fresh.id, expected_version=fresh.version)
    box = q.inbox(db, staff.provider)
    assert [i.card.id for i in box.items] == [old.id]
    assert (box.waiting, box.decided_today) == (1, 1)
    # Roles that do not decide have an empty inbox; the manager sees the supply request.
    assert q.inbox(db, staff.clinical).items == ()
    assert [i.card.id for i in q.inbox(db, staff.manager).items] == [supply.id]


def test_a_request_waits_on_every_holder_of_the_approver_role(db, world, clock):
    """Routed to Dr. Pat, a sign-off also waits on Dr. Olu (the same approver role): either
    may decide it, and once one did it leaves both inboxes."""
    staff = world
    olu = staff.add("drother", ["provider"], "Dr. Olu Other")
    letter = ask(db, staff, "Routed to Dr. Pat")
    assert [i.card.id for i in q.inbox(db, staff.provider).items] == [letter.id]
    assert [i.card.id for i in q.inbox(db, olu).items] == [letter.id]
    assert q.inbox(db, staff.manager).items == ()  # managers do not hold the provider role

    approvals.approve(db, olu, letter.id, expected_version=letter.version)
    assert task_row(db, letter.id).decided_by_id == olu.user_id
    assert q.inbox(db, staff.provider).items == () and q.inbox(db, olu).items == ()


def test_a_request_comes_back_to_the_top_of_the_requesters_list(db, world, clock):
    staff = world
    cleo, pat = staff.clinical, staff.provider
    a = ask(db, staff, "First")
    b = ask(db, staff, "Second")
    clock.advance(hours=2)
    approvals.send_back(db, pat, a.id, expected_version=a.version,
                        reason_id=reason_id(db, *BACK), note="Attach the order")  # fmt: skip
    clock.advance(hours=1)
    sent = approvals.send_back(db, pat, b.id, expected_version=b.version,
                               reason_id=reason_id(db, *BACK), note="Which patient?")  # fmt: skip
    c = ask(db, staff, "Third")

    mine = q.requester_queue(db, cleo)
    assert [i.card.id for i in mine.sent_back] == [b.id, a.id]  # the newest first
    top = mine.sent_back[0]
    assert (top.back_reason, top.back_note, top.back_by_name, top.rounds) == (
        "Missing document",
        "Which patient?",
        "Dr. Pat Provider",
        1,
    )
    assert [i.card.id for i in mine.waiting] == [c.id]
    assert mine.waiting[0].card.owner_name == "Dr. Pat Provider"

    approvals.request_approval(db, cleo, b.id, expected_version=sent.version, question="Mr. X")
    mine = q.requester_queue(db, cleo)
    assert [i.card.id for i in mine.sent_back] == [a.id]
    assert [i.card.id for i in mine.waiting] == [b.id, c.id]
    assert q.inbox(db, pat).items[0].rounds in (0, 1)


def test_a_requests_rounds_say_who_asked_what_and_who_decided_why(db, world, clock):
    staff = world
    cleo, pat = staff.clinical, staff.provider
    t = ask(db, staff, "Order set", question="Sign please")
    clock.advance(hours=1)
    v = approvals.send_back(db, pat, t.id, expected_version=t.version,
                            reason_id=reason_id(db, *BACK), note="Attach it").version  # fmt: skip
    clock.advance(hours=1)
    v = approvals.request_approval(db, cleo, t.id, expected_version=v, question="Attached").version
    clock.advance(hours=1)
    approvals.approve(db, pat, t.id, expected_version=v, note="Approved as requested.")

    rounds = q.approval_rounds(db, pat, t.id)
    assert [
        (r.number, r.asked_by_name, r.question, r.decision, r.decided_by_name, r.note)
        for r in rounds
    ] == [
        (1, "Cleo Clinical", "Sign please", "sent_back", "Dr. Pat Provider", "Attach it"),
        (2, "Cleo Clinical", "Attached", "approved", "Dr. Pat Provider", "Approved as requested."),
    ]
    assert rounds[0].reason_label == "Missing document"
    reading = q.reading(db, pat, t.id)
    assert reading.detail.card.id == t.id and len(reading.rounds) == 2

    # Front desk does not work on sign-offs: refused, and the refusal is audited.
    with pytest.raises(PermissionDenied):
        q.approval_rounds(db, staff.front_desk, t.id)
    denied = audit_rows(db, "task.view")[-1]
    assert (denied.outcome, denied.user_id) == ("denied", staff.front_desk.user_id)


def test_the_managers_view_groups_by_approver_with_turnaround_and_rework(db, world, clock):
    staff = world
    cleo, pat, max_ = staff.clinical, staff.provider, staff.manager
    # Last week (clock starts Wed 12 Mar 2025): one sign-off decided in 2 h, sent back once.
    clock.set(ny(2025, 3, 5, 9))
    t = ask(db, staff, "Last week's")
    clock.set(ny(2025, 3, 5, 10))
    v = approvals.send_back(db, pat, t.id, expected_version=t.version,
                            reason_id=reason_id(db, *BACK)).version  # fmt: skip
    clock.set(ny(2025, 3, 5, 11))
    v = approvals.request_approval(db, cleo, t.id, expected_version=v, question="Done").version
    clock.set(ny(2025, 3, 5, 13))
    approvals.approve(db, pat, t.id, expected_version=v)
    # This week: one decided in 4 h, rejected; two pending with Dr. Pat, one with Max.
    clock.set(ny(2025, 3, 10, 9))
    u = ask(db, staff, "This week's")
    clock.set(ny(2025, 3, 10, 13))
    approvals.reject(db, pat, u.id, expected_version=u.version,
                     reason_id=reason_id(db, "rejection", "not_covered"))  # fmt: skip
    clock.set(ny(2025, 3, 11, 9))
    p1 = ask(db, staff, "Pending one")
    p2 = ask(db, staff, "Pending two")
    s = new_task(db, cleo, "supply", "Toner")
    approvals.request_approval(db, cleo, s.id, expected_version=1)
    clock.set(ny(2025, 3, 12, 10))

    flow = q.approval_flow(db, max_)
    by_name = {ld.approver_name: ld for ld in flow.loads}
    assert [i.card.id for i in by_name["Dr. Pat Provider"].items] == [p1.id, p2.id]
    assert [i.card.id for i in by_name["Max Manager"].items] == [s.id]
    assert flow.week_start == ny(2025, 3, 10)
    this = {d.key: d for d in flow.turnaround_this_week}
    last = {d.key: d for d in flow.turnaround_last_week}
    assert this["signoff"].count == 1
    assert this["signoff"].median_seconds == timedelta(hours=4).total_seconds()
    assert last["signoff"].count == 2  # the send-back and the approval, one round each
    assert last["signoff"].median_seconds == timedelta(hours=1.5).total_seconds()
    rework = {r.key: r for r in flow.rework_last_week}
    assert (rework["signoff"].numerator, rework["signoff"].denominator) == (1, 1)
    assert {r.key for r in flow.turnaround_this_week} == {"supply", "signoff"}
    assert {r.label: r.count for r in flow.top_reasons} == {
        "Missing document": 1,
        "Not covered": 1,
    }
    # Dashboards and reports only.
    with pytest.raises(PermissionDenied):
        q.approval_flow(db, pat)
    denied = audit_rows(db, "approvals.flow")[-1]
    assert (denied.outcome, denied.user_id) == ("denied", pat.user_id)
    assert task_row(db, p1.id).owner_id == pat.user_id
