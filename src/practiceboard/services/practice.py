"""The practice itself: made once by the first-run wizard (its name, calendar and first
administrator, in one transaction), then changed by an admin on the Practice settings
screen (one audited transaction per save).

The checks a wizard page runs before moving on (``practice_name``, ``calendar_value``,
``check_new_admin``) need no database, so a page can tell what is wrong while the
database does not exist yet; the transaction checks again.
"""

from __future__ import annotations

import copy
from datetime import time
from pathlib import PureWindowsPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practiceboard.core import settings
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.timezone import valid_zone
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Setting, Status, User
from practiceboard.domain import validation
from practiceboard.domain.calendar import PracticeCalendar
from practiceboard.domain.errors import NotFound, ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.services.users import _insert_user

NAME_MAX = 120
IDLE_MAX = 240  # four hours: longer is "never" (0)
HOURS_MAX = 10_000.0
# What the settings screen may change (besides the statuses' thresholds).
EDITABLE = ("practice_name", "calendar", "idle_lock_minutes", "reports_folder",
            "backup_folder", "backup_time")  # fmt: skip


# ---------------------------------------------------------------- checks (no database)


def practice_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError("Give the practice's name, as staff know it.", "practice_name")
    if len(name) > NAME_MAX:
        raise ValidationError(
            f"Keep the practice's name under {NAME_MAX} characters.", "practice_name"
        )
    return name


def calendar_value(data: dict[str, Any]) -> dict[str, Any]:
    """The calendar setting as stored, from what a form holds; the time zone is required
    (business hours follow it on every PC)."""
    zone = str(data.get("timezone") or "").strip()
    if not zone or valid_zone(zone) is None:
        raise ValidationError(
            f"“{zone}” is not a time zone. Choose one such as America/Chicago."
            if zone else "Choose the practice's time zone.",
            "timezone",
        )  # fmt: skip
    return PracticeCalendar.from_dict({**data, "timezone": zone}).to_dict()


def min_password_length() -> int:
    """The password length a new database starts with (the setting's default)."""
    return settings.SETTINGS["min_password_length"].default


def check_new_admin(username: str, display_name: str, password: str, repeat: str) -> tuple:
    """(user name, name) of the first administrator, or ValidationError naming the field."""
    name = validation.person_name(display_name)
    user = validation.username(username)
    minimum = min_password_length()
    if len(password or "") < minimum:
        raise ValidationError(f"Passwords must be at least {minimum} characters long.", "password")
    if password != repeat:
        raise ValidationError("The two passwords do not match. Type them again.", "repeat")
    return user, name


def folder(value: str | None, key: str) -> str:
    """A folder setting: empty (the default folder) or a full path."""
    text = (value or "").strip()
    if text and not (text.startswith("/") or PureWindowsPath(text).is_absolute()):
        raise ValidationError(
            "Give the whole folder path (for example D:\\Backups or \\\\SERVER\\Share), "
            "or leave it empty for the default folder.",
            key,
        )
    return text


def clock_time(value: str | None, key: str) -> str:
    """An HH:MM time, or empty."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return time.fromisoformat(text).strftime("%H:%M")
    except ValueError:
        raise ValidationError(
            "Give the time as hours and minutes, for example 22:00.", key
        ) from None


def idle_minutes(value: Any) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= IDLE_MAX:
        raise ValidationError(
            f"The screen lock takes 0 (never) to {IDLE_MAX} minutes.", "idle_lock_minutes"
        )
    return minutes


_CHECKS = {
    "practice_name": practice_name,
    "calendar": calendar_value,
    "idle_lock_minutes": idle_minutes,
    "reports_folder": lambda v: folder(v, "reports_folder"),
    "backup_folder": lambda v: folder(v, "backup_folder"),
    "backup_time": lambda v: clock_time(v, "backup_time"),
}


def thresholds(warn: float | None, breach: float | None) -> tuple[float | None, float | None]:
    for value, key in ((warn, "warn_hours"), (breach, "breach_hours")):
        if value is not None and not 0 < value <= HOURS_MAX:
            raise ValidationError(
                f"Thresholds are business hours from 0 to {HOURS_MAX:,.0f}; leave one empty "
                "for none.",
                key,
            )
    if warn is not None and breach is not None and warn >= breach:
        raise ValidationError("The warning must come before the breach.", "warn_hours")
    return warn, breach


# ---------------------------------------------------------------- writes


def create_practice(db: Database, name: str, calendar: dict[str, Any], admin_username: str,
                    admin_name: str, admin_password: str) -> int:  # fmt: skip
    """The new practice's name and calendar and its first administrator, in one
    transaction (refused once any account exists): the first-run wizard's last step."""
    name = practice_name(name)
    stored_calendar = calendar_value(calendar)
    with db.write() as session:
        if session.scalar(select(func.count(User.id))):
            raise ValidationError(
                "This database already has a practice and accounts; sign in to it instead."
            )
        user = _insert_user(session, admin_username, admin_name, admin_password, ["admin"])
        who = audit.Who(user.id, user.username, db.workstation)
        audit.write(session, who, "user.create", "user", user.id, category="security",
                    at=now(), new={"username": user.username, "roles": ["admin"]})  # fmt: skip
        for key, value in (("practice_name", name), ("calendar", stored_calendar)):
            _store(session, who, key, value)
        return user.id


def save_settings(db: Database, actor: Actor, values: dict[str, Any],
                  status_thresholds: dict[int, tuple[float | None, float | None]] | None = None,
                  ) -> list[str]:  # fmt: skip
    """An admin's save of the Practice settings screen: only what changed is written, each
    change with its audit row (old and new). Returns the keys changed ("status:ID" for
    thresholds)."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ValidationError(f"“{unknown[0]}” cannot be changed here.", unknown[0])
    cleaned = {key: _CHECKS[key](value) for key, value in values.items()}
    limits = {sid: thresholds(*pair) for sid, pair in (status_thresholds or {}).items()}
    changed: list[str] = []
    with audited(db, actor, "setting.update", "setting") as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        who = actor.who()
        for key, value in cleaned.items():
            if _store(session, who, key, value):
                changed.append(key)
        for sid, (warn, breach) in limits.items():
            status = session.get(Status, sid)
            if status is None:
                raise NotFound("That status no longer exists. Reload the settings.")
            if status.category in CLOSED_CATEGORIES:
                raise ValidationError(f"“{status.name}” closes tasks; it has no thresholds.")
            old = {"warn_hours": status.warn_hours, "breach_hours": status.breach_hours}
            new = {"warn_hours": warn, "breach_hours": breach}
            if old == new:
                continue
            status.warn_hours, status.breach_hours = warn, breach
            audit.write(session, who, "status.thresholds", "status", sid, category="operational",
                        at=now(), old=old, new=new)  # fmt: skip
            changed.append(f"status:{sid}")
    return changed


def _store(session: Session, who: audit.Who, key: str, value: Any) -> bool:
    """Write one setting and its audit row; False when it already held that value."""
    row = session.get(Setting, key)
    old = settings.read(key, row.value if row is not None else None)
    if old == value:  # also a missing row whose default is the value
        return False
    if row is None:
        session.add(Setting(key=key, value=copy.deepcopy(value), updated_at=now()))
    else:
        row.value, row.updated_at = copy.deepcopy(value), now()
    audit.write(session, who, "setting.update", "setting", key, category="operational",
                at=now(), old={key: old}, new={key: value})  # fmt: skip
    return True
