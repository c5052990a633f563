"""Workflow rules without a database: the shipped defaults (db/defaults.py rows turned
into WorkflowDefs) and small hand-made workflows for the edge cases."""

from __future__ import annotations

from functools import cache

import pytest

from practiceboard.db import defaults
from practiceboard.domain.errors import InvalidTransition, PermissionDenied, ValidationError
from practiceboard.domain.policy import DEFAULT_ROLE_CAPABILITIES, Cap, denial_message
from practiceboard.domain.workflow import (
    Category,
    Handoff,
    ReasonDef,
    ReasonKind,
    StatusDef,
    TransitionDef,
    WorkflowDef,
    check_move,
    move_blocker,
    new_owner,
)

# ---------------------------------------------------------------- the defaults as definitions


@cache
def _rows() -> dict[str, list[dict]]:
    return defaults.rows()


@cache
def wf(key: str) -> WorkflowDef:
    rows = _rows()
    w = next(r for r in rows["workflows"] if r["key"] == key)
    statuses = tuple(
        StatusDef(
            s["id"],
            s["key"],
            s["name"],
            Category(s["category"]),
            s["position"],
            s["definition_of_done"],
            s["warn_hours"],
            s["breach_hours"],
            s["pauses_sla"],
            s["decision"],
        )  # fmt: skip
        for s in rows["statuses"]
        if s["workflow_id"] == w["id"]
    )
    transitions = tuple(
        TransitionDef(
            t["id"],
            t["from_status_id"],
            t["to_status_id"],
            t["capability_key"],
            "",
            ReasonKind(t["reason_kind"]) if t["reason_kind"] else None,
            Handoff(t["handoff"]),
            t["is_reopen"],
        )  # fmt: skip
        for t in rows["transitions"]
        if t["workflow_id"] == w["id"]
    )
    return WorkflowDef(w["id"], key, w["name"], w["kind"], w["ref_prefix"], statuses, transitions,
                       w["approver_role_id"], w["intake_role_id"])  # fmt: skip


def reason(kind: str, key: str) -> ReasonDef:
    r = next(r for r in _rows()["reason_codes"] if r["kind"] == kind and r["key"] == key)
    return ReasonDef(r["id"], ReasonKind(kind), key, r["label"], r["note_required"])


def sid(wf_key: str, status_key: str) -> int:
    return wf(wf_key).status_by_key(status_key).id


def role_can(role: str):
    return lambda cap: cap in DEFAULT_ROLE_CAPABILITIES[role]


STAFF = role_can("front_desk")
EVERYONE = lambda cap: True  # noqa: E731


def move(wf_key, frm, to, can=STAFF, why=None, note=None) -> TransitionDef:
    return check_move(wf(wf_key), sid(wf_key, frm), sid(wf_key, to), can, why, note)


# ---------------------------------------------------------------- check_move and its reasons


def test_a_plain_move_needs_no_reason_and_keeps_the_owner():
    t = move("referral", "new", "ready")
    assert (t.reason_kind, t.handoff, t.is_reopen) == (None, Handoff.KEEP, False)


@pytest.mark.parametrize(
    ("wf_key", "frm", "to", "kind"),
    [
        ("referral", "new", "waiting_records", ReasonKind.WAITING),
        ("prior_auth", "submitted", "waiting_payer", ReasonKind.WAITING),
        ("referral", "ready", "not_needed", ReasonKind.EXCEPTION),
        ("records", "requested", "cancelled", ReasonKind.EXCEPTION),
        ("prior_auth", "appeal", "denied", ReasonKind.REJECTION),
        ("supply", "ready", "needs_info", ReasonKind.NEEDS_INFO),
        ("signoff", "in_review", "rejected", ReasonKind.REJECTION),
        ("referral", "scheduled", "ready", ReasonKind.REOPEN),
    ],
)
def test_moves_that_workflows_md_says_need_a_reason(wf_key, frm, to, kind):
    t = wf(wf_key).transition(sid(wf_key, frm), sid(wf_key, to))
    assert t is not None and t.reason_kind is kind
    dst = wf(wf_key).status_by_key(to).name
    with pytest.raises(InvalidTransition) as err:
        move(wf_key, frm, to, EVERYONE)
    assert str(err.value).startswith(f"Moving to “{dst}” needs a reason.")


def test_a_reason_of_the_wrong_kind_is_refused_by_name():
    with pytest.raises(InvalidTransition) as err:
        move("referral", "new", "waiting_records", why=reason("reopen", "closed_in_error"))
    assert str(err.value) == "“Closed in error” is not a reason for moving to “Waiting on records”."


def test_other_needs_a_note():
    other = reason("waiting", "other")
    with pytest.raises(InvalidTransition, match="add a short note explaining “Other"):
        move("referral", "new", "waiting_records", why=other, note="  ")
    t = move("referral", "new", "waiting_records", why=other, note="Fax line down")
    assert t.reason_kind is ReasonKind.WAITING
    move("referral", "new", "waiting_records", why=reason("waiting", "records_pending"))


def test_a_note_required_reason_that_is_not_other_also_needs_a_note():
    strict = ReasonDef(99, ReasonKind.WAITING, "legal_hold", "Legal hold", note_required=True)
    with pytest.raises(InvalidTransition, match="explaining “Legal hold”"):
        move("referral", "new", "waiting_records", why=strict)


def test_a_missing_capability_is_a_permission_problem_not_a_workflow_one():
    with pytest.raises(PermissionDenied) as err:
        move("supply", "ready", "approved", can=role_can("clinical"))
    assert str(err.value) == denial_message(Cap.APPROVAL_DECIDE)
    with pytest.raises(PermissionDenied):
        move("referral", "new", "ready", can=role_can("admin"))


# ---------------------------------------------------------------- move_blocker messages


def test_move_blocker_sentences():
    ref = wf("referral")
    new, ready, done = (
        sid("referral", "new"),
        sid("referral", "ready"),
        sid("referral", "scheduled"),
    )
    assert move_blocker(ref, new, new, STAFF) == "The task is already in that status."
    assert move_blocker(ref, done, new, STAFF) == (
        "“Scheduled” is closed. Reopen the task first (with a reason)."
    )
    assert move_blocker(ref, ready, new, STAFF) == (
        "Referral intake: a task cannot go from “Ready to schedule” straight to “New”."
    )
    assert move_blocker(ref, new, ready, role_can("admin")) == denial_message(Cap.TASK_EDIT_OWN)
    assert move_blocker(ref, new, ready, STAFF) is None


def test_blocked_moves_raise_invalid_transition_with_the_blocker():
    with pytest.raises(InvalidTransition, match="cannot go from “New” straight to “Approved”"):
        move("supply", "new", "approved", EVERYONE)
    with pytest.raises(InvalidTransition, match="is closed. Reopen the task first"):
        move("referral", "scheduled", "not_needed", EVERYONE, reason("exception", "duplicate"))


# ---------------------------------------------------------------- the default transitions


def test_no_move_ever_goes_back_to_new_except_a_reopen_without_an_active_status():
    for key in defaults.WORKFLOWS:
        w = wf(key[0])
        for t in w.transitions:
            if w.status(t.to_status_id).category is Category.NEW:
                assert t.is_reopen and not any(s.category is Category.ACTIVE for s in w.statuses)


def test_every_closed_status_reopens_with_a_reason_to_the_first_active_status():
    for key, *_ in defaults.WORKFLOWS:
        w = wf(key)
        target = next((s for s in w.statuses if s.category is Category.ACTIVE), w.first_status)
        for s in w.statuses:
            reopens = [t for t in w.moves_from(s.id) if t.is_reopen]
            if s.is_open:
                assert reopens == [], (key, s.key)
            else:
                assert [(t.to_status_id, t.reason_kind) for t in reopens] == [
                    (target.id, ReasonKind.REOPEN)
                ], (key, s.key)
                assert all(t.is_reopen for t in w.moves_from(s.id)
                           if w.status(t.to_status_id).is_open)  # fmt: skip


@pytest.mark.parametrize("key", ["supply", "signoff"])
def test_approval_workflow_moves(key):
    w = wf(key)
    review = next(s for s in w.statuses if s.category is Category.REVIEW)
    ask = w.transition(sid(key, "new"), review.id)
    assert (ask.capability, ask.handoff) == (Cap.APPROVAL_REQUEST, Handoff.APPROVER)
    resubmit = w.transition(sid(key, "needs_info"), review.id)
    assert (resubmit.capability, resubmit.handoff) == (Cap.APPROVAL_REQUEST, Handoff.APPROVER)
    send_back = w.transition(review.id, sid(key, "needs_info"))
    assert (send_back.capability, send_back.reason_kind, send_back.handoff) == (
        Cap.APPROVAL_DECIDE, ReasonKind.NEEDS_INFO, Handoff.REQUESTER,
    )  # fmt: skip
    reject = w.transition(review.id, sid(key, "rejected"))
    assert (reject.capability, reject.reason_kind, reject.handoff) == (
        Cap.APPROVAL_DECIDE, ReasonKind.REJECTION, Handoff.REQUESTER,
    )  # fmt: skip
    approve = w.transition(review.id, sid(key, "approved"))
    assert approve.capability == Cap.APPROVAL_DECIDE and approve.reason_kind is None
    # Approved supplies go back to the requester to order; a sign-off stays with the provider.
    assert approve.handoff is (Handoff.REQUESTER if key == "supply" else Handoff.KEEP)
    assert w.status_by_key("needs_info").decision == "sent_back"
    # Only a decision leaves review: nobody closes or withdraws a request under review.
    for t in w.moves_from(review.id):
        assert t.capability == Cap.APPROVAL_DECIDE


def test_decisions_can_only_be_made_from_review():
    for key in ("supply", "signoff"):
        w = wf(key)
        for t in w.transitions:
            if w.status(t.to_status_id).decision and not t.is_reopen:
                assert w.status(t.from_status_id).category is Category.REVIEW, (key, t)


# ---------------------------------------------------------------- new_owner


def _owner(handoff, provider=None, approver=30, picked=None, calls=None):
    def approver_from_role():
        if calls is not None:
            calls.append(1)
        return approver

    return new_owner(handoff, current_owner=10, requester=20, provider=provider,
                     approver_from_role=approver_from_role, picked=picked)  # fmt: skip


def test_into_review_goes_to_the_named_provider_without_asking_the_role():
    calls = []
    assert _owner(Handoff.APPROVER, provider=40, calls=calls) == (40, False)
    assert calls == []


def test_into_review_without_a_provider_goes_to_the_approver_role_else_stays():
    assert _owner(Handoff.APPROVER) == (30, False)
    assert _owner(Handoff.APPROVER, approver=None) == (10, False)


def test_back_to_the_requester_and_keep():
    assert _owner(Handoff.REQUESTER) == (20, False)
    assert _owner(Handoff.KEEP) == (10, False)


def test_a_picked_owner_is_manual_only_when_it_differs_from_the_rule():
    assert _owner(Handoff.KEEP, picked=50) == (50, True)
    assert _owner(Handoff.KEEP, picked=10) == (10, False)
    assert _owner(Handoff.REQUESTER, picked=20) == (20, False)
    assert _owner(Handoff.APPROVER, provider=40, picked=41) == (41, True)


# ---------------------------------------------------------------- a hand-made workflow


def _tiny() -> WorkflowDef:
    statuses = (
        StatusDef(1, "todo", "To do", Category.NEW, 0),
        StatusDef(2, "doing", "Doing", Category.ACTIVE, 1),
        StatusDef(3, "done", "Done", Category.DONE, 2),
    )
    transitions = (
        TransitionDef(1, 1, 2),
        TransitionDef(2, 2, 3, Cap.TASK_CLOSE_ANY),
        TransitionDef(3, 3, 2, reason_kind=ReasonKind.REOPEN, is_reopen=True),
    )
    return WorkflowDef(1, "tiny", "Tiny", "task", "TNY", statuses, transitions)


def test_hand_made_workflow_basics():
    w = _tiny()
    assert w.first_status.key == "todo"
    assert [t.to_status_id for t in w.moves_from(1)] == [2]
    assert w.has_status(3) and not w.has_status(4)
    assert w.status(3).is_open is False and w.status(2).is_open is True
    with pytest.raises(ValidationError, match="The Tiny workflow has no status called “nope”"):
        w.status_by_key("nope")
    assert move_blocker(w, 2, 3, STAFF) == denial_message(Cap.TASK_CLOSE_ANY)
    assert move_blocker(w, 2, 3, lambda cap: cap == Cap.TASK_CLOSE_ANY) is None
    assert (
        move_blocker(w, 1, 3, EVERYONE) == "Tiny: a task cannot go from “To do” straight to “Done”."
    )
    reopen = check_move(w, 3, 2, EVERYONE, ReasonDef(7, ReasonKind.REOPEN, "oops", "Oops"), None)
    assert reopen.is_reopen
