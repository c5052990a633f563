"""The approvals inbox on both engines: request, send back, resubmit, approve or reject,
on both default approval workflows, with approver routing and the decision
recorded on the task, in its history and in the audit log."""

from __future__ import annotations

import json

import pytest

from practiceboard.domain.errors import InvalidTransition, PermissionDenied, ValidationError
from practiceboard.services import approvals, users
from practiceboard.services import task_actions as actions
from practiceboard.services.tasks import move_task
from support import (
    START,
    Clock,
    audit_rows,
    events,
    last_audit_id,
    last_event_id,
    let_see,
    new_task,
    reason_id,
    snapshot,
    status_id,
    status_key,
    task_row,
)


@pytest.fixture
def clock(db, monkeypatch) -> Clock:
    # These tests model a practice where clinical staff draft sign-offs for providers: the
    # default matrix (workflows.md) does not let them see sign-off, so configure it, as a
    # practice would; the drafter keeps the draft (intake alone would route it to a provider).
    let_see(db, "clinical", "signoff")
    return Clock(monkeypatch, START)


def state(db, task_id):
    row = task_row(db, task_id)
    return status_key(db, row.status_id), row.owner_id


def test_supply_request_send_back_resubmit_approve(db, staff, clock):
    cleo, max_ = staff.clinical, staff.manager
    t = new_task(db, cleo, "supply", "Flu vaccine reorder")
    assert t.owner_id == cleo.user_id  # supply intake: clinical (Cleo is the only one)

    clock.advance(hours=1)
    mark = last_audit_id(db)
    requested = approvals.request_approval(db, cleo, t.id, expected_version=1)
    assert state(db, t.id) == ("ready", max_.user_id)  # approver role: manager
    assert [r.action for r in audit_rows(db, after=mark)] == ["approval.request"]
    assert [e.kind for e in events(db, t.id)][-2:] == ["status", "handoff"]

    clock.advance(hours=1)
    missing = reason_id(db, "needs_info", "missing_document")
    mark = last_audit_id(db)
    sent = approvals.send_back(db, max_, t.id, expected_version=requested.version,
                               reason_id=missing, note="Attach the quote")  # fmt: skip
    row = task_row(db, t.id)
    assert state(db, t.id) == ("needs_info", cleo.user_id)  # back to the requester
    assert (row.decision, row.decided_by_id, row.decided_at) == (
        "sent_back", max_.user_id, clock.now,
    )  # fmt: skip
    assert (row.decision_reason_id, row.decision_note) == (missing, "Attach the quote")
    [audit_row] = audit_rows(db, after=mark)
    assert audit_row.action == "approval.send_back"
    assert json.loads(audit_row.new_values)["reason_id"] == missing
    decision = [e for e in events(db, t.id) if e.kind == "decision"][-1]
    assert (decision.data, decision.reason_code_id) == ({"decision": "sent_back"}, missing)

    clock.advance(hours=1)
    again = approvals.request_approval(db, cleo, t.id, expected_version=sent.version)
    assert state(db, t.id) == ("ready", max_.user_id)

    clock.advance(hours=1)
    mark = last_audit_id(db)
    approvals.approve(db, max_, t.id, expected_version=again.version, note="OK")
    row = task_row(db, t.id)
    # Approved supplies go back to the requester, who places the order.
    assert state(db, t.id) == ("approved", cleo.user_id)
    assert (row.decision, row.decided_by_id, row.decision_note) == ("approved", max_.user_id, "OK")
    assert row.closed_at == clock.now
    assert [r.action for r in audit_rows(db, after=mark)] == ["approval.approve"]
    actions.close_task(db, cleo, t.id, status_id(db, "supply", "ordered"),
                       expected_version=row.version)  # fmt: skip
    assert state(db, t.id) == ("ordered", cleo.user_id)
    assert task_row(db, t.id).closed_at == clock.now


def test_supply_reject_needs_a_rejection_reason(db, staff, clock):
    cleo, max_ = staff.clinical, staff.manager
    t = new_task(db, cleo, "supply", "Standing desk")
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    before = snapshot(db)
    with pytest.raises(InvalidTransition, match="“Rejected” needs a reason. Why is it rejected"):
        approvals.reject(db, max_, t.id, expected_version=v, reason_id=None)
    with pytest.raises(InvalidTransition, match="is not a reason for moving to “Rejected”"):
        approvals.reject(db, max_, t.id, expected_version=v,
                         reason_id=reason_id(db, "needs_info", "wrong_form"))  # fmt: skip
    with pytest.raises(InvalidTransition, match="add a short note"):
        approvals.reject(db, max_, t.id, expected_version=v,
                         reason_id=reason_id(db, "rejection", "other"))  # fmt: skip
    assert snapshot(db) == before

    budget = reason_id(db, "rejection", "over_budget")
    approvals.reject(db, max_, t.id, expected_version=v, reason_id=budget, note="Next quarter")
    row = task_row(db, t.id)
    assert state(db, t.id) == ("rejected", cleo.user_id)
    assert (row.decision, row.decision_reason_id, row.decision_note) == (
        "rejected", budget, "Next quarter",
    )  # fmt: skip
    assert row.closed_at == clock.now


def test_signoff_goes_to_the_named_provider_through_in_review(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    t = new_task(
        db,
        cleo,
        "signoff",
        "Standing order: flu shots",
        provider_id=pat.user_id,
        owner_id=cleo.user_id,
    )
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    assert state(db, t.id) == ("ready", pat.user_id)

    v = move_task(db, pat, t.id, status_id(db, "signoff", "in_review"), expected_version=v).version
    v = approvals.send_back(
        db,
        pat,
        t.id,
        expected_version=v,
        reason_id=reason_id(db, "needs_info", "missing_signature"),
    ).version
    assert state(db, t.id) == ("needs_info", cleo.user_id)

    v = approvals.request_approval(db, cleo, t.id, expected_version=v).version
    assert state(db, t.id) == ("ready", pat.user_id)
    approvals.approve(db, pat, t.id, expected_version=v)
    row = task_row(db, t.id)
    assert state(db, t.id) == ("approved", pat.user_id)  # sign-off keeps its owner
    assert (row.decision, row.decided_by_id) == ("approved", pat.user_id)
    kinds = [e.kind for e in events(db, t.id)]
    assert kinds.count("decision") == 2


def test_signoff_reject_then_reopen_clears_the_decision(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    t = new_task(db, cleo, "signoff", "Order set", provider_id=pat.user_id, owner_id=cleo.user_id)
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    v = approvals.reject(
        db, pat, t.id, expected_version=v, reason_id=reason_id(db, "rejection", "duplicate_request")
    ).version
    assert state(db, t.id) == ("rejected", cleo.user_id)
    assert task_row(db, t.id).decision == "rejected"
    actions.reopen_task(db, cleo, t.id, expected_version=v,
                        reason_id=reason_id(db, "reopen", "new_information"))  # fmt: skip
    row = task_row(db, t.id)
    assert (row.decision, row.decided_by_id, row.decided_at, row.decision_reason_id) == (
        None, None, None, None,
    )  # fmt: skip
    assert (row.reopen_count, row.closed_at, status_key(db, row.status_id)) == (1, None, "new")


def test_without_a_named_provider_the_least_loaded_approver_decides(db, staff, clock):
    cleo = staff.clinical
    second = staff.add("drsecond", ["provider"], "Dr. Sam Second")
    new_task(db, cleo, "signoff", "Keeps Dr. Pat busy", owner_id=staff.provider.user_id)
    t = new_task(db, cleo, "signoff", "Who signs this?", owner_id=cleo.user_id)
    approvals.request_approval(db, cleo, t.id, expected_version=1)
    assert state(db, t.id) == ("ready", second.user_id)
    assert task_row(db, t.id).provider_id is None


def test_request_can_name_the_provider_who_must_be_able_to_decide(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    t = new_task(db, cleo, "signoff", "Lab order", owner_id=cleo.user_id)
    with pytest.raises(ValidationError, match="Fran Front cannot decide Clinical sign-off"):
        approvals.request_approval(db, cleo, t.id, expected_version=1,
                                   provider_id=staff.front_desk.user_id)  # fmt: skip
    mark = last_audit_id(db)
    approvals.request_approval(db, cleo, t.id, expected_version=1, provider_id=pat.user_id)
    row = task_row(db, t.id)
    assert (row.provider_id, row.owner_id) == (pat.user_id, pat.user_id)
    [audit_row] = audit_rows(db, after=mark)
    assert json.loads(audit_row.old_values)["provider_id"] is None
    assert json.loads(audit_row.new_values)["provider_id"] == pat.user_id


def test_when_no_approver_is_active_the_task_stays_with_its_owner(db, staff, clock):
    cleo = staff.clinical
    t = new_task(db, cleo, "supply", "Paper towels")
    users.set_active(db, staff.admin, staff.manager.user_id, False)
    approvals.request_approval(db, cleo, t.id, expected_version=1)
    assert state(db, t.id) == ("ready", cleo.user_id)  # never nobody


def test_a_non_approver_cannot_decide_and_the_refusal_is_audited(db, staff, clock):
    cleo = staff.clinical
    t = new_task(db, cleo, "supply", "Gauze")
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    for who in (staff.front_desk, cleo):
        before = snapshot(db)
        mark = last_audit_id(db)
        with pytest.raises(PermissionDenied, match="decide approvals"):
            approvals.approve(db, who, t.id, expected_version=v)
        [denied] = audit_rows(db, after=mark)
        assert (denied.action, denied.outcome, denied.user_id, denied.entity_id) == (
            "approval.approve", "denied", who.user_id, str(t.id),
        )  # fmt: skip
        assert snapshot(db) == before
    assert state(db, t.id) == ("ready", staff.manager.user_id)


def test_deciding_needs_a_task_waiting_for_a_decision(db, staff, clock):
    cleo = staff.clinical
    t = new_task(db, cleo, "supply", "Masks")
    with pytest.raises(InvalidTransition) as err:
        approvals.approve(db, staff.manager, t.id, expected_version=1)
    assert str(err.value) == f"{t.ref} is not waiting for a decision (it is in “New”)."
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    with pytest.raises(InvalidTransition, match="already waiting for a decision"):
        approvals.request_approval(db, cleo, t.id, expected_version=v)
    ref = new_task(db, staff.front_desk, "referral", "No approval here")
    with pytest.raises(InvalidTransition, match="Referral intake tasks do not go through approval"):
        approvals.request_approval(db, staff.front_desk, ref.id, expected_version=1)


def test_the_named_provider_decides_a_task_in_review_but_moves_nothing_else(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    other = staff.add("drother", ["provider"], "Dr. Olu Other")
    t = new_task(
        db, cleo, "signoff", "Referral letter", provider_id=pat.user_id, owner_id=cleo.user_id
    )
    with pytest.raises(PermissionDenied, match="belongs to someone else"):
        move_task(db, pat, t.id, status_id(db, "signoff", "ready"), expected_version=1)
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    v = actions.hand_off(db, staff.manager, t.id, other.user_id, expected_version=v).version
    # Dr. Other owns it now, but Dr. Pat is still the provider named on it.
    approvals.approve(db, pat, t.id, expected_version=v)
    assert task_row(db, t.id).decided_by_id == pat.user_id


def test_decision_history_feeds_the_rework_metric(db, staff, clock):
    cleo, max_ = staff.clinical, staff.manager
    t = new_task(db, cleo, "supply", "Syringes")
    mark = last_event_id(db)
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    v = approvals.send_back(
        db, max_, t.id, expected_version=v, reason_id=reason_id(db, "needs_info", "unclear_request")
    ).version
    v = approvals.request_approval(db, cleo, t.id, expected_version=v).version
    approvals.approve(db, max_, t.id, expected_version=v)
    decisions = [e.data["decision"] for e in events(db, t.id, mark) if e.kind == "decision"]
    assert decisions == ["sent_back", "approved"]
