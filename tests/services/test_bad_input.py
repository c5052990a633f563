"""Bad input on both engines: each is refused with the right typed error and a sentence a
clinic user can act on, and leaves the data exactly as it was (tasks, events, notes,
watchers and audit rows; a refusal's own 'denied' row aside). SQL metacharacters
are stored literally."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from practiceboard.db.models import Note
from practiceboard.domain.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    ValidationError,
)
from practiceboard.services import approvals
from practiceboard.services import task_actions as actions
from practiceboard.services.tasks import TaskDraft, create_task, move_task
from support import FIELDS, new_task, reason_id, snapshot, status_id, task_row, wf_id

NASTY = ["'; DROP TABLE tasks; --", "%_\\", 'Robert"); DELETE FROM audit_log; --', "ü 𝔘 \u200b ok"]


def refused(db, do, error: type[Exception], match: str) -> None:
    """``do()`` raises ``error`` whose message matches, and nothing changed."""
    before = snapshot(db)
    with pytest.raises(error) as caught:
        do()
    assert type(caught.value) is error, caught.value
    assert match in str(caught.value), str(caught.value)
    assert str(caught.value).endswith((".", "?", "!")), "messages are sentences"
    assert snapshot(db) == before


def test_bad_intake_is_refused_and_saves_nothing(db, staff, clock):
    fran = staff.front_desk
    referral = wf_id(db, "referral")

    def draft(**kw):
        kw.setdefault("workflow_id", referral)
        kw.setdefault("title", "Cardiology referral")
        kw.setdefault("extra", FIELDS["referral"])
        return lambda: create_task(db, fran, TaskDraft(**kw))

    cases = [
        (draft(title=""), ValidationError, "Give the task a short title"),
        (draft(title=" \t\n "), ValidationError, "Give the task a short title"),
        (draft(title="x" * 201), ValidationError, "The title is 201 characters; keep it under 200"),
        (draft(details="d" * 4001), ValidationError, "details are 4001 characters"),
        (draft(workflow_id=99_999), ValidationError, "Pick a workflow"),
        (draft(extra={}), ValidationError, "Fill in “Referred to"),
        (draft(extra={**FIELDS["referral"], "ssn": "1"}), ValidationError, "no field called “ssn”"),
        (draft(priority=7), ValidationError, "Priority must be"),
        (draft(payer="p" * 81), ValidationError, "payer is too long"),
        (draft(owner_id=99_999), ValidationError, "owner must be an active staff member"),
        (draft(provider_id=99_999), ValidationError, "provider must be an active staff member"),
        (draft(location_id=99_999), NotFound, "That location no longer exists"),
    ]
    for do, error, match in cases:
        refused(db, do, error, match)


def test_bad_moves_are_refused_and_change_nothing(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    waiting = status_id(db, "referral", "waiting_records")
    other = reason_id(db, "waiting", "other")

    def move(to, **kw):
        kw.setdefault("expected_version", 1)
        return lambda: move_task(db, fran, t.id, to, **kw)

    cases = [
        (move(99_999), ValidationError, "Referral intake tasks have no such status"),
        (move(status_id(db, "billing", "paid")), ValidationError, "have no such status"),
        (move(status_id(db, "referral", "new")), InvalidTransition, "already in that status"),
        (move(waiting), InvalidTransition,
         "“Waiting on records” needs a reason. Why is it waiting?"),
        (move(waiting, reason_id=reason_id(db, "reopen", "closed_in_error")), InvalidTransition,
         "“Closed in error” is not a reason for moving to “Waiting on records”"),
        (move(waiting, reason_id=other), InvalidTransition, "add a short note explaining"),
        (move(waiting, reason_id=other, note="   "), InvalidTransition, "add a short note"),
        (move(waiting, reason_id=99_999), ValidationError, "no longer offered"),
        (move(waiting, reason_id=other, note="n" * 2001), ValidationError, "keep it under 2000"),
        (move(waiting, expected_version=0), ConflictError, "was changed by Fran Front"),
        (lambda: move_task(db, fran, 99_999, waiting, expected_version=1), NotFound,
         "That task no longer exists"),
    ]  # fmt: skip
    for do, error, match in cases:
        refused(db, do, error, match)

    actions.close_task(db, fran, t.id, expected_version=1)
    refused(
        db,
        move(waiting, expected_version=2, reason_id=reason_id(db, "waiting", "other"), note="n"),
        InvalidTransition,
        "“Scheduled” is closed. Reopen the task first",
    )
    refused(db, lambda: actions.reopen_task(
        db, fran, t.id, expected_version=2, reason_id=reason_id(db, "waiting", "other"), note="n",
    ), InvalidTransition, "is not a reason for moving to “Ready to schedule”")  # fmt: skip


def test_illegal_approval_steps_are_refused(db, staff, clock):
    cleo = staff.clinical
    t = new_task(db, cleo, "supply", "Gloves", owner_id=cleo.user_id)
    refused(
        db,
        lambda: move_task(db, cleo, t.id, status_id(db, "supply", "approved"), expected_version=1),
        InvalidTransition,
        "Supply reorder: a task cannot go from “New” straight to “Approved”",
    )
    refused(
        db,
        lambda: actions.close_task(
            db, cleo, t.id, status_id(db, "supply", "approved"), expected_version=1
        ),
        ValidationError,
        "records a decision",
    )
    refused(
        db,
        lambda: actions.close_task(db, cleo, t.id, expected_version=1),
        InvalidTransition,
        "cannot be closed from “New”",
    )
    refused(db, lambda: approvals.reject(db, staff.manager, t.id, expected_version=1,
                                         reason_id=reason_id(db, "rejection", "not_covered")),
            InvalidTransition, "is not waiting for a decision")  # fmt: skip


def test_bad_edits_and_actions_are_refused(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)

    def edit(**kw):
        return lambda: actions.edit_task(db, fran, t.id, expected_version=1, **kw)

    cases = [
        (edit(title="   "), ValidationError, "Give the task a short title"),
        (edit(title="y" * 201), ValidationError, "keep it under 200"),
        (edit(details="d" * 4001), ValidationError, "keep them under 4000"),
        (edit(priority=-1), ValidationError, "Priority must be"),
        (edit(patient_id=99_999), NotFound, "That patient no longer exists"),
        (edit(location_id=99_999), NotFound, "That location no longer exists"),
        (edit(checklist="not a list"), ValidationError, "checklist is a list of at most 50 items"),
        (lambda: actions.edit_task(db, fran, t.id, expected_version=5, title="Late"),
         ConflictError, "reload to see their change"),
        (lambda: actions.hand_off(db, fran, t.id, 99_999, expected_version=1), ValidationError,
         "owner must be an active staff member"),
        (lambda: actions.add_note(db, fran, t.id, ""), ValidationError, "Write the note"),
        (lambda: actions.add_note(db, fran, 99_999, "Hello"), NotFound, "no longer exists"),
        (lambda: actions.watch(db, fran, 99_999), NotFound, "no longer exists"),
    ]  # fmt: skip
    for do, error, match in cases:
        refused(db, do, error, match)


def test_sql_metacharacters_are_stored_literally(db, staff, clock):
    fran = staff.front_desk
    for text in NASTY:
        t = new_task(db, fran, title=text, payer=text, details=text, owner_id=fran.user_id)
        note_id = actions.add_note(db, fran, t.id, text)
        move_task(db, fran, t.id, status_id(db, "referral", "waiting_patient"), expected_version=1,
                  reason_id=reason_id(db, "waiting", "other"), note=text)  # fmt: skip
        row = task_row(db, t.id)
        clean = " ".join(text.split())  # titles and payers are single-spaced on input
        assert (row.title, row.payer, row.details, row.reason_note) == (clean, clean, text, text)
        assert clean.lower() in row.search_text
        with db.read() as s:
            assert s.get(Note, note_id).body == text
    with db.read() as s:
        tables = set(inspect(s.get_bind()).get_table_names())
    assert {"tasks", "audit_log", "task_events"} <= tables
