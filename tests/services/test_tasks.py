"""Task use cases on both engines: intake and routing, moves, handoffs, watching,
notes, close and reopen, edits, the moves offered to the GUI, and the one
complete audit row every action leaves."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from practiceboard.db.models import Note, Task, TaskWatcher
from practiceboard.domain.errors import InvalidTransition, PermissionDenied, ValidationError
from practiceboard.services import task_actions as actions
from practiceboard.services import users
from practiceboard.services.tasks import move_task
from support import (
    audit_rows,
    events,
    last_audit_id,
    last_event_id,
    new_task,
    reason_id,
    status_id,
    status_key,
    task_row,
)


def one_action(db, do):
    """Run one action; return (its result, its one audit row, the kinds of events it wrote)."""
    audit_mark, event_mark = last_audit_id(db), last_event_id(db)
    result = do()
    rows = audit_rows(db, after=audit_mark)
    assert len(rows) == 1, [r.action for r in rows]
    kinds = [e.kind for e in events(db, int(rows[0].entity_id), event_mark)]
    return result, rows[0], kinds


# ---------------------------------------------------------------- intake


def test_intake_routes_to_the_least_loaded_member_of_the_intake_role(db, staff, clock):
    second = staff.add("frank", ["front_desk"], "Frank Desk")
    first = new_task(db, staff.clinical, owner_id=staff.front_desk.user_id)

    routed = new_task(db, staff.clinical)  # referral intake role: front desk
    tie = new_task(db, staff.clinical)

    assert first.owner_id == staff.front_desk.user_id
    assert routed.owner_id == second.user_id  # Fran already has one open task
    assert tie.owner_id == staff.front_desk.user_id  # one each: the lower id wins


def test_intake_with_an_explicit_owner_records_requester_event_and_audit(db, staff, clock):
    saved, row, kinds = one_action(
        db, lambda: new_task(db, staff.front_desk, owner_id=staff.clinical.user_id, payer="Aetna")
    )

    task = task_row(db, saved.id)
    assert (task.owner_id, task.requester_id) == (staff.clinical.user_id, staff.front_desk.user_id)
    assert task.ref == saved.ref == f"REF-{saved.id:06d}"
    assert status_key(db, task.status_id) == "new"
    assert task.created_at == task.status_since == task.last_touched_at == clock.now
    assert task.search_text == f"{saved.ref.lower()} cardiology referral"
    assert kinds == ["created"]
    assert (row.user_id, row.username, row.workstation) == (
        staff.front_desk.user_id, "frontdesk", "test-pc",
    )  # fmt: skip
    assert (row.action, row.entity, row.entity_id, row.outcome) == (
        "task.create", "task", str(saved.id), "success",
    )  # fmt: skip
    assert row.old_values is None
    assert json.loads(row.new_values)["owner_id"] == staff.clinical.user_id
    assert row.at == clock.now


def test_intake_owner_must_work_on_the_workflow(db, staff, clock):
    with pytest.raises(ValidationError, match="Bill Billing does not work on Referral intake"):
        new_task(db, staff.front_desk, owner_id=staff.billing.user_id)
    with pytest.raises(ValidationError, match="Ada Admin does not work on"):
        new_task(db, staff.front_desk, owner_id=staff.admin.user_id)


# ---------------------------------------------------------------- every action: events + audit


def test_every_action_writes_its_events_and_exactly_one_complete_audit_row(db, staff, clock):
    fran, mgr = staff.front_desk, staff.manager
    t = new_task(db, fran, owner_id=fran.user_id)
    steps = [
        ("task.edit", ["edit"], fran,
         lambda: actions.edit_task(db, fran, t.id, expected_version=1, title="Cardiology ref.")),
        ("task.move", ["status"], fran,
         lambda: move_task(db, fran, t.id, status_id(db, "referral", "waiting_records"),
                           expected_version=2,
                           reason_id=reason_id(db, "waiting", "records_pending"))),
        ("task.handoff", ["handoff"], fran,
         lambda: actions.hand_off(db, fran, t.id, staff.clinical.user_id, expected_version=3)),
        ("task.watch", ["watch"], fran, lambda: actions.watch(db, fran, t.id)),
        ("task.unwatch", ["unwatch"], fran, lambda: actions.unwatch(db, fran, t.id)),
        ("task.note", ["note"], fran, lambda: actions.add_note(db, fran, t.id, "Called them")),
        ("task.close", ["status"], mgr,
         lambda: actions.close_task(db, mgr, t.id, expected_version=4)),
        ("task.reopen", ["reopen"], mgr,
         lambda: actions.reopen_task(db, mgr, t.id, expected_version=5,
                                     reason_id=reason_id(db, "reopen", "closed_in_error"))),
    ]  # fmt: skip
    for action, kinds, who, do in steps:
        _, row, written = one_action(db, do)
        assert (row.action, row.entity, row.entity_id, row.outcome) == (
            action, "task", str(t.id), "success",
        ), action  # fmt: skip
        assert (row.user_id, row.username, row.workstation) == (
            who.user_id, who.username, "test-pc",
        ), action  # fmt: skip
        assert (row.category, row.at) == ("operational", clock.now), action
        assert row.new_values is not None, action
        assert (row.old_values is None) == (action == "task.note"), action
        assert written == kinds, action
    assert status_key(db, task_row(db, t.id).status_id) == "ready"


def test_edit_audit_row_has_only_the_changed_fields_old_and_new(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id, payer="Aetna")
    _, row, kinds = one_action(db, lambda: actions.edit_task(
        db, staff.front_desk, t.id, expected_version=1, payer="Cigna", title="Cardiology referral",
        priority=2,
    ))  # fmt: skip
    assert kinds == ["edit"]
    assert json.loads(row.old_values) == {"payer": "Aetna", "priority": 1}
    assert json.loads(row.new_values) == {"payer": "Cigna", "priority": 2}
    assert events(db, t.id)[-1].data == {"fields": ["payer", "priority"]}


# ---------------------------------------------------------------- moves


def test_move_with_and_without_a_reason(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    waiting = status_id(db, "referral", "waiting_records")
    why = reason_id(db, "waiting", "records_pending")

    clock.advance(hours=1)
    moved = move_task(db, fran, t.id, waiting, expected_version=1, reason_id=why, note=" asked ")
    row = task_row(db, t.id)
    assert (row.status_id, row.reason_code_id, row.reason_note) == (waiting, why, "asked")
    assert row.status_since == row.last_touched_at == clock.now
    assert moved.version == 2 and moved.owner_id == fran.user_id

    clock.advance(hours=1)
    move_task(db, fran, t.id, status_id(db, "referral", "ready"), expected_version=2)
    row = task_row(db, t.id)
    assert (row.reason_code_id, row.reason_note) == (None, None)
    ev = events(db, t.id)[-1]
    assert (ev.kind, ev.from_status_id, ev.reason_code_id) == ("status", waiting, None)


def test_a_picked_owner_on_a_move_is_a_manual_handoff(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    move_task(db, fran, t.id, status_id(db, "referral", "ready"), expected_version=1,
              new_owner_id=staff.clinical.user_id)  # fmt: skip
    ev = events(db, t.id)[-1]
    assert (ev.kind, ev.manual, ev.to_owner_id) == ("handoff", True, staff.clinical.user_id)
    with pytest.raises(ValidationError, match="Bill Billing does not work on"):
        move_task(db, staff.clinical, t.id, status_id(db, "referral", "scheduled"),
                  expected_version=2, new_owner_id=staff.billing.user_id)  # fmt: skip


# ---------------------------------------------------------------- handoffs


def test_owner_hands_off_their_own_task(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    clock.advance(hours=2)
    saved = actions.hand_off(db, fran, t.id, staff.clinical.user_id, expected_version=1,
                             note="You know this referrer")  # fmt: skip
    row = task_row(db, t.id)
    assert saved.owner_id == row.owner_id == staff.clinical.user_id
    assert row.last_touched_at == clock.now  # a handoff is a meaningful touch
    ev = events(db, t.id)[-1]
    assert (ev.kind, ev.manual, ev.from_owner_id, ev.to_owner_id, ev.note) == (
        "handoff", True, fran.user_id, staff.clinical.user_id, "You know this referrer",
    )  # fmt: skip


def test_only_a_manager_hands_off_someone_elses_task(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id)
    mark = last_audit_id(db)
    with pytest.raises(PermissionDenied, match="Only a manager"):
        actions.hand_off(db, staff.clinical, t.id, staff.clinical.user_id, expected_version=1)
    [denied] = audit_rows(db, after=mark)
    assert (denied.action, denied.outcome, denied.user_id) == (
        "task.handoff", "denied", staff.clinical.user_id,
    )  # fmt: skip
    assert task_row(db, t.id).owner_id == staff.front_desk.user_id

    actions.hand_off(db, staff.manager, t.id, staff.clinical.user_id, expected_version=1)
    assert task_row(db, t.id).owner_id == staff.clinical.user_id


def test_handoff_target_must_be_an_active_person_who_works_the_workflow(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    leaver = staff.add("leaver", ["front_desk"], "Lee Leaver")
    users.set_active(db, staff.admin, leaver.user_id, False)

    with pytest.raises(ValidationError, match="Bill Billing does not work on Referral intake"):
        actions.hand_off(db, fran, t.id, staff.billing.user_id, expected_version=1)
    with pytest.raises(ValidationError, match="Ada Admin does not work on"):
        actions.hand_off(db, fran, t.id, staff.admin.user_id, expected_version=1)
    with pytest.raises(ValidationError, match="Lee Leaver's account is disabled"):
        actions.hand_off(db, fran, t.id, leaver.user_id, expected_version=1)
    with pytest.raises(ValidationError, match="already belongs to Fran Front"):
        actions.hand_off(db, fran, t.id, fran.user_id, expected_version=1)
    assert task_row(db, t.id).version == 1


# ---------------------------------------------------------------- watching and notes


def test_watch_and_unwatch_are_idempotent(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id)
    cleo = staff.clinical  # not the owner, but works on referrals
    assert actions.watch(db, cleo, t.id) is True
    assert actions.watch(db, cleo, t.id) is False
    with db.read() as s:
        assert s.scalars(select(TaskWatcher.user_id).where(TaskWatcher.task_id == t.id)).all() == [
            cleo.user_id
        ]
    assert actions.unwatch(db, cleo, t.id) is True
    assert actions.unwatch(db, cleo, t.id) is False
    assert [e.kind for e in events(db, t.id)] == ["created", "watch", "unwatch"]
    row = task_row(db, t.id)
    assert (row.version, row.last_touched_at) == (1, clock.now)  # not a change of the task


def test_watching_needs_the_workflow(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id)
    mark = last_audit_id(db)
    with pytest.raises(PermissionDenied, match="does not work on this kind of task"):
        actions.watch(db, staff.billing, t.id)
    assert [(r.action, r.outcome) for r in audit_rows(db, after=mark)] == [("task.watch", "denied")]


def test_a_note_is_a_touch_and_never_makes_anyones_version_stale(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id)
    clock.advance(hours=3)
    note_id = actions.add_note(db, staff.clinical, t.id, "  Fax received, 3 pages  ")
    row = task_row(db, t.id)
    assert row.last_note_at == row.last_touched_at == clock.now
    assert row.version == 1 and row.updated_by_id == staff.front_desk.user_id
    with db.read() as s:
        note = s.get(Note, note_id)
        assert (note.task_id, note.author_id, note.body) == (
            t.id, staff.clinical.user_id, "Fax received, 3 pages",
        )  # fmt: skip
    ev = events(db, t.id)[-1]
    assert (ev.kind, ev.note, ev.actor_id) == (
        "note", "Fax received, 3 pages", staff.clinical.user_id,
    )  # fmt: skip
    # The owner's edit, opened before the note, still saves.
    actions.edit_task(db, staff.front_desk, t.id, expected_version=1, priority=3)


def test_a_note_must_have_text_and_fit(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id)
    with pytest.raises(ValidationError, match="Write the note"):
        actions.add_note(db, staff.front_desk, t.id, "   ")
    with pytest.raises(ValidationError, match="keep it under 2000"):
        actions.add_note(db, staff.front_desk, t.id, "x" * 2001)


# ---------------------------------------------------------------- close and reopen


def test_close_goes_to_the_first_done_status_and_reopen_counts(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    clock.advance(hours=1)
    closed = actions.close_task(db, fran, t.id, expected_version=1)
    row = task_row(db, t.id)
    assert status_key(db, closed.status_id) == "scheduled"
    assert row.closed_at == clock.now

    clock.advance(hours=1)
    with pytest.raises(InvalidTransition, match="needs a reason"):
        actions.reopen_task(db, fran, t.id, expected_version=2, reason_id=None)
    actions.reopen_task(db, fran, t.id, expected_version=2,
                        reason_id=reason_id(db, "reopen", "new_information"))  # fmt: skip
    row = task_row(db, t.id)
    assert status_key(db, row.status_id) == "ready"
    assert (row.closed_at, row.reopen_count, row.owner_id) == (None, 1, fran.user_id)
    assert events(db, t.id)[-1].kind == "reopen"


def test_close_to_cancelled_needs_an_exception_reason(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    cancelled = status_id(db, "referral", "not_needed")
    with pytest.raises(InvalidTransition, match="needs a reason"):
        actions.close_task(db, fran, t.id, cancelled, expected_version=1)
    with pytest.raises(ValidationError, match="“Ready to schedule” is not a closing status"):
        actions.close_task(db, fran, t.id, status_id(db, "referral", "ready"), expected_version=1)
    actions.close_task(db, fran, t.id, cancelled, expected_version=1,
                       reason_id=reason_id(db, "exception", "no_longer_needed"))  # fmt: skip
    assert task_row(db, t.id).closed_at == clock.now
    with pytest.raises(InvalidTransition, match="already closed"):
        actions.close_task(db, fran, t.id, expected_version=2)


def test_reopen_needs_a_closed_task_and_a_manager_for_others(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    why = reason_id(db, "reopen", "closed_in_error")
    with pytest.raises(InvalidTransition, match="is still open"):
        actions.reopen_task(db, fran, t.id, expected_version=1, reason_id=why)
    actions.close_task(db, fran, t.id, expected_version=1)
    with pytest.raises(PermissionDenied, match="belongs to someone else"):
        actions.reopen_task(db, staff.clinical, t.id, expected_version=2, reason_id=why)
    actions.reopen_task(db, staff.manager, t.id, expected_version=2, reason_id=why)
    assert task_row(db, t.id).reopen_count == 1


def test_a_task_always_has_exactly_one_owner(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran)  # routed
    actions.hand_off(db, fran, t.id, staff.clinical.user_id, expected_version=1)
    actions.close_task(db, staff.clinical, t.id, expected_version=2)
    actions.reopen_task(db, staff.manager, t.id, expected_version=3,
                        reason_id=reason_id(db, "reopen", "closed_in_error"))  # fmt: skip
    with db.read() as s:
        owners = s.scalars(select(Task.owner_id)).all()
    assert owners and all(o is not None for o in owners)


# ---------------------------------------------------------------- edits


def test_edit_changes_only_the_given_fields_and_is_not_a_touch(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id, payer="Aetna", details="Needs ECG")
    created = clock.now
    clock.advance(days=1)
    saved = actions.edit_task(db, fran, t.id, expected_version=1, title="Cardiology consult",
                              due_date=date(2026, 3, 20), payer=None,
                              checklist=[{"text": " Letter ", "done": True}])  # fmt: skip
    row = task_row(db, t.id)
    assert saved.version == row.version == 2
    assert (row.title, row.due_date, row.payer, row.details) == (
        "Cardiology consult", date(2026, 3, 20), None, "Needs ECG",
    )  # fmt: skip
    assert row.checklist == [{"text": "Letter", "done": True}]
    assert row.search_text == f"{t.ref.lower()} cardiology consult"
    assert row.last_touched_at == created  # a typo fix is not a meaningful touch
    assert (row.updated_at, row.updated_by_id) == (clock.now, fran.user_id)


def test_an_edit_that_changes_nothing_writes_nothing(db, staff, clock):
    t = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id)
    mark = last_audit_id(db)
    saved = actions.edit_task(db, staff.front_desk, t.id, expected_version=1,
                              title="  Cardiology   referral ")  # fmt: skip
    assert saved.version == 1 and audit_rows(db, after=mark) == []
    assert [e.kind for e in events(db, t.id)] == ["created"]


def test_edit_rules(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    with pytest.raises(PermissionDenied, match="Only its owner or a manager"):
        actions.edit_task(db, staff.clinical, t.id, expected_version=1, title="Mine now")
    with pytest.raises(ValidationError, match="no field called “color”"):
        actions.edit_task(db, fran, t.id, expected_version=1, extra={"color": "red"})
    with pytest.raises(ValidationError, match="Fill in “Referred to"):
        actions.edit_task(db, fran, t.id, expected_version=1, extra={})
    with pytest.raises(ValidationError, match="needs some text"):
        actions.edit_task(db, fran, t.id, expected_version=1, checklist=[{"text": " "}])
    with pytest.raises(ValidationError, match="calendar date"):
        actions.edit_task(db, fran, t.id, expected_version=1, due_date="tomorrow")
    actions.edit_task(db, staff.manager, t.id, expected_version=1, extra={"referred_to": "ENT"})
    assert task_row(db, t.id).extra == {"referred_to": "ENT"}
    actions.close_task(db, fran, t.id, expected_version=2)
    with pytest.raises(ValidationError, match="is closed. Reopen it"):
        actions.edit_task(db, fran, t.id, expected_version=3, title="Too late")


def test_only_meaningful_touches_move_last_touched(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    touched = [task_row(db, t.id).last_touched_at]

    def step(do):
        clock.advance(hours=1)
        do()
        touched.append(task_row(db, t.id).last_touched_at)
        return clock.now

    step(lambda: actions.edit_task(db, fran, t.id, expected_version=1, priority=2))
    step(lambda: actions.watch(db, staff.clinical, t.id))
    moved = step(lambda: move_task(db, fran, t.id, status_id(db, "referral", "ready"),
                                   expected_version=2))  # fmt: skip
    noted = step(lambda: actions.add_note(db, staff.clinical, t.id, "Asked the referrer"))
    handed = step(lambda: actions.hand_off(db, fran, t.id, staff.clinical.user_id,
                                           expected_version=3))  # fmt: skip
    assert touched[1] == touched[2] == touched[0]  # edit and watch: no
    assert touched[3:] == [moved, noted, handed]


# ---------------------------------------------------------------- moves offered to the GUI


def test_allowed_moves_match_what_move_task_does(db, staff, clock):
    fran = staff.front_desk
    probe = new_task(db, fran, owner_id=fran.user_id)
    options = actions.allowed_moves(db, fran, probe.id)
    assert "new" not in [status_key(db, o.to_status_id) for o in options]
    by_key = {status_key(db, o.to_status_id): o for o in options}
    assert by_key["waiting_records"].reason_kind == "waiting"
    assert by_key["not_needed"].reason_kind == "exception"
    assert by_key["ready"].owner_after_name == "Fran Front"
    reasons = {"waiting": ("waiting", "other"), "exception": ("exception", "other")}
    for option in options:
        t = new_task(db, fran, owner_id=fran.user_id)
        kw = {}
        if option.reason_kind:
            kw = {"reason_id": reason_id(db, *reasons[option.reason_kind]), "note": "why"}
        saved = move_task(db, fran, t.id, option.to_status_id, expected_version=1, **kw)
        assert option.allowed and saved.owner_id == option.owner_after_id


def test_allowed_moves_say_why_not(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    refusal = f"{t.ref} belongs to someone else. Only its owner or a manager can move it."
    for option in actions.allowed_moves(db, staff.clinical, t.id):
        assert (option.allowed, option.blocker) == (False, refusal)
        with pytest.raises(PermissionDenied):
            move_task(db, staff.clinical, t.id, option.to_status_id, expected_version=1)

    actions.close_task(db, fran, t.id, expected_version=1)
    options = {status_key(db, o.to_status_id): o for o in actions.allowed_moves(db, fran, t.id)}
    assert [k for k, o in options.items() if o.allowed] == ["ready"]
    assert options["ready"].is_reopen and options["ready"].reason_kind == "reopen"
    assert options["new"].blocker == "“Scheduled” is closed. Reopen the task first (with a reason)."
    with pytest.raises(InvalidTransition, match="is closed. Reopen the task first"):
        move_task(db, fran, t.id, status_id(db, "referral", "new"), expected_version=2)
    with pytest.raises(PermissionDenied, match="does not work on this kind of task"):
        actions.allowed_moves(db, staff.billing, t.id)


def test_allowed_moves_show_the_approver_a_review_goes_to(db, staff, clock):
    cleo = staff.clinical
    t = new_task(db, cleo, "supply", "Gloves", owner_id=cleo.user_id)
    options = {status_key(db, o.to_status_id): o for o in actions.allowed_moves(db, cleo, t.id)}
    assert options["ready"].allowed and options["ready"].owner_after_name == "Max Manager"
    assert not options["approved"].allowed
    assert options["approved"].blocker.startswith("Supply reorder: a task cannot go from “New”")
    saved = move_task(db, cleo, t.id, options["ready"].to_status_id, expected_version=1)
    assert saved.owner_id == staff.manager.user_id
