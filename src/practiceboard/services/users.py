"""Accounts and sign-in: argon2id hashes, lockout after repeated failures, audited."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from practiceboard.core import definitions, settings
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.timezone import local_timezone_name, valid_zone
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, Setting, User, UserRole
from practiceboard.domain.errors import AuthenticationError, NotFound, ValidationError
from practiceboard.domain.policy import Cap

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(session: Session, password: str) -> None:
    minimum = definitions.setting(session, "min_password_length")
    if len(password or "") < minimum:
        raise ValidationError(f"Passwords must be at least {minimum} characters long.", "password")


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
    username = (username or "").strip().lower()
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise ValidationError(
            "User names use letters, digits, dots, dashes or underscores (at most 64).", "username"
        )
    if session.scalars(select(User.id).where(func.lower(User.username) == username)).first():
        raise ValidationError(f"The user name “{username}” is already taken.", "username")
    display_name = " ".join((display_name or "").split())
    if not display_name or len(display_name) > 120:
        raise ValidationError(
            "Give the person's name as it should appear on cards.", "display_name"
        )
    check_password_rules(session, password)
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


def reset_password(db: Database, actor: Actor, user_id: int, password: str) -> None:
    with audited(db, actor, "user.reset_password", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("That account does not exist.")
        check_password_rules(session, password)
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        audit.write(session, actor.who(), "user.reset_password", "user", user.id,
                    category="security", at=now())  # fmt: skip


def set_roles(db: Database, actor: Actor, user_id: int, role_keys: list[str]) -> None:
    with audited(db, actor, "user.roles", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        if session.get(User, user_id) is None:
            raise NotFound("That account does not exist.")
        old = _roles_of(session, user_id)
        ids = _role_ids(session, role_keys)
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
            )  # fmt: skip
            for u in session.scalars(select(User).order_by(User.username))
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
            _verify(_decoy_hash(), password)
            audit.write(session, audit.Who(None, name or "?", station), "auth.sign_in", "user",
                        outcome="failure", category="security", at=now(),
                        detail="unknown user name")  # fmt: skip
            error = AuthenticationError("That user name and password do not match.")
        elif user.locked_until and user.locked_until > at:
            audit.write(session, audit.Who(user.id, user.username, station), "auth.sign_in", "user",
                        user.id, outcome="denied", category="security", at=now(),
                        detail="account locked")  # fmt: skip
            error = AuthenticationError(_locked_message(user, at))
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
            left = attempts - user.failed_logins
            error = AuthenticationError(
                _locked_message(user, at) if user.locked_until and user.locked_until > at
                else "That user name and password do not match."
                + (f" {left} more {'try' if left == 1 else 'tries'} before the account locks."
                   if left <= 2 else "")
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
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(user: User, at) -> str:
    minutes = max(1, math.ceil((user.locked_until - at).total_seconds() / 60))  # 15:00 is 15
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
            error = AuthenticationError(_locked_message(user, at))
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
