"""Issue 11, sign-in: "Break-glass (item 6): an admin-only, reason-required, time-limited
grant of patient-data visibility, audited, shown in the audit report and expiring by
itself"."""

from __future__ import annotations

import pytest

from practiceboard import cli
from practiceboard.core.rows import AuditFilter
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import audit as audit_queries
from practiceboard.queries import patients as patient_queries
from practiceboard.services import break_glass
from support import PASSWORD, add_patient, audit_rows

REASON = "Patient in the waiting room, chart needed for an emergency referral"


@pytest.fixture
def scene(staff, clock):
    add_patient(staff.db, "MRN-1001", "Ada Example")
    return staff


@pytest.fixture
def it_admin(scene):
    """A second admin-only account: like every admin, it sees no patient data."""
    return scene.add("itadmin", ["admin"], "Ivy IT")


def _sees_patients(staff, actor) -> bool:
    try:
        patient_queries.list_patients(staff.db, actor, "")
    except PermissionDenied:
        return False
    return True


def test_break_glass_grants_patient_visibility_and_expires_by_itself(scene, clock):
    admin = scene.admin
    assert not _sees_patients(scene, admin)  # the admin sees no patient data
    break_glass.grant(scene.db, admin, admin.user_id, REASON, minutes=30)
    assert _sees_patients(scene, admin)
    clock.advance(minutes=29)
    assert _sees_patients(scene, admin)
    clock.advance(minutes=2)  # nobody ends it: time does
    assert not _sees_patients(scene, admin)


def test_break_glass_is_admin_only_and_a_refusal_is_audited(scene, it_admin):
    with pytest.raises(PermissionDenied):
        break_glass.grant(scene.db, scene.manager, it_admin.user_id, REASON)
    [row] = audit_rows(scene.db, "break_glass.grant")
    assert (row.outcome, row.username) == ("denied", "manager")
    assert not _sees_patients(scene, it_admin)


@pytest.mark.parametrize("reason, minutes, field", [
    ("", 60, "reason"), ("   because  ", 60, "reason"), (REASON, 0, "minutes"),
    (REASON, 241, "minutes"), ("x" * 501, 60, "reason"),
])  # fmt: skip
def test_break_glass_needs_a_reason_and_a_short_time(scene, it_admin, reason, minutes, field):
    with pytest.raises(ValidationError) as refused:
        break_glass.grant(scene.db, scene.admin, it_admin.user_id, reason, minutes)
    assert refused.value.field == field
    assert not _sees_patients(scene, it_admin)


def test_break_glass_is_audited_and_shown_in_the_audit_report(scene, it_admin):
    break_glass.grant(scene.db, scene.admin, it_admin.user_id, REASON, minutes=15)
    assert _sees_patients(scene, it_admin)
    assert break_glass.end(scene.db, scene.admin, it_admin.user_id) == 1
    assert not _sees_patients(scene, it_admin)  # ended early
    page = audit_queries.audit_report(scene.db, scene.admin, AuditFilter(action="break_glass"))
    actions = [(r.action, r.outcome, r.username) for r in page.rows]
    assert actions == [("break_glass.end", "success", "admin"),
                       ("break_glass.grant", "success", "admin")]  # fmt: skip
    grant_row = page.rows[1]
    assert grant_row.detail == REASON and grant_row.category == "security"
    assert grant_row.entity_id == str(it_admin.user_id) and '"minutes": 15' in (
        grant_row.new_values
    )
    search = audit_rows(scene.db, "patient.search")
    assert search and search[-1].username == "itadmin"  # views under break-glass audited


def test_break_glass_from_the_command_line(scene, it_admin, monkeypatch, capsys):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    code = cli.main(["users", "break-glass", "itadmin", "--reason", REASON, "--minutes", "20",
                     "--db", scene.db.url])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "may see patient data until" in out
    assert _sees_patients(scene, it_admin)
    assert cli.main(["users", "break-glass-end", "itadmin", "--db", scene.db.url]) == 0
    assert not _sees_patients(scene, it_admin)
    code = cli.main(["users", "break-glass", "itadmin", "--reason", "x", "--db", scene.db.url])
    assert code == 1 and "Say why" in capsys.readouterr().err
