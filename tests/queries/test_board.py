"""The board: columns, counts, closed cards, who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from practiceboard.core.rows import TaskFilter
from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import tasks as q
from practiceboard.services import task_actions
from support import add_patient, make_task, move, status_id, wf_id


def test_workflow_board_has_a_column_per_status_with_counts(db, staff, clock):
    # GIVEN three referrals: two new, one waiting on records
    fd = staff.front_desk
    a = make_task(db, fd, "referral", "Referral A")
    make_task(db, fd, "referral", "Referral B")
    c = make_task(db, fd, "referral", "Referral C")
    move(db, fd, c, "waiting_records", reason=("waiting", "records_pending"))
    make_task(db, fd, "records", "Not on this board")

    # WHEN the front desk opens the referral board
    board = q.board(db, fd, wf_id(db, "referral"))

    # THEN every status is a column, in order, with its count
    names = [col.name for col in board.columns]
    assert names[:3] == ["New", "Waiting on records", "Waiting on patient"]
    assert len(names) == 6
    counts = {col.key: col.count for col in board.columns}
    assert counts["new"] == 2 and counts["waiting_records"] == 1 and counts["scheduled"] == 0
    assert board.total == 3 and not board.truncated
    assert {card.id for card in board.cards} >= {a, c}
    assert all(card.workflow_name == "Referral intake" for card in board.cards)
    assert board.columns[0].definition_of_done


def test_all_workflows_board_groups_by_category_and_keeps_real_statuses(db, staff, clock):
    fd = staff.front_desk
    make_task(db, fd, "referral", "Referral")
    rec = make_task(db, fd, "records", "Records")
    move(db, fd, rec, "requested")
    done = make_task(db, fd, "records", "Records done")
    move(db, fd, done, "cancelled", reason=("exception", "duplicate"))

    board = q.board(db, fd, None)

    assert [c.key for c in board.columns] == ["new", "active", "waiting", "done"]  # no review
    counts = {c.key: c.count for c in board.columns}
    assert counts == {"new": 1, "active": 1, "waiting": 0, "done": 1}
    by_id = {c.id: c for c in board.cards}
    assert by_id[rec].status_name == "Requested" and by_id[rec].category == "active"
    # cancelled cards sit in the Done column
    assert q.column_key(by_id[done], None) == "done"
    assert all(c.status_id == 0 for c in board.columns)


def test_closed_cards_only_from_the_last_14_days(db, staff, clock):
    fd = staff.front_desk
    old = make_task(db, fd, "records", "Closed long ago")
    move(db, fd, old, "requested")
    move(db, fd, old, "received")
    clock.advance(days=10)
    recent = make_task(db, fd, "records", "Closed recently")
    move(db, fd, recent, "requested")
    move(db, fd, recent, "received")
    clock.advance(days=5)  # old closed 15 days ago, recent 5 days ago

    ids = {c.id for c in q.board(db, fd, None).cards}
    assert recent in ids and old not in ids

    ids = {c.id for c in q.board(db, fd, None, TaskFilter(include_closed=True)).cards}
    assert {recent, old} <= ids


def test_front_desk_does_not_see_billing_tasks_and_manager_sees_all(db, staff, clock):
    bil = make_task(db, staff.billing, "billing", "Denied claim")
    ref = make_task(db, staff.front_desk, "referral", "Referral")

    front = {c.id for c in q.board(db, staff.front_desk, None).cards}
    manager = {c.id for c in q.board(db, staff.manager, None).cards}
    billing = {c.id for c in q.board(db, staff.billing, None).cards}

    assert ref in front and bil not in front
    assert {ref, bil} <= manager
    assert bil in billing and ref not in billing
    with pytest.raises(PermissionDenied):
        q.board(db, staff.front_desk, wf_id(db, "billing"))
    # a filter cannot widen what the role sees
    only_billing = TaskFilter(workflow_ids=(wf_id(db, "billing"),))
    assert not q.board(db, staff.front_desk, None, only_billing).cards


def test_mrn_on_cards_only_for_roles_with_patient_view(db, staff, clock):
    pid = add_patient(db, "MRN-777", "Pat Patient")
    make_task(db, staff.front_desk, "referral", "With patient", patient_id=pid)

    front = q.board(db, staff.front_desk, None).cards
    admin = q.board(db, staff.admin, None).cards

    assert [c.patient_ref for c in front] == ["MRN-777"]
    assert [c.patient_ref for c in admin] == [None]  # admins may not see patient data


def test_limit_truncates_cards_but_not_counts(db, staff, clock):
    fd = staff.front_desk
    for i in range(5):
        make_task(db, fd, "referral", f"Referral {i}")
    stale = make_task(db, fd, "referral", "Stale")
    clock.advance(days=6)  # everything in New is now past breach
    make_task(db, fd, "referral", "Fresh")

    board = q.board(db, fd, wf_id(db, "referral"), limit=3)

    assert board.truncated and len(board.cards) == 3 and board.total == 7
    new = next(c for c in board.columns if c.key == "new")
    assert new.count == 7 and new.attention_count == 6
    full = q.board(db, fd, wf_id(db, "referral"))
    assert next(c for c in full.columns if c.key == "new").attention_count == 6
    assert stale in {c.id for c in full.cards}


def test_board_cards_come_most_urgent_first(db, staff, clock):
    fd = staff.front_desk
    calm = make_task(db, fd, "records", "Calm")
    move(db, fd, calm, "waiting_sender", reason=("waiting", "records_pending"))
    clock.advance(days=2)  # Friday
    breached = make_task(db, fd, "referral", "Will breach")
    clock.advance(days=4)  # Tuesday: 'Will breach' sat in New for 2 business days
    today = clock.now.date()
    due_today = make_task(db, fd, "records", "Due today", due_date=today)
    move(db, fd, due_today, "waiting_sender", reason=("waiting", "records_pending"))

    ids = [c.id for c in q.board(db, fd, None).cards]

    assert ids.index(breached) < ids.index(due_today) < ids.index(calm)


def test_filter_by_status_keeps_all_columns(db, staff, clock):
    fd = staff.front_desk
    make_task(db, fd, "referral", "New one")
    w = make_task(db, fd, "referral", "Waiting one")
    move(db, fd, w, "waiting_patient", reason=("waiting", "patient_unreachable"))

    wid = status_id(db, "referral", "waiting_patient")
    board = q.board(db, fd, wf_id(db, "referral"), TaskFilter(status_ids=(wid,)))

    assert [c.id for c in board.cards] == [w]
    assert len(board.columns) == 6 and board.total == 1


def test_cards_show_ages(db, staff, clock):
    t = make_task(db, staff.front_desk, "referral", "Aging")
    clock.advance(hours=5)
    move(db, staff.front_desk, t, "ready")
    clock.advance(hours=2)

    card = q.board(db, staff.front_desk, None).cards[0]

    assert card.age_seconds == timedelta(hours=7).total_seconds()
    assert card.age_in_status_seconds == timedelta(hours=2).total_seconds()
    assert card.owner_name == "Fran Front" and card.location_name == "Main office"


def test_every_card_field(db, staff, clock):
    fd = staff.front_desk
    pid = add_patient(db, "MRN-9", "Pat Patient")
    t = make_task(
        db, fd, "referral", "Every field", due_date=date(2025, 3, 11), priority=2,
        patient_id=pid, payer="Aetna", provider_id=staff.provider.user_id,
    )  # fmt: skip
    created = clock.now
    clock.advance(hours=1)
    move(db, fd, t, "waiting_patient", reason=("waiting", "patient_unreachable"))
    task_actions.watch(db, fd, t)
    clock.advance(hours=2)

    (card,) = q.board(db, fd, None).cards

    assert (card.id, card.ref, card.version) == (t, f"REF-{t:06d}", 2)
    assert (card.workflow_id, card.workflow_name) == (wf_id(db, "referral"), "Referral intake")
    assert card.status_id == status_id(db, "referral", "waiting_patient")
    assert (card.status_name, card.category) == ("Waiting on patient", "waiting")
    assert (card.title, card.owner_id, card.owner_name) == ("Every field", fd.user_id, "Fran Front")
    assert card.requester_id == fd.user_id
    assert (card.due_date, card.priority) == (date(2025, 3, 11), 2)
    assert card.created_at == created and card.created_at.tzinfo is not None
    assert card.status_since == card.last_touched_at == created + timedelta(hours=1)
    assert (card.patient_ref, card.payer) == ("MRN-9", "Aetna")
    assert (card.provider_id, card.provider_name) == (staff.provider.user_id, "Dr. Pat Provider")
    assert card.location_name == "Main office"
    assert (card.reason_label, card.reason_kind) == ("Patient unreachable", "waiting")
    assert (card.sla, card.attention, card.overdue) == ("paused", ("overdue",), True)
    assert card.watched and card.needs_attention
    assert card.age_seconds == 3 * 3600 and card.age_in_status_seconds == 2 * 3600
