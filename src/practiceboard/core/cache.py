"""Definitions and policies cached per database, checked against its change stamp.

Every query and service needs the small tables (workflows, statuses, reasons,
people's names, places, the calendar) and the actor's policy. Read fresh they
cost about 3 ms a call. The change stamp (db.models.ChangeStamp, set to a new
random number by database triggers whenever one of those tables changes, on any
PC) tells in one tiny query whether what is cached still holds.

A call reads the stamp once (``current``), then asks for each value
(``get(stamp, key, load)``): ``load`` runs, in the caller's session, only when
this database has nothing cached under this stamp. The stamp is read before the
values, in the same transaction, so a cached value is never older than its stamp.
Values are shared by every thread and call: they must be immutable or treated as
read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import bindparam, exists, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from practiceboard.db.models import BreakGlassGrant, ChangeStamp, User, UtcDateTime

T = TypeVar("T")
# (database, stamp) pairs kept: a PC works on one database, but a writer's own new
# stamp and everyone else's may alternate while it commits, and tests open many.
MAX_HELD = 16


@dataclass(frozen=True, slots=True)
class Stamp:
    """Which database, and the value of its change stamp when this call began."""

    database: URL
    value: int | None  # None: the stamp row is missing, so nothing is cached

    @property
    def cacheable(self) -> bool:
        return self.value is not None


# Both scalar subqueries answer even when the other finds no row.
_NOW = select(
    select(ChangeStamp.value).where(ChangeStamp.id == 1).scalar_subquery(),
    select(User.active).where(User.id == bindparam("user_id")).scalar_subquery(),
)

# The same, with whether the account holds a break-glass grant right now (core.actor):
# one query still, and the grant ends by itself when ``ends_at`` passes.
_NOW_WITH_GRANT = select(
    select(ChangeStamp.value).where(ChangeStamp.id == 1).scalar_subquery(),
    select(User.active).where(User.id == bindparam("user_id")).scalar_subquery(),
    exists().where(
        BreakGlassGrant.user_id == bindparam("user_id"),
        BreakGlassGrant.revoked_at.is_(None),
        BreakGlassGrant.starts_at <= bindparam("now", type_=UtcDateTime()),
        BreakGlassGrant.ends_at > bindparam("now", type_=UtcDateTime()),
    ),
)

_lock = threading.Lock()
_held: OrderedDict[tuple[URL, int], dict] = OrderedDict()


def current(session: Session, user_id: int | None = None) -> tuple[Stamp, bool]:
    """(the database's stamp now, whether ``user_id`` names an active account) in one
    query. The account is read every time, never cached: disabling someone takes
    effect at their next call whatever the cache holds."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # this transaction's own changes bump the stamp first
    value, active = session.connection().execute(_NOW, {"user_id": user_id}).one()
    return Stamp(session.get_bind().url, value), bool(active)


def current_access(session: Session, user_id: int, at) -> tuple[Stamp, bool, bool]:
    """``current`` and, in the same query, whether the account holds a break-glass grant
    at ``at`` (never cached either)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    value, active, glass = (
        session.connection().execute(_NOW_WITH_GRANT, {"user_id": user_id, "now": at}).one()
    )
    return Stamp(session.get_bind().url, value), bool(active), bool(glass)


def get(stamp: Stamp, key: Hashable, load: Callable[[], T]) -> T:
    """The value cached for ``key`` under this stamp, or ``load()`` (then cached)."""
    if not stamp.cacheable:
        return load()
    entries = _entries(stamp)
    try:
        return entries[key]
    except KeyError:
        pass
    value = load()  # outside the lock: two threads may both load; either result holds
    entries[key] = value
    return value


def _entries(stamp: Stamp) -> dict:
    """This database's values under this stamp; a new stamp starts an empty set, and
    the least recently used sets are dropped. Stamps are random, never reused, so a
    set held for an old stamp is never read again once the stamp moved on."""
    key = (stamp.database, stamp.value)
    with _lock:
        entries = _held.get(key)
        if entries is None:
            entries = _held[key] = {}
            while len(_held) > MAX_HELD:
                _held.popitem(last=False)
        else:
            _held.move_to_end(key)
        return entries


def clear() -> None:
    """Forget everything (tests; never needed for correctness)."""
    with _lock:
        _held.clear()
