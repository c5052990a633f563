"""Saved filters: each person keeps named filters of their own, audited, on both engines."""

from __future__ import annotations

import json
from datetime import date

import pytest

from practiceboard.core.rows import TaskFilter
from practiceboard.domain.errors import NotFound, PermissionDenied, ValidationError
from practiceboard.queries import lookups
from practiceboard.services import users
from practiceboard.services.saved_filters import delete_filter, save_filter
from support import audit_rows

OVERDUE_REFERRALS = TaskFilter(workflow_ids=(1,), due_to=date(2026, 3, 3), needs_attention=True)


def test_a_saved_filter_comes_back_the_same_and_is_audited(db, staff):
    fid = save_filter(db, staff.front_desk, "  My  overdue referrals ", OVERDUE_REFERRALS)

    saved = lookups.saved_filters(db, staff.front_desk)
    assert [(s.id, s.name, s.filter) for s in saved] == [
        (fid, "My overdue referrals", OVERDUE_REFERRALS)
    ]
    (row,) = audit_rows(db, "filter.save")
    assert row.user_id == staff.front_desk.user_id and row.entity_id == str(fid)
    assert json.loads(row.new_values)["name"] == "My overdue referrals"


def test_filters_are_per_person(db, staff):
    save_filter(db, staff.front_desk, "Mine", OVERDUE_REFERRALS)
    fid = save_filter(db, staff.billing, "Mine", TaskFilter(payers=("Aetna",)))

    assert [s.filter.payers for s in lookups.saved_filters(db, staff.billing)] == [("Aetna",)]
    assert [s.id for s in lookups.saved_filters(db, staff.billing)] == [fid]


@pytest.mark.parametrize(
    "name, words",
    [("", "Give the filter a name"), ("   ", "Give the filter a name"), ("x" * 81, "under 80")],
)
def test_names_are_1_to_80_characters(db, staff, name, words):
    with pytest.raises(ValidationError, match=words) as err:
        save_filter(db, staff.front_desk, name, OVERDUE_REFERRALS)
    assert err.value.field == "name"
    assert save_filter(db, staff.front_desk, "x" * 80, OVERDUE_REFERRALS) > 0


def test_a_name_is_unique_per_person_whatever_its_case(db, staff):
    save_filter(db, staff.front_desk, "Overdue", OVERDUE_REFERRALS)

    with pytest.raises(ValidationError, match="already have a filter called “Overdue”"):
        save_filter(db, staff.front_desk, "OVERDUE", TaskFilter(text="x"))
    assert len(lookups.saved_filters(db, staff.front_desk)) == 1


def test_an_empty_filter_is_not_worth_saving(db, staff):
    with pytest.raises(ValidationError, match="at least one filter"):
        save_filter(db, staff.front_desk, "Everything", TaskFilter())


def test_delete_removes_only_your_own(db, staff):
    fid = save_filter(db, staff.front_desk, "Mine", OVERDUE_REFERRALS)

    with pytest.raises(NotFound):
        delete_filter(db, staff.manager, fid)
    assert len(lookups.saved_filters(db, staff.front_desk)) == 1

    delete_filter(db, staff.front_desk, fid)
    assert lookups.saved_filters(db, staff.front_desk) == []
    (row,) = audit_rows(db, "filter.delete")
    assert json.loads(row.old_values)["name"] == "Mine"
    with pytest.raises(NotFound):
        delete_filter(db, staff.front_desk, fid)


def test_a_disabled_account_cannot_save(db, staff):
    users.set_active(db, staff.admin, staff.billing.user_id, False)

    with pytest.raises(PermissionDenied):
        save_filter(db, staff.billing, "Mine", OVERDUE_REFERRALS)
    assert audit_rows(db, "filter.save")[0].outcome == "denied"
