"""Noticing other PCs' changes: ``PRAGMA data_version`` on SQLite, LISTEN/NOTIFY on
PostgreSQL. Plain Python; the GUI's bridge polls it from a timer or a worker.

Every write transaction on PostgreSQL sends ``NOTIFY practiceboard`` just before
it commits (see engine.Database.write); PostgreSQL delivers it only on commit.
"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.engine import make_url

CHANNEL = "practiceboard"


class SqliteWatcher:
    """``changed()`` is True when another connection committed since the last call.

    data_version is per connection, so the watcher keeps one connection of its own
    for its whole life and never writes through it.
    """

    def __init__(self, path: str):
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout = 2000")
        self._last = self._version()

    def _version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def changed(self, timeout: float = 0.0) -> bool:
        current = self._version()
        if current != self._last:
            self._last = current
            return True
        return False

    def close(self) -> None:
        self._conn.close()


class PostgresWatcher:
    """``changed(timeout)`` blocks up to timeout seconds for a notification."""

    def __init__(self, url: str):
        u = make_url(url).set(drivername="postgresql")
        self._conn = psycopg.connect(u.render_as_string(hide_password=False), autocommit=True)
        self._conn.execute("LISTEN practiceboard")  # = CHANNEL

    def changed(self, timeout: float = 1.0) -> bool:
        got = False
        for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            got = True
        if got:  # drain a burst so one refresh covers it
            for _ in self._conn.notifies(timeout=0.05):
                pass
        return got

    def close(self) -> None:
        self._conn.close()


def watcher_for(db) -> SqliteWatcher | PostgresWatcher:
    if db.is_sqlite:
        return SqliteWatcher(make_url(db.url).database)
    return PostgresWatcher(db.url)
