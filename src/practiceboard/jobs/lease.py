"""A practice-wide job runs on one PC at a time: it holds a lease row.

The holder renews the lease every run; if it stops (the PC sleeps, crashes or is
unplugged) the lease expires and the next PC whose scheduler asks takes it over —
within two lease periods when the period is the job's interval. Taking a lease is
one short write transaction: ``BEGIN IMMEDIATE`` on SQLite, a row lock on
PostgreSQL, and the primary key settles two PCs creating the row at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from practiceboard.core.clock import now
from practiceboard.db.engine import Database
from practiceboard.db.models import SchedulerLease


def take(
    db: Database, name: str, holder: str, period: timedelta, at: datetime | None = None
) -> bool:
    """Take or renew the lease ``name`` for ``period``; False when another holder's lease
    has not expired."""
    at = at or now()
    try:
        with db.write() as session:
            row = session.get(SchedulerLease, name, with_for_update=True)
            if row is None:
                session.add(SchedulerLease(name=name, holder=holder, expires_at=at + period))
                session.flush()
                return True
            if row.holder != holder and row.expires_at > at:
                return False
            row.holder, row.expires_at = holder, at + period
            return True
    except IntegrityError:  # another PC created the row first: theirs
        return False


def ran(db: Database, name: str, holder: str, at: datetime | None = None) -> None:
    """Note when the holder last finished a run (for an admin asking which PC ran a
    shared job, and when)."""
    at = at or now()
    with db.write() as session:
        row = session.get(SchedulerLease, name)
        if row is not None and row.holder == holder:
            row.last_run_at = at


def release(db: Database, name: str, holder: str, at: datetime | None = None) -> None:
    """Give the lease up at once (a clean exit), so another PC need not wait for expiry."""
    at = at or now()
    with db.write() as session:
        row = session.get(SchedulerLease, name)
        if row is not None and row.holder == holder:
            row.expires_at = at


def holder_of(db: Database, name: str, at: datetime | None = None) -> str | None:
    """Who holds the lease now (None: nobody, or it expired)."""
    at = at or now()
    with db.read() as session:
        row = session.get(SchedulerLease, name)
        return row.holder if row is not None and row.expires_at > at else None
