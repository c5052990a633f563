"""An admin's workflow changes keep history, on both engines: a renamed status keeps its
id and its tasks' events; a status with tasks or history cannot be deleted, only retired
(nothing moves into it, its tasks move out); reasons and templates are switched off, not
removed; a workflow is switched off and on; roles see what they are given. Another
Database object (another PC) sees each change at its next call (the change stamp)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from practiceboard.core import definitions
from practiceboard.db.engine import Database
from practiceboard.db.models import ReasonCode, RoleWorkflow, Status, Template
from practiceboard.domain.errors import InvalidTransition, PermissionDenied, ValidationError
from practiceboard.queries import lookups
from practiceboard.services import workflows
from support import audit_rows, events, last_audit_id, make_task, move, status_id, wf_id


def referral(db: Database):
    """The referral workflow as every query and service sees it: from the definitions
    cache, which trusts the change stamp."""
    with db.read() as session:
        return next(w for w in definitions.every_workflow(session) if w.key == "referral")


def referral_names(db: Database) -> dict[str, str]:
    return {s.key: s.name for s in referral(db).statuses}


def test_a_renamed_status_keeps_its_id_and_history_and_another_pc_sees_it(staff):
    db = staff.db
    other = Database(db.url, workstation="other-pc")
    try:
        assert referral_names(other)["ready"] == "Ready to schedule"  # cached
        task = make_task(db, staff.front_desk, "referral", "Cardiology referral")
        move(db, staff.front_desk, task, "ready")
        ready = status_id(db, "referral", "ready")
        mark = last_audit_id(db)

        workflows.rename_status(db, staff.admin, ready, "  Ready to book ")

        assert referral_names(other)["ready"] == "Ready to book"
        assert status_id(db, "referral", "ready") == ready
        assert events(db, task)[-1].to_status_id == ready
        (entry,) = audit_rows(db, "status.rename", after=mark)
        assert (entry.old_values, entry.new_values) == (
            '{"name": "Ready to schedule"}',
            '{"name": "Ready to book"}',
        )
        with pytest.raises(ValidationError, match="already has a status called"):
            workflows.rename_status(db, staff.admin, ready, "waiting on records")
    finally:
        other.dispose()


def test_a_status_with_history_is_retired_not_deleted(staff):
    db, fd = staff.db, staff.front_desk
    ready = status_id(db, "referral", "ready")
    in_ready = make_task(db, fd, "referral", "Cardiology referral")
    move(db, fd, in_ready, "ready")
    waiting = make_task(db, fd, "referral", "Dermatology referral")

    with pytest.raises(ValidationError, match="cannot be deleted. Retire it instead"):
        workflows.delete_status(db, staff.admin, ready)
    workflows.set_status_retired(db, staff.admin, ready, True)

    with pytest.raises(InvalidTransition, match="is retired"):
        move(db, fd, waiting, "ready")
    move(db, fd, in_ready, "scheduled")  # what is in it still moves out
    wf = referral(db)
    assert ready not in [t.to_status_id for t in wf.moves_from(wf.status_by_key("new").id)]

    workflows.set_status_retired(db, staff.admin, ready, False)
    move(db, fd, waiting, "ready")
    assert [e.action for e in audit_rows(db, None) if e.entity == "status"] == [
        "status.retire",
        "status.restore",
    ]


def test_an_unused_status_can_be_deleted_but_not_the_last_open_one(staff):
    db = staff.db
    unused = status_id(db, "referral", "waiting_patient")
    workflows.delete_status(db, staff.admin, unused)
    with db.read() as s:
        assert s.get(Status, unused) is None
    with pytest.raises(ValidationError, match="last open status"):
        for key in ("new", "waiting_records", "ready"):
            workflows.set_status_retired(db, staff.admin, status_id(db, "referral", key), True)


def test_reasons_templates_and_switching_a_workflow(staff):
    db, admin = staff.db, staff.admin
    new_id = workflows.add_reason(db, admin, "waiting", "Waiting on fax", note_required=True)
    with db.read() as s:
        r = s.get(ReasonCode, new_id)
        assert (r.kind, r.key, r.label, r.note_required, r.active) == (
            "waiting",
            "waiting_on_fax",
            "Waiting on fax",
            True,
            True,
        )
    with pytest.raises(ValidationError, match="already a reason"):
        workflows.add_reason(db, admin, "waiting", "waiting on FAX")
    workflows.edit_reason(db, admin, new_id, label="Waiting on a fax", note_required=False,
                          active=False)  # fmt: skip
    offered = lookups.reason_codes(db, staff.front_desk, "waiting")
    assert "Waiting on a fax" not in [r.label for r in offered]

    ref = wf_id(db, "referral")
    tid = workflows.add_template(db, admin, ref, name="Ortho referral", title="Orthopedics",
                                 checklist=["X-ray", " ", "Notes"], due_in_days=7)  # fmt: skip
    workflows.edit_template(db, admin, tid, name="Ortho referral", title="Orthopedics referral",
                            details="", checklist=["X-ray"], priority=2, due_in_days=None,
                            active=False)  # fmt: skip
    with db.read() as s:
        t = s.get(Template, tid)
        assert (t.title, t.checklist, t.priority, t.due_in_days, t.active) == (
            "Orthopedics referral",
            ["X-ray"],
            2,
            None,
            False,
        )
    with pytest.raises(ValidationError, match="between 0 and 365"):
        workflows.edit_template(db, admin, tid, name="X", title="", details="", checklist=[],
                                priority=1, due_in_days=400, active=True)  # fmt: skip

    workflows.set_workflow_active(db, admin, ref, False)
    assert "referral" not in [w.key for w in lookups.workflows(db, staff.front_desk)]
    workflows.set_workflow_active(db, admin, ref, True)
    workflows.rename_workflow(db, admin, ref, "Referrals out")
    assert "Referrals out" in [w.name for w in lookups.workflows(db, staff.front_desk)]


def test_role_visibility_and_admin_only(staff):
    db, admin = staff.db, staff.admin
    billing_wf = wf_id(db, "billing")
    assert "billing" not in [w.key for w in lookups.workflows(db, staff.front_desk)]
    roles = {r.key: r.id for r in lookups.roles(db, admin)}
    workflows.set_workflow_roles(db, admin, billing_wf, [roles["billing"], roles["front_desk"]])
    assert "billing" in [w.key for w in lookups.workflows(db, staff.front_desk)]
    with db.read() as s:
        assert len(s.scalars(select(RoleWorkflow).where(
            RoleWorkflow.workflow_id == billing_wf)).all()) == 2  # fmt: skip
    for call in (
        lambda: workflows.rename_workflow(db, staff.manager, billing_wf, "Money"),
        lambda: workflows.set_workflow_roles(db, staff.manager, billing_wf, []),
        lambda: workflows.set_status_retired(db, staff.manager, status_id(db, "billing", "new"),
                                             True),
    ):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call()
    denied = audit_rows(db, "workflow.rename")
    assert [(e.username, e.outcome) for e in denied] == [("manager", "denied")]


def test_the_board_shows_a_retired_status_only_while_tasks_are_in_it(staff):
    from practiceboard.queries import board

    db, fd = staff.db, staff.front_desk
    ref, ready = wf_id(db, "referral"), status_id(db, "referral", "ready")
    task = make_task(db, fd, "referral", "Cardiology referral")
    move(db, fd, task, "ready")
    workflows.set_status_retired(db, staff.admin, ready, True)

    def columns() -> list[int]:
        return [c.status_id for c in board.board(db, fd, workflow_id=ref).columns]

    assert ready in columns()
    move(db, fd, task, "scheduled")
    assert ready not in columns()
