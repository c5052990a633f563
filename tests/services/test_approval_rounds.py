"""The approvals workflow beyond one decision, on both engines: questions and request
templates, resubmission with the SLA clock paused while the request waits on its
requester, passing a request to another approver, deciding several at once, and no one
deciding their own request."""

from __future__ import annotations

import json

import pytest

from practiceboard.domain.decisions import Decision
from practiceboard.domain.errors import ConflictError, PermissionDenied, ValidationError
from practiceboard.services import approvals
from practiceboard.services import task_actions as actions
from support import (
    Clock,
    audit_rows,
    events,
    last_audit_id,
    let_see,
    new_task,
    ny,
    reason_id,
    snapshot,
    status_key,
    task_row,
    use_new_york,
)


@pytest.fixture
def clock(db, monkeypatch) -> Clock:
    use_new_york(db)
    let_see(db, "clinical", "signoff")
    return Clock(monkeypatch, ny(2026, 3, 4, 9))  # a Wednesday, 9:00 in New York


def signoff(db, staff, title="Letter to sign", **kw):
    kw.setdefault("owner_id", staff.clinical.user_id)
    return new_task(db, staff.clinical, "signoff", title, **kw)


def test_a_request_carries_its_question_and_a_template_fills_question_and_checklist(
    db, staff, clock
):
    cleo, pat = staff.clinical, staff.provider
    t = signoff(db, staff, provider_id=pat.user_id)
    mark = last_audit_id(db)
    approvals.request_approval(
        db, cleo, t.id, expected_version=1, template="Prior auth letter — sign"
    )
    row = task_row(db, t.id)
    assert row.reason_note == "Please review and sign the prior authorization letter."
    assert [i["text"] for i in row.checklist] == ["Letter attached", "Diagnosis codes checked"]
    [audited] = audit_rows(db, after=mark)
    assert json.loads(audited.new_values)["template"] == "Prior auth letter — sign"

    other = signoff(db, staff, "Another", provider_id=pat.user_id)
    with pytest.raises(ValidationError, match="no request template called"):
        approvals.request_approval(db, cleo, other.id, expected_version=1, template="Nope")
    with pytest.raises(ValidationError, match="question is too long"):
        approvals.request_approval(db, cleo, other.id, expected_version=1, question="x" * 501)
    approvals.request_approval(db, cleo, other.id, expected_version=1, question="Sign today?")
    assert task_row(db, other.id).reason_note == "Sign today?"


def test_nobody_decides_their_own_request_and_the_refusal_is_audited(db, staff, clock):
    pat = staff.provider
    second = staff.add("drsecond", ["provider"], "Dr. Sam Second")
    # Dr. Pat asks for a sign-off of their own: the rule would pick the least loaded
    # provider (Dr. Pat, no open work), so it goes to the other provider instead.
    t = new_task(db, pat, "signoff", "My own order", owner_id=pat.user_id)
    v = approvals.request_approval(db, pat, t.id, expected_version=1).version
    assert task_row(db, t.id).owner_id == second.user_id
    # Naming oneself is refused with a sentence.
    mine = new_task(db, pat, "signoff", "Another own order", owner_id=pat.user_id)
    with pytest.raises(ValidationError, match="someone else must make it"):
        approvals.request_approval(db, pat, mine.id, expected_version=1, provider_id=pat.user_id)
    # A manager (who may decide anything) cannot decide a request they asked for.
    max_ = staff.manager
    own = new_task(db, max_, "supply", "Manager's own chairs")
    other_manager = staff.add("max2", ["manager"], "Mia Manager")
    v2 = approvals.request_approval(db, max_, own.id, expected_version=1).version
    assert task_row(db, own.id).owner_id == other_manager.user_id
    before, mark = snapshot(db), last_audit_id(db)
    with pytest.raises(PermissionDenied, match="someone else must make it"):
        approvals.approve(db, max_, own.id, expected_version=v2)
    [denied] = audit_rows(db, after=mark)
    assert (denied.action, denied.outcome, denied.user_id) == (
        "approval.approve",
        "denied",
        max_.user_id,
    )
    assert snapshot(db) == before
    approvals.approve(db, second, t.id, expected_version=v)
    assert task_row(db, t.id).decision == "approved"


def test_resubmitting_keeps_the_review_time_already_spent(db, staff, clock):
    """Round 1 waits 3 business hours in review, then 2 days on the requester (paused);
    after the resubmission the SLA clock reads 3 hours, not 0 and not 2 days."""
    cleo, pat = staff.clinical, staff.provider
    t = signoff(db, staff, provider_id=pat.user_id)
    v = approvals.request_approval(db, cleo, t.id, expected_version=1, question="Sign?").version
    clock.set(ny(2026, 3, 4, 12))
    v = approvals.send_back(
        db, pat, t.id, expected_version=v, reason_id=reason_id(db, "needs_info", "wrong_form"),
        note="Use the 2026 form",
    ).version  # fmt: skip
    clock.set(ny(2026, 3, 6, 10))  # Friday: two days waiting on the requester
    approvals.request_approval(db, cleo, t.id, expected_version=v, question="New form attached")
    row = task_row(db, t.id)
    assert status_key(db, row.status_id) == "ready"
    # 3 business hours before Friday 10:00 (opens at 8:00): Thursday 16:00.
    assert row.status_since == ny(2026, 3, 5, 16)
    assert row.reason_note == "New form attached"

    # A fresh request (after a decision and a reopen) starts its clock again.
    clock.set(ny(2026, 3, 6, 11))
    v = approvals.reject(
        db, pat, t.id, expected_version=row.version,
        reason_id=reason_id(db, "rejection", "duplicate_request"),
    ).version  # fmt: skip
    again = reason_id(db, "reopen", "new_information")
    v = actions.reopen_task(db, cleo, t.id, expected_version=v, reason_id=again).version
    clock.set(ny(2026, 3, 6, 13))
    approvals.request_approval(db, cleo, t.id, expected_version=v, question="Fresh ask")
    assert task_row(db, t.id).status_since == ny(2026, 3, 6, 13)


def test_the_review_time_counts_every_round(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    t = signoff(db, staff, provider_id=pat.user_id)
    why = reason_id(db, "needs_info", "unclear_request")
    v = approvals.request_approval(db, cleo, t.id, expected_version=1, question="1").version
    clock.set(ny(2026, 3, 4, 10))  # 1 h
    v = approvals.send_back(db, pat, t.id, expected_version=v, reason_id=why).version
    clock.set(ny(2026, 3, 4, 14))
    v = approvals.request_approval(db, cleo, t.id, expected_version=v, question="2").version
    clock.set(ny(2026, 3, 4, 16))  # + 2 h
    v = approvals.send_back(db, pat, t.id, expected_version=v, reason_id=why).version
    clock.set(ny(2026, 3, 5, 9))
    approvals.request_approval(db, cleo, t.id, expected_version=v, question="3")
    # 3 business hours before Thursday 9:00: Wednesday 15:00.
    assert task_row(db, t.id).status_since == ny(2026, 3, 4, 15)
    decisions = [e.data["decision"] for e in events(db, t.id) if e.kind == "decision"]
    assert decisions == ["sent_back", "sent_back"]


def test_reassigning_a_pending_request_is_one_action_with_a_reason(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    second = staff.add("drsecond", ["provider"], "Dr. Sam Second")
    t = signoff(db, staff, provider_id=pat.user_id)
    v = approvals.request_approval(db, cleo, t.id, expected_version=1, question="Sign?").version
    since = task_row(db, t.id).status_since
    with pytest.raises(ValidationError, match="Say why"):
        approvals.reassign_approval(db, pat, t.id, second.user_id, expected_version=v, reason="")
    with pytest.raises(ValidationError, match="cannot decide"):
        approvals.reassign_approval(
            db, pat, t.id, staff.front_desk.user_id, expected_version=v, reason="Away"
        )
    with pytest.raises(ValidationError, match="someone else must make it"):
        approvals.reassign_approval(db, pat, t.id, cleo.user_id, expected_version=v, reason="x")
    before, mark = snapshot(db), last_audit_id(db)
    with pytest.raises(PermissionDenied, match="Only the approver holding"):
        approvals.reassign_approval(
            db, second, t.id, second.user_id, expected_version=v, reason="Mine now"
        )
    assert [r.outcome for r in audit_rows(db, after=mark)] == ["denied"]
    assert snapshot(db) == before

    clock.advance(hours=1)
    mark = last_audit_id(db)
    approvals.reassign_approval(
        db, pat, t.id, second.user_id, expected_version=v, reason="On leave until Monday"
    )
    row = task_row(db, t.id)
    assert (row.owner_id, row.provider_id, row.status_since) == (
        second.user_id,
        second.user_id,
        since,  # the clock keeps running
    )
    [a] = audit_rows(db, after=mark)
    assert a.action == "approval.reassign"
    assert json.loads(a.new_values)["reason"] == "On leave until Monday"
    handoff = [e for e in events(db, t.id) if e.kind == "handoff"][-1]
    assert (handoff.manual, handoff.note, handoff.to_owner_id) == (
        True,
        "On leave until Monday",
        second.user_id,
    )
    # A manager may pass on anyone's request.
    approvals.reassign_approval(
        db, staff.manager, t.id, pat.user_id, expected_version=row.version, reason="Back early"
    )
    assert task_row(db, t.id).owner_id == pat.user_id


def test_deciding_several_at_once_is_one_audited_decision_each(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    items = []
    for n in range(4):
        t = signoff(db, staff, f"Letter {n}", provider_id=pat.user_id)
        items.append((t.id, approvals.request_approval(db, cleo, t.id, expected_version=1).version))
    # One of them was decided meanwhile by the manager.
    approvals.approve(db, staff.manager, items[2][0], expected_version=items[2][1])
    mark = last_audit_id(db)
    outcome = approvals.decide_many(
        db, pat, items, Decision.REJECTED, reason_id=reason_id(db, "rejection", "duplicate_request")
    )
    assert [s.id for s in outcome.decided] == [items[i][0] for i in (0, 1, 3)]
    [(refused_id, why)] = outcome.refused
    assert refused_id == items[2][0]
    assert "already decided by Max Manager" in why
    assert [r.action for r in audit_rows(db, after=mark)] == ["approval.reject"] * 3
    for i in (0, 1, 3):
        assert task_row(db, items[i][0]).decision == "rejected"
    assert task_row(db, items[2][0]).decision == "approved"
    # The reason is checked for each, as for one decision.
    more = signoff(db, staff, "Letter 5", provider_id=pat.user_id)
    v = approvals.request_approval(db, cleo, more.id, expected_version=1).version
    outcome = approvals.decide_many(db, pat, [(more.id, v)], Decision.SENT_BACK)
    assert outcome.decided == () and "needs a reason" in outcome.refused[0][1]


def test_a_stale_decision_on_an_undecided_request_is_an_ordinary_conflict(db, staff, clock):
    cleo, pat = staff.clinical, staff.provider
    t = signoff(db, staff, provider_id=pat.user_id)
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version
    approvals.reassign_approval(db, pat, t.id, staff.manager.user_id, expected_version=v,
                                reason="Manager decides supplies")  # fmt: skip
    with pytest.raises(ConflictError, match="was changed by Dr. Pat Provider"):
        approvals.approve(db, staff.manager, t.id, expected_version=v)
