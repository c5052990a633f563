"""Sign-in in the service, on both engines: the lockout after five wrong passwords, its
expiry on the movable clock, its audit row, disabled and unknown users, and the
failure counter reset by a right password."""

from __future__ import annotations

from datetime import timedelta

import pytest

from practiceboard.db.models import User
from practiceboard.domain.errors import AuthenticationError
from practiceboard.services import users
from support import PASSWORD, START, audit_rows, last_audit_id

MISMATCH = "That user name and password do not match."
LOCKED = (
    "Too many wrong passwords: this account is locked for 15 more minutes. "
    "Ask your practice manager if you need in sooner."
)


def refused(db, username: str, password: str) -> str:
    with pytest.raises(AuthenticationError) as caught:
        users.sign_in(db, username, password, "test-pc")
    return str(caught.value)


def account(db, username: str) -> tuple[int, object]:
    with db.read() as s:
        user = s.query(User).filter_by(username=username).one()
        return user.failed_logins, user.locked_until


def test_five_wrong_passwords_lock_the_account_and_audit_it_once(clock, staff):
    db = staff.db
    mark = last_audit_id(db)

    said = [refused(db, "frontdesk", "wrong guess") for _ in range(5)]

    assert said[:4] == [MISMATCH] * 4  # no count of tries left: it would tell real names
    assert said[4] == LOCKED
    assert account(db, "frontdesk") == (5, START + timedelta(minutes=15))
    lockout = audit_rows(db, "auth.lockout", after=mark)
    assert [(r.user_id, r.username, r.outcome, r.category, r.detail) for r in lockout] == [
        (staff.front_desk.user_id, "frontdesk", "success", "security", "5 failed sign-ins")
    ]
    tries = audit_rows(db, "auth.sign_in", after=mark)
    assert [r.outcome for r in tries] == ["failure"] * 5
    assert tries[-1].detail == "wrong password (5 in a row); locked for 15 minutes"

    # The right password while locked is refused too, audited as denied, and counts nothing.
    clock.advance(minutes=1)
    assert refused(db, "frontdesk", PASSWORD) == LOCKED.replace("15 more", "14 more")
    last = audit_rows(db, "auth.sign_in", after=mark)[-1]
    assert (last.outcome, last.detail) == ("denied", "account locked")
    assert account(db, "frontdesk")[0] == 5
    assert len(audit_rows(db, "auth.lockout", after=mark)) == 1


def test_the_lockout_ends_after_its_minutes_on_the_clock(clock, staff):
    db = staff.db
    for _ in range(5):
        refused(db, "frontdesk", "wrong guess")

    clock.advance(minutes=14, seconds=59)
    assert refused(db, "frontdesk", PASSWORD).startswith("Too many wrong passwords")

    clock.advance(seconds=2)  # 15 minutes and a second after the fifth try
    actor = users.sign_in(db, "frontdesk", PASSWORD, "test-pc")

    assert actor.user_id == staff.front_desk.user_id
    assert account(db, "frontdesk") == (0, None)


def test_a_right_password_resets_the_count(clock, staff):
    db = staff.db
    for _ in range(4):
        refused(db, "frontdesk", "wrong guess")
    assert account(db, "frontdesk") == (4, None)

    users.sign_in(db, "frontdesk", PASSWORD, "test-pc")
    assert account(db, "frontdesk") == (0, None)

    for _ in range(4):  # four more: not five in a row, so no lockout
        assert not refused(db, "frontdesk", "wrong guess").startswith("Too many")
    assert account(db, "frontdesk") == (4, None)
    assert users.sign_in(db, "frontdesk", PASSWORD, "test-pc").username == "frontdesk"


def test_a_disabled_account_is_refused_even_with_the_right_password(clock, staff):
    db = staff.db
    users.set_active(db, staff.admin, staff.front_desk.user_id, False)
    mark = last_audit_id(db)

    assert refused(db, "frontdesk", PASSWORD) == (
        "This account is disabled. Ask your practice manager."
    )
    row = audit_rows(db, "auth.sign_in", after=mark)[-1]
    assert (row.user_id, row.outcome, row.detail) == (
        staff.front_desk.user_id, "denied", "account disabled",
    )  # fmt: skip

    users.set_active(db, staff.admin, staff.front_desk.user_id, True)
    assert users.sign_in(db, "frontdesk", PASSWORD, "test-pc").username == "frontdesk"


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(clock, staff):
    db = staff.db
    mark = last_audit_id(db)

    assert refused(db, "  NoSuchPerson ", PASSWORD) == MISMATCH
    assert refused(db, "frontdesk", "wrong guess") == MISMATCH

    unknown = audit_rows(db, "auth.sign_in", after=mark)[0]
    assert (unknown.user_id, unknown.username, unknown.outcome, unknown.detail) == (
        None, "nosuchperson", "failure", "unknown user name (1 in a row)",
    )  # fmt: skip
    assert account(db, "frontdesk") == (1, None)
