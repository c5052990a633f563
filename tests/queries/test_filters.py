"""Search and filters: each filter alone and together, text with SQL metacharacters,
the sort allow-list, paging."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from practiceboard.core.rows import SORTS, TaskFilter
from practiceboard.db.models import Task
from practiceboard.domain.errors import ValidationError
from practiceboard.queries import tasks as q
from support import add_patient, make_task, move, status_id, wf_id

HOSTILE = ["'; DROP TABLE tasks; --", "%", "_", "\\", "50%_off\\", "' OR '1'='1", '"', "--"]


@pytest.fixture
def world(db, staff, clock):
    """A small practice: tasks across workflows, owners, places, payers, providers."""
    fd, bil, mgr = staff.front_desk, staff.billing, staff.manager
    prov = staff.provider.user_id
    with db.write() as s:
        from practiceboard.db.models import Location

        s.add(Location(id=2, name="North clinic", is_default=False, active=True))
    pid = add_patient(db, "MRN-1001", "Pat Patient")
    t = {
        "ref_a": make_task(db, fd, "referral", "Cardiology referral", due_date=date(2025, 3, 20),
                           provider_id=prov, patient_id=pid),
        "ref_b": make_task(db, fd, "referral", "Dermatology referral", location_id=2,
                           due_date=date(2025, 3, 12)),
        "rec": make_task(db, fd, "records", "Records 50%_off\\ deal", due_date=date(2025, 4, 1)),
        "pa": make_task(db, bil, "prior_auth", "MRI prior auth", payer="Aetna", provider_id=prov),
        "bil": make_task(db, bil, "billing", "Denied claim O'Brien", payer="Cigna", location_id=2),
        "mgr": make_task(db, mgr, "referral", "Manager's own referral", payer="Aetna"),
    }  # fmt: skip
    move(db, fd, t["ref_b"], "waiting_records", reason=("waiting", "records_pending"))
    done = make_task(db, fd, "records", "Received records")
    move(db, fd, done, "requested")
    move(db, fd, done, "received")
    t["done"] = done
    return t


def ids(db, actor, filt: TaskFilter, **kw) -> set[int]:
    cards, total = q.search(db, actor, filt, **kw)
    assert total == len(cards)
    return {c.id for c in cards}


def test_each_filter_alone(db, staff, world):
    m, w = staff.manager, world
    every_open = {w["ref_a"], w["ref_b"], w["rec"], w["pa"], w["bil"], w["mgr"]}
    assert ids(db, m, TaskFilter()) == every_open
    assert ids(db, m, TaskFilter(include_closed=True)) == every_open | {w["done"]}
    assert ids(db, m, TaskFilter(workflow_ids=(wf_id(db, "referral"),))) == {
        w["ref_a"], w["ref_b"], w["mgr"]}  # fmt: skip
    waiting = status_id(db, "referral", "waiting_records")
    assert ids(db, m, TaskFilter(status_ids=(waiting,))) == {w["ref_b"]}
    assert ids(db, m, TaskFilter(categories=("waiting",))) == {w["ref_b"]}
    assert ids(db, m, TaskFilter(categories=("done",), include_closed=True)) == {w["done"]}
    assert ids(db, m, TaskFilter(owner_ids=(staff.billing.user_id,))) == {w["pa"], w["bil"]}
    assert ids(db, m, TaskFilter(role_keys=("billing",))) == {w["pa"], w["bil"]}
    assert ids(db, m, TaskFilter(role_keys=("manager", "billing"))) == {w["pa"], w["bil"], w["mgr"]}
    assert ids(db, m, TaskFilter(location_ids=(2,))) == {w["ref_b"], w["bil"]}
    assert ids(db, m, TaskFilter(payers=("Aetna",))) == {w["pa"], w["mgr"]}
    assert ids(db, m, TaskFilter(provider_ids=(staff.provider.user_id,))) == {w["ref_a"], w["pa"]}
    assert ids(db, m, TaskFilter(due_from=date(2025, 3, 15))) == {w["ref_a"], w["rec"]}
    assert ids(db, m, TaskFilter(due_to=date(2025, 3, 20))) == {w["ref_a"], w["ref_b"]}
    assert ids(db, m, TaskFilter(due_from=date(2025, 3, 13), due_to=date(2025, 3, 31))) == {
        w["ref_a"]}  # fmt: skip
    assert ids(db, m, TaskFilter(text="cardio")) == {w["ref_a"]}
    assert ids(db, m, TaskFilter(text="  REFERRAL ")) == {w["ref_a"], w["ref_b"], w["mgr"]}
    assert ids(db, m, TaskFilter(text="mrn-1001")) == {w["ref_a"]}  # the patient's MRN
    assert ids(db, m, TaskFilter(text="PA-")) == {w["pa"]}  # the reference


def test_filters_combine(db, staff, world, clock):
    m, w = staff.manager, world
    referral = wf_id(db, "referral")
    assert ids(db, m, TaskFilter(workflow_ids=(referral,), payers=("Aetna",))) == {w["mgr"]}
    assert ids(db, m, TaskFilter(payers=("Aetna",), role_keys=("billing",))) == {w["pa"]}
    assert ids(db, m, TaskFilter(location_ids=(2,), categories=("waiting",))) == {w["ref_b"]}
    assert ids(db, m, TaskFilter(text="referral", due_to=date(2025, 3, 15))) == {w["ref_b"]}
    assert ids(db, m, TaskFilter(owner_ids=(staff.front_desk.user_id,), text="records")) == {
        w["rec"]}  # fmt: skip
    clock.advance(days=1)  # Thursday: ref_b (due Wednesday) is overdue, nothing breached yet
    assert ids(db, m, TaskFilter(text="referral", needs_attention=True)) == {w["ref_b"]}
    assert ids(db, m, TaskFilter(workflow_ids=(referral,), status_ids=(
        status_id(db, "records", "new"),))) == set()  # fmt: skip
    assert ids(db, m, TaskFilter(categories=("review",))) == set()


def test_filters_never_widen_visibility(db, staff, world):
    fd = staff.front_desk
    assert ids(db, fd, TaskFilter(workflow_ids=(wf_id(db, "billing"),))) == set()
    assert ids(db, fd, TaskFilter(payers=("Cigna",))) == set()  # the billing task
    assert ids(db, fd, TaskFilter(text="claim")) == set()


def test_mrn_search_needs_patient_view(db, staff, world):
    assert ids(db, staff.admin, TaskFilter(text="MRN-1001")) == set()
    assert ids(db, staff.admin, TaskFilter(text="cardiology")) == {world["ref_a"]}
    cards, _ = q.search(db, staff.admin, TaskFilter(text="cardiology"))
    assert cards[0].patient_ref is None


def test_text_with_sql_metacharacters_matches_literally(db, staff, world):
    m = staff.manager
    for text in HOSTILE:
        make_task(db, m, "referral", f"Literal {text} inside")

    for text in HOSTILE:
        found = q.search(db, m, TaskFilter(text=text))[0]
        assert found and all(text.lower() in c.title.lower() for c in found), text
        assert q.board(db, m, None, TaskFilter(text=text)).cards, text
        q.needs_attention(db, m, TaskFilter(text=text))

    # and nothing broke
    with db.read() as s:
        assert s.execute(select(func.count(Task.id))).scalar_one() == 7 + len(HOSTILE)
    assert q.search(db, m, TaskFilter())[1] == 6 + len(HOSTILE)


def test_percent_and_underscore_are_not_wildcards(db, staff, world):
    m, w = staff.manager, world
    assert ids(db, m, TaskFilter(text="%")) == {w["rec"]}
    assert ids(db, m, TaskFilter(text="_")) == {w["rec"]}
    assert ids(db, m, TaskFilter(text="\\")) == {w["rec"]}
    assert ids(db, m, TaskFilter(text="50%_off\\")) == {w["rec"]}
    assert ids(db, m, TaskFilter(text="o'brien")) == {w["bil"]}
    assert ids(db, m, TaskFilter(text="'; DROP TABLE tasks; --")) == set()


def test_sort_outside_the_allow_list_is_refused(db, staff, world):
    for sort in ["title; DROP TABLE tasks", "id", "owner_id", "", "URGENCY", "due desc"]:
        with pytest.raises(ValidationError) as err:
            q.search(db, staff.manager, TaskFilter(), sort=sort)
        assert str(err.value) == "That sort order is not available."
        with pytest.raises(ValidationError):
            q.needs_attention(db, staff.manager, sort=sort)


def test_every_allowed_sort_works_both_ways(db, staff, world):
    m, w = staff.manager, world
    for sort in SORTS:
        up = [c.id for c in q.search(db, m, TaskFilter(), sort=sort)[0]]
        down = [c.id for c in q.search(db, m, TaskFilter(), sort=sort, descending=True)[0]]
        assert sorted(up) == sorted(down) and len(up) == 6, sort
    by_title = q.search(db, m, TaskFilter(), sort="title")[0]
    assert [c.title for c in by_title] == sorted((c.title for c in by_title), key=str.lower)
    by_due = [c.id for c in q.search(db, m, TaskFilter(), sort="due")[0]]
    assert by_due[:3] == [w["ref_b"], w["ref_a"], w["rec"]]  # undated last
    by_due = [c.id for c in q.search(db, m, TaskFilter(), sort="due", descending=True)[0]]
    assert by_due[:3] == [w["rec"], w["ref_a"], w["ref_b"]]
    by_owner = [c.owner_name for c in q.search(db, m, TaskFilter(), sort="owner")[0]]
    assert by_owner == sorted(by_owner)


def test_paging_with_a_total(db, staff, world):
    m = staff.manager
    first, total = q.search(db, m, TaskFilter(), sort="ref", limit=4)
    second, total2 = q.search(db, m, TaskFilter(), sort="ref", offset=4, limit=4)
    assert total == total2 == 6
    assert len(first) == 4 and len(second) == 2
    refs = [c.ref for c in first + second]
    assert refs == sorted(refs)
    assert q.search(db, m, TaskFilter(), offset=50) == ([], 6)
    with pytest.raises(ValidationError):
        q.search(db, m, TaskFilter(), limit=0)
    with pytest.raises(ValidationError):
        q.search(db, m, TaskFilter(), offset=-1)


def test_saved_filter_round_trip_searches_the_same(db, staff, world):
    filt = TaskFilter(payers=("Aetna",), categories=("new",), text="mri")
    again = TaskFilter.from_dict(filt.to_dict())
    assert ids(db, staff.manager, again) == ids(db, staff.manager, filt) == {world["pa"]}


def test_search_finds_a_task_by_its_patient_with_the_pickers_rule(db, staff, world):
    """One patient-matching rule (core.patient_match) for the intake picker and the
    main search: MRN digits anywhere, name prefix per word, date of birth."""
    from practiceboard.services import patients

    fd = staff.front_desk
    pid = add_patient(db, "MRN-0103045", "Judy Tumbleweed", date(1961, 7, 4))
    task = make_task(db, fd, "referral", "Knee referral", patient_id=pid)
    for typed in ("Tumbleweed", "tumble", "judy tum", "10304", "7/4/1961"):
        assert ids(db, fd, TaskFilter(text=typed)) == {task}, typed
        assert [p.id for p in patients.search_patients(db, fd, typed)] == [pid], typed
    assert ids(db, fd, TaskFilter(text="umbleweed")) == set()  # a name matches from a word's start
    assert ids(db, staff.admin, TaskFilter(text="Tumbleweed")) == set()  # no patient.view
