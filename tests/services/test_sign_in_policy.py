"""Sign-in (security.md item 4), on both engines: the same answer for unknown and real user
names (no "N more tries" that only real names get), the password policy on every path
that sets a password, and the minutes of a lockout rounded the way a person reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from practiceboard import cli
from practiceboard.db.models import User
from practiceboard.domain.errors import AuthenticationError, ValidationError
from practiceboard.domain.validation import minutes_left
from practiceboard.services import users
from support import PASSWORD, make_staff, snapshot

MISMATCH = "That user name and password do not match."


def said_to(db, username: str, password: str) -> str:
    with pytest.raises(AuthenticationError) as caught:
        users.sign_in(db, username, password, "test-pc")
    return caught.value.message


# ---------------------------------------------------------------- the same message


def test_sign_in_same_message_for_unknown_and_real_user_names(clock, staff):
    db = staff.db
    real = [said_to(db, "frontdesk", f"wrong guess {n}") for n in range(4)]
    unknown = [said_to(db, "front-desk", f"wrong guess {n}") for n in range(4)]
    assert real == unknown == [MISMATCH] * 4
    assert said_to(db, "x" * 64, "y" * 1_000_000) == MISMATCH  # a megabyte is not hashed


def test_an_unknown_name_locks_as_a_real_account_does(clock, staff):
    """Five wrong tries lock a name whether or not it is an account's, with the same
    words, for the same minutes; the lock ends the same way too."""
    db = staff.db
    real = [said_to(db, "frontdesk", f"wrong guess {n}") for n in range(6)]
    unknown = [said_to(db, "front-desk", f"wrong guess {n}") for n in range(6)]
    assert real == unknown
    assert real[:4] == [MISMATCH] * 4
    assert all("locked for 15 more minutes" in said for said in real[4:])
    clock.advance(minutes=15, seconds=1)
    assert said_to(db, "frontdesk", "wrong again") == said_to(db, "front-desk", "wrong again")
    assert said_to(db, "Front-Desk ", "wrong") == said_to(db, "FrontDesk ", "wrong")  # one name


# ---------------------------------------------------------------- the password policy

BAD_PASSWORDS = [
    (" " * 12, "at least 12 characters"),
    ("   short pass  ", "at least 12 characters"),  # 10 once trimmed
    ("a" * 12, "one character repeated"),
    ("!" * 40, "one character repeated"),
    ("x" * 257, "at most 256 characters"),
    ("x" * 1_000_000, "at most 256 characters"),
    ("{name}", "cannot be the user name"),
    ("  {NAME}  ", "cannot be the user name"),
    ("{name}{name}", "cannot be the user name"),
    ("pass\x00word-long-enough", "NUL character"),
]


def test_password_policy_on_every_path_that_sets_a_password(db, clock):
    # The first admin (bootstrap, as init and the demo do)
    for bad, match in [
        (" " * 12, "at least 12"),
        ("admin" * 3, "user name"),
        ("z" * 12, "repeated"),
    ]:
        with pytest.raises(ValidationError, match=match):
            users.bootstrap_admin(db, "admin", "Ada Admin", bad)
    staff = make_staff(db)
    before = snapshot(db)
    uid = staff.care_coordinator.user_id
    existing = _username(db, uid)
    for bad, match in BAD_PASSWORDS:
        for name in ("casey.coordinator", existing):  # a new account, a reset
            password = bad.format(name=name, NAME=name.upper())
            with pytest.raises(ValidationError, match=match):
                if name == existing:
                    users.reset_password(db, staff.admin, uid, password)
                else:
                    users.create_user(db, staff.admin, name, "Casey Coordinator", password,
                                      ["care_coordinator"])  # fmt: skip
    assert snapshot(db) == before
    users.reset_password(db, staff.admin, staff.care_coordinator.user_id, "  twelve chars ok  ")
    assert users.sign_in(db, _username(db, staff.care_coordinator.user_id), "  twelve chars ok  ")


def _username(db, user_id: int) -> str:
    with db.read() as s:
        return s.get(User, user_id).username


def test_password_policy_on_the_command_line_init(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", "aaaaaaaaaaaaaaaa")
    code = cli.main(["init", "--db", str(tmp_path / "new.db"), "--timezone", "America/Chicago"])
    out, err = capsys.readouterr()
    assert code == 1 and "cannot be one character repeated" in err and "Traceback" not in err


# ---------------------------------------------------------------- lock minutes


def test_lock_minutes_rounded_correctly_and_plurals_right(clock, staff):
    db = staff.db
    for n in range(5):
        said_to(db, "frontdesk", f"wrong {n}")
    said = said_to(db, "frontdesk", PASSWORD)
    assert "locked for 15 more minutes. " in said
    clock.advance(seconds=50)
    assert "locked for 15 more minutes. " in said_to(db, "frontdesk", PASSWORD)
    clock.advance(minutes=13, seconds=10)  # 14:00 gone: 1 minute left
    assert "locked for 1 more minute. " in said_to(db, "frontdesk", PASSWORD)
    clock.advance(seconds=30)
    assert "locked for 1 more minute. " in said_to(db, "frontdesk", PASSWORD)


def test_lock_minutes_never_exceed_the_lockout_when_a_pc_clock_runs_behind(clock, staff):
    db = staff.db
    for n in range(5):
        said_to(db, "frontdesk", f"wrong {n}")
    with db.write() as s:  # locked by a PC whose clock is 40 seconds ahead of this one
        user = s.query(User).filter_by(username="frontdesk").one()
        user.locked_until = user.locked_until + timedelta(seconds=40)
    assert "locked for 15 more minutes. " in said_to(db, "frontdesk", PASSWORD)


def test_minutes_left_rounds_up_whole_minutes():
    assert [minutes_left(s) for s in (900, 899.6, 840.4, 841, 60, 59, 1, 0.2, 0)] == [
        15, 15, 14, 15, 1, 1, 1, 1, 1,
    ]  # fmt: skip
