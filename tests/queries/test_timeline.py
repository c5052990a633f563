"""Timelines as sentences; one task in full; reading patient data is audited."""

from __future__ import annotations

from datetime import date

import pytest

from practiceboard.domain.errors import NotFound, PermissionDenied
from practiceboard.queries import tasks as q
from practiceboard.queries import timeline
from practiceboard.services import task_actions
from support import add_patient, audit_rows, make_task, move, version


def test_task_timeline_tells_the_story_oldest_first(db, staff, clock):
    fd, mgr = staff.front_desk, staff.manager
    t = make_task(db, fd, "referral", "Cardiology referral")
    clock.advance(minutes=5)
    move(db, fd, t, "waiting_records", reason=("waiting", "records_pending"), note="Faxed Dr. Lee")
    clock.advance(minutes=5)
    task_actions.hand_off(db, fd, t, staff.clinical.user_id, expected_version=version(db, t))
    clock.advance(minutes=5)
    task_actions.add_note(db, mgr, t, "Please chase this today")
    clock.advance(minutes=5)
    task_actions.edit_task(db, mgr, t, expected_version=version(db, t), title="Cardiology ref.",
                           due_date=date(2025, 3, 20))  # fmt: skip
    clock.advance(minutes=5)
    move(db, mgr, t, "not_needed", reason=("exception", "no_longer_needed"))
    clock.advance(minutes=5)
    move(db, mgr, t, "ready", reason=("reopen", "new_information"))
    task_actions.watch(db, fd, t)

    entries = timeline.task_timeline(db, fd, t)

    assert [e.summary for e in entries] == [
        "Created in New, owned by Fran Front",
        "Moved from New to Waiting on records",
        "Handed from Fran Front to Cleo Clinical",
        "Note",
        "Edited due date, title",
        "Moved from Waiting on records to Closed – not needed",
        "Reopened",
        "Started watching",
    ]
    assert [e.actor_name for e in entries][:3] == ["Fran Front"] * 3
    assert entries[1].reason_label == "Records pending" and entries[1].note == "Faxed Dr. Lee"
    assert entries[3].note == "Please chase this today" and entries[3].actor_name == "Max Manager"
    assert entries[6].reason_label == "New information"
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert all(e.task_ref is None for e in entries)


def test_decisions_read_as_decisions(db, staff, clock):
    cl, mgr = staff.clinical, staff.manager
    t = make_task(db, cl, "supply", "Gloves")
    move(db, cl, t, "ready")
    move(db, mgr, t, "needs_info", reason=("needs_info", "missing_document"), note="Need a quote")
    move(db, cl, t, "ready")
    move(db, mgr, t, "approved")

    summaries = [e.summary for e in timeline.task_timeline(db, cl, t)]

    assert summaries == [
        "Created in New, owned by Cleo Clinical",
        "Moved from New to Ready for review",
        "Handed from Cleo Clinical to Max Manager",
        "Sent back for more information",
        "Handed from Max Manager to Cleo Clinical",
        "Moved from Needs info to Ready for review",
        "Handed from Cleo Clinical to Max Manager",
        "Approved",
        "Handed from Max Manager to Cleo Clinical",
    ]
    sent_back = timeline.task_timeline(db, cl, t)[3]
    assert sent_back.reason_label == "Missing document" and sent_back.note == "Need a quote"


def test_timeline_of_a_task_in_another_workflow_is_refused(db, staff, clock):
    t = make_task(db, staff.billing, "billing", "Denied claim")
    with pytest.raises(PermissionDenied):
        timeline.task_timeline(db, staff.front_desk, t)
    with pytest.raises(NotFound):
        timeline.task_timeline(db, staff.front_desk, 999)


def test_task_detail_shows_and_audits_the_patient_once(db, staff, clock):
    fd = staff.front_desk
    pid = add_patient(db, "MRN-42", "Pat Patient", date(1970, 5, 1))
    t = make_task(
        db, fd, "referral", "Referral", patient_id=pid, provider_id=staff.provider.user_id
    )
    task_actions.watch(db, staff.manager, t)
    before = len(audit_rows(db, "patient.view"))

    detail = q.task_detail(db, fd, t)

    assert detail.patient_name == "Pat Patient" and detail.patient_dob == date(1970, 5, 1)
    assert detail.patient_id == pid and detail.card.patient_ref == "MRN-42"
    assert detail.card.provider_name == "Dr. Pat Provider"
    assert detail.requester_name == "Fran Front" and detail.watchers == ("Max Manager",)
    assert detail.extra == {"referred_to": "Cardiology"}
    assert detail.extra_labels == {"referred_to": "Referred to (specialty or clinic)"}
    assert detail.timeline[0].summary == "Created in New, owned by Fran Front"
    views = audit_rows(db, "patient.view")
    assert len(views) == before + 1
    row = views[-1]
    assert row.patient_id == pid and row.user_id == fd.user_id and row.outcome == "success"
    assert row.category == "patient" and row.workstation == "test-pc"


def test_task_detail_without_patient_view_shows_no_patient_and_writes_no_audit(db, staff, clock):
    pid = add_patient(db, "MRN-43", "Hidden Name", date(1980, 1, 1))
    t = make_task(db, staff.front_desk, "referral", "Referral", patient_id=pid)
    before = len(audit_rows(db, "patient.view"))

    detail = q.task_detail(db, staff.admin, t)

    assert detail.patient_name is None and detail.patient_dob is None
    assert detail.patient_id is None and detail.card.patient_ref is None
    assert len(audit_rows(db, "patient.view")) == before


def test_task_detail_without_a_patient_writes_no_audit(db, staff, clock):
    t = make_task(db, staff.front_desk, "records", "No patient here")
    before = len(audit_rows(db, "patient.view"))
    assert q.task_detail(db, staff.front_desk, t).patient_name is None
    assert len(audit_rows(db, "patient.view")) == before


def test_task_detail_outside_the_roles_workflows_is_refused_and_audited(db, staff, clock):
    t = make_task(db, staff.billing, "billing", "Denied claim")
    with pytest.raises(PermissionDenied):
        q.task_detail(db, staff.front_desk, t)
    denied = audit_rows(db, "task.view")
    assert len(denied) == 1 and denied[0].outcome == "denied"


def test_patient_timeline_newest_first_in_visible_workflows_and_audited(db, staff, clock):
    fd, bil = staff.front_desk, staff.billing
    pid = add_patient(db, "MRN-50", "Pat Patient")
    other = add_patient(db, "MRN-51", "Someone Else")
    ref = make_task(db, fd, "referral", "Referral", patient_id=pid)
    clock.advance(minutes=1)
    move(db, fd, ref, "ready")
    clock.advance(minutes=1)
    claim = make_task(db, bil, "billing", "Claim", patient_id=pid)
    make_task(db, fd, "records", "Not this patient", patient_id=other)
    before = len(audit_rows(db, "patient.view"))

    entries = timeline.patient_timeline(db, fd, pid)

    assert [(e.task_ref, e.summary) for e in entries] == [
        ("REF-000001", "Moved from New to Ready to schedule"),
        ("REF-000001", "Created in New, owned by Fran Front"),
    ]  # the billing task is not in the front desk's workflows
    manager_view = timeline.patient_timeline(db, staff.manager, pid)
    assert manager_view[0].task_ref == f"BIL-{claim:06d}"
    views = audit_rows(db, "patient.view")
    assert len(views) == before + 2
    assert {v.patient_id for v in views[-2:]} == {pid}


def test_patient_timeline_needs_patient_view(db, staff, clock):
    pid = add_patient(db, "MRN-60", "Pat Patient")
    with pytest.raises(PermissionDenied):
        timeline.patient_timeline(db, staff.admin, pid)
    rows = audit_rows(db, "patient.view")
    assert [(r.outcome, r.patient_id) for r in rows] == [("denied", pid)]
    with pytest.raises(NotFound):
        timeline.patient_timeline(db, staff.front_desk, 9999)
