"""An admin's account changes, on both engines: a reset gives a one-time password that
must be replaced at the next sign-in, an unlock lets a locked person in again, roles and
names change, an admin cannot lock themselves out, and every change is audited."""

from __future__ import annotations

import pytest

from practiceboard.domain.errors import AuthenticationError, PermissionDenied, ValidationError
from practiceboard.services import users
from support import PASSWORD, audit_rows, last_audit_id


def row(db, username):
    return next(r for r in users.list_users(db) if r.username == username)


def test_reset_gives_a_one_time_password_that_must_be_changed(staff):
    db, fd = staff.db, staff.front_desk
    mark = last_audit_id(db)
    otp = users.reset_password(db, staff.admin, fd.user_id)
    assert len(otp) >= 12 and otp != PASSWORD
    assert row(db, "frontdesk").must_change
    with pytest.raises(AuthenticationError):
        users.sign_in(db, "frontdesk", PASSWORD)
    actor = users.sign_in(db, "frontdesk", otp)
    assert users.must_change_password(db, actor.user_id)

    with pytest.raises(ValidationError, match="different from the one"):
        users.change_own_password(db, actor, otp, otp)
    with pytest.raises(ValidationError, match="current password is not right"):
        users.change_own_password(db, actor, "not it", "a brand new passphrase")
    with pytest.raises(ValidationError, match="at least 12"):
        users.change_own_password(db, actor, otp, "short")
    users.change_own_password(db, actor, otp, "a brand new passphrase")
    assert not users.must_change_password(db, actor.user_id)
    assert users.sign_in(db, "frontdesk", "a brand new passphrase").user_id == fd.user_id

    reset = audit_rows(db, "user.reset_password", after=mark)
    assert [(r.username, r.entity_id, r.category) for r in reset] == [
        ("admin", str(fd.user_id), "security")
    ]
    assert otp not in (reset[0].new_values or "")  # never the password itself
    assert len(audit_rows(db, "user.change_password", after=mark)) == 1


def test_unlock_lets_a_locked_person_in_with_their_own_password(staff):
    db = staff.db
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            users.sign_in(db, "billing", "wrong guess")
    assert row(db, "billing").locked
    mark = last_audit_id(db)
    users.unlock(db, staff.admin, staff.billing.user_id)
    assert not row(db, "billing").locked
    assert users.sign_in(db, "billing", PASSWORD).user_id == staff.billing.user_id
    (entry,) = audit_rows(db, "user.unlock", after=mark)
    assert '"failed_logins": 5' in entry.old_values


def test_roles_names_and_disabling_are_admin_only_and_audited(staff):
    db, admin = staff.db, staff.admin
    mark = last_audit_id(db)
    users.set_roles(db, admin, staff.clinical.user_id, ["clinical", "care_coordinator"])
    users.rename(db, admin, staff.clinical.user_id, "  Cleo   Clinic-Nurse ")
    users.set_active(db, admin, staff.clinical.user_id, False)
    r = row(db, "clinical")
    assert (r.display_name, r.roles, r.active) == (
        "Cleo Clinic-Nurse",
        ("care_coordinator", "clinical"),
        False,
    )
    assert [e.action for e in audit_rows(db, None, after=mark)] == [
        "user.roles",
        "user.rename",
        "user.disable",
    ]
    for call in (
        lambda: users.unlock(db, staff.manager, staff.billing.user_id),
        lambda: users.reset_password(db, staff.manager, staff.billing.user_id),
        lambda: users.rename(db, staff.manager, staff.billing.user_id, "X"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_an_admin_cannot_lock_themselves_out(staff):
    db, admin = staff.db, staff.admin
    with pytest.raises(ValidationError, match="Administrator role from yourself"):
        users.set_roles(db, admin, admin.user_id, ["manager"])
    with pytest.raises(ValidationError, match="your own account"):
        users.set_active(db, admin, admin.user_id, False)
    with pytest.raises(ValidationError, match="name as it should appear"):
        users.rename(db, admin, staff.billing.user_id, "   ")
    assert row(db, "admin").roles == ("admin",)


def test_a_new_account_gets_a_one_time_password_and_the_admin_reads_the_list(staff):
    from practiceboard.queries import admin as q

    db = staff.db
    uid, otp = users.add_account(db, staff.admin, "Jo.Doe", "Jo Doe", ["front_desk", "billing"])
    actor = users.sign_in(db, "jo.doe", otp)
    assert actor.user_id == uid and users.must_change_password(db, uid)
    row = next(r for r in q.accounts(db, staff.admin) if r.id == uid)
    assert (row.username, row.role_keys, row.must_change, row.active) == (
        "jo.doe",
        ("front_desk", "billing"),
        True,
        True,
    )
    with pytest.raises(ValidationError, match="already taken"):
        users.add_account(db, staff.admin, "jo.doe", "Jo Again", ["billing"])
    with pytest.raises(PermissionDenied):
        q.accounts(db, staff.manager)
