"""Bad input, issue 11 (security.md items 12 and 13), on both engines: NUL bytes in any
text, control characters and bidirectional overrides in names and titles, one checklist
validation for create_task and edit_task, ids of 2^63 and dates given as strings, and a
SQLite write lock held past the busy timeout — each refused with a typed error and a
sentence, nothing changed."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy.engine import make_url

from practiceboard.db import engine as engine_module
from practiceboard.db.engine import BUSY, Database
from practiceboard.domain.errors import DatabaseBusy, PracticeBoardError, ValidationError
from practiceboard.queries import careplans as plan_queries
from practiceboard.queries import patients as patient_queries
from practiceboard.queries.filters import TaskFilter
from practiceboard.queries.tasks import search, task_detail
from practiceboard.services import patients, saved_filters, users
from practiceboard.services import task_actions as actions
from practiceboard.services.careplans import add_goal, create_care_plan, review_plan
from practiceboard.services.tasks import move_task
from support import PASSWORD, add_patient, new_task, program, snapshot, task_row

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
CONTROLS = ["\x01", "\x07", "\x1b", "\x7f", "\x85"]


def refused(db, do, match: str, error: type[Exception] = ValidationError) -> str:
    before = snapshot(db)
    with pytest.raises(PracticeBoardError) as caught:
        do()
    assert isinstance(caught.value, error), repr(caught.value)
    said = caught.value.message
    assert match in said, said
    assert said.rstrip().endswith((".", "?", "!")) and "\n" not in said
    assert snapshot(db) == before
    return said


# ---------------------------------------------------------------- NUL bytes in any text


def test_nul_bytes_in_any_text_are_refused_with_a_sentence(db, staff, clock):
    fran, cora = staff.front_desk, staff.care_coordinator
    t = new_task(db, fran, owner_id=fran.user_id)
    pid = add_patient(db, "N-1", "Nora Nul")
    cases = [
        lambda: new_task(db, fran, title="MRI\x00 auth"),
        lambda: new_task(db, fran, details="line\x00"),
        lambda: new_task(db, fran, payer="Aetna\x00"),
        lambda: actions.edit_task(db, fran, t.id, expected_version=1, title="x\x00"),
        lambda: actions.add_note(db, fran, t.id, "called\x00back"),
        lambda: patients.create_patient(db, cora, "N-2", "Ann\x00 Example"),
        lambda: patients.update_patient(db, cora, pid, expected_version=1, phone="555\x00"),
        lambda: saved_filters.save_filter(db, fran, "Mine\x00", TaskFilter()),
        lambda: users.create_user(db, staff.admin, "newbie", "New\x00 Person", PASSWORD,
                                  ["front_desk"]),
    ]  # fmt: skip
    for do in cases:
        refused(db, do, "NUL character")


def test_nul_bytes_in_a_search_get_a_sentence_not_a_data_error(db, staff):
    """The intake patient picker's psycopg.DataError: a pasted NUL in the search."""
    cora = staff.care_coordinator
    add_patient(db, "S-1", "Sam Search")
    for do in (
        lambda: patients.search_patients(db, cora, "Sam\x00"),
        lambda: patient_queries.list_patients(db, cora, "Sam\x00"),
        lambda: search(db, staff.manager, TaskFilter(text="MRI\x00")),
        lambda: plan_queries.list_plans(db, cora, text="Sam\x00"),
    ):
        with pytest.raises(ValidationError, match="NUL character|hidden character"):
            do()


# ------------------------------------------- control characters and bidi overrides


def test_control_characters_and_bidi_overrides_in_names_and_titles_are_refused(db, staff, clock):
    fran, cora = staff.front_desk, staff.care_coordinator
    t = new_task(db, fran, owner_id=fran.user_id)
    for bad in CONTROLS + BIDI:
        kind = "direction of the text" if bad in BIDI else "control character"
        refused(db, lambda b=bad: new_task(db, fran, title=f"Refill{b}exe.pdf"), kind)
        refused(db, lambda b=bad: patients.create_patient(db, cora, "B-1", f"Ann{b} Lee"), kind)
        refused(db, lambda b=bad: actions.add_note(db, fran, t.id, f"n{b}"), kind)


def test_newline_and_tab_stay_in_long_text_and_become_spaces_in_titles(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, title="Two\tparts\nhere", details="Line one\r\n\tLine two",
                 owner_id=fran.user_id)  # fmt: skip
    row = task_row(db, t.id)
    assert (row.title, row.details) == ("Two parts here", "Line one\n\tLine two")


# ---------------------------------------------------------------- one checklist validation


@pytest.mark.parametrize("where", ["create_task", "edit_task"])
def test_one_checklist_validation_for_create_task_and_edit_task(db, staff, clock, where):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)

    def with_checklist(items):
        if where == "create_task":
            return lambda: new_task(db, fran, checklist=items)
        return lambda: actions.edit_task(db, fran, t.id, expected_version=1, checklist=items)

    item = {"text": "x" * 200, "done": False}
    refused(db, with_checklist([item] * 51), "at most 50 items")
    refused(db, with_checklist([{"text": "y" * 201}]), "keep it under 200")
    refused(db, with_checklist([{"text": "z" * 100_000}] * 500), "at most 50 items")
    refused(db, with_checklist(["junk"]), "Checklist item 1 is not an item")
    refused(db, with_checklist([{"text": "ok"}, 7]), "Checklist item 2 is not an item")
    refused(db, with_checklist([{"text": "  "}]), "Checklist item 1 needs some text")
    refused(db, with_checklist("not a list"), "at most 50 items")
    refused(db, with_checklist([{"text": "a\u202eb"}]), "direction of the text")
    saved = with_checklist([item] * 50)()  # the most that is allowed
    task_id = saved.id if where == "create_task" else t.id
    assert len(task_row(db, task_id).checklist) == 50


# ---------------------------------------------------------------- ids of 2^63, dates as text

HUGE = 2**63


def test_ids_of_2_63_give_typed_errors_with_a_sentence(db, staff, clock):
    fran, cora = staff.front_desk, staff.care_coordinator
    t = new_task(db, fran, owner_id=fran.user_id)
    pid = add_patient(db, "H-1", "Hugo Huge")
    cases = [
        lambda: task_detail(db, fran, HUGE),
        lambda: actions.add_note(db, fran, HUGE, "Hello"),
        lambda: actions.watch(db, fran, HUGE),
        lambda: actions.hand_off(db, fran, t.id, HUGE, expected_version=1),
        lambda: actions.edit_task(db, fran, t.id, expected_version=1, location_id=HUGE),
        lambda: move_task(db, fran, t.id, HUGE, expected_version=1),
        lambda: new_task(db, fran, owner_id=HUGE),
        lambda: new_task(db, fran, provider_id=HUGE),
        lambda: new_task(db, fran, patient_id=HUGE),
        lambda: patients.get_patient(db, cora, HUGE),
        lambda: create_care_plan(db, cora, pid, HUGE, cora.user_id, date(2025, 1, 1)),
        lambda: saved_filters.delete_filter(db, fran, HUGE),
        lambda: plan_queries.plan_detail(db, cora, HUGE),
    ]  # fmt: skip
    for do in cases:
        before = snapshot(db)
        with pytest.raises(PracticeBoardError) as caught:
            do()
        said = caught.value.message
        assert said.endswith(".") and "Overflow" not in said and "out of range" not in said, said
        assert snapshot(db) == before


def test_dates_given_as_strings_give_typed_errors_with_a_sentence(db, staff, clock):
    fran, cora = staff.front_desk, staff.care_coordinator
    t = new_task(db, fran, owner_id=fran.user_id)
    pid = add_patient(db, "D-1", "Dora Date")
    prog = program(db, "ccm")
    plan = create_care_plan(db, cora, pid, prog, cora.user_id, date(2025, 1, 1))
    cases = [
        (lambda: new_task(db, fran, due_date="2026-01-05"), "due date"),
        (lambda: actions.edit_task(db, fran, t.id, expected_version=1, due_date="tomorrow"),
         "due date"),
        (lambda: patients.create_patient(db, cora, "D-2", "Dan Date", "1970-01-01"),
         "date of birth"),
        (lambda: create_care_plan(db, cora, pid, prog, cora.user_id, "2025-01-01"), "start date"),
        (lambda: review_plan(db, cora, plan.id, expected_version=plan.version,
                             next_review="2030-01-01"), "next review date"),
        (lambda: add_goal(db, cora, plan.id, "Walk daily", target_date="soon"), "target date"),
    ]  # fmt: skip
    for do, label in cases:
        refused(db, do, f"The {label} must be a calendar date")


# ---------------------------------------------------------------- a write lock held too long


def test_sqlite_write_lock_held_longer_than_the_busy_timeout_gives_a_sentence(
    sqlite_db, monkeypatch
):
    staff_db = sqlite_db
    from support import make_staff

    staff = make_staff(staff_db)
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    db = Database(staff_db.url, workstation="test-pc")  # connections that wait 0.2 s
    fran = staff.front_desk
    before = snapshot(db)
    other = sqlite3.connect(make_url(db.url).database, timeout=0)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        with pytest.raises(DatabaseBusy) as caught:
            new_task(db, fran, title="Waits for the lock")
        assert caught.value.message == BUSY
        assert caught.value.message.startswith("Another program is using the database; try again")
    finally:
        other.rollback()
        other.close()
    assert snapshot(db) == before  # the action did not happen
    saved = new_task(db, fran, title="After the lock")  # and works once it is free
    assert task_row(db, saved.id).title == "After the lock"
    db.dispose()
