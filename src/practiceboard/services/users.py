"""Accounts and sign-in: argon2id hashes, lockout after repeated failures, audited."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, undefer

from practiceboard.core import definitions, settings
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.timezone import local_timezone_name, valid_zone
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, Setting, UnknownNameFailure, User, UserRole
from practiceboard.domain import validation
from practiceboard.domain.errors import AuthenticationError, NotFound, ValidationError
from practiceboard.domain.policy import Cap

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MISMATCH = "That user name and password do not match."


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A real hash to verify against when the name is unknown, so timing does not tell.
    Made on first need: hashing costs ~0.15 s, which start-up should not pay."""
    return _hasher.hash("not-a-real-password-0000")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    active: bool
    roles: tuple[str, ...]
    locked: bool
    must_change: bool = False  # reset by an admin; a new password is due at sign-in


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(session: Session, password: str, username: str | None = None) -> None:
    """The password policy, on every path that sets a password (``validation.password``:
    at least 12 characters after trimming — more when the practice's setting says so —,
    at most 256, not one character repeated, not the user name)."""
    validation.password(password, username, definitions.setting(session, "min_password_length"))


def _role_ids(session: Session, role_keys: list[str]) -> list[int]:
    if not role_keys:
        raise ValidationError("Give the account at least one role.", "roles")
    ids = []
    for key in role_keys:
        rid = session.scalars(select(Role.id).where(Role.key == key)).first()
        if rid is None:
            raise ValidationError(f"There is no role called “{key}”.", "roles")
        ids.append(rid)
    return ids


def _insert_user(session: Session, username: str, display_name: str, password: str,
                 role_keys: list[str]) -> User:  # fmt: skip
    username = validation.username(username)
    if session.scalars(select(User.id).where(func.lower(User.username) == username)).first():
        raise ValidationError(f"The user name “{username}” is already taken.", "username")
    display_name = validation.person_name(display_name)
    check_password_rules(session, password, username)
    role_ids = _role_ids(session, role_keys)
    user = User(username=username, display_name=display_name, password_hash=hash_password(password),
                active=True, failed_logins=0, created_at=now())  # fmt: skip
    session.add(user)
    session.flush()
    for rid in role_ids:
        session.add(UserRole(user_id=user.id, role_id=rid))
    session.flush()
    return user


def bootstrap_admin(db: Database, username: str, display_name: str, password: str,
                    timezone: str | None = None) -> int:  # fmt: skip
    """The first admin account of a new database (refused once any account exists).

    The practice's time zone is settled here too, once: ``timezone`` or this PC's own.
    Business hours then follow the practice wherever a PC is, and a PC whose own zone
    is unknown or different never moves them."""
    zone = None
    if timezone is not None:
        zone = valid_zone(timezone)
        if zone is None:
            raise ValidationError(
                f"“{timezone}” is not a time zone name. Use one such as America/Chicago or "
                "America/New_York.", "timezone"
            )  # fmt: skip
    with db.write() as session:
        if session.scalar(select(func.count(User.id))):
            raise ValidationError("This database already has accounts; sign in as an admin.")
        user = _insert_user(session, username, display_name, password, ["admin"])
        who = audit.Who(user.id, user.username, db.workstation)
        audit.write(session, who, "user.create", "user", user.id, category="security", at=now(),
                    new={"username": user.username, "roles": ["admin"]})  # fmt: skip
        _settle_timezone(session, who, zone or local_timezone_name())
        return user.id


def _settle_timezone(session: Session, who: audit.Who, zone: str) -> None:
    row = session.get(Setting, "calendar")
    stored = dict(row.value or {}) if row is not None and isinstance(row.value, dict) else {}
    if stored.get("timezone"):
        return  # already settled (a database set up before)
    value = {**settings.read("calendar", stored or None), "timezone": zone}
    if row is None:
        session.add(Setting(key="calendar", value=value, updated_at=now()))
    else:
        row.value, row.updated_at = value, now()
    audit.write(session, who, "setting.update", "setting", "calendar", category="operational",
                at=now(), old={"timezone": None}, new={"timezone": zone})  # fmt: skip


def create_user(db: Database, actor: Actor, username: str, display_name: str, password: str,
                role_keys: list[str]) -> int:  # fmt: skip
    with audited(db, actor, "user.create", "user") as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        user = _insert_user(session, username, display_name, password, role_keys)
        audit.write(session, actor.who(), "user.create", "user", user.id, category="security",
                    at=now(), new={"username": user.username, "display_name": user.display_name,
                         "roles": sorted(role_keys)})  # fmt: skip
        return user.id


def add_account(db: Database, actor: Actor, username: str, display_name: str,
                role_keys: list[str]) -> tuple[int, str]:  # fmt: skip
    """A new account with a one-time password, to be shown once and replaced by its owner
    at the first sign-in. Returns (user id, the one-time password)."""
    with audited(db, actor, "user.create", "user") as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        otp = one_time_password(definitions.setting(session, "min_password_length"))
        user = _insert_user(session, username, display_name, otp, role_keys)
        user.must_change_password = True
        new = {"username": user.username, "display_name": user.display_name,
               "roles": sorted(role_keys), "must_change_password": True}  # fmt: skip
        audit.write(session, actor.who(), "user.create", "user", user.id, category="security",
                    at=now(), new=new)  # fmt: skip
        return user.id, otp


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> None:
    with audited(db, actor, "user.disable" if not active else "user.enable", "user",
                 user_id) as session:  # fmt: skip
        require(actor_policy(session, actor), Cap.ADMIN)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        if user.id == actor.user_id and not active:
            raise ValidationError("You cannot disable your own account.")
        old = user.active
        user.active = active
        audit.write(session, actor.who(), "user.disable" if not active else "user.enable", "user",
                    user.id, category="security", at=now(), old={"active": old},
                    new={"active": active})  # fmt: skip


def reset_password(db: Database, actor: Actor, user_id: int, password: str | None = None) -> str:
    """A new password for someone who forgot theirs; any lockout is cleared and they must
    choose their own at the next sign-in. Without ``password`` a one-time password is
    made; either way it is returned, to be shown once and never stored in clear."""
    with audited(db, actor, "user.reset_password", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        if password is None:
            password = one_time_password(definitions.setting(session, "min_password_length"))
        check_password_rules(session, password, user.username)
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        user.must_change_password = True
        audit.write(session, actor.who(), "user.reset_password", "user", user.id,
                    category="security", at=now(), new={"must_change_password": True})  # fmt: skip
        return password


# No 0/O, 1/l/I: read aloud or copied off a screen without mistakes.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password(minimum: int) -> str:
    """Groups of four easy-to-read characters, at least ``minimum`` long (dashes count)."""
    groups = max(3, math.ceil((minimum + 1) / 5))
    return "-".join("".join(secrets.choice(_OTP_ALPHABET) for _ in range(4)) for _ in range(groups))


def unlock(db: Database, actor: Actor, user_id: int) -> None:
    """Let a locked-out person try again now, without changing their password."""
    with audited(db, actor, "user.unlock", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        until = user.locked_until.isoformat() if user.locked_until else None
        old = {"failed_logins": user.failed_logins, "locked_until": until}
        user.failed_logins, user.locked_until = 0, None
        audit.write(session, actor.who(), "user.unlock", "user", user.id, category="security",
                    at=now(), old=old, new={"failed_logins": 0, "locked_until": None})  # fmt: skip


def rename(db: Database, actor: Actor, user_id: int, display_name: str) -> None:
    """Change the name shown on cards (the user name, which people sign in with, stays)."""
    with audited(db, actor, "user.rename", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        name = " ".join((display_name or "").split())
        if not name or len(name) > 120:
            raise ValidationError(
                "Give the person's name as it should appear on cards.", "display_name"
            )
        old, user.display_name = user.display_name, name
        audit.write(session, actor.who(), "user.rename", "user", user.id, category="security",
                    at=now(), old={"display_name": old}, new={"display_name": name})  # fmt: skip


def must_change_password(db: Database, user_id: int) -> bool:
    with db.read() as session:
        user = session.get(User, user_id)
        return bool(user and user.must_change_password)


def change_own_password(db: Database, actor: Actor, current: str, new: str) -> None:
    """The signed-in person replaces their password (after a reset: the one-time one)."""
    with audited(db, actor, "user.change_password", "user", actor.user_id) as session:
        user = session.get(User, actor.user_id)
        if user is None or not user.active:
            raise NotFound("That account does not exist or is disabled.")
        if not _verify(user.password_hash, current):
            raise ValidationError("The current password is not right.", "current")
        if new == current:
            raise ValidationError(
                "Choose a new password, different from the one you were given.", "password"
            )
        check_password_rules(session, new)
        user.password_hash = hash_password(new)
        user.must_change_password = False
        audit.write(session, actor.who(), "user.change_password", "user", user.id,
                    category="security", at=now())  # fmt: skip


def set_roles(db: Database, actor: Actor, user_id: int, role_keys: list[str]) -> None:
    with audited(db, actor, "user.roles", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        if session.get(User, user_id) is None:
            raise NotFound("That account does not exist.")
        old = _roles_of(session, user_id)
        ids = _role_ids(session, role_keys)
        if user_id == actor.user_id and "admin" in old and "admin" not in role_keys:
            raise ValidationError(
                "You cannot take the Administrator role from yourself; another admin can.",
                "roles",
            )
        session.execute(delete(UserRole).where(UserRole.user_id == user_id))
        for rid in ids:
            session.add(UserRole(user_id=user_id, role_id=rid))
        audit.write(session, actor.who(), "user.roles", "user", user_id, category="security",
                    at=now(), old={"roles": old}, new={"roles": sorted(role_keys)})  # fmt: skip


def _roles_of(session: Session, user_id: int) -> list[str]:
    return sorted(session.scalars(
        select(Role.key).join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user_id)
    ))  # fmt: skip


def list_users(db: Database) -> list[UserRow]:
    with db.read() as session:
        at = now()
        return [
            UserRow(
                u.id,
                u.username,
                u.display_name,
                u.active,
                tuple(_roles_of(session, u.id)),
                bool(u.locked_until and u.locked_until > at),
                u.must_change_password,
            )  # fmt: skip
            for u in session.scalars(
                select(User).options(undefer(User.must_change_password)).order_by(User.username)
            )
        ]


def user_id_by_name(db: Database, username: str) -> int:
    with db.read() as session:
        uid = session.scalars(select(User.id).where(User.username == username.lower())).first()
    if uid is None:
        raise NotFound(f"There is no account called “{username}”.")
    return uid


def sign_in(db: Database, username: str, password: str, workstation: str | None = None) -> Actor:
    """The signed-in Actor, or AuthenticationError. Failures count toward a lockout."""
    station = workstation or db.workstation
    name = (username or "").strip().lower()
    with db.write() as session:
        attempts = definitions.setting(session, "lockout_attempts")
        minutes = definitions.setting(session, "lockout_minutes")
        user = session.scalars(select(User).where(User.username == name)).first()
        at = now()
        if user is None:
            error = _unknown_name(session, name, password, station, at, attempts, minutes)
        elif user.locked_until and user.locked_until > at:
            audit.write(session, audit.Who(user.id, user.username, station), "auth.sign_in", "user",
                        user.id, outcome="denied", category="security", at=now(),
                        detail="account locked")  # fmt: skip
            error = AuthenticationError(_locked_message(user.locked_until, at, minutes))
        elif not _verify(user.password_hash, password):
            user.failed_logins += 1
            detail = f"wrong password ({user.failed_logins} in a row)"
            if user.failed_logins >= attempts:
                user.locked_until = at + timedelta(minutes=minutes)
                detail += f"; locked for {minutes} minutes"
                audit.write(session, audit.Who(user.id, user.username, station), "auth.lockout",
                            "user", user.id, outcome="success", category="security", at=now(),
                            detail=f"{attempts} failed sign-ins")  # fmt: skip
            audit.write(session, audit.Who(user.id, user.username, station), "auth.sign_in", "user",
                        user.id, outcome="failure", category="security", at=now(),
                        detail=detail)  # fmt: skip
            # The same words as for an unknown name: a count of tries left would tell
            # which names are real.
            error = AuthenticationError(
                _locked_message(user.locked_until, at, minutes)
                if user.locked_until and user.locked_until > at else MISMATCH
            )  # fmt: skip
        elif not user.active:
            audit.write(session, audit.Who(user.id, user.username, station), "auth.sign_in", "user",
                        user.id, outcome="denied", category="security", at=now(),
                        detail="account disabled")  # fmt: skip
            error = AuthenticationError("This account is disabled. Ask your practice manager.")
        else:
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, at
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            audit.write(session, audit.Who(user.id, user.username, station), "auth.sign_in", "user",
                        user.id, category="security", at=now())  # fmt: skip
            return Actor(user.id, user.username, user.display_name, station)
    raise error  # committed first: the failure count and its audit row must stick


def _verify(hashed: str, password: str) -> bool:
    if len(password or "") > validation.PASSWORD_MAX:
        return False  # no password is that long: not worth a hash of a megabyte
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _unknown_name(
    session: Session, name: str, password: str, station: str, at, attempts: int, minutes: int
) -> AuthenticationError:
    """A name no account has is answered as an account would be: the same words for a
    wrong password, the same lock after ``attempts`` of them (counted per name in
    unknown_name_failures, as an account counts its own), and the same work: the
    password is hashed unless the name is locked, as for a locked account."""
    who = audit.Who(None, name or "?", station)
    countable = 0 < len(name) <= 64  # no account can have a longer name
    row = session.get(UnknownNameFailure, name) if countable else None
    if row is not None and row.locked_until and row.locked_until > at:
        audit.write(session, who, "auth.sign_in", "user", outcome="denied", category="security",
                    at=now(), detail="unknown user name, locked like an account")  # fmt: skip
        return AuthenticationError(_locked_message(row.locked_until, at, minutes))
    _verify(_decoy_hash(), password)
    if row is None and countable:
        row = UnknownNameFailure(username=name, failed_logins=0, last_failed_at=at)
        session.add(row)
    detail = "unknown user name"
    if row is not None:
        row.failed_logins += 1
        row.last_failed_at = at
        detail += f" ({row.failed_logins} in a row)"
        if row.failed_logins >= attempts:
            row.locked_until = at + timedelta(minutes=minutes)
            detail += f"; locked for {minutes} minutes"
    audit.write(session, who, "auth.sign_in", "user", outcome="failure", category="security",
                at=now(), detail=detail)  # fmt: skip
    if row is not None and row.locked_until and row.locked_until > at:
        return AuthenticationError(_locked_message(row.locked_until, at, minutes))
    return AuthenticationError(MISMATCH)


def _locked_message(locked_until, at, lockout_minutes: int) -> str:
    # Whole minutes, rounded up (14:10 left is 15), never more than the lockout itself:
    # a PC whose clock runs behind the one that locked the account would say 16.
    left = validation.minutes_left((locked_until - at).total_seconds())
    minutes = min(left, max(1, lockout_minutes))
    return (
        f"Too many wrong passwords: this account is locked for {minutes} more "
        f"{'minute' if minutes == 1 else 'minutes'}. "
        "Ask your practice manager if you need in sooner."
    )


def verify_password(
    db: Database, user_id: int, password: str, workstation: str | None = None
) -> bool:
    """Re-entry after the idle lock: the same user proves it is still them. Audited
    (``auth.unlock``) like a sign-in, and a wrong password counts toward the same
    lockout: the lock screen is not a way round it. A locked account is refused with
    the sign-in's sentence."""
    station = workstation or db.workstation
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            return False
        who, at = audit.Who(user.id, user.username, station), now()
        if user.locked_until and user.locked_until > at:
            audit.write(session, who, "auth.unlock", "user", user.id, outcome="denied",
                        category="security", at=at, detail="account locked")  # fmt: skip
            lockout = definitions.setting(session, "lockout_minutes")
            error = AuthenticationError(_locked_message(user.locked_until, at, lockout))
        elif not _verify(user.password_hash, password):
            attempts = definitions.setting(session, "lockout_attempts")
            minutes = definitions.setting(session, "lockout_minutes")
            user.failed_logins += 1
            detail = f"wrong password at the lock screen ({user.failed_logins} in a row)"
            if user.failed_logins >= attempts:
                user.locked_until = at + timedelta(minutes=minutes)
                detail += f"; locked for {minutes} minutes"
                audit.write(session, who, "auth.lockout", "user", user.id, category="security",
                            at=at, detail=f"{attempts} failed sign-ins")  # fmt: skip
            audit.write(session, who, "auth.unlock", "user", user.id, outcome="failure",
                        category="security", at=at, detail=detail)  # fmt: skip
            return False
        elif not user.active:
            audit.write(session, who, "auth.unlock", "user", user.id, outcome="denied",
                        category="security", at=at, detail="account disabled")  # fmt: skip
            return False
        else:
            user.failed_logins = 0
            audit.write(session, who, "auth.unlock", "user", user.id, category="security",
                        at=at)  # fmt: skip
            return True
    raise error  # committed first: the refusal's audit row must stick
