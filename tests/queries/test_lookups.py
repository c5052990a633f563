"""Small lists for pickers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from practiceboard.core.actor import Actor
from practiceboard.core.rows import TaskFilter
from practiceboard.db.models import User
from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import lookups
from support import make_task, wf_id


def test_workflows_visible_to_the_actor_with_their_statuses(db, staff):
    front = lookups.workflows(db, staff.front_desk)
    assert [w.key for w in front] == ["referral", "records", "lab_followup"]
    referral = front[0]
    assert [s.name for s in referral.statuses][:2] == ["New", "Waiting on records"]
    assert referral.statuses[0].category == "new" and referral.statuses[0].definition_of_done
    assert referral.fields[0]["key"] == "referred_to"
    assert len(lookups.workflows(db, staff.manager)) == 8
    signoff = next(w for w in lookups.workflows(db, staff.provider) if w.key == "signoff")
    assert {s.decision for s in signoff.statuses} >= {"approved", "rejected", "sent_back"}


def test_users_roles_and_providers(db, staff):
    people = {u.display_name: u for u in lookups.users(db, staff.front_desk)}
    assert people["Fran Front"].role_keys == ("front_desk",)
    assert people["Dr. Pat Provider"].role_keys == ("provider",)
    assert len(people) == 7
    with db.write() as s:
        s.execute(update(User).where(User.id == staff.billing.user_id).values(active=False))
    assert "Bill Billing" not in {u.display_name for u in lookups.users(db, staff.front_desk)}
    everyone = lookups.users(db, staff.front_desk, include_inactive=True)
    assert any(u.display_name == "Bill Billing" and not u.active for u in everyone)
    assert [(p.id, p.label) for p in lookups.providers(db, staff.front_desk)] == [
        (staff.provider.user_id, "Dr. Pat Provider")]  # fmt: skip
    assert [r.key for r in lookups.roles(db, staff.front_desk)][:2] == ["front_desk", "clinical"]


def test_locations_payers_and_reasons(db, staff, clock):
    assert [loc.label for loc in lookups.locations(db, staff.front_desk)] == ["Main office"]
    make_task(db, staff.billing, "billing", "Claim A", payer="Cigna")
    make_task(db, staff.billing, "prior_auth", "PA", payer="Aetna")
    make_task(db, staff.billing, "billing", "Claim B", payer="Cigna")
    assert lookups.payers(db, staff.billing) == ["Aetna", "Cigna"]
    waiting = lookups.reason_codes(db, staff.front_desk, "waiting")
    assert waiting[0].label == "Missing information" and waiting[-1].key == "other"
    assert waiting[-1].note_required
    assert {r.kind for r in lookups.reason_codes(db, staff.front_desk)} == {
        "waiting", "needs_info", "rejection", "reopen", "exception"}  # fmt: skip


def test_templates_only_of_visible_workflows(db, staff):
    refs = lookups.templates(db, staff.front_desk, wf_id(db, "referral"))
    assert [t.name for t in refs] == ["Cardiology referral"]
    assert refs[0].checklist[0]["text"] == "Referral letter" and refs[0].due_in_days == 7
    assert lookups.templates(db, staff.front_desk, wf_id(db, "billing")) == []


def test_saved_filters_are_the_users_own(db, staff):
    from practiceboard.db.models import SavedFilter

    filt = TaskFilter(payers=("Aetna",), needs_attention=True)
    at = datetime(2025, 3, 12, tzinfo=UTC)
    with db.write() as s:
        s.add(SavedFilter(user_id=staff.front_desk.user_id, name="Aetna stuck",
                          filters=filt.to_dict(), created_at=at))  # fmt: skip
        s.add(SavedFilter(user_id=staff.billing.user_id, name="Not mine", filters={},
                          created_at=at))  # fmt: skip
    mine = lookups.saved_filters(db, staff.front_desk)
    assert [(f.name, f.filter) for f in mine] == [("Aetna stuck", filt)]


def test_a_disabled_account_gets_nothing(db, staff):
    with db.write() as s:
        s.execute(update(User).where(User.id == staff.front_desk.user_id).values(active=False))
    with pytest.raises(PermissionDenied):
        lookups.workflows(db, staff.front_desk)
    with pytest.raises(PermissionDenied):
        lookups.users(db, Actor(9999, "ghost", "Ghost"))


def test_picker_options_are_the_lookups_in_one_read(db, staff):
    from practiceboard.queries import intake, pickers

    fd = staff.front_desk
    wf = next(w for w in lookups.workflows(db, fd) if w.key == "referral")
    every = pickers.picker_options(db, fd, wf.id)
    assert every.workflows == tuple(lookups.workflows(db, fd))
    assert every.users == tuple(lookups.users(db, fd))
    assert every.roles == tuple(lookups.roles(db, fd))
    assert every.locations == tuple(lookups.locations(db, fd))
    assert every.payers == tuple(lookups.payers(db, fd))
    assert every.providers == tuple(lookups.providers(db, fd))
    assert every.saved_filters == tuple(lookups.saved_filters(db, fd))
    assert (every.timezone, every.today) == intake.practice_zone(db, fd)
    assert every.templates == tuple(lookups.templates(db, fd, wf.id))
    assert every.owners == tuple(intake.eligible_owners(db, fd, wf.id))
    assert every.routed_to == intake.route_preview(db, fd, wf.id)
    general = pickers.picker_options(db, fd)
    assert (general.templates, general.owners, general.routed_to) == ((), (), None)
