"""The intake form's reads, on both engines: who may own a workflow's tasks (exactly the
people intake accepts), who auto-routing picks, and the practice's time zone."""

from __future__ import annotations

import pytest

from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import intake, lookups
from practiceboard.services import users
from practiceboard.services.tasks import TaskDraft, create_task


def workflow(db, actor, name):
    return next(w for w in lookups.workflows(db, actor) if w.name == name)


def test_eligible_owners_are_exactly_the_people_intake_accepts(db, staff):
    wf = workflow(db, staff.manager, "Prior authorization")
    offered = {o.id for o in intake.eligible_owners(db, staff.manager, wf.id)}
    extra = {f["key"]: "x" for f in wf.fields}

    for person in lookups.users(db, staff.admin):
        draft = TaskDraft(wf.id, "Owner check", owner_id=person.id, extra=extra)
        if person.id in offered:
            assert create_task(db, staff.manager, draft).owner_id == person.id
        else:
            with pytest.raises(ValidationError):
                create_task(db, staff.manager, draft)
    assert staff.billing.user_id in offered and staff.front_desk.user_id not in offered


def test_a_disabled_person_is_not_offered(db, staff):
    wf = workflow(db, staff.front_desk, "Referral intake")
    users.set_active(db, staff.admin, staff.clinical.user_id, False)

    offered = {o.id for o in intake.eligible_owners(db, staff.front_desk, wf.id)}
    assert staff.clinical.user_id not in offered and staff.front_desk.user_id in offered


def test_route_preview_names_who_auto_routing_picks(db, staff):
    wf = workflow(db, staff.clinical, "Lab results follow-up")  # intake role: clinical

    preview = intake.route_preview(db, staff.front_desk, wf.id)
    saved = create_task(db, staff.front_desk, TaskDraft(wf.id, "A1c", extra={"test": "A1c"}))

    assert (preview.id, preview.label) == (staff.clinical.user_id, "Cleo Clinical")
    assert saved.owner_id == preview.id


def test_workflows_the_actor_does_not_work_on_give_nothing(db, staff):
    wf = workflow(db, staff.manager, "Billing follow-up")

    assert intake.eligible_owners(db, staff.front_desk, wf.id) == []
    assert intake.route_preview(db, staff.front_desk, wf.id) is None


def test_a_disabled_account_reads_nothing(db, staff):
    users.set_active(db, staff.admin, staff.front_desk.user_id, False)

    with pytest.raises(PermissionDenied):
        intake.practice_zone(db, staff.front_desk)
